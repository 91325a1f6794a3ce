import { defineCmdlet } from '../lib/cmdlet-support/cmdlet.js';
import {
  BILLED_SET,
  BILLING_EXPORT_NOTES,
  billingExportParameters,
  exportRequestOf,
} from '../lib/cmdlet-support/billing-export-parameters.js';

const getPartnerRatedUsage = defineCmdlet({
  name: 'Get-PartnerRatedUsage',
  helpUri: 'https://learn.microsoft.com/graph/api/partners-billing-billedusage-export',
  synopsis:
    "Streams an invoice's daily rated usage line items (or the unbilled ones of a period), one " +
    'object per line item.',
  description:
    'Writes the daily rated usage line items (Azure consumption: one per customer, resource, ' +
    'meter and day) of an invoice (-InvoiceId, or invoices piped from Get-PartnerInvoice), or ' +
    'with -Unbilled those of the current or last billing period not invoiced yet, in one ' +
    "currency, with the service's attribute names, written as the files of Microsoft Graph's " +
    'rated usage export arrive. Graph is the only source of rated usage line items: there is no ' +
    'older API behind this command.',
  defaultParameterSet: BILLED_SET,
  parameters: billingExportParameters,
  inputs: 'Invoices (NDJSON objects with an `id`), e.g. from Get-PartnerInvoice.',
  outputType: 'RatedUsageLineItem',
  outputs:
    "One object per rated usage line item with the service's attribute names (PartnerId, " +
    'CustomerId, ..., UsageDate, MeterName, Quantity, BillingPreTaxTotal, ...).',
  examples: [
    {
      title: "An invoice's rated usage as a CSV file for Excel",
      code:
        'Get-PartnerRatedUsage -InvoiceId G016907411 -OutputFormat Csv -Encoding utf8BOM ' +
        '> usage.csv',
    },
    {
      title: 'The usage of the open period so far, in dollars, resumable',
      code:
        'Get-PartnerRatedUsage -Unbilled -CurrencyCode USD -ResumeFile usage.resume ' +
        '>> usage.ndjson',
    },
  ],
  notes: BILLING_EXPORT_NOTES,
  async *run(p, context): AsyncGenerator<unknown> {
    const { exportLineItems } = await import('../lib/cmdlet-support/billing-export-run.js');
    yield* exportLineItems(
      {
        cmdletName: 'Get-PartnerRatedUsage',
        item: 'RatedUsage',
        export: exportRequestOf('usage', p),
        resumeFile: p.ResumeFile,
        continuationToken: p.ContinuationToken,
        maxRetry: p.MaxRetry,
      },
      context,
    );
  },
});
export default getPartnerRatedUsage;
