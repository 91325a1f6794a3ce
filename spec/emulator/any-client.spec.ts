/**
 * The emulator driven the way clients written elsewhere drive the real services: raw HTTP exactly
 * as Microsoft's documentation writes its requests (hand-built next links with
 * `seekoperation=next`, `Size=`, `size=0`), RFC 6749 client authentication in `Authorization:
 * Basic`, the v1 token endpoint with `resource=`, the discovery endpoints MSAL calls, the password
 * grant, Microsoft's well-known public clients, and the HTTP details (405 + Allow, 404 headers).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { StartedEmulator } from '../../lib/emulator/index.js';
import { startEmulator } from '../support/emulator.js';
import { decodeJwt, filterQuery, request, type Response } from './support.js';
import { cleanEnv, parseNdjson, runCli, scratchConfigDir } from '../support/cli.js';

const PC = 'https://api.partnercenter.microsoft.com';
const AZURE_CLI = '04b07795-8ddb-461a-bbee-02f9e1bf7b46';
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let emulator: StartedEmulator;
let token: string;
beforeAll(async () => {
  emulator = await startEmulator({ customers: 1234, seed: 21 });
  token = emulator.issueAccessToken();
});
afterAll(() => emulator.close());

const tokenPath = (version: 'v1' | 'v2' = 'v2') =>
  `/${emulator.tenantId}/oauth2/${version === 'v2' ? 'v2.0/' : ''}token`;
const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
const post = (path: string, body: string, headers: Record<string, string> = {}) =>
  request(emulator, path, { method: 'POST', body, headers: { ...FORM, ...headers } });

/** The fields every MSAL library reads from an Entra error body. */
function expectEntraError(response: Response, status: number, error: string, code: number) {
  expect(response.status).toBe(status);
  expect(response.json).toMatchObject({
    error,
    error_description: expect.stringMatching(new RegExp(`^AADSTS${code}: `)),
    error_codes: [code],
    timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/),
    trace_id: expect.stringMatching(GUID),
    correlation_id: expect.stringMatching(GUID),
  });
}

describe('seek paging as the documentation writes it', () => {
  /** Follows hand-built next links: `?size=N&seekoperation=next` plus the token header. */
  async function listByHand(first: string, next: (size: number) => string, header: string) {
    const ids: string[] = [];
    let response = await request(emulator, first, { token });
    for (let pages = 1; ; pages++) {
      expect(response.status).toBe(200);
      ids.push(...response.json.items.map((item: { id: string }) => item.id));
      const continuation: string | undefined = response.json.continuationToken;
      if (!continuation) return { ids, pages };
      // A client that loops (the first page again) would never get here in bounded time.
      expect(pages).toBeLessThan(1234);
      response = await request(emulator, next(response.json.items.length), {
        token,
        headers: { [header]: continuation },
      });
    }
  }

  it('reads query names in any case: seekoperation=next, Size=, SIZE=, SeekOperation=NEXT', async () => {
    const expected = [...emulator.customerIds()];
    const lower = await listByHand(
      '/v1/customers?size=100',
      () => '/v1/customers?size=100&seekoperation=next',
      'MS-ContinuationToken',
    );
    expect(lower.ids).toEqual(expected);
    expect(lower.pages).toBe(13);
    const upper = await listByHand(
      '/v1/customers?Size=250',
      () => '/v1/customers?SIZE=250&SeekOperation=NEXT',
      'ms-continuationtoken',
    );
    expect(upper.ids).toEqual(expected);
    expect(upper.pages).toBe(5);
    const five = await request(emulator, '/v1/customers?Size=5', { token });
    expect(five.json.items).toHaveLength(5);
    expect(five.json.totalCount).toBe(5);
  });

  it('answers the documented search request, size=0 with a filter, with 200 and every match', async () => {
    const filter = filterQuery({ Field: 'CompanyName', Value: 'a', Operator: 'starts_with' });
    const matches = emulator.customers.filter((customer: any) =>
      customer.companyProfile.companyName.toLowerCase().startsWith('a'),
    );
    expect(matches.length).toBeGreaterThan(0);
    expect(matches.length).toBeLessThan(500);
    for (const query of [`size=0&filter=${filter}`, `Size=0&Filter=${filter}`]) {
      const response = await request(emulator, `/v1/customers?${query}`, { token });
      expect(response.status).toBe(200);
      expect(response.json.items.map((item: { id: string }) => item.id)).toEqual(
        matches.map((customer) => customer.id),
      );
      expect(response.json.links.next).toBeUndefined();
    }
    // Without a filter, size=0 is the server's own page size.
    const unfiltered = await request(emulator, '/v1/customers?size=0', { token });
    expect(unfiltered.json.items).toHaveLength(500);
  });

  it('filters on IndirectCloudSolutionProvider, the field the .NET and Java SDKs define', async () => {
    const search = (value: string) =>
      request(
        emulator,
        `/v1/customers?size=500&filter=${filterQuery({
          Field: 'IndirectCloudSolutionProvider',
          Value: value,
          Operator: 'starts_with',
        })}`,
        { token },
      );
    const partnerTenant = decodeJwt(token).tid as string;
    const viaResellers = emulator.customers.filter((customer) => customer.associatedPartnerId);
    const mine = await search(partnerTenant.toUpperCase());
    expect(mine.status).toBe(200);
    expect(mine.json.items.map((item: { id: string }) => item.id)).toEqual(
      viaResellers.slice(0, 500).map((customer) => customer.id),
    );
    const other = await search('00000000-0000-0000-0000-000000000001');
    expect(other.status).toBe(200);
    expect(other.json.items).toEqual([]);
    const notGuid = await search('contoso');
    expect(notGuid.status).toBe(400);
    expect(notGuid.json).toMatchObject({ code: 3000, source: 'PartnerFD' });
  });
});

