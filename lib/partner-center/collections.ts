/**
 * A collection of the API as a listing sees it: where its first page is and how its pages link.
 * A resource module describes each of its collections once; streaming, one page of prefetch,
 * -First/-Skip, resuming, retries and token renewal then come from the listing layer
 * (resumable-listing.ts here, listing-run.ts in cmdlet support), whatever the resource.
 */
import type { JsonTextList } from '../json/json-text.js';
import type { PartnerCenterClient } from './client.js';
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
  /** Under the API's version root, e.g. `/customers`. */
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
}

/** One response holds the whole collection (a customer's subscriptions, its subscribed SKUs). */
export interface SingleCollection extends CollectionBase {
  paging: 'single';
  query?: ReadonlyArray<readonly [string, string]>;
}

export type CollectionRequest = SeekCollection | SingleCollection;

export interface FirstPageOptions {
  /** Seek collections: items per page, 1..maxPageSize (the caller validated it). */
  pageSize?: number;
  /** Seek collections: the first request resumes after a page (MS-ContinuationToken). */
  resumed?: boolean;
}

/** Path and query of a listing's first request; a resumed seek listing uses the seek form. */
export function firstRequestOf(
  collection: CollectionRequest,
  options: FirstPageOptions = {},
): string {
  const parts: string[] = [];
  if (collection.paging === 'seek')
    parts.push(`size=${options.pageSize ?? collection.maxPageSize}`);
  for (const [name, value] of collection.query ?? []) parts.push(`${name}=${value}`);
  if (collection.paging === 'seek' && options.resumed) parts.push('seekOperation=Next');
  return parts.length === 0 ? collection.path : `${collection.path}?${parts.join('&')}`;
}

export interface ListPagesOptions {
  pageSize?: number;
  /** Seek collections: resume after the page that returned this token. */
  continuationToken?: string;
  /** No page is requested after the one that brings the item count to this (-First). */
  limit?: number;
}

/** Every page of a collection, each item kept as the service's bytes; one page prefetched. */
export function listPages<T>(
  client: PartnerCenterClient,
  collection: CollectionRequest,
  options: ListPagesOptions = {},
): AsyncGenerator<Page<JsonTextList<T>>> {
  const resumed = collection.paging === 'seek' && options.continuationToken !== undefined;
  return client.jsonTextPages<T>(
    firstRequestOf(collection, { pageSize: options.pageSize, resumed }),
    {
      continuationToken: resumed ? options.continuationToken : undefined,
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
  if (collection.paging !== 'seek' || itemsNeeded === undefined) return pageSize;
  return Math.min(pageSize ?? collection.maxPageSize, itemsNeeded);
}
