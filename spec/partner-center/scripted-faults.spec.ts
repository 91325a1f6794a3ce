/**
 * The client against scripted loopback servers, for answers the emulator is not built to give
 * byte by byte: retries, paging under faults, and the connection's and credential's security.
 * Each part keeps its own servers and hooks, in its own describe.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import {
  AuthenticationError,
  NotFoundError,
  ServiceError,
  UsageError,
} from '../../lib/common/errors.js';
import { type ClientOptions, PartnerCenterClient } from '../../lib/partner-center/client.js';
import { listCustomers } from '../../lib/partner-center/customers.js';
import { ManualClock } from '../support/manual-clock.js';
import { useFaultServer } from './fixtures/fault-server-suite.js';
import {
  collectionPage,
  type FaultAction,
  FaultServer,
  type ReceivedRequest,
} from './fixtures/fault-server.js';
import { opaqueTokens, recordingTokenProvider } from './fixtures/token-provider.js';

/**
 * The retry policy (issue 5) over real sockets: a loopback HTTPS fault server resets
 * connections, cuts bodies off, throttles, fails and stalls; the client must come back with the
 * same MS-RequestId, honour Retry-After, give up within its bounds, and never retry what an
 * answer settles. Waits are kept tiny through baseDelayMs and small Retry-After values.
 */
