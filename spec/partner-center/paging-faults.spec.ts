/**
 * Paging behaviour that needs a scripted server: the prefetch stays exactly one page ahead, a
 * failure of the prefetched page reaches the consumer only after the current page, a page cut off
 * mid-way is fetched again with the same token, and next links are followed exactly (uri in any
 * form, method, every header).
 */
import { describe, expect, it } from '@jest/globals';
import { ServiceError, UsageError } from '../../lib/common/errors.js';
import { listCustomers } from '../../lib/partner-center/customers.js';
import { collectionPage, type FaultAction, type ReceivedRequest } from './fixtures/fault-server.js';
import { useFaultServer } from './fixtures/fault-server-suite.js';

const suite = useFaultServer();

function newClient(verbose: string[] = []) {
  return suite.clientFor({ verbose: (line) => verbose.push(line) }).client;
}

/**
 * `pages` pages of `size` items; page n (1-based) is found by the token `t<n>`; `override` can
 * replace any answer.
 */
function pagedCatalogue(
  pages: number,
  size: number,
  linkUri: (n: number) => string = (n) => `/v1/customers?size=${size}&seekOperation=Next&n=${n}`,
  override?: (request: ReceivedRequest, page: number) => FaultAction | undefined,
) {
  suite.server.respond((request) => {
    const token = request.headers['ms-continuationtoken'];
    const page = token === undefined ? 1 : Number(String(token).slice(1));
    const answer = override?.(request, page);
    if (answer) return answer;
    const items = Array.from({ length: size }, (_, i) => ({ id: `p${page}-${i}` }));
    return {
      status: 200,
      json: collectionPage(
        items,
        page < pages ? { uri: linkUri(page + 1), token: `t${page + 1}` } : undefined,
      ),
    };
  });
}

const until = async (condition: () => boolean) => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 2));
};

