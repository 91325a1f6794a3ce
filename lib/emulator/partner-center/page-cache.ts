/**
 * The serialised customers of recently served pages, by position, within a byte budget (least
 * recently used out first). Deriving a page's customers is most of the emulator's work per page
 * (about 3 of 5 ms for 500 customers), and a benchmark that lists the same customers again and
 * again must measure the client, not the emulator: with the cache, a repeated listing costs the
 * emulator little more than HTTPS. Off unless asked for (`pageCacheMegabytes`), so the emulator's
 * memory stays independent of its data set's size by default.
 */
export interface CachedPage {
  /** The items array's contents: the customers' JSON joined by commas, without the brackets. */
  items: Buffer;
  count: number;
  /** Where the following page starts, or undefined on the last page. */
  nextOffset?: number;
}

export class PageCache {
  private readonly pages = new Map<string, CachedPage>();
  private bytes = 0;

  constructor(readonly budgetBytes: number) {}

  get(key: string): CachedPage | undefined {
    const page = this.pages.get(key);
    if (page) {
      // Most recently used goes last: Map keeps insertion order, so the first entry is the oldest.
      this.pages.delete(key);
      this.pages.set(key, page);
    }
    return page;
  }

  set(key: string, page: CachedPage): void {
    if (page.items.length > this.budgetBytes || this.pages.has(key)) return;
    this.pages.set(key, page);
    this.bytes += page.items.length;
    for (const [oldest, evicted] of this.pages) {
      if (this.bytes <= this.budgetBytes) break;
      this.pages.delete(oldest);
      this.bytes -= evicted.items.length;
    }
  }

  get size(): { pages: number; bytes: number } {
    return { pages: this.pages.size, bytes: this.bytes };
  }
}
