/**
 * The retry policy (issue 5) over real sockets: a loopback HTTPS fault server resets
 * connections, cuts bodies off, throttles, fails and stalls; the client must come back with the
 * same MS-RequestId, honour Retry-After, give up within its bounds, and never retry what an
 * answer settles. Waits are kept tiny through baseDelayMs and small Retry-After values.
 */
import { describe, expect, it } from '@jest/globals';
import { AuthenticationError, NotFoundError, ServiceError } from '../../lib/common/errors.js';
import type { FaultAction } from './fixtures/fault-server.js';
import { useFaultServer } from './fixtures/fault-server-suite.js';
import { ManualClock } from '../support/manual-clock.js';

const ok: FaultAction = { status: 200, json: { id: 'c1', attributes: { objectType: 'Customer' } } };
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
    const correlationIds = new Set(suite.server.received.map((r) => r.headers['ms-correlationid']));
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
    const error = (await client.getJson('/customers/c1').catch((e: unknown) => e)) as ServiceError;
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
  ])('HTTP %i is sent once and mapped', async (status, code, description, errorClass, message) => {
    suite.server.sequence(pcError(status, code, description));
    const { client } = clientFor();
    const error = (await client.getJson('/customers/c1').catch((e: unknown) => e)) as Error & {
      hint?: string;
    };
    expect(error).toBeInstanceOf(errorClass);
    expect(error.message).toMatch(message);
    expect(error.hint).toBeTruthy();
    expect(suite.server.received).toHaveLength(1);
  });
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