describe('retries', () => {
  const ok: FaultAction = {
    status: 200,
    json: { id: 'c1', attributes: { objectType: 'Customer' } },
  };
  const unavailable: FaultAction = {
    status: 503,
    json: { code: 5000, description: 'Service unavailable', data: [], source: 'PartnerFD' },
  };

  const suite = useFaultServer();
  const clientFor = suite.clientFor;

  describe('transient failures are retried with the same MS-RequestId', () => {
    it('retries 503s and keeps MS-RequestId and MS-CorrelationId across the attempts', async () => {
      suite.server.sequence(unavailable, unavailable, ok);
      const { client, verbose } = clientFor();
      await expect(client.getJson('/customers/c1')).resolves.toMatchObject({ id: 'c1' });
      expect(suite.server.received).toHaveLength(3);
      const requestIds = new Set(suite.server.received.map((r) => r.headers['ms-requestid']));
      const correlationIds = new Set(
        suite.server.received.map((r) => r.headers['ms-correlationid']),
      );
      expect(requestIds.size).toBe(1);
      expect(correlationIds.size).toBe(1);
      expect(
        verbose.filter((line) => /HTTP 503.*retrying in .* attempt [23] of 6/.test(line)),
      ).toHaveLength(2);
    });

    it('gives each logical call a new MS-RequestId but the run one MS-CorrelationId', async () => {
      suite.server.sequence(ok);
      const { client } = clientFor();
      await client.getJson('/customers/c1');
      await client.getJson('/customers/c1');
      expect(suite.server.received[0].headers['ms-requestid']).not.toBe(
        suite.server.received[1].headers['ms-requestid'],
      );
      expect(suite.server.received[0].headers['ms-correlationid']).toBe(
        suite.server.received[1].headers['ms-correlationid'],
      );
    });

    it.each([408, 500, 502, 504])('retries HTTP %i', async (status) => {
      suite.server.sequence(
        { status, json: { code: status, description: 'transient', data: [], source: 'PartnerFD' } },
        ok,
      );
      const { client } = clientFor();
      await expect(client.getJson('/customers/c1')).resolves.toMatchObject({ id: 'c1' });
      expect(suite.server.received).toHaveLength(2);
    });

    it('retries a connection reset before any answer (socket hang up)', async () => {
      suite.server.sequence({ reset: true }, ok);
      const { client, verbose } = clientFor();
      await expect(client.getJson('/customers/c1')).resolves.toMatchObject({ id: 'c1' });
      expect(suite.server.received).toHaveLength(2);
      expect(verbose.join('\n')).toMatch(/socket hang up|ECONNRESET/);
    });

    it('retries a body cut off mid-way and never returns the half it got', async () => {
      const page = { totalCount: 2, items: [{ id: 'a' }, { id: 'b' }] };
      suite.server.sequence({ truncate: { json: page, bytes: 20 } }, { status: 200, json: page });
      const { client, verbose } = clientFor();
      await expect(client.getJson('/customers?size=2')).resolves.toEqual(page);
      expect(suite.server.received).toHaveLength(2);
      expect(verbose.join('\n')).toMatch(/cut off/);
    });

    it('retries an answer slower than the per-request timeout', async () => {
      suite.server.sequence({ delayMs: 3_000, then: ok }, ok);
      const { client, verbose } = clientFor({ retry: { requestTimeoutMs: 150 } });
      await expect(client.getJson('/customers/c1')).resolves.toMatchObject({ id: 'c1' });
      expect(suite.server.received).toHaveLength(2);
      expect(verbose.join('\n')).toMatch(/no complete answer within 150 ms/);
    });
  });

  describe('throttling (429 from the gateway)', () => {
    const throttled = (retryAfter: string): FaultAction => ({
      status: 429,
      headers: { 'retry-after': retryAfter },
      json: {
        statusCode: 429,
        message: `Rate limit is exceeded. Try again in ${retryAfter} seconds.`,
      },
    });

    // The waits run on a manual clock: the client asks it for the whole Retry-After (checked below)
    // and no real second passes.
    it('waits Retry-After given in seconds, then succeeds', async () => {
      suite.server.sequence(throttled('1'), ok);
      const clock = new ManualClock();
      const { client, verbose } = clientFor({ clock });
      await expect(client.getJson('/customers/c1')).resolves.toMatchObject({ id: 'c1' });
      expect(verbose).toHaveLength(1);
      expect(verbose[0]).toMatch(
        /^Throttled \(HTTP 429 Too Many Requests.*Rate limit is exceeded.*\) on GET \/v1\/customers\/c1: waiting 1\.\d s \(Retry-After 1\.0 s\) before attempt 2 of 6\.$/,
      );
      expect(clock.sleeps).toHaveLength(1);
      expect(clock.sleeps[0]).toBeGreaterThanOrEqual(1_000);
    });

    it('waits Retry-After given as an HTTP date', async () => {
      const clock = new ManualClock();
      suite.server.sequence(throttled(new Date(clock.now() + 1_000).toUTCString()), ok);
      const { client, verbose } = clientFor({ clock });
      await expect(client.getJson('/customers/c1')).resolves.toMatchObject({ id: 'c1' });
      expect(verbose[0]).toMatch(/Throttled .*\(Retry-After \d+ ms\)/);
      // The date is read against the client's clock: up to a second ahead of it (HTTP dates have
      // whole seconds), and that whole wait is asked for.
      const retryAfterMs = Number(/Retry-After (\d+) ms/.exec(verbose[0]!)![1]);
      expect(retryAfterMs).toBeLessThanOrEqual(1_000);
      expect(clock.sleeps[0]).toBeGreaterThanOrEqual(retryAfterMs);
    });

    it('gives up at once when Retry-After would pass the total wait limit, and says so', async () => {
      suite.server.sequence(throttled('120'));
      const { client } = clientFor({ retry: { maxTotalWaitMs: 2_000 } });
      const error = await client.getJson('/customers/c1').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ServiceError);
      expect((error as ServiceError).status).toBe(429);
      expect((error as ServiceError).message).toMatch(
        /failed after 1 attempt and 0 ms of waiting \(the next wait, 120 s, would pass the limit of 2\.0 s\); last problem: HTTP 429/,
      );
      expect((error as ServiceError).hint).toMatch(/throttling/);
      expect(suite.server.received).toHaveLength(1);
    });
  });

  describe('bounds', () => {
    it('stops after maxAttempts and reports how many attempts and the last status', async () => {
      suite.server.sequence(unavailable);
      const { client } = clientFor({ retry: { maxAttempts: 3 } });
      const error = (await client
        .getJson('/customers/c1')
        .catch((e: unknown) => e)) as ServiceError;
      expect(error).toBeInstanceOf(ServiceError);
      expect(error.message).toBe(
        'GET /v1/customers/c1 failed after 3 attempts; last problem: HTTP 503 ' +
          'Service Unavailable, code 5000: Service unavailable.',
      );
      expect(error.status).toBe(503);
      expect(error.serviceCode).toBe(5000);
      expect(error.requestId).toBe(suite.server.received[0].headers['ms-requestid']);
      expect(suite.server.received).toHaveLength(3);
    });

    it('aborts a wait as soon as the run is stopped', async () => {
      suite.server.sequence({
        status: 429,
        headers: { 'retry-after': '60' },
        json: { statusCode: 429, message: 'slow down' },
      });
      const controller = new AbortController();
      const { client, verbose } = clientFor({ signal: controller.signal });
      const call = client.getJson('/customers/c1');
      const stop = new Error('stopped by the test');
      while (verbose.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      controller.abort(stop);
      await expect(call).rejects.toBe(stop);
    });

    it('aborts an in-flight request', async () => {
      suite.server.sequence({ delayMs: 60_000, then: ok });
      const controller = new AbortController();
      const { client } = clientFor({ signal: controller.signal });
      const call = client.getJson('/customers/c1');
      while (suite.server.received.length === 0)
        await new Promise((resolve) => setTimeout(resolve, 5));
      controller.abort();
      await expect(call).rejects.toMatchObject({ name: 'AbortError' });
    });
  });

  describe('answers are not retried', () => {
    const pcError = (status: number, code: number, description: string): FaultAction => ({
      status,
      json: { code, description, data: [], source: 'PartnerFD' },
    });

    it.each([
      [
        400,
        3000,
        'Invalid property',
        ServiceError,
        /^Partner Center rejected GET \/v1\/customers\/c1 as invalid \(HTTP 400 Bad Request, code 3000: Invalid property\)\.$/,
      ],
      [
        403,
        2032,
        'Access denied',
        AuthenticationError,
        /^Partner Center denied access to GET \/v1\/customers\/c1 \(HTTP 403 Forbidden, code 2032: Access denied\)\.$/,
      ],
      [
        404,
        60003,
        'Tenant not found',
        NotFoundError,
        /^Partner Center found nothing at GET \/v1\/customers\/c1 \(HTTP 404 Not Found, code 60003: Tenant not found\)\.$/,
      ],
      [
        409,
        1001,
        'Conflict',
        ServiceError,
        /^Partner Center failed GET \/v1\/customers\/c1 \(HTTP 409 Conflict, code 1001: Conflict\)\.$/,
      ],
    ])(
      'HTTP %i is sent once and mapped',
      async (status, code, description, errorClass, message) => {
        suite.server.sequence(pcError(status, code, description));
        const { client } = clientFor();
        const error = (await client.getJson('/customers/c1').catch((e: unknown) => e)) as Error & {
          hint?: string;
        };
        expect(error).toBeInstanceOf(errorClass);
        expect(error.message).toMatch(message);
        expect(error.hint).toBeTruthy();
        expect(suite.server.received).toHaveLength(1);
      },
    );
  });

  describe('401: the token is renewed, at most twice a call', () => {
    const denied: FaultAction = {
      status: 401,
      headers: { 'www-authenticate': 'OAuth realm=urn:cpsvc:cpid:test' },
      json: { code: 400, description: 'Access denied', data: [], source: 'PartnerFD' },
    };

    it('renews the token through the provider and repeats the call with the new one', async () => {
      suite.server.sequence(denied, ok);
      const { client, tokens, verbose } = clientFor();
      await expect(client.getJson('/customers/c1')).resolves.toMatchObject({ id: 'c1' });
      expect(tokens.forcedRefreshes).toBe(1);
      expect(suite.server.received.map((r) => r.headers.authorization)).toEqual([
        `Bearer ${tokens.issued[0]}`,
        `Bearer ${tokens.issued[1]}`,
      ]);
      expect(suite.server.received[0].headers['ms-requestid']).toBe(
        suite.server.received[1].headers['ms-requestid'],
      );
      expect(verbose.join('\n')).toMatch(/refused the access token \(HTTP 401\).*renewing it/);
    });

    it('renews once more when the token it was handed is refused too', async () => {
      // Many workers: the token another one renewed just before the service revoked them all is as
      // dead as ours. One more renewal, of that other token, and the call goes through.
      suite.server.sequence(denied, denied, ok);
      const { client, tokens } = clientFor();
      await expect(client.getJson('/customers/c1')).resolves.toMatchObject({ id: 'c1' });
      expect(tokens.forcedRefreshes).toBe(2);
    });

    it('reports 401s that renewals do not cure as an authentication error without the token in it', async () => {
      suite.server.sequence(denied);
      const { client, tokens } = clientFor();
      const error = (await client
        .getJson('/customers/c1')
        .catch((e: unknown) => e)) as AuthenticationError;
      expect(error).toBeInstanceOf(AuthenticationError);
      expect(error.message).toMatch(
        /rejected the access token .* even after renewing it \(HTTP 401 Unauthorized, code 400: Access denied\)/,
      );
      // A second renewal (of another token) covers a token another caller renewed just before the
      // service revoked every token; a third refusal is the answer.
      expect(suite.server.received.map((r) => r.headers.authorization)).toEqual(
        tokens.issued.slice(0, 3).map((token) => `Bearer ${token}`),
      );
      expect(tokens.forcedRefreshes).toBe(2);
      for (const token of tokens.issued)
        expect(`${error.message} ${error.hint}`).not.toContain(token);
    });

    it('renews again on a later call of the same run (a token expiring mid-listing)', async () => {
      suite.server.sequence(denied, ok, ok, denied, ok);
      const { client, tokens } = clientFor();
      await client.getJson('/customers/c1');
      await client.getJson('/customers/c1');
      await client.getJson('/customers/c1');
      expect(tokens.forcedRefreshes).toBe(2);
      expect(tokens.issued).toHaveLength(3);
    });
  });
});

