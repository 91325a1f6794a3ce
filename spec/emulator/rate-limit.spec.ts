import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import definition from '../../cmdlets/Start-PartnerEmulator.js';
import { TokenBuckets } from '../../lib/emulator/server/gateway-rate-limit.js';
import type { StartedEmulator } from '../../lib/emulator/index.js';
import { bareCmdletContext } from '../support/bare-context.js';
import { boundParameters } from '../support/bound-parameters.js';
import { startEmulator } from '../support/emulator.js';
import { request } from './support.js';

/**
 * The gateway's rate limit per partner tenant: a token bucket refilled continuously, holding one
 * second's worth. The bucket's arithmetic is checked at given instants; against a running emulator
 * the rates are slow (6 a minute: one request, then one more every 10 s), so nothing depends on
 * how fast the machine is.
 */
describe('the token bucket of the gateway rate limit', () => {
  it("lets a burst through only up to one second's worth, then refills continuously", () => {
    const buckets = new TokenBuckets(3000);
    const t0 = 1_000_000;
    let passed = 0;
    while (buckets.take('tenant', t0) === undefined) passed++;
    expect(passed).toBe(50);
    // 3,000 a minute is one every 20 ms: the whole seconds to wait are never below 1.
    expect(buckets.take('tenant', t0)).toBe(1);
    // Retry-After honoured: a second's refill, less the charges of the two refused requests.
    passed = 0;
    while (buckets.take('tenant', t0 + 1000) === undefined) passed++;
    expect(passed).toBe(48);
    // Idle for a minute, the bucket holds one second's worth, not a minute's.
    passed = 0;
    while (buckets.take('tenant', t0 + 61_000) === undefined) passed++;
    expect(passed).toBe(50);
  });

  it('charges refused requests too, up to a second of debt: retrying at once only waits longer', () => {
    const buckets = new TokenBuckets(60);
    expect(buckets.take('a', 0)).toBeUndefined();
    expect(buckets.take('a', 0)).toBe(2);
    expect(buckets.take('a', 0)).toBe(2);
    expect(buckets.take('a', 1000)).toBe(2);
    // Another tenant has a bucket of its own.
    expect(buckets.take('b', 1000)).toBeUndefined();
    // Waiting what it said is enough.
    expect(buckets.take('a', 3000)).toBeUndefined();
  });

  it('keeps what the buckets hold when the rate changes, within the new capacity', () => {
    const buckets = new TokenBuckets(6000);
    for (let n = 0; n < 40; n++) buckets.take('t', 0);
    buckets.setRate(600, 0);
    let passed = 0;
    for (let n = 0; n < 20; n++) if (buckets.take('t', 0) === undefined) passed++;
    expect(passed).toBe(10);
    buckets.setRate(60, 0);
    expect(buckets.take('t', 0)).toBe(2);
  });
});

