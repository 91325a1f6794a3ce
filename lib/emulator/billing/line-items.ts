/**
 * Reconciliation and rated-usage line items, derived from (source, position) when they are served:
 * nothing per line item is kept, so an invoice of millions of lines costs no memory. Amounts are
 * whole cents, so an invoice's total is the exact sum of its lines' `Total` (docs/billing.md,
 * "Amounts").
 */
import { isoDate } from '../partner-center/customer-context.js';
import { guidFromWords, hash32, mix32 } from '../server/random.js';
import { type AttributeSet, attributesOf } from './attribute-sets.js';
import type { BilledCustomer, BilledCustomers, BilledSubscription } from './billed-customers.js';

export interface Currency {
  readonly code: string;
  readonly symbol: string;
  /** Price in this currency per 100 of the USD list price. */
  readonly perHundredUsd: number;
}

export const CURRENCIES: readonly Currency[] = [
  { code: 'USD', symbol: '$', perHundredUsd: 100 },
  { code: 'EUR', symbol: '€', perHundredUsd: 92 },
];

export type LineFamily = 'reconciliation' | 'usage';

/** One set of line items: an invoice's, or an unbilled period's in one currency. */
export interface LineSource {
  readonly family: LineFamily;
  /** Distinguishes sources; every value of a line depends on it and the line's position. */
  readonly salt: number;
  readonly count: number;
  readonly currency: Currency;
  /** Empty for unbilled data. */
  readonly invoiceId: string;
  readonly periodStart: number;
  /** Exclusive. */
  readonly periodEnd: number;
  readonly partnerId: string;
  readonly mpnId: string;
}

const DAY_MS = 86_400_000;
/** USD list prices per license and month, in cents (the emulator's, not Microsoft's price list). */
const LIST_PRICE_CENTS: Readonly<Record<string, number>> = {
  'Microsoft 365 Business Basic': 600,
  'Microsoft 365 Business Standard': 1250,
  'Microsoft 365 Business Premium': 2200,
  'Office 365 E3': 2300,
  'Enterprise Mobility + Security E3': 1060,
  'Power BI Pro': 1000,
  'Azure Active Directory Premium P1': 600,
  'Minecraft Education Edition Faculty': 504,
};
/** VAT-like rates by customer country, in basis points (the emulator's, for non-zero taxes). */
const TAX_BASIS_POINTS: Readonly<Record<string, number>> = {
  DE: 1900,
  FR: 2000,
  ES: 2100,
  SE: 2500,
  PL: 2300,
  TR: 2000,
  KR: 1000,
  JP: 1000,
};
const CHARGE_TYPES = [
  ['cycleCharge', 72],
  ['new', 8],
  ['renew', 8],
  ['addQuantity', 6],
  ['removeQuantity', 4],
  ['cancelImmediate', 2],
] as const;
type ChargeType = (typeof CHARGE_TYPES)[number][0];
const AZURE_PLAN = { productId: 'DZH318Z0BCZC', skuId: '0001', availabilityId: 'DZH318Z0BCZB' };
const METERS = [
  ['Virtual Machines', 'Dsv3 Series', 'D2s v3', '1 Hour', 9.6],
  ['Storage', 'General Block Blob v2', 'Hot LRS Data Stored', '1 GB/Month', 1.84],
  ['Bandwidth', 'Rtn Preference: MGN', 'Standard Data Transfer Out', '1 GB', 8.7],
  ['Azure App Service', 'Basic Plan', 'B1', '1 Hour', 7.5],
  ['SQL Database', 'Single Standard', 'S0 DTUs', '1/Day', 48.4],
] as const;
const REGIONS = ['eastus', 'westeurope', 'northeurope', 'japaneast', 'brazilsouth'];

function periodDays(source: LineSource): number {
  return Math.max(1, Math.round((source.periodEnd - source.periodStart) / DAY_MS));
}

const hex8 = (value: number) => (value >>> 0).toString(16).padStart(8, '0');
const cents = (value: number) => value / 100;

/**
 * A customer's lines repeat a pattern of SLOTS charges (a slot names the subscription and the
 * charge), so an invoice's total is a sum over customers and slots, not over millions of lines
 * (the lines still differ: ids, references and order of appearance are the line's own).
 */
export const SLOTS = 64;

/** Where a line sits: its customer's block and its slot in the customer's pattern. */
interface LinePlace {
  readonly customerPosition: number;
  readonly slot: number;
}

/** Lines come in blocks, one block per customer, starting at a customer chosen by the source. */
function blockLength(source: LineSource, customers: number): number {
  return Math.max(1, Math.ceil(source.count / customers));
}

