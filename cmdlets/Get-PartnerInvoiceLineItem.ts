import { V2_LINE_ITEMS_FROM_TEXT } from '../lib/common/billing-facts.js';
import { defineCmdlet } from '../lib/cmdlet-support/cmdlet.js';
import {
  BILLED_SET,
  BILLING_EXPORT_NOTES,
  billingExportParameters,
  exportRequestOf,
} from '../lib/cmdlet-support/billing-export-parameters.js';

const getPartnerInvoiceLineItem = defineCmdlet({
  name: 'Get-PartnerInvoiceLineItem',
  helpUri: 'https://learn.microsoft.com/graph/api/partners-billing-billedreconciliation-export',
  synopsis:
    "Streams an invoice's reconciliation line items (or the unbilled ones of a period), one " +
    'object per line item.',
  description:
    'Writes the reconciliation line items of an invoice (-InvoiceId, or invoices piped from ' +
    'Get-PartnerInvoice), or with -Unbilled those of the current or last billing period not ' +
    'invoiced yet, in one currency: one object per line item (customer, subscription, product, ' +
    "charge), with the service's attribute names, written as the export's files arrive. " +
    '-OutputFormat Csv writes a file a spreadsheet opens, its header the attribute names in the ' +
    "service's order (add -Encoding utf8BOM for Excel). Line items of billing periods that " +
    `start on or after ${V2_LINE_ITEMS_FROM_TEXT} come from Microsoft Graph's billed ` +
    'reconciliation export; ' +
    "older invoices are read page by page from Partner Center's v1 line-item API (see NOTES).",
  defaultParameterSet: BILLED_SET,
  parameters: billingExportParameters,
  outputType: 'InvoiceLineItem',
  inputs: 'Invoices (NDJSON objects with an `id`), e.g. from Get-PartnerInvoice.',
  outputs:
    "One object per line item with the service's attribute names (PartnerId, CustomerId, ..., " +
    'Total, Currency, ...), Full or Basic set.',
  examples: [
    {
      title: "An invoice's line items as a CSV file for Excel",
      code:
        'Get-PartnerInvoiceLineItem -InvoiceId G016907411 -OutputFormat Csv -Encoding utf8BOM ' +
        '> G016907411.csv',
    },
    {
      title: 'What is not invoiced yet this month, in euros',
      code: 'Get-PartnerInvoiceLineItem -Unbilled -BillingPeriod Current -CurrencyCode EUR',
    },
    {
      title: 'A large invoice into a file, resumable to the line',
      code:
        'Get-PartnerInvoiceLineItem -InvoiceId G016907411 -ResumeFile G016907411.resume ' +
        '>> G016907411.ndjson',
      remarks:
        'If the run stops (even killed), run the same line again: it continues with the next ' +
        'line item, so the file ends with every line item exactly once.',
    },
    {
      title: 'Check the line items against the invoice total',
      code: "Get-PartnerInvoiceLineItem G016907411 | jq -s 'map(.Total) | add'",
    },
  ],
  notes:
    `Which API holds which invoice: billing periods that start before ${V2_LINE_ITEMS_FROM_TEXT} are ` +
    "served by Partner Center's v1 line items only (OneTime billing line items, seek-paged with " +
    'MS-ContinuationToken, camelCase fields such as totalForCustomer; -AttributeSet does not ' +
    "apply), later ones by Microsoft Graph's billed reconciliation export; the command reads the " +
    "invoice's billingPeriodStartDate and picks the API (lib/common/billing-facts.ts draws the " +
    'line, docs/billing.md "Which API holds which month"). Source: ' +
    'https://learn.microsoft.com/partner-center/developer/get-invoiceline-items. ' +
    BILLING_EXPORT_NOTES,
  async *run(p, context): AsyncGenerator<unknown> {
    const { exportLineItems } = await import('../lib/cmdlet-support/billing-export-run.js');
    const { ResumeFile, ContinuationToken, MaxRetry } = p;
    yield* exportLineItems(
      {
        cmdletName: 'Get-PartnerInvoiceLineItem',
        item: 'InvoiceLineItem',
        export: exportRequestOf('reconciliation', p),
        resumeFile: ResumeFile,
        continuationToken: ContinuationToken,
        maxRetry: MaxRetry,
      },
      context,
    );
  },
});
export default getPartnerInvoiceLineItem;