/**
 * Paging behaviour that needs a scripted server: the prefetch stays exactly one page ahead, a
 * failure of the prefetched page reaches the consumer only after the current page, a page cut off
 * mid-way is fetched again with the same token, and next links are followed exactly (uri in any
 * form, method, every header).
 */
describe('paging under faults', () => {
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
      'stops the prefetched request when the consumer leaves early, and the ' +
        'client stays usable',
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
        json: collectionPage([{ id: 'x' }], {
          uri: '/customers?seekOperation=Next',
          token: 'same',
        }),
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
      [
        'relative to the version root',
        (n: number) => `/customers?size=2&seekOperation=Next&n=${n}`,
      ],
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
});

/**
 * What the client does with the connection and the credential: HTTPS with an extra CA added to
 * (not replacing) Node's roots, plain HTTP only on loopback, redirects that never carry the token
 * to another host, a BOM tolerated, and -Debug lines that never show a token.
 */
describe('transport security', () => {
  let api: FaultServer;
  let elsewhere: FaultServer;
  const clients: PartnerCenterClient[] = [];

  beforeAll(async () => {
    [api, elsewhere] = await Promise.all([FaultServer.start(), FaultServer.start()]);
  });
  afterEach(() => {
    while (clients.length) clients.pop()!.close();
    api.reset();
    elsewhere.reset();
  });
  afterAll(() => Promise.all([api.close(), elsewhere.close()]));

  function clientFor(overrides: Partial<ClientOptions> = {}) {
    const verbose: string[] = [];
    const debug: string[] = [];
    const tokens = recordingTokenProvider(
      opaqueTokens('eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ0ZXN0In0.c2lnbmF0dXJl'),
    );
    const client = new PartnerCenterClient({
      apiEndpoint: api.origin,
      caCertificate: api.ca,
      tokenProvider: tokens,
      correlationId: randomUUID(),
      applicationName: 'PartnerCenter-Node/0.1.0',
      verbose: (line) => verbose.push(line),
      debug: (line) => debug.push(line),
      retry: { baseDelayMs: 5 },
      ...overrides,
    });
    clients.push(client);
    return { client, verbose, debug, tokens };
  }

  describe('endpoints', () => {
    it('refuses plain http:// on a non-loopback host before any request', () => {
      const tokens = recordingTokenProvider(opaqueTokens());
      const create = () =>
        new PartnerCenterClient({
          apiEndpoint: 'http://api.partnercenter.microsoft.com',
          tokenProvider: tokens,
          correlationId: randomUUID(),
        });
      expect(create).toThrow(UsageError);
      expect(create).toThrow(/plain http:\/\/ on a non-loopback host/);
      expect(tokens.issued).toHaveLength(0);
    });

    it.each(['http://127.0.0.1:9', 'http://localhost:9', 'http://[::1]:9'])(
      'accepts plain http on loopback (%s)',
      (apiEndpoint) => {
        expect(() =>
          new PartnerCenterClient({
            apiEndpoint,
            tokenProvider: recordingTokenProvider(opaqueTokens()),
            correlationId: randomUUID(),
          }).close(),
        ).not.toThrow();
      },
    );

    it(
      'does not trust a self-signed certificate it was not given, says so, and ' + 'does not retry',
      async () => {
        api.sequence({ status: 200, json: {} });
        const { client, verbose } = clientFor({ caCertificate: undefined });
        const error = (await client.getJson('/customers').catch((e: unknown) => e)) as ServiceError;
        expect(verbose).toEqual([]);
        expect(error).toBeInstanceOf(ServiceError);
        expect(error.message).toMatch(
          /TLS certificate is not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT\)/,
        );
        expect(error.hint).toMatch(
          /\(-CaCertificatePath\); certificate checks cannot be turned off/,
        );
        expect(api.received).toHaveLength(0);
      },
    );
  });

  describe('headers and bodies', () => {
    it('sends the Partner Center headers on every request', async () => {
      api.sequence({ status: 200, json: { id: 'c1' } });
      const { client, tokens } = clientFor({ locale: 'fr-FR' });
      await client.getJson('/customers/c1');
      const { headers } = api.received[0];
      expect(headers.authorization).toBe(`Bearer ${tokens.issued[0]}`);
      expect(headers.accept).toBe('application/json');
      expect(headers['ms-requestid']).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
      expect(headers['ms-correlationid']).toMatch(/^[0-9a-f-]{36}$/);
      expect(headers['x-locale']).toBe('fr-FR');
      expect(headers['ms-partnercenter-application']).toBe('PartnerCenter-Node/0.1.0');
      expect(headers['ms-contract-version']).toBeUndefined();
    });

    it('parses a body that starts with a UTF-8 byte-order mark', async () => {
      api.sequence({
        status: 200,
        bom: true,
        json: { id: 'c1', companyProfile: { companyName: 'Société Générale 株式会社' } },
      });
      const { client } = clientFor();
      await expect(client.getJson('/customers/c1')).resolves.toEqual({
        id: 'c1',
        companyProfile: { companyName: 'Société Générale 株式会社' },
      });
    });

    it('resolves /customers, /v1/customers and customers to the same URL, never /v1//v1', async () => {
      api.sequence({ status: 200, json: {} });
      const { client } = clientFor();
      await client.getJson('/customers?size=1');
      await client.getJson('/v1/customers?size=1');
      await client.getJson('customers?size=1');
      await client.getJson(`${api.origin}/v1/customers?size=1`);
      expect(api.received.map((r) => r.url)).toEqual(Array(4).fill('/v1/customers?size=1'));
    });

    it(
      'writes a -Debug line per exchange with method, URL, status and ids, and ' +
        'never the token',
      async () => {
        api.sequence(
          { status: 503, json: { code: 1, description: 'x' } },
          { status: 200, json: {} },
        );
        const { client, debug, tokens } = clientFor();
        await client.getJson('/customers?size=500', {
          'MS-ContinuationToken': 'opaque-continuation',
        });
        expect(debug).toHaveLength(2);
        const requestId = api.received[0].headers['ms-requestid'];
        const correlationId = api.received[0].headers['ms-correlationid'];
        expect(debug[0]).toMatch(
          new RegExp(
            `^GET ${api.origin}/v1/customers\\?size=500 → 503 \\(\\d+ ms\\) attempt ` +
              `1 MS-RequestId=${requestId} MS-CorrelationId=${correlationId} \\| sent `,
          ),
        );
        expect(debug[1]).toMatch(/→ 200 \(\d+ ms\) attempt 2/);
        expect(debug[0]).toMatch(/ \| Authorization: \*\*\*$/);
        expect(debug[0]).toMatch(/MS-ContinuationToken: <19 chars>/);
        for (const line of debug) {
          expect(line).not.toContain(tokens.issued[0]);
          expect(line).not.toMatch(/eyJ/);
          expect(line).not.toContain('opaque-continuation');
        }
      },
    );
  });

  describe('redirects', () => {
    it('follows a redirect on the same host with the token', async () => {
      api.respond((request) =>
        request.url.startsWith('/v1/moved')
          ? { status: 200, json: { id: 'moved' } }
          : { status: 307, headers: { location: '/v1/moved' } },
      );
      const { client, tokens } = clientFor();
      await expect(client.getJson('/customers/c1')).resolves.toEqual({ id: 'moved' });
      expect(api.received.map((r) => r.headers.authorization)).toEqual([
        `Bearer ${tokens.issued[0]}`,
        `Bearer ${tokens.issued[0]}`,
      ]);
    });

    it('follows a redirect to another host WITHOUT the Authorization header', async () => {
      api.sequence({ status: 302, headers: { location: `${elsewhere.origin}/landing` } });
      elsewhere.sequence({ status: 200, json: { id: 'elsewhere' } });
      const { client, verbose } = clientFor({ caCertificate: api.ca });
      await expect(client.getJson('/customers/c1')).resolves.toEqual({ id: 'elsewhere' });
      expect(api.received[0].headers.authorization).toMatch(/^Bearer /);
      expect(elsewhere.received).toHaveLength(1);
      expect(elsewhere.received[0].headers.authorization).toBeUndefined();
      expect(elsewhere.received[0].headers['ms-correlationid']).toBe(
        api.received[0].headers['ms-correlationid'],
      );
      expect(verbose.join('\n')).toMatch(/the access token is not sent to another host/);
    });

    it('stops after a few redirects', async () => {
      api.sequence({ status: 302, headers: { location: '/v1/again' } });
      const { client } = clientFor();
      await expect(client.getJson('/customers')).rejects.toThrow(/redirected more than 5 times/);
      expect(api.received).toHaveLength(6);
    });

    it('refuses a redirect to plain http on a non-loopback host', async () => {
      api.sequence({
        status: 301,
        headers: { location: 'http://partner.example.com/v1/customers' },
      });
      const { client } = clientFor();
      await expect(client.getJson('/customers')).rejects.toThrow(
        /redirected to an address that is not HTTPS \(http:\/\/partner\.example\.com\); it was not followed/,
      );
    });

    it('refuses a next link to another host', async () => {
      api.sequence({
        status: 200,
        json: {
          totalCount: 1,
          items: [{ id: 'a' }],
          links: {
            next: { uri: 'https://evil.example.com/v1/customers', method: 'GET', headers: [] },
          },
        },
      });
      const { client } = clientFor();
      const pages = client.pages('/customers?size=1');
      await expect(pages.next()).rejects.toThrow(
        /returned a link to another host \(https:\/\/evil\.example\.com\); it was not followed/,
      );
      expect(api.received).toHaveLength(1);
    });
  });
});
