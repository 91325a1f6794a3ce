/**
 * A Graph token for the same saved context, on demand, for every sign-in kind the emulator
 * serves, with the real @azure/identity classes (our own grant for refresh tokens) over HTTPS:
 * got on the first Graph call with the kind's scope, kept in the token store beside Partner
 * Center's, reused by the next run, renewed mid-listing, and refused clearly where it cannot exist.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { readAccessTokenClaims } from '../../lib/session/jwt-claims.js';
import { storesFor } from '../../lib/session/session.js';
import { runInProcess } from '../fixtures/host/run-in-process.js';
import { emulatedPartner, type EmulatedPartner } from '../support/emulated-partner.js';
import { parseNdjson } from '../support/ndjson.js';
import { listRelationships } from './fixtures/relationship-listing.js';

const GRAPH = 'https://graph.microsoft.com';

let partner: EmulatedPartner;
beforeAll(async () => {
  partner = await emulatedPartner({ customers: 300, seed: 5 });
});
afterAll(() => partner.dispose());
beforeEach(() => partner.emulator.setFaults({}));

const grants = () => partner.emulator.counters().tokensIssued;
const list = (context: string, args: string[] = ['-First', '1'], env: NodeJS.ProcessEnv = {}) =>
  runInProcess(listRelationships, [...args, '-Verbose'], {
    env: { ...partner.env, ...env, PARTNERCENTER_CONTEXT: context },
  });
const tokensOf = (context: string) => storesFor(partner.env).tokens.read(context);

/** Connects a context in this process with the real Connect-Partner. */
async function connect(args: string[], input?: string, env: NodeJS.ProcessEnv = {}) {
  const { loadCmdlet } = await import('../../lib/host/load-cmdlet.js');
  const connected = await runInProcess(await loadCmdlet('Connect-Partner'), args, {
    env: { ...partner.env, ...env },
    stdin: input,
  });
  expect(connected.stderr).toBe('');
  expect(connected.code).toBe(0);
}

/**
 * The first Graph call of a context gets one Graph token with `scope` and keeps it beside Partner
 * Center's; the next run reuses it without asking the authority.
 */
