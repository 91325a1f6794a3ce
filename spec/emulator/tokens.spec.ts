/**
 * The emulator's token endpoint: the grants and their refusals, Graph's tokens and the audience
 * check both ways, @azure/msal-node used directly as a client written elsewhere would, and the
 * delegated, certificate and managed-identity sign-ins with the real @azure/identity credentials.
 * Each part keeps its own emulator and hooks, in its own describe.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  ClientCertificateCredential,
  ClientSecretCredential,
  DeviceCodeCredential,
  ManagedIdentityCredential,
} from '@azure/identity';
import {
  ConfidentialClientApplication,
  type INetworkModule,
  type NetworkRequestOptions,
  type NetworkResponse,
  PublicClientApplication,
} from '@azure/msal-node';
import { createHash, createSign, generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StartedEmulator } from '../../lib/emulator/index.js';
import { createClientCertificate } from '../../lib/emulator/server/certificates.js';
import { repoRoot, spawnCollect, untilPast } from '../support/cli.js';
import { startEmulator } from '../support/emulator.js';
import {
  appToken,
  graph,
  GRAPH,
  PARTNER_CENTER,
  RELATIONSHIPS,
  userToken,
} from './graph-support.js';
import { agentFor, decodeJwt, filterQuery, request, requestUrl, type Response } from './support.js';

describe('the token endpoint', () => {
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
        const response = await request(
          emulator,
          `/${tenant}/v2.0/.well-known/openid-configuration`,
        );
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
          error_description: expect.stringMatching(
            /^AADSTS7000215: Invalid client secret provided/,
          ),
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
      'answers an unknown tenant with AADSTS90002 and an unknown application ' +
        'with AADSTS700016',
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
        const claims = {
          ...decodeJwt(`x.${payload}.x`),
          exp: Math.floor(Date.now() / 1000) + 99999,
        };
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
              body: {
                grant_type: 'refresh_token',
                ...secret(),
                refresh_token: refreshToken,
                scope,
              },
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
});

/**
 * Tokens for Microsoft Graph from every grant the emulator serves, and the audience check both
 * ways: Graph refuses a Partner Center token and Partner Center refuses a Graph token. The real
 * @azure/identity credentials get the app-only tokens; a refresh token from a Partner Center
 * sign-in is redeemed for Graph, which is how MSAL gets a second resource's token.
 */
