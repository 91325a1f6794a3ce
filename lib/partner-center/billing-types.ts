/**
 * What the billing export cmdlets write: one line item of a Microsoft Graph billing export, as
 * its JSON line holds it (docs/billing.md, "Attribute sets"). A declaration only.
 */

/**
 * A reconciliation line item (Get-PartnerInvoiceLineItem): one charge of one customer's
 * subscription, with the attribute names of Microsoft Graph's export (Full or Basic set), in the
 * service's order. Amounts are numbers in the invoice's currency.
 */
export interface InvoiceLineItem {
  PartnerId?: string;
  CustomerId?: string;
  CustomerName?: string;
  InvoiceNumber?: string;
  OrderId?: string;
  ProductId?: string;
  SkuId?: string;
  SkuName?: string;
  ProductName?: string;
  /** `cycleCharge`, `new`, `renew`, `addQuantity`, `removeQuantity`, `cancelImmediate`, ... */
  ChargeType?: string;
  UnitPrice?: number;
  Quantity?: number;
  Subtotal?: number;
  TaxTotal?: number;
  /** Subtotal + TaxTotal; per invoice the totals add up to the invoice's totalCharges. */
  Total?: number;
  Currency?: string;
  SubscriptionId?: string;
  ChargeStartDate?: string;
  ChargeEndDate?: string;
  /** Unique within an invoice. */
  AlternateId?: string;
  /** Every other attribute of the set, as exported. */
  [attribute: string]: unknown;
}

/** A daily rated usage line item (Get-PartnerRatedUsage), with Graph's attribute names. */
export interface RatedUsageLineItem {
  PartnerId?: string;
  CustomerId?: string;
  CustomerName?: string;
  InvoiceNumber?: string;
  ProductId?: string;
  SkuId?: string;
  SubscriptionId?: string;
  UsageDate?: string;
  ResourceURI?: string;
  ChargeType?: string;
  UnitPrice?: number;
  Quantity?: number;
  UnitType?: string;
  BillingPreTaxTotal?: number;
  BillingCurrency?: string;
  /** Every other attribute of the set, as exported. */
  [attribute: string]: unknown;
}
