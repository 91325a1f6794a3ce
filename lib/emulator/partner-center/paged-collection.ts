/**
 * Partner Center's two collection protocols, written once for every collection route:
 *
 * - seek paging (customers, a customer's users): `size`, a `filter`, `links.next` carrying the
 *   continuation token in its `MS-ContinuationToken` header, the same token as `continuationToken`,
 *   `seekOperation=Next`, and `totalCount` counting the page's own items;
 * - the single collection (subscriptions, subscribed SKUs, licenses): every item in one response.
 *
 * A seek collection describes only what differs (its scope, page sizes, filter, how a page of items
 * is derived, its URIs); tokens, the page cache and the envelope's bytes live here.
 */
import type { ListingCursor } from './continuation-tokens.js';
import type { EmulatorState } from '../server/emulator-state.js';
import {
  bufferReply,
  header,
  jsonReply,
  type Exchange,
  type Reply,
} from '../server/http-exchange.js';
import type { CachedPage } from './page-cache.js';
import { pcErrors, type PartnerCenterError } from './partner-center-errors.js';

export interface ApiCaller {
  delegated: boolean;
}

export function errorReply(error: PartnerCenterError, bom: boolean): Reply {
  return jsonReply(error.status, error.body, { bom, headers: error.headers });
}

/** A query parameter of a collection route, its name in any case (exchange.query). */
export function queryParam(exchange: Exchange, name: string): string | null {
  return exchange.query.get(name);
}

/** Every value of a repeated query parameter (`licenseGroupIds=Group1&licenseGroupIds=Group2`). */
export function queryParams(exchange: Exchange, name: string): string[] {
  return exchange.query.getAll(name);
}

export type FilterParse<Filter> = { ok: true; filter: Filter } | { ok: false; reason: string };

export interface SeekCollection<Filter> {
  /**
   * Binds continuation tokens and cached pages to this collection (e.g. `users:<customer id>`);
   * undefined for the customer list, whose tokens predate scopes.
   */
  readonly scope?: string;
  readonly defaultPageSize: number;
  readonly maxPageSize: number;
  parseFilter(text: string): FilterParse<Filter>;
  /** A stable text of the filter for the page cache's key. */
  filterKey(filter: Filter): string;
  /** The items of the page at the cursor, serialised, and where the following page starts. */
  page(cursor: ListingCursor<Filter>): CachedPage;
  /** The listing's URI for `links`, relative to the version root (`/customers?...`). */
  uri(size: number, filter: Filter | null, next: boolean): string;
  /** A refusal that depends on the listing (e.g. a filter only App+User tokens may use). */
  refuse?(cursor: ListingCursor<Filter>, caller: ApiCaller): PartnerCenterError | undefined;
  /** Its items grow while the emulator runs (the activity log): a page is never cached. */
  readonly growing?: boolean;
}

/**
 * The one rule for `size` on every seek-paged collection (docs/partner-center-api.md, "One rule
 * for `size`"): missing or 0 is the collection's default (null here: the cursor decides), 1 to the
 * maximum is itself, above the maximum is the maximum (the documentation is silent there; clamping
 * is what the service was observed to do), anything else is a 400 naming the range.
 */
function parseSize(
  value: string | null,
  collection: SeekCollection<unknown>,
): number | null | PartnerCenterError {
  if (value === null) return null;
  const { maxPageSize } = collection;
  if (!/^\s*\d+\s*$/.test(value))
    return pcErrors.invalidProperty(`size must be an integer from 0 to ${maxPageSize}`);
  if (Number(value) === 0) return null;
  return Math.min(Number(value), maxPageSize);
}

function cursorFor<Filter>(
  state: EmulatorState,
  exchange: Exchange,
  collection: SeekCollection<Filter>,
  size: number | null,
): ListingCursor<Filter> | PartnerCenterError {
  if ((queryParam(exchange, 'seekOperation') ?? '').toLowerCase() === 'next') {
    const token = header(exchange, 'ms-continuationtoken');
    if (!token)
      return pcErrors.invalidContinuationToken(
        'seekOperation=Next needs the MS-ContinuationToken header',
      );
    const decoded = state.continuation.decode<Filter>(token, exchange.receivedAt, collection.scope);
    if (!decoded.ok) return pcErrors.invalidContinuationToken(decoded.reason);
    return { ...decoded.cursor, size: size ?? decoded.cursor.size };
  }
  const filterText = queryParam(exchange, 'filter');
  let filter: Filter | null = null;
  if (filterText !== null) {
    const parsed = collection.parseFilter(filterText);
    if (!parsed.ok) return pcErrors.invalidProperty(parsed.reason);
    filter = parsed.filter;
  }
  return { offset: 0, size: size ?? collection.defaultPageSize, filter };
}