describe('client authentication (RFC 6749 §2.3.1)', () => {
  const appOnly = `grant_type=client_credentials&scope=${encodeURIComponent(`${PC}/.default`)}`;

  it('accepts the id and secret in Authorization: Basic, form-encoded or not', async () => {
    const { applicationId, clientSecret } = emulator;
    const raw = `Basic ${Buffer.from(`${applicationId}:${clientSecret}`).toString('base64')}`;
    for (const authorization of [basic(applicationId, clientSecret), raw]) {
      const response = await post(tokenPath(), appOnly, { Authorization: authorization });
      expect(response.status).toBe(200);
      const listed = await request(emulator, '/v1/customers?size=1', {
        token: response.json.access_token,
      });
      expect(listed.status).toBe(200);
    }
    // A client id in the body beside Basic (as some clients send) is fine when it agrees.
    const both = await post(tokenPath(), `${appOnly}&client_id=${applicationId}`, {
      Authorization: basic(applicationId, clientSecret),
    });
    expect(both.status).toBe(200);
  });

  it('answers a wrong, doubled or malformed Basic credential as Entra errors', async () => {
    const { applicationId, clientSecret } = emulator;
    const wrong = await post(tokenPath(), appOnly, { Authorization: basic(applicationId, 'x') });
    expectEntraError(wrong, 401, 'invalid_client', 7000215);
    const doubled = await post(
      tokenPath(),
      `${appOnly}&client_secret=${encodeURIComponent(clientSecret)}`,
      { Authorization: basic(applicationId, clientSecret) },
    );
    expectEntraError(doubled, 400, 'invalid_request', 9002313);
    const disagree = await post(tokenPath(), `${appOnly}&client_id=${AZURE_CLI}`, {
      Authorization: basic(applicationId, clientSecret),
    });
    expectEntraError(disagree, 400, 'invalid_request', 9002313);
    const malformed = await post(tokenPath(), appOnly, {
      Authorization: `Basic ${Buffer.from('no-colon').toString('base64')}`,
    });
    expectEntraError(malformed, 400, 'invalid_request', 9002313);
  });

  it('echoes client-request-id as correlation_id, as MSAL expects', async () => {
    const correlation = '5f7a9b1c-0d2e-4f3a-8b4c-6d7e8f9a0b1c';
    const response = await post(tokenPath(), `${appOnly}&client_id=${emulator.applicationId}`, {
      'client-request-id': correlation,
    });
    expectEntraError(response, 401, 'invalid_client', 7000218);
    expect(response.json.correlation_id).toBe(correlation);
    expect(response.json.error_description).toContain(`Correlation ID: ${correlation}`);
    expect(response.headers['cache-control']).toMatch(/no-store/);
  });
});

