/**
 * The attribute names of the exported line items, Full and Basic (docs/billing.md, "Attribute
 * sets"). The names are written as the attribute tables of Microsoft's pages list them; the casing
 * of the keys inside real files is not documented, so clients should match names without regard
 * to case.
 */

export type AttributeSet = 'full' | 'basic';
export const ATTRIBUTE_SETS: readonly AttributeSet[] = ['full', 'basic'];

/** Billed and unbilled invoice reconciliation line items, Full set, in file order. */
export const RECONCILIATION_FULL = [
  'PartnerId',
  'CustomerId',
  'CustomerName',
  'CustomerDomainName',
  'CustomerCountry',
  'InvoiceNumber',
  'MpnId',
  'Tier2MpnId',
  'OrderId',
  'OrderDate',
  'ProductId',
  'SkuId',
  'AvailabilityId',
  'SkuName',
  'ProductName',
  'ChargeType',
  'UnitPrice',
  'Quantity',
  'Subtotal',
  'TaxTotal',
  'Total',
  'Currency',
  'PriceAdjustmentDescription',
  'PublisherName',
  'PublisherId',
  'SubscriptionDescription',
  'SubscriptionId',
  'ChargeStartDate',
  'ChargeEndDate',
  'TermAndBillingCycle',
  'EffectiveUnitPrice',
  'UnitType',
  'AlternateId',
  'BillableQuantity',
  'BillingFrequency',
  'PricingCurrency',
  'PCToBCExchangeRate',
  'PCToBCExchangeRateDate',
  'MeterDescription',
  'ReservationOrderId',
  'CreditReasonCode',
  'SubscriptionStartDate',
  'SubscriptionEndDate',
  'ReferenceId',
  'ProductQualifiers',
  'PromotionId',
  'ProductCategory',
] as const;

/**
 * What Basic leaves out of the reconciliation set. The public pages do not list Basic's members
 * for reconciliation; the emulator drops the same kind of descriptive fields the usage table marks
 * Full-only (docs/billing.md says so).
 */
const RECONCILIATION_FULL_ONLY = new Set<string>([
  'CustomerDomainName',
  'CustomerCountry',
  'MpnId',
  'Tier2MpnId',
  'AvailabilityId',
  'ProductName',
  'PublisherId',
  'SubscriptionDescription',
  'PriceAdjustmentDescription',
  'MeterDescription',
  'ReservationOrderId',
  'ProductQualifiers',
]);

/** Daily rated usage line items (billed and unbilled), Full set, in file order. */
export const USAGE_FULL = [
  'PartnerId',
  'PartnerName',
  'CustomerId',
  'CustomerName',
  'CustomerDomainName',
  'CustomerCountry',
  'MpnId',
  'Tier2MpnId',
  'InvoiceNumber',
  'ProductId',
  'SkuId',
  'AvailabilityId',
  'SkuName',
  'ProductName',
  'PublisherName',
  'PublisherId',
  'SubscriptionDescription',
  'SubscriptionId',
  'ChargeStartDate',
  'ChargeEndDate',
  'UsageDate',
  'MeterType',
  'MeterCategory',
  'MeterId',
  'MeterSubCategory',
  'MeterName',
  'MeterRegion',
  'Unit',
  'ResourceLocation',
  'ConsumedService',
  'ResourceGroup',
  'ResourceURI',
  'ChargeType',
  'UnitPrice',
  'Quantity',
  'UnitType',
  'BillingPreTaxTotal',
  'BillingCurrency',
  'PricingPreTaxTotal',
  'PricingCurrency',
  'ServiceInfo1',
  'ServiceInfo2',
  'Tags',
  'AdditionalInfo',
  'EffectiveUnitPrice',
  'PCToBCExchangeRate',
  'EntitlementId',
  'EntitlementDescription',
  'PartnerEarnedCreditPercentage',
  'CreditPercentage',
  'CreditType',
  'BenefitOrderID',
  'BenefitID',
  'BenefitType',
] as const;

/** Full-only in Microsoft Graph's attribute table for billed and unbilled usage. */
const USAGE_FULL_ONLY = new Set<string>([
  'CustomerDomainName',
  'CustomerCountry',
  'MpnId',
  'Tier2MpnId',
  'AvailabilityId',
  'ProductName',
  'PublisherId',
  'SubscriptionDescription',
  'MeterType',
  'MeterCategory',
  'MeterId',
  'MeterSubCategory',
  'MeterName',
  'MeterRegion',
  'Unit',
  'ResourceLocation',
  'ConsumedService',
  'ResourceGroup',
  'ServiceInfo1',
  'ServiceInfo2',
  'Tags',
  'EntitlementDescription',
  'PartnerEarnedCreditPercentage',
  'BenefitID',
]);

export type ReconciliationAttribute = (typeof RECONCILIATION_FULL)[number];
export type UsageAttribute = (typeof USAGE_FULL)[number];

export const RECONCILIATION_BASIC: readonly string[] = RECONCILIATION_FULL.filter(
  (name) => !RECONCILIATION_FULL_ONLY.has(name),
);
export const USAGE_BASIC: readonly string[] = USAGE_FULL.filter(
  (name) => !USAGE_FULL_ONLY.has(name),
);

/** The names a line item of this family carries in this attribute set, in file order. */
export function attributesOf(
  family: 'reconciliation' | 'usage',
  set: AttributeSet,
): readonly string[] {
  if (family === 'reconciliation')
    return set === 'full' ? RECONCILIATION_FULL : RECONCILIATION_BASIC;
  return set === 'full' ? USAGE_FULL : USAGE_BASIC;
}
