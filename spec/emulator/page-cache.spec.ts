/**
 * The emulator's optional page cache: a page served from memory is the page it would have derived,
 * for plain and filtered listings, and the cache never holds more than its budget.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { StartedEmulator } from '../../lib/emulator/index.js';
import { startEmulator } from '../support/emulator.js';
import { PageCache } from '../../lib/emulator/partner-center/page-cache.js';
import { filterQuery, listAll } from './support.js';

describe('an emulator that keeps the pages it served', () => {
  let cached: StartedEmulator;
  let plain: StartedEmulator;
  beforeAll(async () => {
    [cached, plain] = await Promise.all([
      startEmulator({ customers: 1234, seed: 9, pageCacheMegabytes: 4 }),
      startEmulator({ customers: 1234, seed: 9 }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([cached.close(), plain.close()]);
  });

  const itemsOf = (listing: { pages: any[] }) => listing.pages.map((page) => page.items);
  const envelopeOf = (listing: { pages: any[] }) =>
    listing.pages.map((page) => ({
      totalCount: page.totalCount,
      next: page.links.next?.uri,
      self: page.links.self.uri,
    }));

  for (const [what, path] of [
    ['every customer', '/v1/customers?size=100'],
    [
      'a filtered search',
      `/v1/customers?size=7&filter=${filterQuery({ Field: 'CompanyName', Value: 'a', Operator: 'starts_with' })}`,
    ],
  ] as const) {
    it(`serves ${what} again from memory exactly as it derived it`, async () => {
      const expected = await listAll(plain, plain.issueAccessToken(), path);
      const first = await listAll(cached, cached.issueAccessToken(), path);
      const again = await listAll(cached, cached.issueAccessToken(), path);
      expect(itemsOf(first)).toEqual(itemsOf(expected));
      expect(itemsOf(again)).toEqual(itemsOf(expected));
      expect(envelopeOf(again)).toEqual(envelopeOf(expected));
      // Tokens are issued anew (they carry the time), and a cached page still pages on with them.
      expect(again.pages[0].continuationToken).toBeDefined();
      expect(again.ids).toEqual(expected.ids);
    });
  }
});

describe('PageCache', () => {
  const page = (bytes: number) => ({ items: Buffer.alloc(bytes, 0x31), count: 1 });

  it('drops the least recently used pages to stay within its budget', () => {
    const cache = new PageCache(1000);
    cache.set('a', page(400));
    cache.set('b', page(400));
    expect(cache.get('a')).toBeDefined(); // a is now the most recently used
    cache.set('c', page(400));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
    expect(cache.get('c')).toBeDefined();
    expect(cache.size).toEqual({ pages: 2, bytes: 800 });
  });

  it('does not keep a page larger than the whole budget', () => {
    const cache = new PageCache(100);
    cache.set('big', page(101));
    expect(cache.get('big')).toBeUndefined();
    expect(cache.size.bytes).toBe(0);
  });

  it('refuses a budget that is not a number from 0', async () => {
    await expect(startEmulator({ pageCacheMegabytes: -1 })).rejects.toThrow(RangeError);
  });
});