async function getsAndKeepsGraphToken(
  context: string,
  scope: RegExp,
  env: NodeJS.ProcessEnv = {},
): Promise<void> {
  const partnerCenterToken = tokensOf(context).accessToken;
  expect(tokensOf(context).accessTokensByResource).toBeUndefined();
  const before = grants();
  const first = await list(context, ['-First', '1'], env);
  expect(first.code).toBe(0);
  expect(parseNdjson(first.stdout)).toHaveLength(1);
  expect(first.stderr).toMatch(
    /Getting a Microsoft Graph access token \(https:\/\/graph\.microsoft\.com\//,
  );
  expect(first.stderr).toMatch(new RegExp(scope.source));
  expect(grants()).toBe(before + 1);
  const stored = tokensOf(context);
  const graphToken = stored.accessTokensByResource?.[GRAPH];
  expect(graphToken).toBeDefined();
  expect(readAccessTokenClaims(graphToken!.token).aud).toBe(GRAPH);
  // Partner Center's token is kept as it was.
  expect(stored.accessToken).toEqual(partnerCenterToken);

  const again = await list(context, ['-First', '1'], env);
  expect(again.code).toBe(0);
  expect(again.stderr).not.toMatch(/Microsoft Graph access token/);
  expect(grants()).toBe(before + 1);

  // Get-PartnerContext shows where Graph is and when its token expires.
  const shown = await partner.runInProcess('Get-PartnerContext', ['-Context', context]);
  expect(JSON.parse(shown.stdout)).toMatchObject({
    graphEndpoint: partner.emulator.graphEndpoint,
    graphTokenExpiresOn: new Date(graphToken!.expiresOnTimestamp).toISOString(),
  });
}

const endpoints = () => partner.emulator.connectEndpoints;

describe('a Graph token on demand, through the sign-in the context was connected with', () => {
  it('a service principal with a secret: the app-only .default scope', async () => {
    await getsAndKeepsGraphToken('default', /https:\/\/graph\.microsoft\.com\/\.default/);
  });

  it('a service principal with a certificate', async () => {
    const certificate = await partner.emulator.createClientCertificate();
    await connect([
      '-ServicePrincipal',
      '-ApplicationId',
      partner.emulator.applicationId,
      '-CertificatePath',
      certificate.certificatePath,
      ...endpoints(),
      '-ContextName',
      'cert',
    ]);
    await getsAndKeepsGraphToken('cert', /graph\.microsoft\.com\/\.default/);
  });

  it('a managed identity', async () => {
    // @azure/identity reads the managed identity's endpoint from the process environment.
    const saved = { endpoint: process.env.IDENTITY_ENDPOINT, header: process.env.IDENTITY_HEADER };
    process.env.IDENTITY_ENDPOINT = partner.emulator.identityEndpoint;
    process.env.IDENTITY_HEADER = partner.emulator.identityHeader;
    try {
      await connect(['-Identity', ...endpoints(), '-ContextName', 'msi']);
      await getsAndKeepsGraphToken('msi', /graph\.microsoft\.com\/\.default/);
    } finally {
      for (const [name, value] of [
        ['IDENTITY_ENDPOINT', saved.endpoint],
        ['IDENTITY_HEADER', saved.header],
      ] as const)
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
    }
  });

  it('a refresh token (secure application model): the delegated permission, the rotated token kept', async () => {
    await partner.connectUser('app-user');
    const refreshBefore = tokensOf('app-user').refreshToken;
    await getsAndKeepsGraphToken('app-user', /DelegatedAdminRelationship\.Read\.All/);
    const graphToken = tokensOf('app-user').accessTokensByResource![GRAPH]!;
    expect(readAccessTokenClaims(graphToken.token).scp).toMatch(
      /DelegatedAdminRelationship\.Read\.All/,
    );
    expect(tokensOf('app-user').refreshToken).not.toBe(refreshBefore);
    // The rotated refresh token still renews Partner Center's token.
    const customers = await partner.runInProcess('Get-PartnerCustomer', [
      '-Context',
      'app-user',
      '-First',
      '1',
    ]);
    expect(customers.code).toBe(0);
  });

  it("a user's device-code sign-in: silently from MSAL's cache, no new sign-in", async () => {
    partner.emulator.configure({ autoApproveDeviceCode: true, deviceCodeIntervalSeconds: 0.2 });
    const { loadCmdlet } = await import('../../lib/host/load-cmdlet.js');
    const connected = await runInProcess(
      await loadCmdlet('Connect-Partner'),
      [
        '-UseDeviceAuthentication',
        '-ApplicationId',
        partner.emulator.applicationId,
        ...endpoints(),
        '-ContextName',
        'device',
      ],
      { env: partner.env },
    );
    expect(connected.code).toBe(0);
    const deviceCodeRequests = () =>
      partner.emulator.recentRequests(1000).filter((r) => /devicecode/i.test(r.url)).length;
    const codesBefore = deviceCodeRequests();
    expect(codesBefore).toBeGreaterThan(0);
    await getsAndKeepsGraphToken('device', /DelegatedAdminRelationship\.Read\.All/);
    const graphToken = tokensOf('device').accessTokensByResource![GRAPH]!;
    expect(readAccessTokenClaims(graphToken.token).scp).toMatch(
      /DelegatedAdminRelationship\.Read\.All/,
    );
    // No second device code was asked for.
    expect(deviceCodeRequests()).toBe(codesBefore);
  });

  it('-AccessToken: refused in one line, exit 3, since that token is for Partner Center only', async () => {
    await connect(
      ['-AccessToken', '-', ...endpoints(), '-ContextName', 'bare'],
      `${partner.emulator.issueAccessToken()}\n`,
    );
    const result = await list('bare');
    expect(result.code).toBe(3);
    expect(result.stderr.trim().split('\n').at(-1)).toBe(
      "Get-FixtureGdapRelationship: Context 'bare' was connected with -AccessToken, a token for " +
        'Partner Center only, and Microsoft Graph needs a token of its own. Connect with a sign-in ' +
        'that can get one: -ServicePrincipal, -RefreshToken, -Identity or a user sign-in.',
    );
  });
});

describe('renewal', () => {
  it('renews the Graph token mid-listing when Graph refuses it, once, and lists every relationship once', async () => {
    await partner.seedContext('renewed');
    const expected = [...partner.emulator.dataset.relationships()].map((r) => r.id);
    expect(expected.length).toBeGreaterThan(300);
    expect((await list('renewed')).code).toBe(0);
    const before = grants();
    partner.emulator.setFaults({ rules: [{ at: 2, action: { type: 'expire-tokens' } }] });
    const result = await list('renewed', []);
    expect(result.code).toBe(0);
    expect(parseNdjson(result.stdout).map((r) => r.id)).toEqual(expected);
    expect(result.stderr).toMatch(
      /Microsoft Graph refused the access token \(HTTP 401\).*renewing it/,
    );
    expect(result.stderr).toMatch(/Renewing the Microsoft Graph access token of context 'renewed'/);
    expect(grants()).toBe(before + 1);
  });
});