describe('the v1 token endpoint and discovery', () => {
  it('issues v1 tokens for resource=, numbers as strings, by body or Basic authentication', async () => {
    const body =
      `grant_type=client_credentials&resource=${encodeURIComponent(PC)}` +
      `&client_id=${emulator.applicationId}&client_secret=${encodeURIComponent(emulator.clientSecret)}`;
    const byBasic = `grant_type=client_credentials&resource=${encodeURIComponent(PC)}`;
    for (const response of [
      await post(tokenPath('v1'), body),
      await post(tokenPath('v1'), byBasic, {
        Authorization: basic(emulator.applicationId, emulator.clientSecret),
      }),
    ]) {
      expect(response.status).toBe(200);
      expect(response.json).toMatchObject({
        token_type: 'Bearer',
        expires_in: expect.stringMatching(/^\d+$/),
        ext_expires_in: expect.stringMatching(/^\d+$/),
        expires_on: expect.stringMatching(/^\d+$/),
        not_before: expect.stringMatching(/^\d+$/),
        resource: PC,
      });
      expect(decodeJwt(response.json.access_token)).toMatchObject({ aud: PC, ver: '1.0' });
      const listed = await request(emulator, '/v1/customers?size=1', {
        token: response.json.access_token,
      });
      expect(listed.status).toBe(200);
    }
    const noResource = await post(
      tokenPath('v1'),
      `grant_type=client_credentials&client_id=${emulator.applicationId}`,
    );
    expectEntraError(noResource, 400, 'invalid_request', 900144);
  });

  it('serves the v1 OpenID configuration, instance discovery and user realm discovery', async () => {
    const v1 = await request(emulator, `/${emulator.tenantId}/.well-known/openid-configuration`);
    expect(v1.status).toBe(200);
    expect(v1.json).toMatchObject({
      issuer: `https://sts.windows.net/${emulator.tenantId}/`,
      token_endpoint: `${emulator.authorityHost}/${emulator.tenantId}/oauth2/token`,
      token_endpoint_auth_methods_supported: expect.arrayContaining(['client_secret_basic']),
    });
    const keys = await request(emulator, new URL(v1.json.jwks_uri).pathname);
    expect(keys.json.keys[0]).toMatchObject({ kty: 'RSA', kid: expect.any(String) });

    const authorize = `${emulator.authorityHost}/${emulator.tenantDomain}/oauth2/v2.0/authorize`;
    const discover = (endpoint: string) =>
      request(
        emulator,
        `/common/discovery/instance?api-version=1.1&authorization_endpoint=${encodeURIComponent(endpoint)}`,
      );
    const discovery = await discover(authorize);
    expect(discovery.status).toBe(200);
    const host = new URL(emulator.authorityHost).host;
    expect(discovery.json).toMatchObject({
      tenant_discovery_endpoint:
        `${emulator.authorityHost}/${emulator.tenantDomain}` +
        '/v2.0/.well-known/openid-configuration',
      metadata: [{ preferred_network: host, aliases: [host] }],
    });
    const config = await request(
      emulator,
      new URL(discovery.json.tenant_discovery_endpoint).pathname,
    );
    expect(config.status).toBe(200);
    const foreign = await discover('https://login.example.com/x/oauth2/v2.0/authorize');
    expectEntraError(foreign, 400, 'invalid_instance', 50049);

    const realm = (user: string, version: string) =>
      request(emulator, `/common/userrealm/${encodeURIComponent(user)}?api-version=${version}`);
    expect((await realm(emulator.user.userPrincipalName, '1.0')).json).toMatchObject({
      ver: '1.0',
      account_type: 'Managed',
      domain_name: emulator.tenantDomain,
    });
    expect((await realm('someone@fabrikam.com', '1.0')).json.account_type).toBe('Unknown');
    expect((await realm(emulator.user.userPrincipalName, '2.0')).json.NameSpaceType).toBe(
      'Managed',
    );
  });
});

