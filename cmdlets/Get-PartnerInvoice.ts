import { defineCmdlet } from '../lib/cmdlet-support/cmdlet.js';
import {
  invoiceIdPattern,
  maxRetryParameter,
  RESUME_FILE_RULES,
} from '../lib/cmdlet-support/parameters.js';
import { V2_LINE_ITEMS_FROM } from '../lib/common/billing-facts.js';
import {
  getInvoice,
  invoicesCollection,
  MAX_INVOICE_PAGE,
} from '../lib/partner-center/invoices.js';

const NAME = 'Get-PartnerInvoice';
const LISTING_SETS = ['List'] as const;

export default defineCmdlet({
  name: NAME,
  helpUri: 'https://learn.microsoft.com/partner-center/developer/get-a-collection-of-invoices',
  synopsis: "Lists the partner's invoices, newest first, or gets one by its number.",
  description:
    'Without parameters, lists every invoice of the partner from Partner Center (GET ' +
    '/v1/invoices), newest first as the service lists them, writing each invoice as its answer ' +
    'arrives: one per billing period and currency, with its dates, billing period, total ' +
    '(totalCharges: charges and adjustments), what was paid (paidAmount, negative for a payment ' +
    'received) and currency. Partner Center answers with every invoice at once, or for legacy ' +
    'invoices in pages of -PageSize linked by size and offset; both are followed to the end. ' +
    '-InvoiceId reads one invoice, with the link to its PDF (pdfDownloadLink, only given for an ' +
    'invoice read by its number, and valid for 30 minutes); it binds from the pipeline by ' +
    "property name (an invoice's id), so listed invoices piped into Get-PartnerInvoice come " +
    'back in full. On a terminal the listing is a table of number, date, billing period, total ' +
    'and currency, and one invoice is shown as a list.',
  defaultParameterSet: 'List',
  parameters: {
    InvoiceId: {
      type: 'string',
      sets: ['ById'],
      mandatory: true,
      position: 0,
      aliases: ['Id'],
      pipeline: 'byPropertyName',
      pattern: invoiceIdPattern,
      description:
        'The invoice number, as Get-PartnerInvoice lists it (id), e.g. G016907411. From the ' +
        "pipeline it binds an object's id or InvoiceId.",
    },
    PageSize: {
      type: 'int',
      sets: LISTING_SETS,
      range: [1, MAX_INVOICE_PAGE],
      default: MAX_INVOICE_PAGE,
      description:
        `Invoices per request (size), for legacy invoices; ${MAX_INVOICE_PAGE} (the default) is ` +
        'years of them. Partner Center ignores it for modern-commerce invoices and sends them all.',
    },
    First: {
      type: 'int',
      sets: LISTING_SETS,
      range: [1, 2_147_483_647],
      description: 'Stop after this many invoices (the newest); no further pages are requested.',
    },
    Skip: {
      type: 'int',
      sets: LISTING_SETS,
      range: [0, 2_147_483_647],
      description:
        'Leave out this many invoices first (the newest). A listing that stopped tells you the ' +
        '-Skip that continues it.',
    },
    ResumeFile: {
      type: 'path',
      sets: LISTING_SETS,
      description:
        "Keep the listing's position in this file, rewritten after every page: if the run " +
        'stops, the same command continues with the next invoice. A resume with other ' +
        'parameters (-PageSize, -First, -Skip) is refused. The file is deleted when the ' +
        `listing completes. ${RESUME_FILE_RULES}`,
    },
    MaxRetry: maxRetryParameter,
  },
  inputs:
    'Objects with an id (or InvoiceId) property, e.g. invoices from another ' +
    'Get-PartnerInvoice: each is read in full, with its PDF link.',
  outputType: 'Invoice',
  outputs:
    "One object per invoice, with the service's field names, newest first as the service " +
    'lists them; pdfDownloadLink only with -InvoiceId.',
  view: [
    { name: 'InvoiceId', path: 'id', kind: 'id' },
    { name: 'Date', path: 'invoiceDate', kind: 'date' },
    { name: 'PeriodStart', path: 'billingPeriodStartDate', kind: 'date', drop: 2 },
    { name: 'PeriodEnd', path: 'billingPeriodEndDate', kind: 'date', drop: 1 },
    { name: 'Total', path: 'totalCharges', minWidth: 10 },
    { name: 'Currency', path: 'currencyCode' },
  ],
  terminalFormat: (given) => (given.InvoiceId === undefined ? 'Table' : 'List'),
  examples: [
    {
      title: 'Every invoice, newest first, as a table on a terminal',
      code: 'Get-PartnerInvoice',
    },
    {
      title: 'The last twelve invoices, one JSON object per line',
      code: 'Get-PartnerInvoice -First 12 > invoices.ndjson',
    },
    {
      title: 'One invoice in full, with the link to its PDF',
      code: 'Get-PartnerInvoice -InvoiceId G016907411',
    },
    {
      title: 'The totals of one currency with jq',
      code:
        'Get-PartnerInvoice | jq -r \'select(.currencyCode == "USD") | ' +
        "[.id, .billingPeriodStartDate[:10], .totalCharges] | @tsv'",
    },
    {
      title: "The newest invoice's reconciliation line items into a CSV file",
      code:
        'Get-PartnerInvoice -First 1 | Get-PartnerInvoiceLineItem -OutputFormat Csv > ' +
        'latest-invoice.csv',
      remarks:
        "Get-PartnerInvoiceLineItem binds each piped invoice's id; it reads the line items " +
        'from whichever API holds that billing period.',
    },
  ],
  notes:
    "Which API holds an invoice's line items depends on its billing period: periods starting " +
    `before ${V2_LINE_ITEMS_FROM} are read through Partner Center's v1 line-item API, later ` +
    "ones through Microsoft Graph's reconciliation exports " +
    '(https://learn.microsoft.com/partner-center/developer/get-invoiceline-items). ' +
    'Get-PartnerInvoiceLineItem chooses by the invoice it is given.',
  async *run(p, context): AsyncGenerator<unknown> {
    if (p.parameterSet === 'ById') {
      const client = await context.services.partnerCenter({ maxRetry: p.MaxRetry });
      yield await getInvoice(client, p.InvoiceId);
      return;
    }
    // The listing run loads here rather than at the top: -? and usage errors never need it.
    const { listResumably, listingControls } = await import('../lib/cmdlet-support/listing-run.js');
    yield* listResumably(
      {
        cmdletName: NAME,
        collection: invoicesCollection(),
        continuable: true,
        ...listingControls(p),
      },
      context,
    );
  },
});
