import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ClientSecretCredential } from '@azure/identity';
import { generateKeyPairSync, createSign } from 'node:crypto';
import type { StartedEmulator } from '../../lib/emulator/index.js';
import { startEmulator } from '../support/emulator.js';
import { untilPast } from '../support/cli.js';
import { agentFor, decodeJwt, request, requestUrl, type Response } from './support.js';

const PC_SCOPE = 'https://api.partnercenter.microsoft.com/.default';

describe('Entra ID emulation and API token checks', () => {
  let emulator: StartedEmulator;

  beforeAll(async () => {
    emulator = await startEmulator({ customers: 12, seed: 5 });
  });
  afterAll(() => emulator.close());

  const credential = (tenant: string, clientId: string, secret: string) =>
    new ClientSecretCredential(tenant, clientId, secret, {
      authorityHost: emulator.authorityHost,
      disableInstanceDiscovery: true,
      agent: agentFor(emulator),
    });

  it('serves the OpenID configuration MSAL needs, by tenant id or domain', async () => {
    for (const tenant of [emulator.tenantId, emulator.tenantDomain]) {
      const response = await request(emulator, `/${tenant}/v2.0/.well-known/openid-configuration`);
      expect(response.status).toBe(200);
      const base = `${emulator.authorityHost}/${emulator.tenantId}`;
      expect(response.json).toMatchObject({
        issuer: `${base}/v2.0`,
        token_endpoint: `${base}/oauth2/v2.0/token`,
        authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
        device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
        jwks_uri: `${base}/discovery/v2.0/keys`,
      });
      const keys = await request(emulator, new URL(response.json.jwks_uri).pathname);
      expect(keys.json.keys[0]).toMatchObject({
        kty: 'RSA',
        use: 'sig',
        kid: expect.any(String),
        n: expect.any(String),
        e: 'AQAB',
      });
    }
  });

  it('gives the real ClientSecretCredential a token the API accepts', async () => {
    const before = emulator.counters().tokensIssued;
    const token = await credential(
      emulator.tenantId,
      emulator.applicationId,
      emulator.clientSecret,
    ).getToken(PC_SCOPE);
    expect(emulator.counters().tokensIssued).toBe(before + 1);
    const claims = decodeJwt(token.token);
    expect(claims).toMatchObject({
      aud: 'https://api.partnercenter.microsoft.com',
      tid: emulator.tenantId,
      appid: emulator.applicationId,
      appidacr: '1',
      ver: '1.0',
    });
    expect(claims.exp - claims.iat).toBe(3600);
    expect(claims.nbf).toBeLessThanOrEqual(claims.iat);
    expect(typeof claims.iss).toBe('string');
    const page = await request(emulator, '/v1/customers', { token: token.token });
    expect(page.status).toBe(200);
    expect(page.json.totalCount).toBe(12);
  });

  it('accepts the tenant domain in the token URL', async () => {
    const token = await credential(
      emulator.tenantDomain,
      emulator.applicationId,
      emulator.clientSecret,
    ).getToken(PC_SCOPE);
    expect(decodeJwt(token.token).tid).toBe(emulator.tenantId);
  });

  it(
    'answers a wrong secret with AADSTS7000215 in the 401 body MSAL reads, ' +
      'and the credential reports it',
    async () => {
      const response = await request(emulator, `/${emulator.tenantId}/oauth2/v2.0/token`, {
        body: {
          grant_type: 'client_credentials',
          client_id: emulator.applicationId,
          client_secret: 'wrong',
          scope: PC_SCOPE,
        },
      });
      expect(response.status).toBe(401);
      expect(response.json).toMatchObject({
        error: 'invalid_client',
        error_description: expect.stringMatching(/^AADSTS7000215: Invalid client secret provided/),
        error_codes: [7000215],
        timestamp: expect.any(String),
        trace_id: expect.any(String),
        correlation_id: expect.any(String),
      });
      await expect(
        credential(emulator.tenantId, emulator.applicationId, 'wrong').getToken(PC_SCOPE),
      ).rejects.toThrow(/AADSTS7000215/);
    },
  );

  it(
    'answers an unknown tenant with AADSTS90002 and an unknown application ' + 'with AADSTS700016',
    async () => {
      const unknownTenant = await request(
        emulator,
        '/3f2504e0-4f89-41d3-9a0c-0305e82c3301/oauth2/v2.0/token',
        {
          body: {
            grant_type: 'client_credentials',
            client_id: emulator.applicationId,
            client_secret: emulator.clientSecret,
            scope: PC_SCOPE,
          },
        },
      );
      expect(unknownTenant.status).toBe(400);
      expect(unknownTenant.json.error_codes).toEqual([90002]);
      const unknownApp = await request(emulator, `/${emulator.tenantId}/oauth2/v2.0/token`, {
        body: {
          grant_type: 'client_credentials',
          client_id: '3f2504e0-4f89-41d3-9a0c-0305e82c3301',
          client_secret: 'x',
          scope: PC_SCOPE,
        },
      });
      expect(unknownApp.status).toBe(400);
      expect(unknownApp.json).toMatchObject({
        error: 'unauthorized_client',
        error_codes: [700016],
      });
      await expect(
        credential(emulator.tenantId, '3f2504e0-4f89-41d3-9a0c-0305e82c3301', 'x').getToken(
          PC_SCOPE,
        ),
      ).rejects.toThrow(/AADSTS700016/);
    },
  );

  it('refuses a client-credentials scope without /.default', async () => {
    const response = await request(emulator, `/${emulator.tenantId}/oauth2/v2.0/token`, {
      body: {
        grant_type: 'client_credentials',
        client_id: emulator.applicationId,
        client_secret: emulator.clientSecret,
        scope: 'https://api.partnercenter.microsoft.com/user_impersonation',
      },
    });
    expect(response.status).toBe(400);
    expect(response.json.error).toBe('invalid_scope');
  });

  describe('the API refuses a bad token with 401, code 400 and WWW-Authenticate', () => {
    const forged = () => {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
      const good = emulator.issueAccessToken().split('.');
      const signature = createSign('RSA-SHA256')
        .update(`${good[0]}.${good[1]}`)
        .sign(privateKey)
        .toString('base64url');
      return `${good[0]}.${good[1]}.${signature}`;
    };
    const edited = () => {
      const [head, payload, signature] = emulator.issueAccessToken().split('.');
      const claims = { ...decodeJwt(`x.${payload}.x`), exp: Math.floor(Date.now() / 1000) + 99999 };
      return `${head}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
    };
    it.each([
      ['missing', () => undefined, 'no Authorization header'],
      ['garbage', () => 'not-a-token', 'not a JWT'],
      ['signed by another key', forged, 'signature'],
      ['edited after signing', edited, 'signature'],
      ['expired', () => emulator.issueAccessToken({ lifetimeSeconds: -5 }), 'expired'],
      [
        'for another audience',
        () => emulator.issueAccessToken({ audience: 'https://graph.microsoft.com' }),
        'audience',
      ],
      [
        'for another tenant',
        () => emulator.issueAccessToken({ tenantId: '3f2504e0-4f89-41d3-9a0c-0305e82c3301' }),
        'tenant',
      ],
    ])('%s', async (_, makeToken, reason) => {
      const response = await request(emulator, '/v1/customers', { token: makeToken() });
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toMatch(/^OAuth realm=urn:cpsvc:cpid:/);
      expect(response.json).toEqual({
        code: 400,
        description: expect.stringContaining(reason),
        data: [],
        source: 'PartnerFD',
      });
    });
  });

  it('stops accepting every token issued so far once tokens are revoked', async () => {
    const token = emulator.issueAccessToken();
    expect((await request(emulator, '/v1/customers', { token })).status).toBe(200);
    emulator.revokeAccessTokens();
    expect((await request(emulator, '/v1/customers', { token })).status).toBe(401);
    expect(
      (await request(emulator, '/v1/customers', { token: emulator.issueAccessToken() })).status,
    ).toBe(200);
  });

  it('issues short-lived tokens when configured, and the API then refuses them', async () => {
    emulator.configure({ accessTokenLifetimeSeconds: 1 });
    try {
      const token = await credential(
        emulator.tenantId,
        emulator.applicationId,
        emulator.clientSecret,
      ).getToken(PC_SCOPE);
      const claims = decodeJwt(token.token);
      expect(claims.exp - claims.iat).toBe(1);
      // Until the token's own expiry has passed (the emulator refuses it from that second on).
      await untilPast(claims.exp * 1000);
      expect((await request(emulator, '/v1/customers', { token: token.token })).status).toBe(401);
    } finally {
      emulator.configure({ accessTokenLifetimeSeconds: 3600 });
    }
  });
});

/**
 * A token for a resource the directory does not have is refused, as Entra ID refuses it:
 * AADSTS500011, `invalid_resource`, 400 (docs/partner-center-api.md, "Tokens, scopes and sign-in
 * kinds"), on every way a token is asked for; Partner Center's and Graph's own audiences, in every
 * cloud, are still issued.
 */
describe('a token for a resource the directory does not have (AADSTS500011)', () => {
  const UNKNOWN = 'https://unknown.example';
  const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

  let emulator: StartedEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ customers: 3 });
  });
  afterAll(() => emulator?.close());

  function expect500011(response: Response, resource = UNKNOWN) {
    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({
      error: 'invalid_resource',
      error_codes: [500011],
      trace_id: expect.stringMatching(GUID),
      correlation_id: expect.stringMatching(GUID),
      error_uri: expect.stringContaining('500011'),
    });
    expect(response.json.error_description).toMatch(
      new RegExp(
        `^AADSTS500011: The resource principal named ${resource} was not found in the tenant`,
      ),
    );
  }

  const v2 = () => `/${emulator.tenantId}/oauth2/v2.0/token`;
  const secret = () => ({
    client_id: emulator.applicationId,
    client_secret: emulator.clientSecret,
  });

  describe('a scope of an unknown resource', () => {
    it('is refused for client credentials, v2 scope and v1 resource', async () => {
      expect500011(
        await request(emulator, v2(), {
          body: { grant_type: 'client_credentials', ...secret(), scope: `${UNKNOWN}/.default` },
        }),
      );
      expect500011(
        await request(emulator, `/${emulator.tenantId}/oauth2/token`, {
          body: { grant_type: 'client_credentials', ...secret(), resource: UNKNOWN },
        }),
      );
    });

    it('is refused for a refresh token, delegated or .default, and the refresh token still works', async () => {
      const refreshToken = emulator.issueRefreshToken();
      for (const scope of [`${UNKNOWN}/.default`, `${UNKNOWN}/user_impersonation offline_access`])
        expect500011(
          await request(emulator, v2(), {
            body: { grant_type: 'refresh_token', ...secret(), refresh_token: refreshToken, scope },
          }),
        );
      const good = await request(emulator, v2(), {
        body: {
          grant_type: 'refresh_token',
          ...secret(),
          refresh_token: refreshToken,
          scope: 'https://api.partnercenter.microsoft.com/user_impersonation',
        },
      });
      expect(good.status).toBe(200);
    });

    it('is refused for a password grant and a device-code start', async () => {
      expect500011(
        await request(emulator, v2(), {
          body: {
            grant_type: 'password',
            client_id: emulator.publicClientIds[0],
            username: emulator.user.userPrincipalName,
            password: emulator.user.password,
            scope: `${UNKNOWN}/user_impersonation`,
          },
        }),
      );
      expect500011(
        await request(emulator, `/${emulator.tenantId}/oauth2/v2.0/devicecode`, {
          body: { client_id: emulator.publicClientIds[0], scope: `${UNKNOWN}/.default` },
        }),
      );
    });

    it('is refused by the managed-identity endpoint, carrying Entra’s code', async () => {
      const refused = await requestUrl(
        emulator,
        `${emulator.identityEndpoint}?api-version=2019-08-01&resource=${encodeURIComponent(UNKNOWN)}`,
        { headers: { 'X-IDENTITY-HEADER': emulator.identityHeader } },
      );
      expect(refused.status).toBe(400);
      expect(refused.json).toMatchObject({ statusCode: 400, error: 'invalid_resource' });
      expect(refused.json.message).toMatch(/^AADSTS500011: The resource principal named /);
    });

    it.each([
      'https://api.partnercenter.microsoft.com',
      'https://partner.partnercenterapi.microsoftonline.cn',
      'https://graph.microsoft.com',
      'https://graph.microsoft.us',
      'https://dod-graph.microsoft.us',
      'https://microsoftgraph.chinacloudapi.cn',
      'fa3d9a0c-3fb0-42cc-9193-47c7ecd2edbd',
      '00000003-0000-0000-c000-000000000000',
    ])('still issues a token for %s', async (resource) => {
      const issued = await request(emulator, v2(), {
        body: { grant_type: 'client_credentials', ...secret(), scope: `${resource}/.default` },
      });
      expect(issued.status).toBe(200);
    });
  });
});
