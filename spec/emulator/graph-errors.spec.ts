/**
 * Graph's answers on the emulator: `request-id` and `client-request-id` on every response, Graph's
 * error body on every failure (a path with no resource, a wrong method, faults the script injects:
 * 429 with Retry-After, 5xx, broken connections, expired tokens), the fault script's `api` target
 * counting Graph and Partner Center requests together, and a client that is neither ours nor Node's
 * (curl) reading the listing.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import https from 'node:https';
import { promisify } from 'node:util';
import type { StartedEmulator } from '../../lib/emulator/index.js';
import { startEmulator } from '../support/emulator.js';
import { appToken, GRAPH, graph, RELATIONSHIPS } from './graph-support.js';
import { request, type Response } from './support.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
let emulator: StartedEmulator;
let token: string;

beforeAll(async () => {
  emulator = await startEmulator({ customers: 120, now: '2026-12-01T00:00:00Z' });
  token = await appToken(emulator, GRAPH);
});
afterEach(() => emulator.setFaults({}));
afterAll(() => emulator?.close());

/** Graph's error body, its ids matching the response's headers. */
function expectGraphError(response: Response, status: number, code: string): void {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
  expect(response.json).toEqual({
    error: {
      code,
      message: expect.any(String),
      innerError: {
        date: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/),
        'request-id': response.headers['request-id'],
        'client-request-id': response.headers['client-request-id'],
      },
    },
  });
  expect(response.headers['request-id']).toMatch(GUID);
}

describe('request ids', () => {
  it('answers a request-id, and echoes client-request-id, on successes and failures', async () => {
    const ok = await graph(emulator, RELATIONSHIPS, {
      token,
      headers: { 'client-request-id': 'my-id-1' },
    });
    expect(ok.status).toBe(200);
    expect(ok.headers['request-id']).toMatch(GUID);
    expect(ok.headers['client-request-id']).toBe('my-id-1');
    const failed = await graph(emulator, `${RELATIONSHIPS}?$top=0`, {
      token,
      headers: { 'client-request-id': 'my-id-2' },
    });
    expectGraphError(failed, 400, 'BadRequest');
    expect(failed.json.error.innerError['client-request-id']).toBe('my-id-2');
    // Without one, Graph's own id stands in for it; every request gets a new one.
    const [a, b] = [
      await graph(emulator, RELATIONSHIPS, { token }),
      await graph(emulator, RELATIONSHIPS, { token }),
    ];
    expect(a.headers['client-request-id']).toBe(a.headers['request-id']);
    expect(a.headers['request-id']).not.toBe(b.headers['request-id']);
    // Partner Center's MS-* headers stay Partner Center's.
    expect(a.headers['ms-requestid']).toBeUndefined();
  });
});

describe('paths and methods Graph has no answer for', () => {
  it('answers a path with no resource and a wrong method in Graph error shape', async () => {
    const unknown = await graph(emulator, '/v1.0/tenantRelationships/nothingHere', { token });
    expectGraphError(unknown, 400, 'BadRequest');
    expect(unknown.json.error.message).toBe("Resource not found for the segment 'nothingHere'.");
    const post = await graph(emulator, RELATIONSHIPS, { token, method: 'POST', body: '{}' });
    expectGraphError(post, 405, 'Request_BadRequest');
    expect(post.headers.allow).toBe('GET');
  });
});

