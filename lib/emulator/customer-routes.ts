/**
 * Partner Center's customer routes: `GET /v1/customers` (seek paging, size, filter) and
 * `GET /v1/customers/{id}`, shaped as docs/partner-center-api.md documents. Query names are read in
 * any case (exchange.query), as the service does.
 */
import { matchesFilter, parseCustomerFilter, type CustomerFilter } from './customer-filter.js';
import type { ListingCursor } from './continuation-tokens.js';
import { MAX_CUSTOMER_JSON_BYTES, writeCustomerListJson } from './customer-json.js';
import type { CustomerDataset, CustomerSummary } from './dataset.js';
import type { EmulatorState } from './emulator-state.js';
import { bufferReply, header, jsonReply, type Exchange, type Reply } from './http-exchange.js';
import { pcErrors, type PartnerCenterError } from './partner-center-errors.js';
import type { CachedPage } from './page-cache.js';
import type { NextLinkForm } from './types.js';

export const MAX_PAGE_SIZE = 500;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ApiCaller {
  delegated: boolean;
}

export function errorReply(error: PartnerCenterError, bom: boolean): Reply {
  return jsonReply(error.status, error.body, { bom, headers: error.headers });
}

/**
 * `size=0` is what Microsoft's own search example sends, answered with 200 and every match on one
 * page: 0 means "the server's page size" (500). Above 500 is unverified on the real service: clamp
 * rather than fail (docs/partner-center-api.md, "Where the emulator follows the
 * documentation").
 */
function parseSize(value: string): number | PartnerCenterError {
  if (!/^\s*\d+\s*$/.test(value))
    return pcErrors.invalidProperty(`size must be an integer from 0 to ${MAX_PAGE_SIZE}`);
  const size = Number(value);
  return size === 0 ? MAX_PAGE_SIZE : Math.min(size, MAX_PAGE_SIZE);
}

function cursorFor(
  state: EmulatorState,
  exchange: Exchange,
  size: number | null,
): ListingCursor | PartnerCenterError {
  const { query } = exchange;
  if ((query.get('seekOperation') ?? '').toLowerCase() === 'next') {
    const token = header(exchange, 'ms-continuationtoken');
    if (!token)
      return pcErrors.invalidContinuationToken(
        'seekOperation=Next needs the MS-ContinuationToken header',
      );
    const decoded = state.continuation.decode(token, exchange.receivedAt);
    if (!decoded.ok) return pcErrors.invalidContinuationToken(decoded.reason);
    return { ...decoded.cursor, size: size ?? decoded.cursor.size };
  }
  const filterText = query.get('filter');
  let filter: CustomerFilter | null = null;
  if (filterText !== null) {
    const parsed = parseCustomerFilter(filterText);
    if (!parsed.ok) return pcErrors.invalidProperty(parsed.reason);
    filter = parsed.filter;
  }
  return { offset: 0, size: size ?? MAX_PAGE_SIZE, filter };
}

interface PageSlice {
  customers: CustomerSummary[];
  /** Where the following page starts, or undefined on the last page. */
  nextOffset?: number;
}

/**
 * Collects one page from the cursor; a filtered scan looks one match ahead so the last page has no
 * next link.
 */
function slicePage(dataset: CustomerDataset, cursor: ListingCursor): PageSlice {
  const partner = dataset.partnerTenantId;
  const customers: CustomerSummary[] = [];
  const { filter } = cursor;
  if (!filter) {
    const end = Math.min(cursor.offset + cursor.size, dataset.count);
    for (let index = cursor.offset; index < end; index++) customers.push(dataset.summary(index));
    return { customers, nextOffset: end < dataset.count ? end : undefined };
  }
  for (let index = cursor.offset; index < dataset.count; index++) {
    if (!matchesFilter(dataset.searchFields(index), filter, partner)) continue;
    if (customers.length === cursor.size) return { customers, nextOffset: index };
    customers.push(dataset.summary(index));
  }
  return { customers };
}

function listingUri(
  form: NextLinkForm,
  size: number,
  filter: CustomerFilter | null,
  next: boolean,
): string {
  const prefix = form === 'v1' ? '/v1' : '';
  const filterPart = filter
    ? `&filter=${encodeURIComponent(JSON.stringify({ Field: filter.field, Value: filter.value, Operator: 'starts_with' }))}`
    : '';
  return `${prefix}/customers?size=${size}${filterPart}${next ? '&seekOperation=Next' : ''}`;
}