describe('user sign-ins with Microsoft public clients and the password grant', () => {
  const userScope = `${PC}/user_impersonation openid profile offline_access`;
  const password = (overrides: Record<string, string> = {}) =>
    new URLSearchParams({
      grant_type: 'password',
      client_id: AZURE_CLI,
      scope: userScope,
      username: emulator.user.userPrincipalName,
      password: emulator.user.password,
      ...overrides,
    }).toString();

  it('signs the user in with the password grant and the Azure CLI client, + or %20 alike', async () => {
    const plus = password();
    expect(plus).toContain('+openid+');
    const percent = plus.replaceAll('+', '%20');
    for (const body of [plus, percent]) {
      const response = await post(tokenPath(), body);
      expect(response.status).toBe(200);
      expect(response.json).toMatchObject({
        token_type: 'Bearer',
        scope: `${PC}/user_impersonation openid profile`,
        refresh_token: expect.any(String),
        id_token: expect.any(String),
        client_info: expect.any(String),
      });
      expect(decodeJwt(response.json.access_token)).toMatchObject({
        appid: AZURE_CLI,
        appidacr: '0',
        scp: 'user_impersonation',
        upn: emulator.user.userPrincipalName,
      });
      const listed = await request(emulator, '/v1/customers?size=1', {
        token: response.json.access_token,
      });
      expect(listed.status).toBe(200);
    }
    const v1 = await post(
      tokenPath('v1'),
      new URLSearchParams({
        grant_type: 'password',
        client_id: AZURE_CLI,
        resource: PC,
        username: emulator.user.userPrincipalName,
        password: emulator.user.password,
      }).toString(),
    );
    expect(v1.status).toBe(200);
    expect(v1.json).toMatchObject({ resource: PC, scope: 'user_impersonation' });
  });

  it('refuses a wrong password, an unknown user, and a secret from a public client', async () => {
    expectEntraError(
      await post(tokenPath(), password({ password: 'wrong' })),
      400,
      'invalid_grant',
      50126,
    );
    expectEntraError(
      await post(tokenPath(), password({ username: `nobody@${emulator.tenantDomain}` })),
      400,
      'invalid_grant',
      50034,
    );
    expectEntraError(
      await post(tokenPath(), password({ client_secret: 'anything' })),
      400,
      'invalid_client',
      700025,
    );
    expectEntraError(
      await post(tokenPath(), password({ client_id: '11111111-2222-3333-4444-555555555555' })),
      400,
      'unauthorized_client',
      700016,
    );
  });

  it('starts a device-code sign-in for each well-known public client; the token carries its id', async () => {
    expect(emulator.publicClientIds).toContain(AZURE_CLI);
    for (const clientId of emulator.publicClientIds) {
      const started = await post(
        `/organizations/oauth2/v2.0/devicecode`,
        new URLSearchParams({ client_id: clientId, scope: userScope }).toString(),
      );
      expect(started.status).toBe(200);
      expect(emulator.approveDeviceCode(started.json.user_code)).toBe(1);
      const redeemed = await post(
        tokenPath(),
        new URLSearchParams({
          grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
          client_id: clientId,
          device_code: started.json.device_code,
        }).toString(),
      );
      expect(redeemed.status).toBe(200);
      expect(decodeJwt(redeemed.json.access_token).appid).toBe(clientId);
      // The refresh token belongs to that client: another client cannot redeem it.
      const refresh = (client: string) =>
        post(
          tokenPath(),
          new URLSearchParams({
            grant_type: 'refresh_token',
            client_id: client,
            refresh_token: redeemed.json.refresh_token,
            scope: userScope,
          }).toString(),
        );
      expect((await refresh(clientId)).status).toBe(200);
      expect((await refresh(emulator.applicationId)).json.error).toBe('invalid_grant');
    }
  });
});