describe('tokens for Microsoft Graph', () => {
  const READ = 'DelegatedAdminRelationship.Read.All';
  /** The emulated app is also granted the billing reports' permission (docs/billing.md). */
  const BILLING = 'PartnerBilling.Read.All';
  let emulator: StartedEmulator;

  beforeAll(async () => {
    emulator = await startEmulator({ customers: 40, now: '2026-12-01T00:00:00Z' });
  });
  afterAll(() => emulator?.close());

  const options = () => ({
    authorityHost: emulator.authorityHost,
    disableInstanceDiscovery: true,
    agent: agentFor(emulator),
  });

  /** Graph's listing answers 200 with this token. */
  async function graphAccepts(token: string): Promise<void> {
    const listed = await graph(emulator, `${RELATIONSHIPS}?$top=3`, { token });
    expect(listed.status).toBe(200);
    expect(listed.json.value).toHaveLength(3);
  }

  describe('app-only Graph tokens', () => {
    it('come from ClientSecretCredential for https://graph.microsoft.com/.default, with roles', async () => {
      const credential = new ClientSecretCredential(
        emulator.tenantId,
        emulator.applicationId,
        emulator.clientSecret,
        options(),
      );
      const { token } = await credential.getToken(`${GRAPH}/.default`);
      const claims = decodeJwt(token);
      expect(claims).toMatchObject({
        aud: GRAPH,
        tid: emulator.tenantId,
        idtyp: 'app',
        roles: [READ, BILLING],
      });
      expect(claims.scp).toBeUndefined();
      await graphAccepts(token);
    });

    it('come from ClientCertificateCredential (certificate sign-in)', async () => {
      const files = await emulator.createClientCertificate();
      const credential = new ClientCertificateCredential(
        emulator.tenantId,
        emulator.applicationId,
        { certificatePath: files.certificatePath },
        options(),
      );
      const { token } = await credential.getToken(`${GRAPH}/.default`);
      expect(decodeJwt(token)).toMatchObject({ aud: GRAPH, appidacr: '2', roles: [READ, BILLING] });
      await graphAccepts(token);
    });

    it('come from the managed-identity endpoint for resource=https://graph.microsoft.com', async () => {
      const issued = await request(
        emulator,
        `/msi/token?resource=${encodeURIComponent(GRAPH)}&api-version=2019-08-01`,
        { headers: { 'X-IDENTITY-HEADER': emulator.identityHeader } },
      );
      expect(issued.status).toBe(200);
      expect(decodeJwt(issued.json.access_token)).toMatchObject({
        aud: GRAPH,
        roles: [READ, BILLING],
      });
      await graphAccepts(issued.json.access_token);
    });

    it("come from the v1 endpoint for resource=https://graph.microsoft.com or Graph's app id", async () => {
      for (const resource of [GRAPH, '00000003-0000-0000-c000-000000000000']) {
        const issued = await request(emulator, `/${emulator.tenantId}/oauth2/token`, {
          body: {
            grant_type: 'client_credentials',
            client_id: emulator.applicationId,
            client_secret: emulator.clientSecret,
            resource,
          },
        });
        expect(decodeJwt(issued.json.access_token)).toMatchObject({
          aud: GRAPH,
          roles: [READ, BILLING],
        });
        await graphAccepts(issued.json.access_token);
      }
    });

    it('carry no roles for Partner Center, which has no application permissions', async () => {
      expect(decodeJwt(await appToken(emulator, PARTNER_CENTER)).roles).toBeUndefined();
    });
  });

  describe('delegated Graph tokens', () => {
    it("redeem a Partner Center sign-in's refresh token for Graph, with the scope in scp", async () => {
      const issued = await userToken(emulator, `${GRAPH}/${READ} offline_access`);
      expect(issued.status).toBe(200);
      expect(issued.json.scope).toBe(`${GRAPH}/${READ}`);
      const claims = decodeJwt(issued.json.access_token);
      expect(claims).toMatchObject({
        aud: GRAPH,
        scp: READ,
        idtyp: 'user',
        upn: emulator.user.userPrincipalName,
      });
      expect(claims.roles).toBeUndefined();
      await graphAccepts(issued.json.access_token);
      // The rotated refresh token still gets Partner Center tokens.
      const back = await request(emulator, `/${emulator.tenantId}/oauth2/v2.0/token`, {
        body: {
          grant_type: 'refresh_token',
          client_id: emulator.applicationId,
          client_secret: emulator.clientSecret,
          refresh_token: issued.json.refresh_token,
          scope: `${PARTNER_CENTER}/user_impersonation`,
        },
      });
      expect(decodeJwt(back.json.access_token)).toMatchObject({
        aud: PARTNER_CENTER,
        scp: 'user_impersonation',
      });
    });

    it('come from a device-code sign-in for the Graph scope, through the same path', async () => {
      const started = await request(emulator, `/${emulator.tenantId}/oauth2/v2.0/devicecode`, {
        body: {
          client_id: emulator.applicationId,
          scope: `${GRAPH}/${READ} openid offline_access`,
        },
      });
      expect(emulator.approveDeviceCode(started.json.user_code)).toBe(1);
      const issued = await request(emulator, `/${emulator.tenantId}/oauth2/v2.0/token`, {
        body: {
          grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
          client_id: emulator.applicationId,
          device_code: started.json.device_code,
        },
      });
      expect(issued.status).toBe(200);
      expect(decodeJwt(issued.json.access_token)).toMatchObject({ aud: GRAPH, scp: READ });
      await graphAccepts(issued.json.access_token);
    });

    it('accept ReadWrite.All too, and expand /.default to what the user consented to', async () => {
      const readWrite = await userToken(
        emulator,
        `${GRAPH}/DelegatedAdminRelationship.ReadWrite.All`,
      );
      await graphAccepts(readWrite.json.access_token);
      const all = await userToken(emulator, `${GRAPH}/.default`);
      expect(decodeJwt(all.json.access_token).scp.split(' ')).toEqual([READ, BILLING, 'User.Read']);
      expect(all.json.scope).toBe(`${GRAPH}/${READ} ${GRAPH}/${BILLING} ${GRAPH}/User.Read`);
      await graphAccepts(all.json.access_token);
    });

    it('without a GDAP permission are refused with 403 in Graph error shape', async () => {
      const userRead = await userToken(emulator, `${GRAPH}/User.Read`);
      const refused = await graph(emulator, RELATIONSHIPS, { token: userRead.json.access_token });
      expect(refused.status).toBe(403);
      expect(refused.json.error).toMatchObject({
        code: 'Authorization_RequestDenied',
        message: expect.stringContaining(READ),
      });
    });
  });

  describe('the audience check, both ways', () => {
    it('Graph refuses a Partner Center token (401 InvalidAuthenticationToken, Graph shape)', async () => {
      for (const token of [
        await appToken(emulator, PARTNER_CENTER),
        (await userToken(emulator, `${PARTNER_CENTER}/user_impersonation`)).json.access_token,
      ]) {
        for (const path of [
          RELATIONSHIPS,
          `${RELATIONSHIPS}/x`,
          `${RELATIONSHIPS}/x/accessAssignments`,
        ]) {
          const refused = await graph(emulator, path, { token });
          expect(refused.status).toBe(401);
          expect(refused.json.error.code).toBe('InvalidAuthenticationToken');
          expect(refused.json.error.message).toContain(
            `audience '${PARTNER_CENTER}' is not Microsoft Graph`,
          );
          expect(refused.headers['www-authenticate']).toContain(
            '00000003-0000-0000-c000-000000000000',
          );
        }
      }
    });

    it('Partner Center refuses a Graph token (401, Partner Center shape)', async () => {
      for (const token of [
        await appToken(emulator, GRAPH),
        (await userToken(emulator, `${GRAPH}/${READ}`)).json.access_token,
      ]) {
        const refused = await request(emulator, '/v1/customers', { token });
        expect(refused.status).toBe(401);
        expect(refused.json).toMatchObject({ code: 400, source: 'PartnerFD' });
        expect(refused.json.description).toContain(`audience '${GRAPH}' is not Partner Center`);
      }
    });

    it('Graph refuses no token, a malformed one, an expired one and a revoked one', async () => {
      const expired = emulator.issueAccessToken({ audience: GRAPH, lifetimeSeconds: -60 });
      const cases: [Record<string, string>, string][] = [
        [{}, 'no Authorization header'],
        [{ Authorization: 'Basic abc' }, 'not a Bearer token'],
        [{ Authorization: `Bearer ${expired}` }, 'expired'],
      ];
      for (const [headers, reason] of cases) {
        const refused = await graph(emulator, RELATIONSHIPS, { headers });
        expect(refused.status).toBe(401);
        expect(refused.json.error).toMatchObject({ code: 'InvalidAuthenticationToken' });
        expect(refused.json.error.message).toContain(reason);
      }
      const live = emulator.issueAccessToken({ audience: GRAPH });
      await graphAccepts(live);
      emulator.revokeAccessTokens();
      const revoked = await graph(emulator, RELATIONSHIPS, { token: live });
      expect(revoked.json.error.message).toContain('revoked');
    });

    it('issueAccessToken mints Graph tokens as the token endpoint would', async () => {
      expect(decodeJwt(emulator.issueAccessToken({ audience: GRAPH }))).toMatchObject({
        roles: [READ, BILLING],
      });
      const delegated = decodeJwt(emulator.issueAccessToken({ audience: GRAPH, delegated: true }));
      expect(delegated.scp).toBe(`${READ} ${BILLING} User.Read`);
      const chosen = emulator.issueAccessToken({
        audience: GRAPH,
        delegated: true,
        scopes: ['User.Read'],
      });
      expect((await graph(emulator, RELATIONSHIPS, { token: chosen })).status).toBe(403);
    });
  });
});