function placeOf(source: LineSource, position: number, customers: number): LinePlace {
  const block = blockLength(source, customers);
  const blockNumber = Math.floor(position / block);
  return {
    customerPosition: (blockNumber + (source.salt % customers)) % customers,
    slot: (position - blockNumber * block) % SLOTS,
  };
}

/** The subscription of a slot: a customer's slots go round its subscriptions. */
function subscriptionOf(customer: BilledCustomer, slot: number): BilledSubscription {
  return customer.subscriptions[slot % customer.subscriptions.length];
}

function chargeTypeOf(hash: number): ChargeType {
  let remaining = hash % 100;
  for (const [type, weight] of CHARGE_TYPES) {
    remaining -= weight;
    if (remaining < 0) return type;
  }
  return 'cycleCharge';
}

/** The money of one reconciliation line, in whole cents of the source's currency. */
export interface Charge {
  readonly chargeType: ChargeType;
  readonly unitPriceCents: number;
  readonly quantity: number;
  readonly days: number;
  readonly subtotalCents: number;
  readonly taxCents: number;
  readonly totalCents: number;
  readonly start: number;
}

/** The charge of a customer's slot: every line in that slot carries it. */
export function chargeOf(
  source: LineSource,
  slot: number,
  customer: BilledCustomer,
  subscription: BilledSubscription,
): Charge {
  const hash = hash32(source.salt, customer.index * SLOTS + slot, 71);
  const second = mix32(hash ^ 0x2545f491);
  const azure = subscription.product === undefined;
  const chargeType = azure ? 'cycleCharge' : chargeTypeOf(hash);
  const usdCents = azure
    ? 500 + (second % 250_000)
    : (LIST_PRICE_CENTS[subscription.product?.name ?? ''] ?? 800);
  const unitPriceCents = Math.round((usdCents * source.currency.perHundredUsd) / 100);
  const allDays = periodDays(source);
  const whole = chargeType === 'cycleCharge' || chargeType === 'renew';
  const days = whole ? allDays : 1 + (second % allDays);
  const quantity =
    azure || chargeType === 'new' || chargeType === 'cycleCharge' || chargeType === 'renew'
      ? azure
        ? 1
        : subscription.quantity
      : chargeType === 'addQuantity'
        ? 1 + (second % 5)
        : chargeType === 'removeQuantity'
          ? -(1 + (second % 3))
          : -subscription.quantity;
  // `+ 0` turns a rounded -0 into 0, which JSON writes as 0 either way but specs compare exactly.
  const subtotalCents = Math.round((unitPriceCents * quantity * days) / allDays) + 0;
  const taxRate = TAX_BASIS_POINTS[customer.country] ?? 0;
  const taxCents = Math.round((subtotalCents * taxRate) / 10_000) + 0;
  return {
    chargeType,
    unitPriceCents,
    quantity,
    days,
    subtotalCents,
    taxCents,
    totalCents: subtotalCents + taxCents,
    start: source.periodEnd - days * DAY_MS,
  };
}

function termAndCycle(subscription: BilledSubscription): string {
  const term = subscription.termDuration;
  const cycle = subscription.billingCycle;
  const termText =
    term === 'P1M' ? 'One-Month' : term === 'P3Y' ? 'Three-Years' : term ? 'One-Year' : 'None';
  return `${termText} commitment for ${cycle} billing`;
}

function productOf(subscription: BilledSubscription): {
  productId: string;
  skuId: string;
  availabilityId: string;
  name: string;
} {
  if (!subscription.product) return { ...AZURE_PLAN, name: 'Azure plan' };
  const [productId, skuId, availabilityId] = subscription.product.nceOfferId.split(':');
  return { productId, skuId, availabilityId, name: subscription.product.name };
}

/** Unique within a source: the position through a bijection, then the source. */
function alternateIdOf(source: LineSource, position: number): string {
  return `${hex8(mix32((position ^ source.salt) >>> 0))}${hex8(source.salt).slice(4)}`;
}

function referenceIdOf(source: LineSource, position: number): string {
  const reference = hash32(source.salt, position, 73);
  return guidFromWords(reference, mix32(reference ^ 1), mix32(reference ^ 2), position);
}

/**
 * Stand-ins for a reconciliation line's own values in its slot's template (line-items' JSON never
 * holds `@`-bracketed words otherwise).
 */
const ALTERNATE_ID_MARK = '@@alternateId@@';
const REFERENCE_ID_MARK = '@@referenceId@@';