describe('HTTP details', () => {
  it('answers 405 with Allow, and 404 with the MS-RequestId and MS-CorrelationId headers', async () => {
    const notAllowed = await request(emulator, '/v1/customers', { method: 'DELETE', token });
    expect(notAllowed.status).toBe(405);
    expect(notAllowed.headers.allow).toBe('GET');
    expect(notAllowed.json).toMatchObject({ code: 1000, source: 'PartnerFD' });
    const token405 = await request(emulator, tokenPath(), { method: 'GET' });
    expect(token405.status).toBe(405);
    expect(token405.headers.allow).toBe('POST');

    const requestId = 'aa04fb9d-c6b6-4754-8a6a-86e00cdd5ccb';
    const correlationId = 'b4e67a78-0692-45d1-b408-04b9178a8ac6';
    const missing = await request(emulator, '/v1/no-such-thing', {
      token,
      headers: { 'MS-RequestId': requestId, 'MS-CorrelationId': correlationId },
    });
    expect(missing.status).toBe(404);
    expect(missing.headers['ms-requestid']).toBe(requestId);
    expect(missing.headers['ms-correlationid']).toBe(correlationId);
    const anonymous = await request(emulator, '/nothing/here');
    expect(anonymous.headers['ms-requestid']).toMatch(GUID);
    expect(anonymous.headers['ms-correlationid']).toMatch(GUID);
  });

  it('answers a bad control request with 400 and keeps the API answering', async () => {
    const bad = await request(emulator, '/_emulator/configure', {
      method: 'POST',
      body: '{not json',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toBe('invalid_request');
    const wrongType = await request(emulator, '/_emulator/configure', {
      method: 'POST',
      body: JSON.stringify({ apiLatencyMs: 'slow' }),
    });
    expect(wrongType.status).toBe(400);
    expect(wrongType.json.error_description).toMatch(/apiLatencyMs/);
    expect((await request(emulator, '/v1/customers?size=1', { token })).status).toBe(200);
  });
});

/**
 * Connect-Partner against the emulator as a new user tries it: the default user sign-in (no
 * -ApplicationId: the Azure CLI's public client, known to every tenant) works offline, and an
 * AADSTS answer of any flow reaches the user as the one-line message, never as a JavaScript error.
 */
describe('Connect-Partner as a new user tries it', () => {
  const UNKNOWN_APP = '11111111-2222-3333-4444-555555555555';
  const AZURE_CLI = '04b07795-8ddb-461a-bbee-02f9e1bf7b46';

  let emulator: StartedEmulator;
  let config: { dir: string; dispose(): void };
  let endpoints: string[];
  beforeAll(async () => {
    emulator = await startEmulator({
      customers: 3,
      autoApproveDeviceCode: true,
      deviceCodeIntervalSeconds: 0.2,
    });
    config = scratchConfigDir();
    endpoints = emulator.connectEndpoints;
  });
  afterAll(async () => {
    await emulator.close();
    config.dispose();
  });

  const connect = (args: string[], context: string) =>
    runCli('Connect-Partner', [...args, ...endpoints, '-ContextName', context], {
      env: cleanEnv({ PARTNERCENTER_CONFIG_DIR: config.dir }),
    });

  describe('Connect-Partner and the emulated Entra ID', () => {
    it('signs in with -UseDeviceAuthentication and no -ApplicationId, as the Azure CLI client', async () => {
      const result = await connect(['-UseDeviceAuthentication'], 'default-client');
      expect(result.stderr).toMatch(/enter the code \w+/);
      expect(result.code).toBe(0);
      expect(parseNdjson(result.stdout)[0]).toMatchObject({
        authentication: 'User',
        applicationId: AZURE_CLI,
        account: emulator.user.userPrincipalName,
      });
    });

    it('reports AADSTS700016 of the device-code endpoint and of the token endpoint alike', async () => {
      const [device, secret] = await Promise.all([
        connect(['-UseDeviceAuthentication', '-ApplicationId', UNKNOWN_APP], 'device'),
        runCli(
          'Connect-Partner',
          ['-ServicePrincipal', '-ApplicationId', UNKNOWN_APP, ...endpoints],
          {
            env: cleanEnv({
              PARTNERCENTER_CONFIG_DIR: config.dir,
              PARTNERCENTER_CLIENT_SECRET: 'x',
            }),
          },
        ),
      ]);
      for (const result of [device, secret]) {
        expect(result.code).toBe(3);
        expect(result.stdout).toBe('');
        expect(result.stderr).not.toMatch(/Cannot read properties|TypeError|undefined/);
        expect(result.stderr.trim().split('\n')).toEqual([
          'Connect-Partner: Sign-in failed: The application was not found in the tenant. ' +
            '(AADSTS700016) Check -ApplicationId and -Tenant, and that the app is consented in ' +
            'that tenant.',
        ]);
      }
    });
  });
});
