/**
 * A listing (of any collection) that always knows where it stands, so a run that fails or is
 * stopped can say exactly where the next one continues: after the last page boundary it passed (a
 * continuation token) plus the items of the following page it already wrote. The position moves
 * only when an item is handed to the consumer, so "written" and "resumable from" never disagree.
 */
import type { JsonTextList } from '../json/json-text.js';
import type { ApiClient } from './client.js';
import { type CollectionRequest, listPages, pageSizeFor } from './collections.js';

export interface ListingPosition {
  /**
   * The page boundary the position is measured from (a continuation token; an OData listing's next
   * link); undefined is the start of the listing.
   */
  continuationToken?: string;
  /**
   * Items after that boundary that are already written (or were to be skipped): the next run
   * drops them.
   */
  skip: number;
  /**
   * Items of the whole listing before this position, when known (the run began at the start).
   * When the service no longer accepts the token, a listing can start over and skip this many.
   */
  offset?: number;
}

/** Where a listing stands; the listing updates it as items are handed out. */
export class ListingProgress {
  /** Items handed out by this run. */
  written = 0;
  private current: ListingPosition;
  /** The page at the current boundary, once it arrived: its length and the token after it. */
  private arrived?: { length: number; next: string };

  constructor(start: ListingPosition) {
    this.current = { ...start };
  }

  /**
   * Where the listing stands. Once every item of the page at the boundary is written, that is the
   * start of the next page, even while the page is still held by its reader (a stop then says
   * `-ContinuationToken <next>`, not the same place as `<this page's> -Skip <its length>`).
   */
  get position(): ListingPosition {
    const { arrived, current } = this;
    if (arrived && current.skip >= arrived.length)
      return {
        continuationToken: arrived.next,
        skip: current.skip - arrived.length,
        offset: current.offset,
      };
    return { ...current };
  }

  /** The same place, counted from the start of the listing: for a token the service refused. */
  get positionWithoutToken(): ListingPosition | undefined {
    const { offset } = this.current;
    return offset === undefined ? undefined : { skip: offset, offset };
  }

  /** Items after the current page boundary already written or skipped. */
  get skip(): number {
    return this.current.skip;
  }

  itemsWritten(count: number): void {
    this.written += count;
    this.current.skip += count;
    if (this.current.offset !== undefined) this.current.offset += count;
  }

  /** The page at the boundary arrived with `length` items (since it); `next` resumes after it. */
  pageArrived(length: number, next: string): void {
    this.arrived = { length, next };
  }

  /** Every item of a page of `length` items was written or dropped; `next` resumes after it. */
  pagePassed(length: number, next: string): void {
    this.current = {
      continuationToken: next,
      skip: this.current.skip - length,
      offset: this.current.offset,
    };
    this.arrived = undefined;
  }
}

/**
 * The items of `collection` from `progress.position` on, at most `limit` of them, a page's worth at
 * a time (the part of each page that is not skipped). `onPagePassed` runs once every item of a page
 * has been handed out (and before the next page is awaited): the moment to persist the position.
 */
export async function* itemsFrom<T>(
  client: ApiClient,
  collection: CollectionRequest,
  pageSize: number | undefined,
  progress: ListingProgress,
  options: { limit?: number; onPagePassed?: () => void | Promise<void> } = {},
): AsyncGenerator<JsonTextList<T>> {
  const start = progress.position;
  const { limit } = options;
  if (limit === 0) return;
  const pages = listPages<T>(client, collection, {
    // The page that only finishes what was skipped needs no more than that, either.
    pageSize: pageSizeFor(
      collection,
      pageSize,
      limit === undefined ? undefined : start.skip + limit,
    ),
    continuationToken: start.continuationToken,
    limit: limit === undefined ? undefined : start.skip + limit,
  });
  /** Items of the pages passed since the position's boundary that led on without a token. */
  let passed = 0;
  for await (const page of pages) {
    const { items } = page;
    // Items before the position in this page: all of them when the position lies beyond it.
    const drop = Math.min(items.length, Math.max(0, progress.skip - passed));
    const take =
      limit === undefined
        ? items.length - drop
        : Math.min(items.length - drop, limit - progress.written);
    if (page.more && page.continuationToken !== undefined)
      progress.pageArrived(passed + items.length, page.continuationToken);
    if (take > 0) {
      // Counted as written when handed out: the consumer writes a list whole before it asks again.
      progress.itemsWritten(take);
      yield drop === 0 && take === items.length ? items : items.slice(drop, drop + take);
    }
    if (progress.written === limit) return;
    if (!page.more) return;
    if (page.continuationToken === undefined) {
      // A page linked on without a token (size/offset links): the boundary stays where it was, so
      // the position (and a resume) counts every item written since, and the next page's drop
      // counts what these pages held.
      passed += items.length;
    } else {
      progress.pagePassed(passed + items.length, page.continuationToken);
      passed = 0;
    }
    await options.onPagePassed?.();
  }
}