/**
 * `@azure/msal-node` used directly, as a Node client written elsewhere would: the settings it needs
 * against the emulator are a custom authority, instance discovery answered locally (the known
 * authority, or the emulator's own discovery answer as `cloudDiscoveryMetadata`), and trust of the
 * emulator's CA (msal-node fetches with the global fetch, so here through its `networkClient` hook;
 * a process would set NODE_EXTRA_CA_CERTS instead). The network client refuses every host but the
 * emulator, so the spec also proves nothing reaches login.microsoftonline.com.
 */
describe('msal-node used directly', () => {
  const PC = 'https://api.partnercenter.microsoft.com';
  const AZURE_CLI = '04b07795-8ddb-461a-bbee-02f9e1bf7b46';

  let emulator: StartedEmulator;
  let host: string;
  const visited: string[] = [];
  beforeAll(async () => {
    emulator = await startEmulator({ customers: 7, seed: 23, deviceCodeIntervalSeconds: 0.1 });
    host = new URL(emulator.authorityHost).host;
  });
  afterAll(() => emulator.close());

  /** MSAL's network interface over node:https, trusting the emulator's CA and no other host. */
  function emulatorNetwork(): INetworkModule {
    const send = <T>(method: string, url: string, options?: NetworkRequestOptions) =>
      new Promise<NetworkResponse<T>>((resolve, reject) => {
        const target = new URL(url);
        visited.push(target.host);
        if (target.host !== host) return reject(new Error(`refused to call ${target.host}`));
        const req = https.request(
          target,
          { method, headers: options?.headers, agent: agentFor(emulator) },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () =>
              resolve({
                status: res.statusCode ?? 0,
                headers: res.headers as Record<string, string>,
                body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as T,
              }),
            );
          },
        );
        req.on('error', reject);
        req.end(options?.body);
      });
    return {
      sendGetRequestAsync: (url, options) => send('GET', url, options),
      sendPostRequestAsync: (url, options) => send('POST', url, options),
    };
  }

  const authority = () => `${emulator.authorityHost}/${emulator.tenantId}`;
  const system = () => ({ networkClient: emulatorNetwork() });

  async function listsWith(accessToken: string): Promise<void> {
    const listed = await request(emulator, '/v1/customers?size=3', { token: accessToken });
    expect(listed.status).toBe(200);
  }

  describe('@azure/msal-node against the emulator', () => {
    it('gets an app-only token with a secret, the emulator named as a known authority', async () => {
      const app = new ConfidentialClientApplication({
        auth: {
          clientId: emulator.applicationId,
          clientSecret: emulator.clientSecret,
          authority: authority(),
          knownAuthorities: [host],
        },
        system: system(),
      });
      const result = await app.acquireTokenByClientCredential({ scopes: [`${PC}/.default`] });
      expect(decodeJwt(result!.accessToken)).toMatchObject({ aud: PC, appidacr: '1' });
      await listsWith(result!.accessToken);
    });

    it("takes the emulator's own instance discovery answer as cloudDiscoveryMetadata", async () => {
      const discovery = await request(
        emulator,
        `/common/discovery/instance?api-version=1.1&authorization_endpoint=${encodeURIComponent(
          `${authority()}/oauth2/v2.0/authorize`,
        )}`,
      );
      const app = new ConfidentialClientApplication({
        auth: {
          clientId: emulator.applicationId,
          clientSecret: emulator.clientSecret,
          authority: authority(),
          cloudDiscoveryMetadata: discovery.text,
        },
        system: system(),
      });
      const result = await app.acquireTokenByClientCredential({ scopes: [`${PC}/.default`] });
      await listsWith(result!.accessToken);
    });

    it('signs in with a certificate registered on the emulated application', async () => {
      const certificate = await emulator.createClientCertificate();
      const app = new ConfidentialClientApplication({
        auth: {
          clientId: emulator.applicationId,
          authority: authority(),
          knownAuthorities: [host],
          clientCertificate: {
            thumbprint: certificate.thumbprint,
            privateKey: certificate.privateKeyPem,
            x5c: certificate.certificatePem,
          },
        },
        system: system(),
      });
      const result = await app.acquireTokenByClientCredential({ scopes: [`${PC}/.default`] });
      expect(decodeJwt(result!.accessToken).appidacr).toBe('2');
      await listsWith(result!.accessToken);
    });

    it('signs a user in by device code with the Azure CLI public client, then renews silently', async () => {
      const app = new PublicClientApplication({
        auth: { clientId: AZURE_CLI, authority: authority(), knownAuthorities: [host] },
        system: system(),
      });
      const messages: string[] = [];
      const result = await app.acquireTokenByDeviceCode({
        scopes: [`${PC}/user_impersonation`],
        deviceCodeCallback: (response) => {
          messages.push(response.message);
          emulator.approveDeviceCode(response.userCode);
        },
      });
      expect(messages[0]).toMatch(/enter the code/);
      expect(result!.account?.username).toBe(emulator.user.userPrincipalName);
      expect(decodeJwt(result!.accessToken)).toMatchObject({
        appid: AZURE_CLI,
        scp: 'user_impersonation',
      });
      await listsWith(result!.accessToken);
      const renewed = await app.acquireTokenSilent({
        account: result!.account!,
        scopes: [`${PC}/user_impersonation`],
        forceRefresh: true,
      });
      expect(renewed.accessToken).not.toBe(result!.accessToken);
      await listsWith(renewed.accessToken);
    });

    it('signs a user in with the password grant; a wrong password is a ServerError MSAL fully parsed', async () => {
      const app = new PublicClientApplication({
        auth: { clientId: AZURE_CLI, authority: authority(), knownAuthorities: [host] },
        system: system(),
      });
      const result = await app.acquireTokenByUsernamePassword({
        scopes: [`${PC}/user_impersonation`],
        username: emulator.user.userPrincipalName,
        password: emulator.user.password,
      });
      await listsWith(result!.accessToken);
      const correlationId = 'd2a7c1f0-6b3e-4c2a-9f1d-8e7b6a5c4d3e';
      const failure: Record<string, unknown> = await app
        .acquireTokenByUsernamePassword({
          scopes: [`${PC}/user_impersonation`],
          username: emulator.user.userPrincipalName,
          password: 'not the password',
          correlationId,
        })
        .then(
          () => ({}),
          (error: unknown) => error as Record<string, unknown>,
        );
      expect(failure).toMatchObject({
        name: 'ServerError',
        errorCode: 'invalid_grant',
        errorNo: 50126,
        correlationId,
      });
      // MSAL builds its message from every field of Entra's error body; none may be missing.
      const message = String(failure.errorMessage);
      expect(message).toMatch(/^Error\(s\): 50126 - Timestamp: \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ - /);
      expect(message).toContain('Description: AADSTS50126: Error validating credentials');
      expect(message).toMatch(
        new RegExp(`- Correlation ID: ${correlationId} - Trace ID: [0-9a-f-]{36}$`),
      );
    });

    it('called only the emulator', () => {
      expect(new Set(visited)).toEqual(new Set([host]));
    });
  });
});

