/**
 * Partner Center's invoices (docs/billing.md, "Invoices (Partner Center v1)"): the listing, newest
 * first, and one invoice by id; and which API holds an invoice's line items.
 */
import { lineItemsApiFor, type LineItemsApi } from '../common/billing-facts.js';
import { NotFoundError, ServiceError, UsageError } from '../common/errors.js';
import { untrustedLine } from '../common/text.js';
import type { ApiClient } from './client.js';
import type { SeekCollection } from './collections.js';
import type { Invoice } from './invoice-types.js';

export type { Invoice } from './invoice-types.js';

export const INVOICE = { item: 'Invoice', one: 'invoice', many: 'invoices' } as const;

/**
 * The page size asked for when none is given, and the most -PageSize takes. The service documents
 * `size` and `offset` but publishes no maximum, and ignores both for modern-commerce invoices
 * (every invoice comes in one answer); a partner has one invoice a month per currency, so 200 is
 * years of them in one request.
 */
export const MAX_INVOICE_PAGE = 200;

/**
 * `GET /v1/invoices?size=`: every invoice in one answer, or pages linked by `links.next` with
 * `size` and `offset` and no continuation token. The listing follows such links and, having no
 * token to resume from, resumes by listing from the start and skipping what was written
 * (resumable-listing.ts); the same invoices come back in the same order, newest first.
 */
export function invoicesCollection(): SeekCollection {
  return { noun: INVOICE, paging: 'seek', path: '/invoices', maxPageSize: MAX_INVOICE_PAGE };
}

/** One invoice by id (`GET /v1/invoices/{id}`), with its `pdfDownloadLink`. */
export async function getInvoice(client: ApiClient, invoiceId: string): Promise<Invoice> {
  if (!invoiceId.trim())
    throw new UsageError('The invoice id is empty.', {
      hint: 'Give the invoice number, e.g. G016907411 (Get-PartnerInvoice lists them).',
    });
  try {
    return await client.getJson<Invoice>(`/invoices/${encodeURIComponent(invoiceId)}`);
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    throw new NotFoundError(`Invoice ${invoiceId} was not found among this partner's invoices.`, {
      hint: 'Check the number; Get-PartnerInvoice lists the invoices this partner has.',
      cause: error,
    });
  }
}

/**
 * Which API holds the invoice's billed line items: v1 (Partner Center's pages,
 * invoice-line-items-v1.ts) for a billing period that started before the v2 coverage, else v2
 * (Microsoft Graph's export). An invoice without a readable period start is the service's fault.
 */
export function lineItemsApiOf(
  invoice: Pick<Invoice, 'id' | 'billingPeriodStartDate'>,
): LineItemsApi {
  const start = invoice.billingPeriodStartDate;
  const api = lineItemsApiFor(start);
  if (api) return api;
  const given = start === undefined ? 'absent' : untrustedLine(JSON.stringify(start));
  throw new ServiceError(
    `Partner Center sent invoice ${untrustedLine(String(invoice.id))} without a billing period ` +
      `start date (billingPeriodStartDate: ${given}), ` +
      'so it is not known whether Partner Center or Microsoft Graph holds its line items.',
    { hint: 'Report this with the -Debug output.' },
  );
}
