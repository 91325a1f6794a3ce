/**
 * The billing data as specs and benchmarks read it without HTTP, derived exactly as the routes
 * derive it (`StartedEmulator.billing`).
 */
import type { EmulatorBilling } from '../types.js';
import type { BillingState } from './billing-state.js';
import type { Invoice } from './invoices.js';
import { V2_LINE_ITEMS_FROM_MS } from '../../common/billing-facts.js';
import { isoDate } from '../partner-center/customer-context.js';

export function billingView(billing: BillingState): EmulatorBilling {
  const { dataset } = billing;
  const invoiceOf = (invoiceId: string): Invoice => {
    const invoice = dataset.invoiceById(invoiceId);
    if (!invoice) throw new RangeError(`no invoice ${invoiceId}`);
    return invoice;
  };
  return {
    v2CoverageStart: isoDate(V2_LINE_ITEMS_FROM_MS),
    invoices: () =>
      dataset.invoices.map((invoice) => ({
        id: invoice.id,
        currencyCode: invoice.currency.code,
        billingPeriodStartDate: isoDate(invoice.periodStart),
        api: invoice.api,
        lineItemCount: invoice.reconciliation.count,
        usageLineItemCount: invoice.usage.count,
      })),
    totalCents: (invoiceId) => dataset.totalCents(invoiceOf(invoiceId)),
    lineItems: function* (invoiceId, options = {}) {
      const invoice = invoiceOf(invoiceId);
      const source = options.usage ? invoice.usage : invoice.reconciliation;
      const reader = dataset.reader(source);
      for (let position = 0; position < source.count; position++) yield reader.record(position);
    },
    expireBlobSignatures: () => billing.sas.expireAll(),
  };
}