function linkJson(uri: string, continuationToken?: string): string {
  const headers = continuationToken
    ? `[{"key":"MS-ContinuationToken","value":${JSON.stringify(continuationToken)}}]`
    : '[]';
  return `{"uri":${JSON.stringify(uri)},"method":"GET","headers":${headers}}`;
}

/**
 * Where a page's customers are serialised: sized for the worst case (every customer at its
 * longest), reused by every page, and only the bytes written are copied out. A fresh worst-case
 * buffer per page was about 1 MB of allocation for 280 KB of page.
 */
let scratch = Buffer.alloc(0);

/**
 * The page's customers as the items array's contents (JSON joined by commas): the hot path of every
 * listing.
 */
function itemsOf(slice: PageSlice): CachedPage {
  const worstCase = slice.customers.length * (MAX_CUSTOMER_JSON_BYTES + 1);
  if (scratch.length < worstCase) scratch = Buffer.allocUnsafe(worstCase);
  let offset = 0;
  slice.customers.forEach((customer, n) => {
    if (n > 0) scratch[offset++] = 0x2c;
    offset = writeCustomerListJson(scratch, offset, customer);
  });
  return {
    items: Buffer.from(scratch.subarray(0, offset)),
    count: slice.customers.length,
    nextOffset: slice.nextOffset,
  };
}

function pageBody(
  page: CachedPage,
  selfUri: string,
  nextUri: string,
  continuationToken: string | undefined,
  bom: boolean,
): Buffer {
  const next = continuationToken ? `,"next":${linkJson(nextUri, continuationToken)}` : '';
  const token = continuationToken
    ? `"continuationToken":${JSON.stringify(continuationToken)},`
    : '';
  const head = `${bom ? '\ufeff' : ''}{"totalCount":${page.count},"items":[`;
  const tail = `],"links":{"self":${linkJson(selfUri)}${next}},${token}"attributes":{"objectType":"Collection"}}`;
  return Buffer.concat([Buffer.from(head, 'utf8'), page.items, Buffer.from(tail, 'utf8')]);
}

/** The page at the cursor, from the cache when the emulator keeps one. */
function pageAt(state: EmulatorState, cursor: ListingCursor): CachedPage {
  const key = `${cursor.offset}/${cursor.size}/${cursor.filter ? `${cursor.filter.field}:${cursor.filter.value}` : ''}`;
  const cached = state.pageCache?.get(key);
  if (cached) return cached;
  const page = itemsOf(slicePage(state.dataset, cursor));
  state.pageCache?.set(key, page);
  return page;
}

export function listCustomers(state: EmulatorState, exchange: Exchange, caller: ApiCaller): Reply {
  const { settings } = state;
  const sizeParam = exchange.query.get('size');
  const size = sizeParam === null ? null : parseSize(sizeParam);
  if (typeof size === 'object' && size !== null) return errorReply(size, settings.bom);
  const cursor = cursorFor(state, exchange, size);
  if ('status' in cursor) return errorReply(cursor, settings.bom);
  // The indirect-reseller search is documented for App+User only; the other fields for both.
  if (cursor.filter?.field === 'IndirectReseller' && !caller.delegated) {
    return errorReply(
      pcErrors.accessDenied403('the IndirectReseller filter needs an App+User (delegated) token'),
      settings.bom,
    );
  }
  const page = pageAt(state, cursor);
  const continuationToken =
    page.nextOffset === undefined
      ? undefined
      : state.continuation.encode({ ...cursor, offset: page.nextOffset }, exchange.receivedAt);
  const continuing = exchange.query.has('seekOperation');
  const selfUri = listingUri(settings.nextLinkForm, cursor.size, cursor.filter, continuing);
  const nextUri = listingUri(settings.nextLinkForm, cursor.size, cursor.filter, true);
  return bufferReply(200, pageBody(page, selfUri, nextUri, continuationToken, settings.bom));
}

export function getCustomer(state: EmulatorState, exchange: Exchange): Reply {
  // The route matcher has already decoded the path segment once; decoding again would misread ids.
  const id = exchange.params.id;
  if (!GUID.test(id)) return errorReply(pcErrors.invalidCustomerId(), state.settings.bom);
  const index = state.dataset.indexOfId(id);
  if (index < 0) return errorReply(pcErrors.tenantNotFound(id), state.settings.bom);
  return jsonReply(200, state.dataset.detail(index), { bom: state.settings.bom });
}
