/**
 * What the client does with the connection and the credential: HTTPS with an extra CA added to
 * (not replacing) Node's roots, plain HTTP only on loopback, redirects that never carry the token
 * to another host, a BOM tolerated, and -Debug lines that never show a token.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { ServiceError, UsageError } from '../../lib/common/errors.js';
import { PartnerCenterClient, type ClientOptions } from '../../lib/partner-center/client.js';
import { FaultServer } from './fixtures/fault-server.js';
import { opaqueTokens, recordingTokenProvider } from './fixtures/token-provider.js';

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
      expect(error.hint).toMatch(/\(-CaCertificatePath\); certificate checks cannot be turned off/);
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
    'writes a -Debug line per exchange with method, URL, status and ids, and ' + 'never the token',
    async () => {
      api.sequence({ status: 503, json: { code: 1, description: 'x' } }, { status: 200, json: {} });
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
    api.sequence({ status: 301, headers: { location: 'http://partner.example.com/v1/customers' } });
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