describe('the rate limit of a running emulator', () => {
  let emulator: StartedEmulator;
  let token: string;
  const otherTenant = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';

  beforeAll(async () => {
    emulator = await startEmulator({ customers: 20, seed: 21, rateLimitPerMinute: 6 });
    token = emulator.issueAccessToken();
  });
  // Turning the limit off and on again starts every bucket full: no case sees another's spent one.
  afterEach(() => {
    emulator.setFaults({});
    emulator.configure({ rateLimitPerMinute: 0 });
    emulator.configure({ rateLimitPerMinute: 6 });
  });
  afterAll(() => emulator.close());

  const burst = (size: number, bearer = token) =>
    Promise.all(
      Array.from({ length: size }, () =>
        request(emulator, '/v1/customers?size=5', { token: bearer }),
      ),
    );

  it("answers a burst past one second's worth with the gateway's 429, and counts it per tenant", async () => {
    emulator.resetCounters();
    const answers = await burst(6);
    const throttled = answers.filter((answer) => answer.status === 429);
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(1);
    expect(throttled).toHaveLength(5);
    for (const answer of throttled) {
      const seconds = Number(answer.headers['retry-after']);
      expect(seconds).toBeGreaterThanOrEqual(1);
      // One request every 10 s, and the refused ones charged too (at most a second's worth).
      expect(seconds).toBeLessThanOrEqual(20);
      expect(answer.json).toEqual({
        statusCode: 429,
        message: `Rate limit is exceeded. Try again in ${seconds} seconds.`,
      });
    }
    // Another tenant has a bucket of its own (and is then refused, being no partner here).
    const other = await request(emulator, '/v1/customers', {
      token: emulator.issueAccessToken({ tenantId: otherTenant }),
    });
    expect(other.status).toBe(401);
    const counters = emulator.counters();
    expect(counters.api).toEqual({
      requests: 7,
      throttled: 5,
      tenants: {
        [emulator.tenantId]: { requests: 6, throttled: 5 },
        [otherTenant]: { requests: 1, throttled: 0 },
      },
    });
    // The setting's 429s are the gateway's behaviour, not scripted faults.
    expect(counters.faultsInjected).toBe(0);
    expect((await request(emulator, '/_emulator/counters')).json.api).toEqual(counters.api);
    await request(emulator, '/_emulator/counters/reset', { method: 'POST' });
    expect(emulator.counters().api).toEqual({ requests: 0, throttled: 0, tenants: {} });
  });

  it('limits only the Partner Center API, not sign-ins', async () => {
    const form = {
      grant_type: 'client_credentials',
      client_id: emulator.applicationId,
      client_secret: emulator.clientSecret,
      scope: 'https://api.partnercenter.microsoft.com/.default',
    };
    const grants = await Promise.all(
      Array.from({ length: 4 }, () =>
        request(emulator, `/${emulator.tenantId}/oauth2/v2.0/token`, { body: form }),
      ),
    );
    expect(grants.map((grant) => grant.status)).toEqual([200, 200, 200, 200]);
  });

  it('changes while running, through configure() and POST /_emulator/configure', async () => {
    emulator.configure({ rateLimitPerMinute: 0 });
    expect((await burst(8)).every((answer) => answer.status === 200)).toBe(true);
    const set = await request(emulator, '/_emulator/configure', {
      method: 'POST',
      body: JSON.stringify({ rateLimitPerMinute: 6 }),
    });
    expect(set.status).toBe(200);
    const statuses = (await burst(3)).map((answer) => answer.status).sort();
    expect(statuses).toEqual([200, 429, 429]);
    const refused = await request(emulator, '/_emulator/configure', {
      method: 'POST',
      body: JSON.stringify({ rateLimitPerMinute: -1 }),
    });
    expect(refused.status).toBe(400);
    expect(refused.json.error_description).toMatch(/rateLimitPerMinute/);
  });

  it("lets a fault script's rateLimit win while it is set, then the setting again", async () => {
    emulator.resetCounters();
    // 30 a minute (one every 2 s) where the setting says 6 (one every 10 s): Retry-After tells.
    emulator.setFaults({ rateLimit: { requests: 30 } });
    const scripted = await burst(3);
    expect(scripted.map((answer) => answer.status).sort()).toEqual([200, 429, 429]);
    const waits = (answers: typeof scripted) =>
      answers
        .filter((answer) => answer.status === 429)
        .map((answer) => Number(answer.headers['retry-after']));
    for (const seconds of waits(scripted)) expect(seconds).toBeLessThanOrEqual(4);
    expect(emulator.counters().faultsInjected).toBe(2);
    emulator.setFaults({});
    const set = await burst(3);
    expect(set.map((answer) => answer.status).sort()).toEqual([200, 429, 429]);
    for (const seconds of waits(set)) expect(seconds).toBeGreaterThanOrEqual(10);
  });

  it('still takes the former name pageLatencyMs on POST /_emulator/configure', async () => {
    const set = await request(emulator, '/_emulator/configure', {
      method: 'POST',
      body: JSON.stringify({ pageLatencyMs: 'slow' }),
    });
    expect(set.status).toBe(400);
    expect(set.json.error_description).toMatch(/apiLatencyMs/);
  });
});

describe('Start-PartnerEmulator -RateLimit', () => {
  it('starts the emulator with the rate limit and -PageLatency still naming -ApiLatency', async () => {
    const controller = new AbortController();
    const parameters = await boundParameters(definition, [
      '-Customers',
      '3',
      '-RateLimit',
      '6',
      '-PageLatency',
      '0',
    ]);
    expect(parameters).toMatchObject({ RateLimit: 6, ApiLatency: 0 });
    const iterator = definition
      .run(parameters, bareCmdletContext(controller.signal))
      [Symbol.asyncIterator]();
    const info = (await iterator.next()).value as Record<string, string>;
    try {
      const tokenUrl = new URL(info.tokenEndpoint);
      const started = {
        apiEndpoint: info.apiEndpoint,
        caCertificate: readFileSync(info.caCertificatePath, 'utf8'),
      } as unknown as StartedEmulator;
      const grant = await request(started, tokenUrl.pathname, {
        body: {
          grant_type: 'client_credentials',
          client_id: info.applicationId,
          client_secret: info.clientSecret,
          scope: 'https://api.partnercenter.microsoft.com/.default',
        },
      });
      const bearer = grant.json.access_token as string;
      const statuses = await Promise.all(
        [0, 1].map(async () => (await request(started, '/v1/customers', { token: bearer })).status),
      );
      expect(statuses.sort()).toEqual([200, 429]);
    } finally {
      controller.abort();
      await iterator.next();
    }
  });
});