/** Every attribute of a reconciliation line (the Full set), as the file carries it. */
export function reconciliationRecord(
  source: LineSource,
  position: number,
  slot: number,
  customer: BilledCustomer,
): Record<string, unknown> {
  const subscription = subscriptionOf(customer, slot);
  const charge = chargeOf(source, slot, customer, subscription);
  const product = productOf(subscription);
  const quantity = charge.quantity;
  const allDays = periodDays(source);
  const billable = Math.round((quantity * charge.days * 10_000) / allDays) / 10_000;
  return {
    PartnerId: source.partnerId,
    CustomerId: customer.id,
    CustomerName: customer.name,
    CustomerDomainName: customer.domain,
    CustomerCountry: customer.country,
    InvoiceNumber: source.invoiceId,
    MpnId: source.mpnId,
    Tier2MpnId: customer.indirect ? String(4_000_000 + (customer.index % 999_999)) : '',
    OrderId: subscription.orderId,
    OrderDate: subscription.creationDate,
    ProductId: product.productId,
    SkuId: product.skuId,
    AvailabilityId: product.availabilityId,
    SkuName: product.name,
    ProductName: product.name,
    ChargeType: charge.chargeType,
    UnitPrice: cents(charge.unitPriceCents),
    Quantity: quantity,
    Subtotal: cents(charge.subtotalCents),
    TaxTotal: cents(charge.taxCents),
    Total: cents(charge.totalCents),
    Currency: source.currency.code,
    PriceAdjustmentDescription: '',
    PublisherName: 'Microsoft Corporation',
    PublisherId: '',
    SubscriptionDescription: subscription.friendlyName,
    SubscriptionId: subscription.id,
    ChargeStartDate: isoDate(charge.start),
    ChargeEndDate: isoDate(source.periodEnd - DAY_MS),
    TermAndBillingCycle: termAndCycle(subscription),
    EffectiveUnitPrice:
      quantity === 0 ? 0 : Math.round((charge.subtotalCents * 100) / quantity) / 10_000,
    UnitType: subscription.unitType,
    AlternateId: alternateIdOf(source, position),
    BillableQuantity: billable,
    BillingFrequency: subscription.billingCycle,
    PricingCurrency: source.currency.code,
    PCToBCExchangeRate: 1,
    PCToBCExchangeRateDate: isoDate(source.periodStart),
    MeterDescription: '',
    ReservationOrderId: '',
    CreditReasonCode: '',
    SubscriptionStartDate: subscription.effectiveStartDate,
    SubscriptionEndDate: subscription.commitmentEndDate,
    ReferenceId: referenceIdOf(source, position),
    ProductQualifiers: [],
    PromotionId: '',
    ProductCategory: subscription.product
      ? subscription.newCommerce
        ? 'OnlineServicesNCE'
        : 'OnlineServices'
      : 'Azure',
  };
}

/** Every attribute of a daily rated usage line (the Full set). */
export function usageRecord(
  source: LineSource,
  position: number,
  customer: BilledCustomer,
): Record<string, unknown> {
  const hash = hash32(source.salt, position, 81);
  const second = mix32(hash ^ 0x68e31da4);
  const [category, subCategory, name, unit, usdPerHundredUnits] = METERS[hash % METERS.length];
  const region = REGIONS[second % REGIONS.length];
  const day = source.periodStart + (second % periodDays(source)) * DAY_MS;
  const quantity = (1 + (hash % 40_000)) / 100;
  const unitPrice = Math.round(usdPerHundredUnits * source.currency.perHundredUsd) / 10_000;
  const totalCents = Math.round(quantity * unitPrice * 100);
  const subscriptionId =
    customer.azure?.id ??
    guidFromWords(hash32(customer.index, 1, 83), hash, second, customer.index);
  const entitlementId = customer.azure?.entitlementId ?? subscriptionId;
  const provider = `Microsoft.${category.replace(/\s+/g, '')}`;
  const resourceGroup = `rg-${customer.domain.split('.')[0].slice(0, 12)}-${hash % 7}`;
  return {
    PartnerId: source.partnerId,
    PartnerName: 'Contoso Partner (emulated)',
    CustomerId: customer.id,
    CustomerName: customer.name,
    CustomerDomainName: customer.domain,
    CustomerCountry: customer.country,
    MpnId: source.mpnId,
    Tier2MpnId: customer.indirect ? String(4_000_000 + (customer.index % 999_999)) : '',
    InvoiceNumber: source.invoiceId,
    ProductId: AZURE_PLAN.productId,
    SkuId: AZURE_PLAN.skuId,
    AvailabilityId: AZURE_PLAN.availabilityId,
    SkuName: 'Azure plan',
    ProductName: 'Azure plan',
    PublisherName: 'Microsoft',
    PublisherId: '',
    SubscriptionDescription: 'Azure plan',
    SubscriptionId: subscriptionId,
    ChargeStartDate: isoDate(source.periodStart),
    ChargeEndDate: isoDate(source.periodEnd - DAY_MS),
    UsageDate: isoDate(day),
    MeterType: `${unit}s`,
    MeterCategory: category,
    MeterId: guidFromWords(hash32(hash % METERS.length, 2, 85), 3, 5, hash % METERS.length),
    MeterSubCategory: subCategory,
    MeterName: name,
    MeterRegion: region,
    Unit: unit,
    ResourceLocation: region,
    ConsumedService: provider,
    ResourceGroup: resourceGroup,
    ResourceURI: `/subscriptions/${entitlementId}/resourceGroups/${resourceGroup}/providers/${provider}/${hex8(hash)}`,
    ChargeType: 'new',
    UnitPrice: unitPrice,
    Quantity: quantity,
    UnitType: unit,
    BillingPreTaxTotal: cents(totalCents),
    BillingCurrency: source.currency.code,
    PricingPreTaxTotal: cents(totalCents),
    PricingCurrency: source.currency.code,
    ServiceInfo1: '',
    ServiceInfo2: '',
    Tags: '',
    AdditionalInfo: '',
    EffectiveUnitPrice: unitPrice,
    PCToBCExchangeRate: 1,
    EntitlementId: entitlementId,
    EntitlementDescription: 'Azure plan',
    PartnerEarnedCreditPercentage: hash % 3 === 0 ? 15 : 0,
    CreditPercentage: 0,
    CreditType: 'None',
    BenefitOrderID: '',
    BenefitID: '',
    BenefitType: '',
  };
}

