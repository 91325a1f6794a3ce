/**
 * Listings of 0..2,345 customers against the real emulator over HTTPS, from both ends:
 *
 * - the client's: every id exactly once and in order, for page sizes 1, 7 and 500, over one
 *   keep-alive connection, both next-link forms, a BOM, the headers the emulator saw, resume,
 *   search and one customer;
 * - the emulator's pages on the wire (`GET /v1/customers` read with plain https): the documented
 *   page shape for the same counts and sizes, its headers, and its optional page cache.
 *
 * One file for both, since both are thousands of requests to the same emulator code: in one module
 * registry that code warms up once (about 1.3 CPU-s less than the two files this was).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { StartedEmulator } from '../../lib/emulator/index.js';
import { startEmulator } from '../support/emulator.js';
import { NotFoundError, UsageError } from '../../lib/common/errors.js';
import type { PartnerCenterClient } from '../../lib/partner-center/client.js';
import {
  getCustomer,
  listCustomers,
  type ListCustomersOptions,
} from '../../lib/partner-center/customers.js';
import { emulatorClient } from './fixtures/emulator-client.js';
import { filterQuery, listAll, request } from '../emulator/support.js';
import { PageCache } from '../../lib/emulator/partner-center/page-cache.js';

const COUNTS = [0, 1, 499, 500, 501, 2345] as const;
const PAGE_SIZES = [1, 7, 500] as const;
const emulators = new Map<number, StartedEmulator>();

beforeAll(async () => {
  await Promise.all(
    COUNTS.map(async (customers) =>
      emulators.set(customers, await startEmulator({ customers, seed: 7 })),
    ),
  );
});
afterAll(() => Promise.all([...emulators.values()].map((emulator) => emulator.close())));

async function collect(client: PartnerCenterClient, options: ListCustomersOptions) {
  const ids: string[] = [];
  const pages: { size: number; pageNumber: number; continuationToken?: string }[] = [];
  for await (const page of listCustomers(client, options)) {
    ids.push(...page.items.map((customer) => customer.value.id));
    pages.push({
      size: page.items.length,
      pageNumber: page.pageNumber,
      continuationToken: page.continuationToken,
    });
  }
  return { ids, pages };
}

const expectedIds = (emulator: StartedEmulator) =>
  emulator.customers.map((customer) => customer.id as string);

describe.each(COUNTS)('%i customers', (count) => {
  it.each(PAGE_SIZES)(
    'page size %i: every id once, in order, over one connection',
    async (pageSize) => {
      const emulator = emulators.get(count)!;
      // No -Debug trace: these cases read none, and it is a line per request (2,345 of them).
      const { client } = emulatorClient(emulator, { debug: undefined });
      try {
        const { ids, pages } = await collect(client, { pageSize });
        expect(ids).toEqual(expectedIds(emulator));
        const expectedPages = Math.max(1, Math.ceil(count / pageSize));
        expect(pages.map((p) => p.pageNumber)).toEqual(
          Array.from({ length: expectedPages }, (_, i) => i + 1),
        );
        expect(pages.slice(0, -1).every((p) => p.size === pageSize && p.continuationToken)).toBe(
          true,
        );
        expect(pages.at(-1)!.continuationToken).toBeUndefined();
        expect(client.stats).toEqual({ connections: 1, requests: expectedPages });
      } finally {
        client.close();
      }
    },
    // Page size 1 over 2,345 customers is 2,345 requests: on a loaded machine more than the
    // default 30 s (a time limit for a hung case, not a speed check).
    90_000,
  );
});

describe('the shapes the real service sends', () => {
  it.each(['v1', 'relative'] as const)(
    'follows next links of the %s form, never building /v1//v1',
    async (nextLinkForm) => {
      const emulator = emulators.get(501)!;
      emulator.configure({ nextLinkForm });
      const { client } = emulatorClient(emulator);
      try {
        const { ids } = await collect(client, { pageSize: 100 });
        expect(ids).toEqual(expectedIds(emulator));
        const urls = emulator.recentRequests(6).map((r) => r.url);
        expect(urls[0]).toBe('/v1/customers?size=100');
        for (const url of urls.slice(1))
          expect(url).toMatch(/^\/v1\/customers\?size=100&seekOperation=Next$/);
      } finally {
        emulator.configure({ nextLinkForm: 'v1' });
        client.close();
      }
    },
  );

  it('reads bodies that start with a UTF-8 BOM', async () => {
    const emulator = emulators.get(499)!;
    emulator.configure({ bom: true });
    const { client } = emulatorClient(emulator);
    try {
      const { ids } = await collect(client, { pageSize: 200 });
      expect(ids).toEqual(expectedIds(emulator));
      const one = await getCustomer(client, ids[42]);
      expect(one.id).toBe(ids[42]);
    } finally {
      emulator.configure({ bom: false });
      client.close();
    }
  });

  it(
    'sends the Partner Center headers; MS-RequestId new per call, ' +
      'MS-CorrelationId one per run',
    async () => {
      const emulator = emulators.get(499)!;
      const { client } = emulatorClient(emulator, { locale: 'ko-KR' });
      try {
        await collect(client, { pageSize: 100 });
        const seen = emulator.recentRequests(5);
        expect(seen).toHaveLength(5);
        for (const { headers, status } of seen) {
          expect(status).toBe(200);
          expect(headers.authorization).toBe('Bearer <redacted>');
          expect(headers.accept).toBe('application/json');
          expect(headers['x-locale']).toBe('ko-KR');
          expect(headers['ms-partnercenter-application']).toBe('PartnerCenter-Node/0.1.0');
        }
        expect(new Set(seen.map((r) => r.headers['ms-requestid'])).size).toBe(5);
        expect(new Set(seen.map((r) => r.headers['ms-correlationid'])).size).toBe(1);
        expect(seen[0].headers['ms-continuationtoken']).toBeUndefined();
        for (const r of seen.slice(1)) expect(r.headers['ms-continuationtoken']).toBeTruthy();
      } finally {
        client.close();
      }
    },
  );
});

describe('resume, search, one customer', () => {
  it(
    'resumes from a page continuation token: both runs together hold every ' +
      'customer exactly once',
    async () => {
      const emulator = emulators.get(2345)!;
      const first = emulatorClient(emulator);
      const secondRun = randomUUID();
      const second = emulatorClient(emulator, { correlationId: secondRun });
      try {
        const before: string[] = [];
        let token: string | undefined;
        for await (const page of listCustomers(first.client, { pageSize: 500 })) {
          before.push(...page.items.map((c) => c.value.id));
          token = page.continuationToken;
          if (page.pageNumber === 2) break;
        }
        const { ids: after } = await collect(second.client, {
          pageSize: 500,
          continuationToken: token,
        });
        expect([...before, ...after]).toEqual(expectedIds(emulator));
        const resumed = emulator
          .recentRequests(10)
          .find((r) => r.headers['ms-correlationid'] === secondRun)!;
        expect(resumed.url).toBe('/v1/customers?size=500&seekOperation=Next');
        expect(resumed.headers['ms-continuationtoken']).toBe(token);
      } finally {
        first.client.close();
        second.client.close();
      }
    },
  );

  it('reports a continuation token the emulator refuses as no longer accepted', async () => {
    const emulator = emulators.get(501)!;
    const { client } = emulatorClient(emulator);
    try {
      const page = (await listCustomers(client, { pageSize: 100 }).next()).value!;
      const forged = `${page.continuationToken!.slice(0, -2)}xx`;
      const error = (await collect(client, { pageSize: 100, continuationToken: forged }).catch(
        (e: unknown) => e,
      )) as UsageError;
      expect(error).toBeInstanceOf(UsageError);
      expect(error.message).toMatch(
        /^Partner Center no longer accepts the continuation token \(HTTP 400/,
      );
    } finally {
      client.close();
    }
  });

  it('searches by company name prefix, case-insensitively, across pages', async () => {
    const emulator = emulators.get(2345)!;
    const name = (c: Record<string, unknown>) =>
      (c.companyProfile as { companyName: string }).companyName;
    const prefix = name(emulator.customers[3]).slice(0, 2);
    const expected = emulator.customers
      .filter((c) => name(c).toLowerCase().startsWith(prefix.toLowerCase()))
      .map((c) => c.id);
    const { client } = emulatorClient(emulator);
    try {
      const { ids } = await collect(client, {
        pageSize: 7,
        filter: {
          field: 'CompanyName',
          value: prefix.toUpperCase() === prefix ? prefix.toLowerCase() : prefix.toUpperCase(),
        },
      });
      expect(expected.length).toBeGreaterThan(0);
      expect(ids).toEqual(expected);
    } finally {
      client.close();
    }
  });

  it('gets one customer with the fuller shape, and names a missing one', async () => {
    const emulator = emulators.get(499)!;
    const { client } = emulatorClient(emulator);
    try {
      const id = emulator.customers[10].id as string;
      const customer = await getCustomer(client, id);
      expect(customer.id).toBe(id);
      expect(customer).toHaveProperty('billingProfile');
      const missing = '00000000-0000-4000-8000-000000000000';
      const error = (await getCustomer(client, missing).catch((e: unknown) => e)) as NotFoundError;
      expect(error).toBeInstanceOf(NotFoundError);
      expect(error.message).toBe(
        `Customer ${missing} was not found among this partner's customers.`,
      );
    } finally {
      client.close();
    }
  });
});

/** A page's envelope: everything but the items themselves (only their count). */
function envelopeOf(page: any) {
  return {
    totalCount: page.totalCount,
    itemCount: page.items.length,
    attributes: page.attributes,
    self: { method: page.links.self.method, headers: page.links.self.headers },
    next: page.links.next,
    continuationToken: page.continuationToken,
  };
}

