import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import https from 'node:https';
import { CONTROL_ROUTES, type StartedEmulator } from '../../lib/emulator/index.js';
import { startEmulator } from '../support/emulator.js';
import { request } from './support.js';

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
    expect((await request(emulator, '/v1/customers?size=10', { token })).json.links.next.uri).toBe(
      '/customers?size=10&seekOperation=Next',
    );
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
            socketClosed = new Promise<void>((closed) => res.socket.once('close', () => closed()));
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