function serialise(record: Record<string, unknown>, family: LineFamily, set: AttributeSet): string {
  if (set === 'full') return JSON.stringify(record);
  const picked: Record<string, unknown> = {};
  for (const name of attributesOf(family, set)) picked[name] = record[name];
  return JSON.stringify(picked);
}

/** Line items of one source, read from any position (what a blob or a page serves). */
export class LineItemReader {
  private readonly customerCount: number;
  /** The current customer's slot templates (at most SLOTS), for one attribute set. */
  private readonly templates = new Map<number, string[]>();
  private templatesOf = -1;
  private templatesSet?: AttributeSet;

  constructor(
    private readonly source: LineSource,
    private readonly customers: BilledCustomers,
  ) {
    this.customerCount = customers.count;
  }

  /** All attributes (the Full set) of the line at `position`. */
  record(position: number): Record<string, unknown> {
    const place = placeOf(this.source, position, this.customerCount);
    const customer = this.customers.at(place.customerPosition);
    return this.source.family === 'usage'
      ? usageRecord(this.source, position, customer)
      : reconciliationRecord(this.source, position, place.slot, customer);
  }

  /** One JSON line (no newline) with the attributes of `set`. */
  line(position: number, set: AttributeSet): string {
    if (this.source.family === 'usage') return serialise(this.record(position), 'usage', set);
    // A reconciliation line differs from the others of its customer's slot only in its two ids:
    // its slot's JSON is made once per customer block and the ids are put in.
    const place = placeOf(this.source, position, this.customerCount);
    if (place.customerPosition !== this.templatesOf || set !== this.templatesSet) {
      this.templates.clear();
      this.templatesOf = place.customerPosition;
      this.templatesSet = set;
    }
    let template = this.templates.get(place.slot);
    if (!template) {
      const record = reconciliationRecord(
        this.source,
        position,
        place.slot,
        this.customers.at(place.customerPosition),
      );
      record.AlternateId = ALTERNATE_ID_MARK;
      record.ReferenceId = REFERENCE_ID_MARK;
      const [head, rest] = serialise(record, 'reconciliation', set).split(ALTERNATE_ID_MARK);
      template = [head, ...rest.split(REFERENCE_ID_MARK)];
      this.templates.set(place.slot, template);
    }
    return (
      template[0] +
      alternateIdOf(this.source, position) +
      template[1] +
      referenceIdOf(this.source, position) +
      template[2]
    );
  }

  /**
   * The sum of the reconciliation lines' `Total`, in cents: per customer block, each slot's
   * charge times how many of the block's lines fall in that slot.
   */
  totalCents(): number {
    const { source, customerCount } = this;
    if (source.count === 0 || customerCount === 0) return 0;
    const block = blockLength(source, customerCount);
    let total = 0;
    for (let start = 0; start < source.count; start += block) {
      const length = Math.min(block, source.count - start);
      const customer = this.customers.at(placeOf(source, start, customerCount).customerPosition);
      for (let slot = 0; slot < Math.min(SLOTS, length); slot++) {
        const lines = Math.floor((length - 1 - slot) / SLOTS) + 1;
        total +=
          lines * chargeOf(source, slot, customer, subscriptionOf(customer, slot)).totalCents;
      }
    }
    return total;
  }
}
