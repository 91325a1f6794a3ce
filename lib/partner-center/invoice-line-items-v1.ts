/**
 * The line items of an invoice older than the v2 coverage (lib/common/billing-facts.ts draws the
 * line): Partner Center's v1 OneTime billing line items, seek-paged (docs/billing.md, "Line items
 * of older invoices"). The first page is
 * `GET /v1/invoices/{id}/lineitems?provider=onetime&invoicelineitemtype=billinglineitems&size=2000`;
 * each next page is the GET its `links.next` names (`.../lineitems/OneTime/BillingLineItems?
 * seekOperation=Next`) with the MS-ContinuationToken header the link carries. One page is fetched
 * ahead while the caller writes the current one, so memory holds two pages whatever the invoice.
 *
 * A position is a ListingPosition (resumable-listing.ts): the continuation token of the last page
 * boundary passed (none: the first page) and how many items after it are already taken, so a run
 * resumes to the line: the page after that boundary is asked again with that token and its first
 * `skip` items are dropped.
 */
import { UsageError } from '../common/errors.js';
import type { JsonTextList } from '../json/json-text.js';
import type { ApiClient } from './client.js';
import { listPages, type SeekCollection } from './collections.js';
import type { OneTimeInvoiceLineItem } from './invoice-types.js';
import type { ListingPosition } from './resumable-listing.js';

/** "Default max size = 2000": the most items a page holds, and the size asked for. */
export const V1_LINE_ITEMS_MAX_PAGE = 2000;

/** How messages name them; the kind of a listing's resume file is `OneTimeInvoiceLineItem`. */
export const V1_LINE_ITEM = {
  item: 'OneTimeInvoiceLineItem',
  one: 'line item',
  many: 'line items',
} as const;

/**
 * The invoice's OneTime billing line items as a seek collection: the first request
 * `/invoices/{id}/lineitems?size=&provider=onetime&invoicelineitemtype=billinglineitems`, resumed
 * with the documented next-page GET. Also what a listing run (listing-run.ts) takes.
 */
export function v1LineItemsCollection(invoiceId: string): SeekCollection {
  const invoice = `/invoices/${encodeURIComponent(invoiceId)}`;
  return {
    noun: V1_LINE_ITEM,
    paging: 'seek',
    path: `${invoice}/lineitems`,
    query: [
      ['provider', 'onetime'],
      ['invoicelineitemtype', 'billinglineitems'],
    ],
    maxPageSize: V1_LINE_ITEMS_MAX_PAGE,
    resumeAt: `${invoice}/lineitems/OneTime/BillingLineItems?seekOperation=Next`,
  };
}

export interface V1LineItemsOptions {
  /** Where to start: a position an earlier slice's `positionAfter` gave. Default the start. */
  from?: ListingPosition;
  /** Items per page, 1..2000; default 2000 (the fewest round trips). */
  pageSize?: number;
  /** Stop after this many items (counted from `from`); no page is asked after the one that has them. */
  limit?: number;
}

/** Consecutive items of one page, and where a run that wrote some of them resumes. */
export interface V1LineItemsSlice {
  /** The items, each kept as the service's bytes (JsonText: parsed only on demand). */
  items: JsonTextList<OneTimeInvoiceLineItem>;
  /**
   * The position after the first `count` items of this slice were written (0..items.length):
   * what a resume record keeps. After the whole slice of a page that has a next one, the next
   * page's boundary (skip 0).
   */
  positionAfter(count: number): ListingPosition;
}

/**
 * Every OneTime billing line item of the invoice from `options.from` on, a page's worth (less what
 * is skipped) per slice. `client` is Partner Center's. A continuation token the service no longer
 * accepts fails the first request with an error whose `continuationTokenRefused` is set (a
 * UsageError: the token came from the caller). A position also keeps `offset` (items from the
 * invoice's first line) when the listing began at the start, so a caller can then start over
 * from `{ skip: offset, offset }`.
 */
export async function* v1InvoiceLineItems(
  client: ApiClient,
  invoiceId: string,
  options: V1LineItemsOptions = {},
): AsyncGenerator<V1LineItemsSlice> {
  const pageSize = options.pageSize ?? V1_LINE_ITEMS_MAX_PAGE;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > V1_LINE_ITEMS_MAX_PAGE)
    throw new UsageError(`The page size ${pageSize} is out of range.`, {
      hint: `Give a whole number from 1 to ${V1_LINE_ITEMS_MAX_PAGE}.`,
    });
  if (!invoiceId.trim())
    throw new UsageError('The invoice id is empty.', { hint: 'Give the invoice number.' });
  const from: ListingPosition = options.from ?? { skip: 0, offset: 0 };
  const { limit } = options;
  if (limit === 0) return;
  let boundary = from.continuationToken;
  /** Items of the invoice before the current page, when known (the listing began at the start). */
  let boundaryOffset = from.offset === undefined ? undefined : from.offset - from.skip;
  let toSkip = from.skip;
  let taken = 0;
  const pages = listPages<OneTimeInvoiceLineItem>(client, v1LineItemsCollection(invoiceId), {
    pageSize,
    continuationToken: boundary,
    limit: limit === undefined ? undefined : toSkip + limit,
  });
  for await (const page of pages) {
    const { items } = page;
    const drop = Math.min(items.length, toSkip);
    const take =
      limit === undefined ? items.length - drop : Math.min(items.length - drop, limit - taken);
    const at = { token: boundary, offset: boundaryOffset };
    const next = page.continuationToken;
    if (take > 0) {
      taken += take;
      yield {
        items: drop === 0 && take === items.length ? items : items.slice(drop, drop + take),
        positionAfter(count: number): ListingPosition {
          if (!Number.isInteger(count) || count < 0 || count > take)
            throw new RangeError(`positionAfter(${count}) of a slice of ${take} items`);
          const within = drop + count;
          if (within === items.length && next !== undefined)
            return { continuationToken: next, skip: 0, offset: offsetAt(at.offset, within) };
          return { continuationToken: at.token, skip: within, offset: offsetAt(at.offset, within) };
        },
      };
    }
    if (taken === limit || next === undefined) return;
    toSkip -= drop;
    boundary = next;
    boundaryOffset = offsetAt(boundaryOffset, items.length);
  }
}

function offsetAt(boundaryOffset: number | undefined, within: number): number | undefined {
  return boundaryOffset === undefined ? undefined : boundaryOffset + within;
}
