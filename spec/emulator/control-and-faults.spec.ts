/**
 * The emulator's controls (continuation tokens, counters, recorded requests, close, a shared
 * state directory), its injected faults and failures, and its gateway rate limit. Each part keeps
 * its own emulator and hooks, in its own describe.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import https from 'node:https';
import { join } from 'node:path';
import definition from '../../cmdlets/Start-PartnerEmulator.js';
import { entraService } from '../../lib/emulator/entra/service.js';
import { CONTROL_ROUTES, type StartedEmulator } from '../../lib/emulator/index.js';
import { partnerCenterService } from '../../lib/emulator/partner-center/service.js';
import { BadRequestError } from '../../lib/emulator/server/bad-request.js';
import { controlService } from '../../lib/emulator/server/control-routes.js';
import { TokenBuckets } from '../../lib/emulator/server/gateway-rate-limit.js';
import type { Exchange } from '../../lib/emulator/server/http-exchange.js';
import { Query } from '../../lib/emulator/server/query.js';
import { failureReply as replyOf } from '../../lib/emulator/server/request-handler.js';
import type { Service } from '../../lib/emulator/server/service.js';
import { bareCmdletContext } from '../support/bare-context.js';
import { boundParameters } from '../support/bound-parameters.js';
import { startEmulator } from '../support/emulator.js';
import { request } from './support.js';

describe('controls', () => {
  describe('continuation tokens, counters, recorded requests and close', () => {
    let emulator: StartedEmulator;
    let token: string;

    beforeAll(async () => {
      emulator = await startEmulator({ customers: 30, seed: 9 });
      token = emulator.issueAccessToken();
    });
    afterAll(() => emulator.close());

    const next = (continuationToken: string) =>
      request(emulator, '/v1/customers?size=10&seekOperation=Next', {
        token,
        headers: { 'MS-ContinuationToken': continuationToken },
      });

    it(
      'refuses a forged, edited, foreign or missing continuation token with a ' + '400 error body',
      async () => {
        const first = await request(emulator, '/v1/customers?size=10', { token });
        const good: string = first.json.continuationToken;
        expect((await next(good)).status).toBe(200);
        const [body, mac] = good.split('.');
        const payload = JSON.parse(Buffer.from(body, 'base64url').toString());
        const edited = `${Buffer.from(JSON.stringify({ ...payload, o: 0 })).toString('base64url')}.${mac}`;
        const other = await startEmulator({ customers: 30, seed: 9, http: true });
        let foreign: string;
        try {
          const page = await fetch(`${other.apiEndpoint}/v1/customers?size=10`, {
            headers: { Authorization: `Bearer ${other.issueAccessToken()}` },
          });
          foreign = ((await page.json()) as { continuationToken: string }).continuationToken;
        } finally {
          await other.close();
        }
        for (const bad of ['garbage', edited, foreign, `${body}.`]) {
          const response = await next(bad);
          expect(response.status).toBe(400);
          expect(response.json).toMatchObject({
            code: 3000,
            description: expect.stringContaining('continuation token'),
            data: [],
            source: 'PartnerFD',
          });
        }
        const missing = await request(emulator, '/v1/customers?seekOperation=Next', { token });
        expect(missing.status).toBe(400);
      },
    );

    it('refuses tokens issued before they were invalidated', async () => {
      const first = await request(emulator, '/v1/customers?size=10', { token });
      emulator.invalidateContinuationTokens();
      expect((await next(first.json.continuationToken)).status).toBe(400);
      const fresh = await request(emulator, '/v1/customers?size=10', { token });
      expect((await next(fresh.json.continuationToken)).status).toBe(200);
    });

    it('counts requests by route and tokens issued, over HTTP too, and resets', async () => {
      emulator.resetCounters();
      const noApi = { requests: 0, throttled: 0, tenants: {} };
      expect(emulator.counters()).toEqual({
        requests: {},
        tokensIssued: 0,
        faultsInjected: 0,
        api: noApi,
      });
      await request(emulator, '/v1/customers', { token });
      await request(emulator, `/v1/customers/${emulator.customerAt(0).id}`, { token });
      await request(emulator, `/${emulator.tenantId}/oauth2/v2.0/token`, {
        body: {
          grant_type: 'client_credentials',
          client_id: emulator.applicationId,
          client_secret: emulator.clientSecret,
          scope: 'https://api.partnercenter.microsoft.com/.default',
        },
      });
      const expected = {
        'GET /v1/customers': 1,
        'GET /v1/customers/{id}': 1,
        'POST /{tenant}/oauth2/v2.0/token': 1,
      };
      const api = {
        requests: 2,
        throttled: 0,
        tenants: { [emulator.tenantId]: { requests: 2, throttled: 0 } },
      };
      const all = { requests: expected, tokensIssued: 1, faultsInjected: 0, api };
      expect(emulator.counters()).toEqual(all);
      const overHttp = await request(emulator, '/_emulator/counters');
      expect(overHttp.json).toEqual(all);
      await request(emulator, '/_emulator/counters/reset', { method: 'POST' });
      expect(emulator.counters().requests).toEqual({});
      expect(emulator.counters().api).toEqual(noApi);
    });

    it('records recent requests with the Authorization header redacted', async () => {
      await request(emulator, '/v1/customers?size=3', {
        token,
        headers: { 'MS-CorrelationId': 'c0ffee00-0000-4000-8000-000000000001' },
      });
      const [recorded] = emulator.recentRequests(1);
      expect(recorded).toEqual({
        method: 'GET',
        url: '/v1/customers?size=3',
        route: 'GET /v1/customers',
        status: 200,
        headers: expect.objectContaining({
          authorization: 'Bearer <redacted>',
          'ms-correlationid': 'c0ffee00-0000-4000-8000-000000000001',
        }),
      });
      expect(JSON.stringify(emulator.recentRequests(1000))).not.toContain(token);
      const overHttp = await request(emulator, '/_emulator/requests?limit=1');
      expect(overHttp.json).toEqual([recorded]);
    });

    it('changes behaviour over HTTP and refuses bad settings with 400', async () => {
      expect(
        (
          await request(emulator, '/_emulator/configure', {
            method: 'POST',
            body: JSON.stringify({ nextLinkForm: 'relative' }),
          })
        ).status,
      ).toBe(200);
      expect(
        (await request(emulator, '/v1/customers?size=10', { token })).json.links.next.uri,
      ).toBe('/customers?size=10&seekOperation=Next');
      expect(
        (
          await request(emulator, '/_emulator/configure', {
            method: 'POST',
            body: JSON.stringify({ nextLinkForm: 'v2' }),
          })
        ).status,
      ).toBe(400);
      emulator.configure({ nextLinkForm: 'v1' });
    });

    it(
      'refuses every control route without the control key (401) or with a wrong one (403), ' +
        'changing nothing',
      async () => {
        await request(emulator, '/v1/customers?size=1', { token });
        const before = emulator.counters();
        expect(before.requests['GET /v1/customers']).toBeGreaterThan(0);
        for (const route of CONTROL_ROUTES) {
          const [method, path] = route.split(' ') as [string, string];
          const concrete = path.replace(/\{[^}]+\}/g, 'x');
          for (const [headers, status] of [
            [{}, 401],
            [{ 'x-emulator-key': 'not-the-key' }, 403],
            [{ 'x-emulator-key': `${emulator.controlKey}x` }, 403],
          ] as const) {
            const refused = await request(emulator, concrete, {
              method,
              headers,
              body: method === 'GET' || method === 'DELETE' ? undefined : '{}',
              withoutControlKey: true,
            });
            expect({ route, status: refused.status }).toEqual({ route, status });
            expect(refused.json.error_description).toMatch(/x-emulator-key.*controlKey/);
            expect(refused.text).not.toContain(emulator.controlKey);
          }
        }
        // Nothing was reset, minted or configured by the refused calls.
        expect(emulator.counters()).toEqual(before);
        const minted = await request(emulator, '/_emulator/refresh-tokens', {
          method: 'POST',
          body: '{}',
        });
        expect(minted.status).toBe(200);
      },
    );

    it('answers unknown paths with 404 and wrong methods with 405', async () => {
      expect((await request(emulator, '/v1/nothing', { token })).status).toBe(404);
      expect((await request(emulator, '/v1/customers', { token, method: 'DELETE' })).status).toBe(
        405,
      );
    });

    it('closes promptly even with an idle keep-alive connection open', async () => {
      const other = await startEmulator({ customers: 1 });
      const agent = new https.Agent({ ca: other.caCertificate, keepAlive: true });
      // Wait for the whole answer (not a fixed delay: a loaded machine may take longer), leaving the
      // socket idle in the agent.
      let socketClosed!: Promise<void>;
      let idleSocket!: import('node:net').Socket;
      await new Promise<void>((answered, reject) => {
        https
          .get(
            `${other.apiEndpoint}/v1/customers`,
            { agent, headers: { Authorization: `Bearer ${other.issueAccessToken()}` } },
            (res) => {
              idleSocket = res.socket;
              socketClosed = new Promise<void>((closed) =>
                res.socket.once('close', () => closed()),
              );
              res.resume();
              res.once('end', () => answered());
            },
          )
          .on('error', reject);
      });
      expect(idleSocket.destroyed).toBe(false);
      // close() ends the idle connection itself instead of waiting out its keep-alive (30 s, longer
      // than the case may take): the server side closed it, the agent never let go of it.
      await other.close();
      await socketClosed;
      expect(idleSocket.destroyed).toBe(true);
      const refused = await new Promise<NodeJS.ErrnoException>((resolve) => {
        https
          .get(`${other.apiEndpoint}/v1/customers`, { ca: other.caCertificate }, () =>
            resolve(new Error('answered after close')),
          )
          .on('error', resolve);
      });
      expect(refused.code).toBe('ECONNREFUSED');
      agent.destroy();
    });
  });

  describe('a shared state directory', () => {
    it(
      'keeps the signing key and the TLS certificate across runs, shared by the ' +
        'instances using it',
      async () => {
        const { mkdtempSync, rmSync, existsSync, statSync } = await import('node:fs');
        const { tmpdir } = await import('node:os');
        const { join } = await import('node:path');
        const stateDir = mkdtempSync(join(tmpdir(), 'pc-emulator-state-'));
        try {
          const first = await startEmulator({ customers: 2, stateDir });
          const second = await startEmulator({ customers: 2, stateDir });
          expect(second.caCertificatePath).toBe(first.caCertificatePath);
          expect(first.caCertificatePath).toBe(join(stateDir, 'server-certificate.pem'));
          expect(statSync(join(stateDir, 'server-key.pem')).mode & 0o777).toBe(0o600);
          expect(statSync(join(stateDir, 'signing-key.pem')).mode & 0o777).toBe(0o600);
          // Same signing key: a token of one verifies at the other (same seed, same tenant).
          expect(
            (await request(second, '/v1/customers', { token: first.issueAccessToken() })).status,
          ).toBe(200);
          await first.close();
          expect(existsSync(first.caCertificatePath!)).toBe(true);
          expect(
            (await request(second, '/v1/customers', { token: second.issueAccessToken() })).status,
          ).toBe(200);
          await second.close();
          const third = await startEmulator({ customers: 2, stateDir });
          expect(third.caCertificate).toBe(first.caCertificate);
          await third.close();
        } finally {
          rmSync(stateDir, { recursive: true, force: true });
        }
      },
    );
  });
});

describe('faults', () => {
  /** What a raw request ended with: a whole response, or the way the connection broke. */
  interface Outcome {
    status?: number;
    headers?: Record<string, unknown>;
    bytes: number;
    error?: string;
    complete: boolean;
  }

  describe('scripted fault injection', () => {
    let emulator: StartedEmulator;
    let token: string;

    beforeAll(async () => {
      emulator = await startEmulator({ customers: 1200, seed: 13 });
      token = emulator.issueAccessToken();
    });
    afterEach(() => emulator.setFaults({}));
    afterAll(() => emulator.close());

    const list = (path = '/v1/customers?size=100', extra: Record<string, string> = {}) =>
      request(emulator, path, { token, headers: extra });

    /** A fresh connection per request, so a broken one cannot affect the next. */
    function rawGet(path: string, timeoutMs?: number): Promise<Outcome> {
      return new Promise((resolve) => {
        const outcome: Outcome = { bytes: 0, complete: false };
        const req = https.get(
          `${emulator.apiEndpoint}${path}`,
          {
            ca: emulator.caCertificate,
            agent: false,
            headers: { Authorization: `Bearer ${token}` },
          },
          (res) => {
            outcome.status = res.statusCode;
            outcome.headers = res.headers;
            res.on('data', (chunk: Buffer) => (outcome.bytes += chunk.length));
            res.on('end', () => {
              outcome.complete = res.complete;
              resolve(outcome);
            });
            res.on('aborted', () => resolve({ ...outcome, error: 'aborted' }));
            res.on('error', (error) => resolve({ ...outcome, error: error.message }));
          },
        );
        if (timeoutMs) req.setTimeout(timeoutMs, () => req.destroy(new Error('client timeout')));
        req.on('error', (error) =>
          resolve({ ...outcome, error: (error as NodeJS.ErrnoException).code ?? error.message }),
        );
      });
    }

    it(
      'throttles after k requests with the gateway body and Retry-After, then ' + 'serves again',
      async () => {
        emulator.setFaults({
          rules: [{ after: 2, times: 1, action: { type: 'throttle', retryAfterSeconds: 57 } }],
        });
        expect((await list()).status).toBe(200);
        expect((await list()).status).toBe(200);
        const throttled = await list();
        expect(throttled.status).toBe(429);
        expect(throttled.headers['retry-after']).toBe('57');
        expect(throttled.json).toEqual({
          statusCode: 429,
          message: 'Rate limit is exceeded. Try again in 57 seconds.',
        });
        expect((await list()).status).toBe(200);
        expect(emulator.counters().faultsInjected).toBeGreaterThanOrEqual(1);
      },
    );

    it('throttles at a rate per tenant, as the documented 500 requests per minute', async () => {
      // 60 a minute is 1 a second: a burst gets one second's worth (the bucket), not the minute's.
      // A slow rate, so the burst's TLS handshakes on a loaded machine (they took over a third of a
      // second once, at 3 a second) do not give the bucket time to refill before the last arrives.
      emulator.setFaults({ rateLimit: { requests: 60, windowSeconds: 60 } });
      const burst = await Promise.all([list(), list(), list()]);
      expect(burst.map((answer) => answer.status).sort()).toEqual([200, 429, 429]);
      // A refused request is charged too, so the bucket owes one: the next token is 2 s away.
      expect(
        burst
          .filter((answer) => answer.status === 429)
          .map((answer) => answer.headers['retry-after']),
      ).toEqual(['2', '2']);
      // Another tenant has its own budget: it is not throttled (and then refused, being no partner).
      const otherTenant = emulator.issueAccessToken({
        tenantId: '3f2504e0-4f89-41d3-9a0c-0305e82c3301',
      });
      expect((await request(emulator, '/v1/customers', { token: otherTenant })).status).toBe(401);
    });

    it('fails request n with the given status and a Partner Center error body', async () => {
      emulator.setFaults({ rules: [{ at: 2, action: { type: 'status', status: 503 } }] });
      expect((await list()).status).toBe(200);
      const failed = await list('/v1/customers', {
        'MS-RequestId': '11111111-2222-4333-8444-555555555555',
      });
      expect(failed.status).toBe(503);
      expect(failed.json).toMatchObject({ data: [], source: 'PartnerFD' });
      expect(failed.headers['ms-requestid']).toBe('11111111-2222-4333-8444-555555555555');
      expect((await list()).status).toBe(200);
    });

    it('fails every n-th token request when targeting the token endpoint', async () => {
      emulator.setFaults({
        rules: [{ target: 'token', every: 2, action: { type: 'status', status: 500 } }],
      });
      const form = {
        grant_type: 'client_credentials',
        client_id: emulator.applicationId,
        client_secret: emulator.clientSecret,
        scope: 'https://api.partnercenter.microsoft.com/.default',
      };
      const statuses = [];
      for (let n = 0; n < 4; n++)
        statuses.push(
          (await request(emulator, `/${emulator.tenantId}/oauth2/v2.0/token`, { body: form }))
            .status,
        );
      expect(statuses).toEqual([200, 500, 200, 500]);
      expect((await list()).status).toBe(200);
    });

    it('resets the connection before any byte', async () => {
      emulator.setFaults({ rules: [{ at: 1, action: { type: 'reset', when: 'before-headers' } }] });
      const outcome = await rawGet('/v1/customers');
      expect(outcome.status).toBeUndefined();
      expect(outcome.error).toMatch(/ECONNRESET|socket hang up/);
      expect((await rawGet('/v1/customers')).status).toBe(200);
    });

    it('resets the connection after the headers, before the body', async () => {
      emulator.setFaults({ rules: [{ at: 1, action: { type: 'reset', when: 'before-body' } }] });
      const outcome = await rawGet('/v1/customers');
      expect(outcome.status).toBe(200);
      expect(outcome.bytes).toBe(0);
      expect(outcome.complete).toBe(false);
    });

    it('cuts the body off in the middle', async () => {
      emulator.setFaults({ rules: [{ at: 1, action: { type: 'reset', when: 'mid-body' } }] });
      const outcome = await rawGet('/v1/customers');
      expect(outcome.status).toBe(200);
      expect(outcome.complete).toBe(false);
      expect(outcome.bytes).toBeGreaterThan(0);
      expect(outcome.bytes).toBeLessThan(Number(outcome.headers!['content-length']));
    });

    it('delays a response past a client timeout', async () => {
      emulator.setFaults({ rules: [{ at: 1, action: { type: 'delay', ms: 5000 } }] });
      const outcome = await rawGet('/v1/customers?size=1', 200);
      expect(outcome.error).toBe('client timeout');
      expect((await rawGet('/v1/customers?size=1', 5000)).status).toBe(200);
    });

    it('slows every page by the configured latency', async () => {
      emulator.configure({ apiLatencyMs: 300 });
      try {
        const started = performance.now();
        expect((await list()).status).toBe(200);
        // Only a lower bound: a timer never fires early, whatever the machine's load.
        expect(performance.now() - started).toBeGreaterThanOrEqual(290);
      } finally {
        emulator.configure({ apiLatencyMs: 0 });
      }
    });

    it('expires every access token at request n', async () => {
      emulator.setFaults({ rules: [{ at: 2, action: { type: 'expire-tokens' } }] });
      expect((await list()).status).toBe(200);
      const expired = await list();
      expect(expired.status).toBe(401);
      expect((await list()).status).toBe(401);
      expect(
        (await request(emulator, '/v1/customers', { token: emulator.issueAccessToken() })).status,
      ).toBe(200);
      token = emulator.issueAccessToken();
    });

    it('revokes refresh tokens at token request n', async () => {
      const refreshToken = emulator.issueRefreshToken();
      emulator.setFaults({
        rules: [{ target: 'token', at: 2, action: { type: 'revoke-refresh-tokens' } }],
      });
      const redeem = () =>
        request(emulator, `/${emulator.tenantId}/oauth2/v2.0/token`, {
          body: {
            grant_type: 'refresh_token',
            client_id: emulator.applicationId,
            refresh_token: refreshToken,
          },
        });
      expect((await redeem()).status).toBe(200);
      expect((await redeem()).json.error_codes).toEqual([50173]);
    });

    it('invalidates continuation tokens mid-listing', async () => {
      emulator.setFaults({
        rules: [{ at: 2, action: { type: 'invalidate-continuation-tokens' } }],
      });
      const first = await list();
      const next = await list('/v1/customers?size=100&seekOperation=Next', {
        'MS-ContinuationToken': first.json.continuationToken,
      });
      expect(next.status).toBe(400);
      expect(next.json).toMatchObject({
        code: 3000,
        description: expect.stringContaining('continuation token'),
      });
    });

    it('takes its script over HTTP, shows it, refuses a bad one with 400, and clears it', async () => {
      const script = { rules: [{ at: 1, action: { type: 'status', status: 502 } }] };
      expect(
        (
          await request(emulator, '/_emulator/faults', {
            method: 'POST',
            body: JSON.stringify(script),
          })
        ).status,
      ).toBe(200);
      expect((await request(emulator, '/_emulator/faults')).json).toEqual(script);
      expect((await list()).status).toBe(502);
      for (const bad of [
        { rules: [{ action: { type: 'status', status: 502 } }] },
        { rules: [{ at: 1, action: { type: 'explode' } }] },
        { rateLimit: { requests: 0 } },
      ]) {
        const refused = await request(emulator, '/_emulator/faults', {
          method: 'POST',
          body: JSON.stringify(bad),
        });
        expect(refused.status).toBe(400);
        expect(refused.json.error_description).toMatch(/faults/);
      }
      expect((await request(emulator, '/_emulator/faults', { method: 'DELETE' })).status).toBe(200);
      expect((await list()).status).toBe(200);
    });

    it('starts with a script given as an option', async () => {
      const scripted = await startEmulator({
        customers: 3,
        http: true,
        faults: { rules: [{ at: 1, action: { type: 'throttle' } }] },
      });
      try {
        const response = await fetch(`${scripted.apiEndpoint}/v1/customers`, {
          headers: { Authorization: `Bearer ${scripted.issueAccessToken()}` },
        });
        expect(response.status).toBe(429);
        expect(response.headers.get('retry-after')).toBe('1');
      } finally {
        await scripted.close();
      }
    });
  });

  /**
   * Who is to blame for a failure: a request the emulator refuses on purpose (BadRequestError) is a
   * 400, anything else it throws is its own bug and a 500, each in the shape of the surface it
   * stands for. And every route reads its query through the one case-insensitive parser.
   */
  describe('who is to blame for a failure', () => {
    const services = { api: partnerCenterService, entra: entraService, control: controlService };
    const exchange: Exchange = {
      req: { headers: {} } as IncomingMessage,
      url: new URL('https://127.0.0.1/x'),
      query: new Query(new URLSearchParams()),
      params: {},
      route: 'GET /x',
      receivedAt: 0,
      requestId: '00000000-0000-4000-8000-000000000000',
    };
    const route = (kind: keyof typeof services): Service => services[kind];
    const failureReply = (service: Service, error: unknown, bom: boolean) =>
      replyOf(service, exchange, error, bom);
    const json = (body: Buffer) => JSON.parse(body.toString('utf8'));

    describe('failure replies', () => {
      it('answers a BadRequestError with 400 and any other error with 500, API in Partner Center shape', () => {
        const bad = failureReply(route('api'), new BadRequestError('size is wrong'), false);
        expect(bad.status).toBe(400);
        expect(json(bad.body)).toEqual({
          code: 3000,
          description: 'Invalid property: size is wrong',
          data: [],
          source: 'PartnerFD',
        });
        // A TypeError or RangeError from the emulator's own code is no longer passed off as bad input.
        for (const bug of [
          new TypeError('x is undefined'),
          new RangeError('offset'),
          'thrown text',
        ]) {
          const reply = failureReply(route('api'), bug, false);
          expect(reply.status).toBe(500);
          expect(json(reply.body)).toMatchObject({
            code: 0,
            description: expect.stringMatching(/^Internal error: /),
            source: 'PartnerFD',
          });
        }
        const withBom = failureReply(route('api'), new TypeError('x'), true);
        expect(withBom.body.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
      });

      it('answers Entra and control routes in the OAuth shape, 400 or 500 by the same rule', () => {
        for (const kind of ['entra', 'control'] as const) {
          const bad = failureReply(
            route(kind),
            new BadRequestError('expected a JSON object'),
            false,
          );
          expect(bad.status).toBe(400);
          expect(json(bad.body)).toEqual({
            error: 'invalid_request',
            error_description: 'expected a JSON object',
          });
          const bug = failureReply(route(kind), new TypeError('boom'), false);
          expect(bug.status).toBe(500);
          expect(json(bug.body)).toEqual({ error: 'server_error', error_description: 'boom' });
        }
      });
    });

    describe('query names', () => {
      it('are matched in any case, the first occurrence winning', () => {
        const query = new Query(new URLSearchParams('Size=5&SEEKOPERATION=Next&size=9&filter=a+b'));
        expect(query.get('size')).toBe('5');
        expect(query.get('seekOperation')).toBe('Next');
        expect(query.has('SeekOperation')).toBe(true);
        expect(query.get('filter')).toBe('a b');
        expect(query.get('missing')).toBeNull();
      });

      it('are read through the one parser by every emulator route', () => {
        const dir = join(import.meta.dirname, '..', '..', 'lib', 'emulator');
        // Every service's folder, not only the top: the emulator lives in subfolders.
        const readers = readdirSync(dir, { recursive: true, encoding: 'utf8' })
          .filter(
            (file) =>
              file.endsWith('.ts') &&
              !file.endsWith('/query.ts') &&
              !file.endsWith('/request-handler.ts'),
          )
          .filter((file) =>
            /searchParams\.(get|has|getAll|entries|forEach)\b|of [\w.]*searchParams/.test(
              readFileSync(join(dir, file), 'utf8'),
            ),
          );
        expect(readers).toEqual([]);
      });
    });
  });
});

describe('the gateway rate limit', () => {
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
          [0, 1].map(
            async () => (await request(started, '/v1/customers', { token: bearer })).status,
          ),
        );
        expect(statuses.sort()).toEqual([200, 429]);
      } finally {
        controller.abort();
        await iterator.next();
      }
    });
  });
});
