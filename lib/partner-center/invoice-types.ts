/**
 * Wire shapes of Partner Center's invoices and the v1 line items of older invoices
 * (docs/billing.md, "Invoices (Partner Center v1)"). Declarations only: the published types reach
 * them through lib/output-types.ts.
 */
import type { Link, ResourceAttributes } from './types.js';

/** One part of an invoice: which kind of line items it has and where they are. */
export interface InvoiceDetail {
  /** `billing_line_items`, `usage_line_items` (or `none`). */
  invoiceLineItemType?: string;
  /** `one_time`, `office`, `azure`, ... */
  billingProvider?: string;
  links?: { self?: Link };
  attributes?: ResourceAttributes;
  [property: string]: unknown;
}

/** A partner's invoice, exactly as Partner Center returns it. One invoice has one currency. */
export interface Invoice {
  /** The invoice number, e.g. `G016907411`. */
  id: string;
  /** When it was issued (ISO 8601). */
  invoiceDate?: string;
  /** The first day of the billing period (ISO 8601). */
  billingPeriodStartDate?: string;
  /** The last day of the billing period (ISO 8601). */
  billingPeriodEndDate?: string;
  /** Charges and adjustments, in the invoice's currency. */
  totalCharges?: number;
  /** What was paid: negative when a payment was received. */
  paidAmount?: number;
  /** ISO 4217 code of the invoice's one currency, e.g. `USD`. */
  currencyCode?: string;
  currencySymbol?: string;
  /**
   * The PDF's link: only on an invoice read by id (-InvoiceId), and it expires after 30 minutes.
   */
  pdfDownloadLink?: string;
  invoiceDetails?: InvoiceDetail[];
  /** `invoice`, `void_note`, `adjustment_note`, ... */
  documentType?: string;
  /** `Recurring`, `OneTime`. */
  invoiceType?: string;
  amendments?: unknown[];
  links?: { self?: Link };
  attributes?: ResourceAttributes;
  [property: string]: unknown;
}

/**
 * One OneTime billing line item of an invoice whose billing period started before the v2 coverage
 * (Partner Center's v1 line-item API), exactly as the service returns it (camelCase names).
 */
export interface OneTimeInvoiceLineItem {
  partnerId?: string;
  customerId?: string;
  customerName?: string;
  invoiceNumber?: string;
  orderId?: string;
  productId?: string;
  skuId?: string;
  productName?: string;
  skuName?: string;
  chargeType?: string;
  quantity?: number | string;
  subtotal?: number | string;
  taxTotal?: number | string;
  /** The line's total (v2's `Total`). */
  totalForCustomer?: number | string;
  currency?: string;
  subscriptionId?: string;
  chargeStartDate?: string;
  chargeEndDate?: string;
  alternateId?: string;
  /** `billing_line_items`. */
  invoiceLineItemType?: string;
  /** `one_time`. */
  billingProvider?: string;
  attributes?: ResourceAttributes;
  [property: string]: unknown;
}