/**
 * The envelope page `n` of `pages` must have: full pages of `size` but the last, totalCount the
 * page's own count, and a next link carrying the page's continuation token except on the last.
 */
function documentedEnvelope(page: any, n: number, pages: number, total: number, size: number) {
  const last = n === pages - 1;
  const count = last ? total - size * n : size;
  return {
    totalCount: count,
    itemCount: count,
    attributes: { objectType: 'Collection' },
    self: { method: 'GET', headers: [] },
    next: last
      ? undefined
      : {
          uri: `/v1/customers?size=${size}&seekOperation=Next`,
          method: 'GET',
          headers: [{ key: 'MS-ContinuationToken', value: page.continuationToken }],
        },
    continuationToken: last ? undefined : page.continuationToken,
  };
}

describe('GET /v1/customers paging', () => {
  const emulators = new Map<number, StartedEmulator>();
  const tokens = new Map<number, string>();

  beforeAll(async () => {
    const started = await Promise.all(
      COUNTS.map((customers) => startEmulator({ customers, seed: 7, nextLinkForm: 'v1' })),
    );
    started.forEach((emulator, n) => {
      emulators.set(COUNTS[n], emulator);
      tokens.set(COUNTS[n], emulator.issueAccessToken());
    });
  });
  afterAll(async () => {
    await Promise.all([...emulators.values()].map((emulator) => emulator.close()));
  });

  describe.each(COUNTS)('%i customers', (total) => {
    it.each(PAGE_SIZES)(
      'size %i: every id once, in order, with the documented page shape',
      async (size) => {
        const emulator = emulators.get(total)!;
        const listing = await listAll(emulator, tokens.get(total)!, `/v1/customers?size=${size}`);
        const expectedIds = [...emulator.customerIds()];
        expect(expectedIds).toEqual(
          Array.from({ length: total }, (_, n) => emulator.customerAt(n).id),
        );
        expect(listing.ids).toEqual(expectedIds);
        expect(listing.pages).toHaveLength(Math.max(1, Math.ceil(total / size)));
        // One comparison over every page's envelope: the same checks as one expect per field per
        // page, without thousands of matcher calls for the size-1 listings.
        expect(listing.pages.map(envelopeOf)).toEqual(
          listing.pages.map((page, n) =>
            documentedEnvelope(page, n, listing.pages.length, total, size),
          ),
        );
      },
    );
  });

  it('defaults to pages of 500 and says so in the next link', async () => {
    const emulator = emulators.get(501)!;
    const first = await request(emulator, '/v1/customers', { token: tokens.get(501) });
    expect(first.json.totalCount).toBe(500);
    expect(first.json.links.next.uri).toBe('/v1/customers?size=500&seekOperation=Next');
  });

  it('clamps a size above 500 to 500', async () => {
    const emulator = emulators.get(501)!;
    const first = await request(emulator, '/v1/customers?size=5000', { token: tokens.get(501) });
    expect(first.status).toBe(200);
    expect(first.json.totalCount).toBe(500);
  });

  // size=0 is accepted as the service does (spec/emulator/any-client.spec.ts proves it).
  it.each(['-1', 'abc', '1.5', ''])(
    'refuses size=%p with a Partner Center error body',
    async (size) => {
      const emulator = emulators.get(501)!;
      const response = await request(emulator, `/v1/customers?size=${size}`, {
        token: tokens.get(501),
      });
      expect(response.status).toBe(400);
      expect(response.json).toMatchObject({ code: 3000, data: [], source: 'PartnerFD' });
    },
  );

  it(
    'writes the next link in the relative form when configured, and the ' + 'relative form works',
    async () => {
      const emulator = emulators.get(501)!;
      emulator.configure({ nextLinkForm: 'relative' });
      try {
        const listing = await listAll(emulator, tokens.get(501)!, '/v1/customers?size=7');
        expect(listing.pages[0].links.next.uri).toBe('/customers?size=7&seekOperation=Next');
        expect(listing.pages[0].links.self.uri).toBe('/customers?size=7');
        expect(listing.ids).toHaveLength(501);
      } finally {
        emulator.configure({ nextLinkForm: 'v1' });
      }
    },
  );

  it(
    'accepts the hand-built next request: seekOperation=Next with the ' +
      'MS-ContinuationToken header',
    async () => {
      const emulator = emulators.get(2345)!;
      const token = tokens.get(2345)!;
      const first = await request(emulator, '/v1/customers?size=100', { token });
      const second = await request(emulator, '/v1/customers?seekOperation=Next', {
        token,
        headers: { 'MS-ContinuationToken': first.json.continuationToken },
      });
      expect(second.json.items[0].id).toBe(emulator.customerAt(100).id);
      expect(second.json.totalCount).toBe(100);
    },
  );

  it('prefixes every body with a UTF-8 BOM when asked, errors included', async () => {
    const emulator = emulators.get(499)!;
    emulator.configure({ bom: true });
    try {
      const page = await request(emulator, '/v1/customers?size=10', { token: tokens.get(499) });
      expect([...page.raw.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      expect(page.json.totalCount).toBe(10);
      const error = await request(emulator, '/v1/customers/not-a-guid', { token: tokens.get(499) });
      expect([...error.raw.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    } finally {
      emulator.configure({ bom: false });
    }
    const plain = await request(emulator, '/v1/customers?size=1', { token: tokens.get(499) });
    expect(plain.raw[0]).toBe(0x7b);
  });

  it('answers with Partner Center headers, echoing the request and correlation ids', async () => {
    const emulator = emulators.get(1)!;
    const ids = {
      'MS-RequestId': '6b1c5d0e-1d57-4e8c-9a0d-3c3bb0b1e001',
      'MS-CorrelationId': '6b1c5d0e-1d57-4e8c-9a0d-3c3bb0b1e002',
    };
    const response = await request(emulator, '/v1/customers', {
      token: tokens.get(1),
      headers: ids,
    });
    expect(response.headers['ms-requestid']).toBe(ids['MS-RequestId']);
    expect(response.headers['ms-correlationid']).toBe(ids['MS-CorrelationId']);
    // A correlation vector: 12 random bytes in base64, new for each answer.
    expect(response.headers['ms-cv']).toMatch(/^[A-Za-z0-9+/]{16}\.0$/);
    const again = await request(emulator, '/v1/customers', { token: tokens.get(1) });
    expect(again.headers['ms-cv']).not.toBe(response.headers['ms-cv']);
    expect(response.headers['ms-serverid']).toMatch(/^\d+$/);
    expect(new Date(String(response.headers.date)).getTime()).not.toBeNaN();
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
  });
});

/**
 * The emulator's optional page cache: a page served from memory is the page it would have derived,
 * for plain and filtered listings, and the cache never holds more than its budget.
 */
describe('the page cache', () => {
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
});