function linkJson(uri: string, continuationToken?: string): string {
  const headers = continuationToken
    ? `[{"key":"MS-ContinuationToken","value":${JSON.stringify(continuationToken)}}]`
    : '[]';
  return `{"uri":${JSON.stringify(uri)},"method":"GET","headers":${headers}}`;
}

function seekPageBody(
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
function pageAt<Filter>(
  state: EmulatorState,
  collection: SeekCollection<Filter>,
  cursor: ListingCursor<Filter>,
): CachedPage {
  if (collection.growing) return collection.page(cursor);
  const filterPart = cursor.filter ? collection.filterKey(cursor.filter) : '';
  const scopePart = collection.scope === undefined ? '' : `${collection.scope}|`;
  const key = `${scopePart}${cursor.offset}/${cursor.size}/${filterPart}`;
  const cached = state.pageCache?.get(key);
  if (cached) return cached;
  const page = collection.page(cursor);
  state.pageCache?.set(key, page);
  return page;
}

/** One page of a seek-paged collection, as Partner Center serves it. */
export function seekPageReply<Filter>(
  state: EmulatorState,
  exchange: Exchange,
  caller: ApiCaller,
  collection: SeekCollection<Filter>,
): Reply {
  const { bom } = state.settings;
  const size = parseSize(queryParam(exchange, 'size'), collection as SeekCollection<unknown>);
  if (typeof size === 'object' && size !== null) return errorReply(size, bom);
  const cursor = cursorFor(state, exchange, collection, size);
  if ('status' in cursor) return errorReply(cursor, bom);
  const refusal = collection.refuse?.(cursor, caller);
  if (refusal) return errorReply(refusal, bom);
  const page = pageAt(state, collection, cursor);
  const continuationToken =
    page.nextOffset === undefined
      ? undefined
      : state.continuation.encode(
          { ...cursor, offset: page.nextOffset },
          exchange.receivedAt,
          collection.scope,
        );
  const continuing = queryParam(exchange, 'seekOperation') !== null;
  const selfUri = linkUri(state, collection.uri(cursor.size, cursor.filter, continuing), cursor);
  const nextUri = linkUri(
    state,
    collection.uri(cursor.size, cursor.filter, true),
    page.nextOffset === undefined ? cursor : { ...cursor, offset: page.nextOffset },
  );
  return bufferReply(200, seekPageBody(page, selfUri, nextUri, continuationToken, bom));
}

/**
 * Every item in one response, `{"totalCount":n,"items":[...],"attributes":{...}}`; `links.self`
 * only where the documentation's examples show one.
 */
export function collectionReply(items: readonly unknown[], bom: boolean, selfUri?: string): Reply {
  const links = selfUri === undefined ? '' : `,"links":{"self":${linkJson(selfUri)}}`;
  const itemsJson = items.map((item) => JSON.stringify(item)).join(',');
  const body = `{"totalCount":${items.length},"items":[${itemsJson}]${links},"attributes":{"objectType":"Collection"}}`;
  return bufferReply(200, Buffer.from(`${bom ? '\ufeff' : ''}${body}`, 'utf8'));
}

/**
 * A link's URI in the configured form (`nextLinkForm`), for the page that starts at the cursor:
 * `mixed` writes every other page with `/v1` (by the page's number, so the same listing gets the
 * same links), which is the mix of forms the service writes (docs/partner-center-api.md, "The next
 * link's shape changed").
 */
export function linkUri(
  state: EmulatorState,
  uri: string,
  at: { offset: number; size: number },
): string {
  const form = state.settings.nextLinkForm;
  if (form === 'absolute') return `${state.baseUrl}/v1${uri}`;
  const pageNumber = Math.floor(at.offset / Math.max(1, at.size));
  const withVersion = form === 'v1' || (form === 'mixed' && pageNumber % 2 === 0);
  return withVersion ? `/v1${uri}` : uri;
}