describe('sign-ins', () => {
  const USER_SCOPE = 'https://api.partnercenter.microsoft.com/user_impersonation';
  const APP_SCOPE = 'https://api.partnercenter.microsoft.com/.default';

  describe('delegated, certificate and managed-identity sign-ins', () => {
    let emulator: StartedEmulator;
    const common = () => ({
      authorityHost: emulator.authorityHost,
      disableInstanceDiscovery: true,
      agent: agentFor(emulator),
    });

    beforeAll(async () => {
      emulator = await startEmulator({ customers: 40, seed: 11 });
    });
    afterAll(() => emulator.close());

    const token = (form: Record<string, string>, tenant = emulator.tenantId) =>
      request(emulator, `/${tenant}/oauth2/v2.0/token`, { body: form });
    const startDeviceCode = async () =>
      (
        await request(emulator, `/organizations/oauth2/v2.0/devicecode`, {
          body: {
            client_id: emulator.applicationId,
            scope: `${USER_SCOPE} openid profile offline_access`,
          },
        })
      ).json;

    it(
      'signs in the real DeviceCodeCredential once the code is approved, with a ' +
        'user token the API accepts',
      async () => {
        const prompts: string[] = [];
        const credential = new DeviceCodeCredential({
          tenantId: emulator.tenantId,
          clientId: emulator.applicationId,
          ...common(),
          userPromptCallback: (info) => {
            prompts.push(info.message);
            emulator.approveDeviceCode(info.userCode);
          },
        });
        const accessToken = await credential.getToken(USER_SCOPE);
        expect(prompts[0]).toMatch(/enter the code [A-Z0-9]{9}/);
        expect(decodeJwt(accessToken.token)).toMatchObject({
          scp: 'user_impersonation',
          upn: emulator.user.userPrincipalName,
          tid: emulator.tenantId,
          idtyp: 'user',
        });
        const reseller = emulator.indirectResellers[0];
        const filter = filterQuery({
          Field: 'IndirectReseller',
          Value: reseller,
          Operator: 'starts_with',
        });
        const search = await request(emulator, `/v1/customers?filter=${filter}`, {
          token: accessToken.token,
        });
        expect(search.status).toBe(200);
      },
    );

    it(
      'answers authorization_pending until a test approves over HTTP, then user ' +
        'tokens with id_token and client_info',
      async () => {
        const code = await startDeviceCode();
        expect(code).toMatchObject({
          user_code: expect.any(String),
          device_code: expect.any(String),
          verification_uri: `${emulator.authorityHost}/devicelogin`,
          interval: 1,
          expires_in: 900,
        });
        const poll = () =>
          token({
            grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
            client_id: emulator.applicationId,
            device_code: code.device_code,
          });
        const pending = await poll();
        expect(pending.status).toBe(400);
        expect(pending.json).toMatchObject({
          error: 'authorization_pending',
          error_codes: [70016],
        });
        const approved = await request(emulator, '/_emulator/devicecode/approve', {
          method: 'POST',
          body: JSON.stringify({ userCode: code.user_code }),
        });
        expect(approved.json).toEqual({ ok: true, approved: 1 });
        const granted = await poll();
        expect(granted.status).toBe(200);
        expect(granted.json).toMatchObject({
          token_type: 'Bearer',
          scope: expect.stringContaining(USER_SCOPE),
          refresh_token: expect.any(String),
          id_token: expect.any(String),
        });
        expect(JSON.parse(Buffer.from(granted.json.client_info, 'base64url').toString())).toEqual({
          uid: emulator.user.objectId,
          utid: emulator.tenantId,
        });
        expect(decodeJwt(granted.json.id_token)).toMatchObject({
          aud: emulator.applicationId,
          tid: emulator.tenantId,
          oid: emulator.user.objectId,
          preferred_username: emulator.user.userPrincipalName,
        });
        expect((await poll()).json.error).toBe('invalid_grant');
      },
    );

    it('reports a declined device code', async () => {
      const code = await startDeviceCode();
      expect(emulator.declineDeviceCode(code.user_code)).toBe(1);
      const declined = await token({
        grant_type: 'device_code',
        client_id: emulator.applicationId,
        device_code: code.device_code,
      });
      expect(declined.json.error).toBe('authorization_declined');
    });

    describe('refresh tokens', () => {
      const redeem = (refreshToken: string, extra: Record<string, string> = {}) =>
        token({
          grant_type: 'refresh_token',
          client_id: emulator.applicationId,
          refresh_token: refreshToken,
          scope: `${USER_SCOPE} offline_access`,
          ...extra,
        });

      it('rotate: each redemption answers a new refresh token and a user token', async () => {
        const first = emulator.issueRefreshToken();
        const answer = await redeem(first, { client_secret: emulator.clientSecret });
        expect(answer.status).toBe(200);
        expect(answer.json.refresh_token).not.toBe(first);
        expect(decodeJwt(answer.json.access_token)).toMatchObject({
          scp: 'user_impersonation',
          appidacr: '1',
        });
        expect((await redeem(answer.json.refresh_token)).status).toBe(200);
      });

      it(
        'fail with AADSTS50173 once revoked (over HTTP), AADSTS700082 once ' +
          'expired, AADSTS50076 when MFA is required',
        async () => {
          const revoked = emulator.issueRefreshToken();
          await request(emulator, '/_emulator/refresh-tokens/revoke', {
            method: 'POST',
            body: JSON.stringify({ refreshToken: revoked }),
          });
          expect((await redeem(revoked)).json).toMatchObject({
            error: 'invalid_grant',
            error_codes: [50173],
          });
          expect(
            (await redeem(emulator.issueRefreshToken({ lifetimeSeconds: -1 }))).json.error_codes,
          ).toEqual([700082]);
          const mfa = await redeem(emulator.issueRefreshToken({ mfaRequired: true }));
          expect(mfa.status).toBe(400);
          expect(mfa.json).toMatchObject({
            error: 'invalid_grant',
            error_codes: [50076],
            error_description: expect.stringMatching(/^AADSTS50076: .*multi-factor/),
          });
          expect((await redeem('1.AQnot-a-token')).json.error).toBe('invalid_grant');
          const overHttp = await request(emulator, '/_emulator/refresh-tokens', {
            method: 'POST',
            body: JSON.stringify({ mfaRequired: true }),
          });
          expect((await redeem(overHttp.json.refreshToken)).json.error_codes).toEqual([50076]);
        },
      );

      it('refuses a wrong client secret on redemption', async () => {
        expect(
          (await redeem(emulator.issueRefreshToken(), { client_secret: 'wrong' })).json.error_codes,
        ).toEqual([7000215]);
      });
    });

    it('gives tokens the lifetime configured for their flow', async () => {
      emulator.configure({ tokenLifetimes: { refreshToken: 5, clientCredentials: 7 } });
      try {
        const refreshed = await token({
          grant_type: 'refresh_token',
          client_id: emulator.applicationId,
          refresh_token: emulator.issueRefreshToken(),
          scope: USER_SCOPE,
        });
        expect(refreshed.json.expires_in).toBe(5);
        const app = await token({
          grant_type: 'client_credentials',
          client_id: emulator.applicationId,
          client_secret: emulator.clientSecret,
          scope: APP_SCOPE,
        });
        expect(app.json.expires_in).toBe(7);
      } finally {
        emulator.configure({ tokenLifetimes: { refreshToken: 3600, clientCredentials: 3600 } });
      }
    });

    it(
      'signs in the real ClientCertificateCredential with a registered ' +
        'certificate, and refuses an unregistered one',
      async () => {
        const registered = await emulator.createClientCertificate();
        expect(registered.thumbprint).toMatch(/^[0-9A-F]{40}$/);
        const credential = new ClientCertificateCredential(
          emulator.tenantId,
          emulator.applicationId,
          registered.certificatePath,
          common(),
        );
        const accessToken = await credential.getToken(APP_SCOPE);
        expect(decodeJwt(accessToken.token)).toMatchObject({
          appid: emulator.applicationId,
          appidacr: '2',
          aud: 'https://api.partnercenter.microsoft.com',
        });
        expect(
          (await request(emulator, '/v1/customers', { token: accessToken.token })).status,
        ).toBe(200);

        const stranger = await createClientCertificate('not registered');
        const strangerCredential = new ClientCertificateCredential(
          emulator.tenantId,
          emulator.applicationId,
          { certificate: `${stranger.key}${stranger.cert}` },
          common(),
        );
        await expect(strangerCredential.getToken(APP_SCOPE)).rejects.toThrow(/AADSTS700027/);
      },
    );

    it(
      'serves the App Service managed-identity shape to the real ' +
        'ManagedIdentityCredential (system and user assigned)',
      async () => {
        const saved = {
          endpoint: process.env.IDENTITY_ENDPOINT,
          header: process.env.IDENTITY_HEADER,
        };
        process.env.IDENTITY_ENDPOINT = emulator.identityEndpoint;
        process.env.IDENTITY_HEADER = emulator.identityHeader;
        try {
          const system = await new ManagedIdentityCredential({
            agent: agentFor(emulator),
          }).getToken(APP_SCOPE);
          expect(decodeJwt(system.token)).toMatchObject({
            appid: emulator.managedIdentityClientId,
            tid: emulator.tenantId,
            aud: 'https://api.partnercenter.microsoft.com',
          });
          expect((await request(emulator, '/v1/customers', { token: system.token })).status).toBe(
            200,
          );
          const user = await new ManagedIdentityCredential(emulator.userAssignedIdentityClientId, {
            agent: agentFor(emulator),
          }).getToken(APP_SCOPE);
          expect(decodeJwt(user.token).appid).toBe(emulator.userAssignedIdentityClientId);
        } finally {
          for (const [name, value] of [
            ['IDENTITY_ENDPOINT', saved.endpoint],
            ['IDENTITY_HEADER', saved.header],
          ] as const) {
            if (value === undefined) delete process.env[name];
            else process.env[name] = value;
          }
        }
        const wrongHeader = await request(
          emulator,
          `/msi/token?resource=${encodeURIComponent('https://api.partnercenter.microsoft.com')}&api-version=2019-08-01`,
          { headers: { 'X-IDENTITY-HEADER': 'nope' } },
        );
        expect(wrongHeader.status).toBe(401);
      },
    );

    describe('browser sign-in (authorization code with PKCE, loopback redirect)', () => {
      const verifier = randomBytes(32).toString('base64url');
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      const redirectUri = 'http://localhost:53123';
      const authorizePath = (extra = '') =>
        `/${emulator.tenantId}/oauth2/v2.0/authorize?client_id=${emulator.applicationId}` +
        `&response_type=code&redirect_uri=${encodeURIComponent(redirectUri)}` +
        `&scope=${encodeURIComponent(`${USER_SCOPE} openid offline_access`)}&state=s1` +
        `&code_challenge=${challenge}&code_challenge_method=S256${extra}`;

      it(
        'shows an approval link, redirects back with a code, and redeems it only ' +
          'with the right verifier',
        async () => {
          const page = await request(emulator, authorizePath());
          expect(page.status).toBe(200);
          const link = /href="([^"]+)"/
            .exec(page.text)![1]
            .replace(/&amp;/g, '&')
            .replace(/&#38;/g, '&');
          const redirect = await request(emulator, link);
          expect(redirect.status).toBe(302);
          const location = new URL(String(redirect.headers.location));
          expect(location.origin + location.pathname).toBe(`${redirectUri}/`);
          expect(location.searchParams.get('state')).toBe('s1');
          const code = location.searchParams.get('code')!;
          const wrong = await token({
            grant_type: 'authorization_code',
            client_id: emulator.applicationId,
            code,
            redirect_uri: redirectUri,
            code_verifier: 'wrong',
          });
          expect(wrong.json.error_codes).toEqual([501481]);
          const second = new URL(
            String(
              (await request(emulator, authorizePath('&emulator_approve=1'))).headers.location,
            ),
          ).searchParams.get('code')!;
          const granted = await token({
            grant_type: 'authorization_code',
            client_id: emulator.applicationId,
            code: second,
            redirect_uri: redirectUri,
            code_verifier: verifier,
          });
          expect(granted.status).toBe(200);
          expect(granted.json).toMatchObject({
            refresh_token: expect.any(String),
            id_token: expect.any(String),
            client_info: expect.any(String),
          });
        },
      );

      it(
        'signs in the real InteractiveBrowserCredential (in a child process) when ' +
          'the "browser" follows the redirect',
        async () => {
          emulator.configure({ autoApproveAuthorization: true });
          const dir = mkdtempSync(join(tmpdir(), 'pc-browser-'));
          try {
            // xdg-open (bundled with the `open` package) hands the URL to $BROWSER on a machine
            // without a desktop. A child process, because a spawned browser sees the real
            // environment, not jest's copy of it.
            const follower = join(dir, 'follow.mjs');
            writeFileSync(
              follower,
              `import https from 'node:https'; import http from 'node:http';
           https.get(process.argv[2], { ca: process.env.EMULATOR_CA }, (res) => {
             res.resume();
             http.get(res.headers.location, (r) => r.resume());
           });`,
            );
            const browser = join(dir, 'browser.sh');
            writeFileSync(browser, `#!/bin/sh\nexec "${process.execPath}" "${follower}" "$1"\n`);
            chmodSync(browser, 0o755);
            const script = `
          import { InteractiveBrowserCredential } from '@azure/identity';
          import https from 'node:https';
          setTimeout(() => { console.error('timed out'); process.exit(3); }, 20000).unref();
          const e = JSON.parse(process.env.EMULATOR);
          const credential = new InteractiveBrowserCredential({
            tenantId: e.tenantId, clientId: e.applicationId, redirectUri: 'http://localhost',
            authorityHost: e.authorityHost, disableInstanceDiscovery: true,
            agent: new https.Agent({ ca: process.env.EMULATOR_CA }),
          });
          const token = await credential.getToken('${USER_SCOPE}');
          process.stdout.write(token.token);
          process.exit(0);`;
            const env: NodeJS.ProcessEnv = {
              ...process.env,
              BROWSER: browser,
              EMULATOR_CA: readFileSync(emulator.caCertificatePath!, 'utf8'),
              EMULATOR: JSON.stringify({
                tenantId: emulator.tenantId,
                applicationId: emulator.applicationId,
                authorityHost: emulator.authorityHost,
              }),
            };
            delete env.DISPLAY;
            delete env.WAYLAND_DISPLAY;
            const { code, stdout, stderr } = await spawnCollect(
              process.execPath,
              ['--input-type=module', '-e', script],
              { cwd: repoRoot, env, timeoutMs: 30_000 },
            );
            expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
            expect(decodeJwt(stdout)).toMatchObject({
              scp: 'user_impersonation',
              upn: emulator.user.userPrincipalName,
            });
          } finally {
            rmSync(dir, { recursive: true, force: true });
            emulator.configure({ autoApproveAuthorization: false });
          }
        },
      );
    });
  });
});
