/**
 * A collection of the API as a listing sees it: where its first page is and how its pages link.
 * A resource module describes each of its collections once; streaming, one page of prefetch,
 * -First/-Skip, resuming, retries and token renewal then come from the listing layer
 * (resumable-listing.ts here, listing-run.ts in cmdlet support), whatever the resource.
 */
import type { JsonTextList } from '../json/json-text.js';
import type { ApiClient } from './client.js';
import { GRAPH_SERVICE } from './graph-api.js';
import type { Page } from './types.js';

/** How messages name what a collection holds. */
export interface CollectionNoun {
  /** The resource's name, e.g. `Customer` (a resume file's kind names it too). */
  item: string;
  one: string;
  many: string;
}

interface CollectionBase {
  noun: CollectionNoun;
  /** Under the API's version root, e.g. `/customers` (Graph: `/tenantRelationships/...`). */
  path: string;
}

/**
 * Seek paging (customers, a customer's users): `size=` on the first request, each page's
 * `links.next` to the next one (its MS-ContinuationToken header), and `seekOperation=Next` with
 * that token to resume after a page.
 */
export interface SeekCollection extends CollectionBase {
  paging: 'seek';
  /** Query parameters after `size`, in order, values already URL-encoded. */
  query?: ReadonlyArray<readonly [string, string]>;
  /** The service's maximum page size, which is also the default here (fewest round trips). */
  maxPageSize: number;
  /**
   * The request that resumes after a page (with MS-ContinuationToken), where the service documents
   * another than the first request plus `seekOperation=Next` (an invoice's v1 line items:
   * `.../lineitems/OneTime/BillingLineItems?seekOperation=Next`).
   */
  resumeAt?: string;
}

/** One response holds the whole collection (a customer's subscriptions, its subscribed SKUs). */
export interface SingleCollection extends CollectionBase {
  paging: 'single';
  query?: ReadonlyArray<readonly [string, string]>;
}

/**
 * An OData collection of Microsoft Graph (the GDAP relationships): `$top`, `$filter` and `$select`
 * on the first request, then each page's `@odata.nextLink`, followed exactly as given and only to
 * Graph's own origin. A listing resumes from that link: it is the page's position.
 */
export interface ODataCollection extends CollectionBase {
  paging: 'odata';
  /** `$filter`, as OData writes it (`status eq 'active'`); encoded here. */
  filter?: string;
  /** `$select`: the properties each item is to have. */
  select?: readonly string[];
  /** The service's largest `$top` (GDAP relationships: 300), also the default. */
  maxPageSize: number;
}

export type CollectionRequest = SeekCollection | SingleCollection | ODataCollection;

/** Which API serves a collection, by name: the listing asks the run for that API's client. */
export function serviceOf(collection: CollectionRequest): string {
  return collection.paging === 'odata' ? GRAPH_SERVICE : 'Partner Center';
}

/** The page size a listing uses when none is given (0: the collection has no pages to size). */
export function defaultPageSizeOf(collection: CollectionRequest): number {
  return collection.paging === 'single' ? 0 : collection.maxPageSize;
}

/**
 * What an OData collection's query selects (for a resume file, which must not resume another
 * selection); undefined for the others, whose cmdlets name their selection themselves.
 */
export function odataSelectionOf(
  collection: CollectionRequest,
): { filter: string | null; select: string | null } | undefined {
  if (collection.paging !== 'odata' || (!collection.filter && !collection.select?.length))
    return undefined;
  return { filter: collection.filter ?? null, select: collection.select?.join(',') ?? null };
}

export interface FirstPageOptions {
  /** Seek and OData collections: items per page, 1..maxPageSize (the caller validated it). */
  pageSize?: number;
  /** Seek collections: the first request resumes after a page (MS-ContinuationToken). */
  resumed?: boolean;
}

/** Path and query of a listing's first request; a resumed seek listing uses the seek form. */
export function firstRequestOf(
  collection: CollectionRequest,
  options: FirstPageOptions = {},
): string {
  if (collection.paging === 'odata') return odataFirstRequest(collection, options.pageSize);
  if (collection.paging === 'seek' && options.resumed && collection.resumeAt)
    return collection.resumeAt;
  const parts: string[] = [];
  if (collection.paging === 'seek')
    parts.push(`size=${options.pageSize ?? collection.maxPageSize}`);
  for (const [name, value] of collection.query ?? []) parts.push(`${name}=${value}`);
  if (collection.paging === 'seek' && options.resumed) parts.push('seekOperation=Next');
  return parts.length === 0 ? collection.path : `${collection.path}?${parts.join('&')}`;
}

function odataFirstRequest(collection: ODataCollection, pageSize: number | undefined): string {
  const top = Math.min(pageSize ?? collection.maxPageSize, collection.maxPageSize);
  const parts = [`$top=${top}`];
  if (collection.filter) parts.push(`$filter=${encodeURIComponent(collection.filter)}`);
  if (collection.select?.length)
    parts.push(`$select=${collection.select.map(encodeURIComponent).join(',')}`);
  return `${collection.path}?${parts.join('&')}`;
}

export interface ListPagesOptions {
  pageSize?: number;
  /**
   * Resume after the page that returned this position: a seek collection's continuation token,
   * an OData collection's next link.
   */
  continuationToken?: string;
  /** No page is requested after the one that brings the item count to this (-First). */
  limit?: number;
}

/**
 * Every page of a collection, each item kept as the service's bytes; one page prefetched. `client`
 * is the collection's API's: Graph's for an OData collection, Partner Center's for the others.
 */
export function listPages<T>(
  client: ApiClient,
  collection: CollectionRequest,
  options: ListPagesOptions = {},
): AsyncGenerator<Page<JsonTextList<T>>> {
  const resumable = collection.paging !== 'single' && options.continuationToken !== undefined;
  return client.jsonTextPages<T>(
    firstRequestOf(collection, {
      pageSize: options.pageSize,
      resumed: resumable && collection.paging === 'seek',
    }),
    {
      continuationToken: resumable ? options.continuationToken : undefined,
      limit: options.limit,
    },
  );
}

/** The most a first page needs to hold: -First 5 needs no page of 500. */
export function pageSizeFor(
  collection: CollectionRequest,
  pageSize: number | undefined,
  itemsNeeded: number | undefined,
): number | undefined {
  if (collection.paging === 'single' || itemsNeeded === undefined) return pageSize;
  return Math.min(pageSize ?? collection.maxPageSize, itemsNeeded);
}