describe('prefetch', () => {
  it(
    'requests the next page while the consumer holds the current one, and ' +
      'never more than one ahead',
    async () => {
      pagedCatalogue(5, 3);
      const client = newClient();
      let seen = 0;
      for await (const page of client.pages<{ id: string }>('/customers?size=3')) {
        seen += page.items.length;
        if (page.pageNumber < 5) {
          await until(() => suite.server.received.length === page.pageNumber + 1);
          // A greedy client would have gone on to page n+2 by now; the generator is parked here.
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        expect(suite.server.received).toHaveLength(Math.min(page.pageNumber + 1, 5));
      }
      expect(seen).toBe(15);
      expect(new Set(suite.server.received.map((r) => r.connection)).size).toBe(1);
      expect(client.stats).toEqual({ connections: 1, requests: 5 });
    },
  );

  it('with a limit (-First), requests no page after the one that reaches it', async () => {
    pagedCatalogue(5, 3);
    const client = newClient();
    const pages = [];
    for await (const page of listCustomers(client, { pageSize: 3, limit: 4 }))
      pages.push(page.pageNumber);
    expect(pages).toEqual([1, 2]);
    expect(suite.server.received).toHaveLength(2);
  });

  it(
    'stops the prefetched request when the consumer leaves early, and the ' + 'client stays usable',
    async () => {
      pagedCatalogue(5, 3, undefined, (_request, page) =>
        page === 2 ? { delayMs: 60_000, then: { status: 500 } } : undefined,
      );
      const client = newClient();
      for await (const page of client.pages('/customers?size=3')) {
        expect(page.pageNumber).toBe(1);
        await until(() => suite.server.received.length === 2);
        break;
      }
      await expect(client.getJson('/customers?size=3')).resolves.toMatchObject({ totalCount: 3 });
    },
  );

  it("reports the prefetched page's failure only after the current page was handed out", async () => {
    pagedCatalogue(3, 2, undefined, (_request, page) =>
      page === 2
        ? {
            status: 400,
            json: {
              code: 3000,
              description: 'Invalid continuation token',
              data: [],
              source: 'PartnerFD',
            },
          }
        : undefined,
    );
    const client = newClient();
    const pages = client.pages<{ id: string }>('/customers?size=2');
    const first = await pages.next();
    expect(first.value).toMatchObject({
      pageNumber: 1,
      continuationToken: 't2',
      items: [{ id: 'p1-0' }, { id: 'p1-1' }],
    });
    await until(() => suite.server.received.length === 2);
    const error = (await pages.next().catch((e: unknown) => e)) as ServiceError;
    expect(error).toBeInstanceOf(ServiceError);
    expect(error.message).toBe(
      'Partner Center no longer accepts the continuation token (HTTP 400 Bad ' +
        'Request, code 3000: Invalid continuation token).',
    );
  });
});

describe('faults in the middle of a listing', () => {
  it(
    'fetches a page cut off mid-way again with the same continuation token ' + 'and MS-RequestId',
    async () => {
      let cut = false;
      pagedCatalogue(4, 5, undefined, (_request, page) => {
        if (page !== 3 || cut) return undefined;
        cut = true;
        return {
          truncate: {
            json: collectionPage([{ id: 'p3-0' }, { id: 'p3-1' }], {
              uri: '/v1/customers?x',
              token: 't4',
            }),
            bytes: 30,
          },
        };
      });
      const verbose: string[] = [];
      const client = newClient(verbose);
      const ids: string[] = [];
      for await (const page of client.pages<{ id: string }>('/customers?size=5'))
        ids.push(...page.items.map((c) => c.id));
      expect(ids).toHaveLength(20);
      expect(new Set(ids).size).toBe(20);
      const pageThree = suite.server.received.filter(
        (r) => r.headers['ms-continuationtoken'] === 't3',
      );
      expect(pageThree).toHaveLength(2);
      expect(pageThree[0].headers['ms-requestid']).toBe(pageThree[1].headers['ms-requestid']);
      expect(verbose).toHaveLength(1);
    },
  );

  it('stops when the service hands back the same continuation token twice', async () => {
    suite.server.respond(() => ({
      status: 200,
      json: collectionPage([{ id: 'x' }], { uri: '/customers?seekOperation=Next', token: 'same' }),
    }));
    const client = newClient();
    const pages = client.pages('/customers?size=1');
    await pages.next();
    await pages.next();
    await expect(pages.next()).rejects.toThrow(/same continuation token twice/);
    expect(suite.server.received).toHaveLength(2);
  });

  it('follows size/offset links without a token, and stops at one that names its own page', async () => {
    // The invoices' links: `/invoices?size=&offset=`, no MS-ContinuationToken. From offset 4 on
    // the server hands back the link of the page it answered.
    suite.server.respond((request) => {
      const offset = Number(new URL(request.url, 'https://x').searchParams.get('offset') ?? 0);
      const next = Math.min(offset + 2, 4);
      return {
        status: 200,
        json: {
          items: [{ id: `i${offset}` }, { id: `i${offset + 1}` }],
          links: { next: { uri: `/invoices?size=2&offset=${next}`, method: 'GET', headers: [] } },
        },
      };
    });
    const client = newClient();
    const ids: string[] = [];
    const pages = client.pages<{ id: string }>('/invoices?size=2');
    await expect(
      (async () => {
        for await (const page of pages) {
          expect(page.continuationToken).toBeUndefined();
          ids.push(...page.items.map((item) => item.id));
        }
      })(),
    ).rejects.toThrow(/a next link to the page it had just sent; the listing was stopped/);
    expect(ids).toEqual(['i0', 'i1', 'i2', 'i3', 'i4', 'i5']);
    expect(suite.server.received.map((r) => r.url)).toEqual([
      '/v1/invoices?size=2',
      '/v1/invoices?size=2&offset=2',
      '/v1/invoices?size=2&offset=4',
    ]);
  });
});

describe('next links are followed exactly', () => {
  it.each([
    ['relative to the version root', (n: number) => `/customers?size=2&seekOperation=Next&n=${n}`],
    ['with the /v1 prefix', (n: number) => `/v1/customers?size=2&seekOperation=Next&n=${n}`],
    [
      'absolute on the same host',
      (n: number) => `${suite.server.origin}/v1/customers?size=2&seekOperation=Next&n=${n}`,
    ],
  ])('a uri %s', async (_form, linkUri) => {
    pagedCatalogue(3, 2, linkUri);
    const client = newClient();
    let count = 0;
    for await (const page of client.pages<{ id: string }>('/customers?size=2'))
      count += page.items.length;
    expect(count).toBe(6);
    expect(suite.server.received.map((r) => r.url)).toEqual([
      '/v1/customers?size=2',
      '/v1/customers?size=2&seekOperation=Next&n=2',
      '/v1/customers?size=2&seekOperation=Next&n=3',
    ]);
    expect(suite.server.received.map((r) => r.headers['ms-continuationtoken'])).toEqual([
      undefined,
      't2',
      't3',
    ]);
  });

  it("sends every header of the link and uses the link's method", async () => {
    suite.server.sequence(
      {
        status: 200,
        json: {
          totalCount: 1,
          items: [{ id: 'a' }],
          links: {
            next: {
              uri: '/customers?seekOperation=Next',
              method: 'get',
              headers: [
                { key: 'MS-ContinuationToken', value: 'opaque,composite==' },
                { key: 'X-Extra', value: '1' },
                { key: 'Authorization', value: 'Bearer stolen' },
              ],
            },
          },
        },
      },
      { status: 200, json: collectionPage([{ id: 'b' }]) },
    );
    const client = newClient();
    const ids: string[] = [];
    for await (const page of client.pages<{ id: string }>('/customers?size=1'))
      ids.push(...page.items.map((c) => c.id));
    expect(ids).toEqual(['a', 'b']);
    const second = suite.server.received[1];
    expect(second.method).toBe('GET');
    expect(second.headers['ms-continuationtoken']).toBe('opaque,composite==');
    expect(second.headers['x-extra']).toBe('1');
    expect(second.headers.authorization).not.toBe('Bearer stolen');
  });
});

describe('resuming from a continuation token', () => {
  it(
    'sends the documented seek request: GET ' +
      '/v1/customers?size=N&seekOperation=Next with MS-ContinuationToken',
    async () => {
      pagedCatalogue(4, 2);
      const client = newClient();
      const ids: string[] = [];
      for await (const page of listCustomers(client, { pageSize: 2, continuationToken: 't3' }))
        ids.push(...page.items.map((c) => c.value.id));
      expect(ids).toEqual(['p3-0', 'p3-1', 'p4-0', 'p4-1']);
      expect(suite.server.received[0].url).toBe('/v1/customers?size=2&seekOperation=Next');
      expect(suite.server.received[0].headers['ms-continuationtoken']).toBe('t3');
    },
  );

  it('reports a token the service no longer accepts as such, as a usage error', async () => {
    suite.server.sequence({
      status: 400,
      json: {
        code: 3000,
        description: 'Invalid continuation token.',
        data: [],
        source: 'PartnerFD',
      },
    });
    const client = newClient();
    const error = (await listCustomers(client, { continuationToken: 'stale' })
      .next()
      .catch((e: unknown) => e)) as UsageError;
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toMatch(/^Partner Center no longer accepts the continuation token/);
    expect(error.hint).toMatch(/without -ContinuationToken/);
    expect(suite.server.received).toHaveLength(1);
  });

  it('refuses page sizes outside 1..500 before any request', () => {
    const client = newClient();
    for (const pageSize of [0, 501, 2.5])
      expect(() => listCustomers(client, { pageSize })).toThrow(UsageError);
    expect(suite.server.received).toHaveLength(0);
  });
});
