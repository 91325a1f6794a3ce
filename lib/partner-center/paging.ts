/**
 * Seek paging as the service defines it: each page's `links.next` (uri, method and every header,
 * which is how MS-ContinuationToken travels) is the only way to the next page, and the last page
 * has none. The next page is requested as soon as the current one is handed out, so the network
 * works while the consumer writes; never more than one page ahead, so memory holds two pages.
 */
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

export async function* followPages<L extends ItemList>(
  root: ApiRoot,
  first: PageRequest,
  fetchCollection: (request: PageRequest, signal: AbortSignal) => Promise<Collection<L>>,
  outerSignal?: AbortSignal,
  /**
   * Stop once this many items have been handed out: the page that reaches it is the last one
   * requested.
   */
  itemLimit?: number,
): AsyncGenerator<Page<L>> {
  // Stops the prefetched request when the consumer leaves early (break, error, head -n 1).
  const listing = new AbortController();
  const signal = outerSignal ? AbortSignal.any([outerSignal, listing.signal]) : listing.signal;
  const fetchAhead = (request: PageRequest) => {
    const promise = fetchCollection(request, signal);
    // Its failure belongs to the consumer's NEXT step; until then it must not count as unhandled.
    promise.catch(() => undefined);
    return promise;
  };
  let pending: Promise<Collection<L>> | undefined = fetchAhead(first);
  let previousToken: string | undefined = first.headers[CONTINUATION_HEADER];
  let pageNumber = 0;
  let itemCount = 0;
  try {
    while (pending) {
      const collection: Collection<L> = await pending;
      pending = undefined;
      const continuationToken = continuationTokenOf(collection);
      const next = collection.links?.next;
      itemCount += collection.items.length;
      let loop: ServiceError | undefined;
      if (next && !(itemLimit !== undefined && itemCount >= itemLimit)) {
        if (continuationToken !== undefined && continuationToken === previousToken) {
          // This page is new, but the one after it would be this one again, forever.
          loop = new ServiceError(
            'Partner Center returned the same continuation token twice; the listing ' +
              'was stopped so it would not loop forever.',
            {
              hint: 'Try again later; report it with the -Debug output if it persists.',
            },
          );
        } else {
          previousToken = continuationToken;
          // What the consumer made of the page before reaches the output first (the sink flushes on
          // the next turn; a slow reader holds the listing here), so the listing runs one page
          // ahead of what is written, not of what is buffered.
          await nextTurn();
          pending = fetchAhead(nextPageRequest(root, next));
          // A request is written to its socket only on a later tick: without this turn it would
          // wait until the consumer had written the whole page, and the server would idle
          // meanwhile.
          await nextTurn();
        }
      }
      pageNumber++;
      yield { items: collection.items, pageNumber, continuationToken };
      if (loop) throw loop;
    }
  } finally {
    listing.abort();
  }
}
