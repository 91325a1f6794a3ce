/**
 * Seek paging as the service defines it: each page's `links.next` (uri, method and every header,
 * which is how MS-ContinuationToken travels) is the only way to the next page, and the last page
 * has none. The next page is requested as soon as the current one is handed out, so the network
 * works while the consumer writes; never more than one page ahead, so memory holds two pages.
 */
import { linkedSignal } from './abortable.js';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { ServiceError } from '../common/errors.js';
import type { ApiRoot } from './api-url.js';
import type { ContinuationTokenSource } from './service-errors.js';
import { JsonTextList } from '../json/json-text.js';
import type { Collection, ItemList, Link, Page } from './types.js';

export const CONTINUATION_HEADER = 'MS-ContinuationToken';

export interface PageRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  continuationToken?: ContinuationTokenSource;
}

/**
 * Headers a link may not set: the client owns the credential, the framing and the call's identity.
 */
const RESERVED_HEADERS = new Set([
  'authorization',
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'ms-requestid',
  'ms-correlationid',
]);

export function nextPageRequest(root: ApiRoot, link: Link): PageRequest {
  if (typeof link.uri !== 'string' || link.uri === '') {
    throw new ServiceError('Partner Center returned a next link without a uri.', {
      hint: 'Report this with the -Debug output.',
    });
  }
  const headers: Record<string, string> = {};
  for (const { key, value } of link.headers ?? []) {
    if (
      typeof key === 'string' &&
      typeof value === 'string' &&
      !RESERVED_HEADERS.has(key.toLowerCase())
    )
      headers[key] = value;
  }
  const carriesToken = Object.keys(headers).some(
    (name) => name.toLowerCase() === CONTINUATION_HEADER.toLowerCase(),
  );
  return {
    method: (link.method ?? 'GET').toUpperCase(),
    url: root.resolve(link.uri),
    headers,
    continuationToken: carriesToken ? 'service' : undefined,
  };
}

/** The token that resumes after this page: the one its next link sends, else the body's copy. */
export function continuationTokenOf(collection: Collection<ItemList>): string | undefined {
  const next = collection.links?.next;
  if (!next) return undefined;
  const header = next.headers?.find(
    ({ key }) => typeof key === 'string' && key.toLowerCase() === CONTINUATION_HEADER.toLowerCase(),
  );
  return header?.value ?? collection.continuationToken;
}

export function asCollection<L extends ItemList>(
  body: unknown,
  request: PageRequest,
): Collection<L> {
  const items = body && typeof body === 'object' ? (body as Collection<ItemList>).items : undefined;
  if (Array.isArray(items) || items instanceof JsonTextList) return body as Collection<L>;
  throw new ServiceError(
    `Partner Center answered ${request.method} ${request.url.pathname} with ` +
      'something that is not a collection (no items array).',
    {
      hint: 'Report this with the -Debug output.',
    },
  );
}

/**
 * One page as the paging loop sees it, whatever the API's page shape: its items, where a listing
 * resumes after it, and (on every page but the last) how to ask for the next one. `next` is called
 * only when the next page is really wanted, so a malformed link past -First is never an error.
 */
export interface FetchedPage<L extends ItemList> {
  items: L;
  position?: string;
  next?: () => PageRequest;
}

/** A Partner Center collection as one page of the paging loop: `links.next` leads on. */
export function seekPageOf<L extends ItemList>(
  root: ApiRoot,
  collection: Collection<L>,
): FetchedPage<L> {
  const next = collection.links?.next;
  return {
    items: collection.items,
    position: continuationTokenOf(collection),
    next: next ? () => nextPageRequest(root, next) : undefined,
  };
}

/** A link without a token (an offset link) that names the very request of the page it is on. */
function sameRequest(a: PageRequest, b: PageRequest): boolean {
  return a.method === b.method && a.url.href === b.url.href;
}

export async function* followPages<L extends ItemList>(
  first: PageRequest,
  fetchPage: (request: PageRequest, signal: AbortSignal) => Promise<FetchedPage<L>>,
  options: {
    outerSignal?: AbortSignal;
    /**
     * Stop once this many items have been handed out: the page that reaches it is the last one
     * requested.
     */
    itemLimit?: number;
    /** The position the first request resumes from (resume), if any. */
    startPosition?: string;
    /** The error for a page whose next position is the one before it again. */
    loopError: (by: 'token' | 'link') => ServiceError;
  },
): AsyncGenerator<Page<L>> {
  const { itemLimit } = options;
  // Stops the prefetched request when the consumer leaves early (break, error, head -n 1).
  const listing = new AbortController();
  // Not AbortSignal.any: a fan-out makes one listing per customer, and Node 20 keeps each such
  // signal until a full collection (the heap then grew with the input, bench/pipeline.mjs).
  const linked = linkedSignal([options.outerSignal, listing.signal]);
  const signal = linked.signal!;
  const fetchAhead = (request: PageRequest) => {
    const promise = fetchPage(request, signal);
    // Its failure belongs to the consumer's NEXT step; until then it must not count as unhandled.
    promise.catch(() => undefined);
    return promise;
  };
  let pending: Promise<FetchedPage<L>> | undefined = fetchAhead(first);
  let current = first;
  let previousPosition: string | undefined = options.startPosition;
  let pageNumber = 0;
  let itemCount = 0;
  try {
    while (pending) {
      const page: FetchedPage<L> = await pending;
      pending = undefined;
      const { position } = page;
      itemCount += page.items.length;
      let loop: ServiceError | undefined;
      if (page.next && !(itemLimit !== undefined && itemCount >= itemLimit)) {
        const next = position === undefined ? page.next() : undefined;
        if (
          position !== undefined
            ? position === previousPosition
            : next !== undefined && sameRequest(next, current)
        ) {
          // This page is new, but the one after it would be this one again, forever.
          loop = options.loopError(position === undefined ? 'link' : 'token');
        } else {
          previousPosition = position;
          current = next ?? page.next();
          // What the consumer made of the page before reaches the output first (the sink flushes on
          // the next turn; a slow reader holds the listing here), so the listing runs one page
          // ahead of what is written, not of what is buffered.
          await nextTurn();
          pending = fetchAhead(current);
          // A request is written to its socket only on a later tick: without this turn it would
          // wait until the consumer had written the whole page, and the server would idle
          // meanwhile.
          await nextTurn();
        }
      }
      pageNumber++;
      yield {
        items: page.items,
        pageNumber,
        continuationToken: position,
        more: pending !== undefined,
      };
      if (loop) throw loop;
    }
  } finally {
    listing.abort();
    linked.dispose();
  }
}