describe('faults through the same script as Partner Center', () => {
  it('injects 429 with Retry-After, and 5xx, in Graph error shape', async () => {
    emulator.setFaults({
      rules: [
        { at: 1, action: { type: 'throttle', retryAfterSeconds: 7 } },
        { at: 2, action: { type: 'status', status: 503, retryAfterSeconds: 3 } },
        { at: 3, action: { type: 'status', status: 500 } },
        { at: 4, action: { type: 'status', status: 504 } },
      ],
    });
    const throttled = await graph(emulator, RELATIONSHIPS, {
      token,
      headers: { 'client-request-id': 'r1' },
    });
    expectGraphError(throttled, 429, 'TooManyRequests');
    expect(throttled.headers['retry-after']).toBe('7');
    expect(throttled.headers['client-request-id']).toBe('r1');
    const unavailable = await graph(emulator, RELATIONSHIPS, { token });
    expectGraphError(unavailable, 503, 'ServiceNotAvailable');
    expect(unavailable.headers['retry-after']).toBe('3');
    expectGraphError(await graph(emulator, RELATIONSHIPS, { token }), 500, 'InternalServerError');
    expectGraphError(await graph(emulator, RELATIONSHIPS, { token }), 504, 'GatewayTimeout');
    expect((await graph(emulator, RELATIONSHIPS, { token })).status).toBe(200);
    expect(emulator.counters().faultsInjected).toBeGreaterThanOrEqual(4);
  });

  it("counts Graph and Partner Center requests together under the 'api' target", async () => {
    const partnerCenterToken = emulator.issueAccessToken();
    emulator.setFaults({
      rules: [{ every: 2, times: 2, action: { type: 'status', status: 503 } }],
    });
    const first = await request(emulator, '/v1/customers?size=5', { token: partnerCenterToken });
    const second = await graph(emulator, RELATIONSHIPS, { token });
    const third = await graph(emulator, RELATIONSHIPS, { token });
    const fourth = await request(emulator, '/v1/customers?size=5', { token: partnerCenterToken });
    expect([first.status, second.status, third.status, fourth.status]).toEqual([
      200, 503, 200, 503,
    ]);
    expect(second.json.error.code).toBe('ServiceNotAvailable');
    expect(fourth.json).toMatchObject({ source: 'PartnerFD' });
  });

  it('expires tokens and breaks connections on Graph requests too', async () => {
    emulator.setFaults({
      rules: [
        { at: 1, action: { type: 'reset', when: 'before-headers' } },
        { at: 2, action: { type: 'expire-tokens' } },
      ],
    });
    const broken = await new Promise<string>((resolve) => {
      https
        .get(
          `${emulator.graphEndpoint}${RELATIONSHIPS}`,
          {
            ca: emulator.caCertificate,
            agent: false,
            headers: { Authorization: `Bearer ${token}` },
          },
          () => resolve('answered'),
        )
        .on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    });
    expect(broken).toBe('ECONNRESET');
    const expired = await graph(emulator, RELATIONSHIPS, { token });
    expectGraphError(expired, 401, 'InvalidAuthenticationToken');
    expect(expired.json.error.message).toContain('revoked');
    token = await appToken(emulator, GRAPH);
  });

  it('counts Graph requests by route', async () => {
    emulator.resetCounters();
    const [relationship] = emulator.dataset.relationshipsOf(emulator.dataset.idOf(1));
    await graph(emulator, RELATIONSHIPS, { token });
    await graph(emulator, `${RELATIONSHIPS}/${relationship?.id ?? 'x'}`, { token });
    expect(emulator.counters().requests).toMatchObject({
      'GET /v1.0/tenantRelationships/delegatedAdminRelationships': 1,
      'GET /v1.0/tenantRelationships/delegatedAdminRelationships/{id}': 1,
    });
    const recorded = emulator.recentRequests(1)[0];
    expect(recorded.headers.authorization).toBe('Bearer <redacted>');
  });
});

describe('any client', () => {
  it('serves curl the first page and the page its @odata.nextLink names', async () => {
    const run = promisify(execFile);
    const curl = async (url: string) => {
      const { stdout } = await run('curl', [
        '--silent',
        '--show-error',
        '--cacert',
        emulator.caCertificatePath ?? '',
        '-H',
        `Authorization: Bearer ${token}`,
        url,
      ]);
      return JSON.parse(stdout);
    };
    const first = await curl(`${emulator.graphEndpoint}${RELATIONSHIPS}?$top=4`);
    const second = await curl(first['@odata.nextLink']);
    const expected = [...emulator.dataset.relationships()].slice(0, 8);
    expect([...first.value, ...second.value]).toEqual(expected);
  });
});
