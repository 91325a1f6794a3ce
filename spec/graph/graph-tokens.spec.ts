/**
 * Graph tokens of a saved context: on demand for every sign-in kind, and per national cloud. Each
 * part keeps its own emulator and hooks, in its own describe.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createCmdletServices } from '../../lib/cmdlet-support/services.js';
import { loadCmdlet } from '../../lib/host/load-cmdlet.js';
import {
  type EnvironmentName,
  ENVIRONMENTS,
  graphOf,
  resolveEnvironment,
} from '../../lib/session/environments.js';
import { readAccessTokenClaims } from '../../lib/session/jwt-claims.js';
import { storesFor } from '../../lib/session/session.js';
import { scopeOf, tokenResource } from '../../lib/session/token-resources.js';
import { runInProcess } from '../fixtures/host/run-in-process.js';
import { emulatedPartner, type EmulatedPartner } from '../support/emulated-partner.js';
import { parseNdjson } from '../support/ndjson.js';
import { listRelationships } from './fixtures/relationship-listing.js';

/**
 * A Graph token for the same saved context, on demand, for every sign-in kind the emulator
 * serves, with the real @azure/identity classes (our own grant for refresh tokens) over HTTPS:
 * got on the first Graph call with the kind's scope, kept in the token store beside Partner
 * Center's, reused by the next run, renewed mid-listing, and refused clearly where it cannot exist.
 */
describe('a Graph token for a saved context', () => {
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
      const saved = {
        endpoint: process.env.IDENTITY_ENDPOINT,
        header: process.env.IDENTITY_HEADER,
      };
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
    it(
      'renews the Graph token mid-listing when Graph refuses it, ' +
        'once, and lists every relationship once',
      async () => {
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
        expect(result.stderr).toMatch(
          /Renewing the Microsoft Graph access token of context 'renewed'/,
        );
        expect(grants()).toBe(before + 1);
      },
    );
  });
});

/**
 * National clouds: Graph documents the GDAP APIs for the global service, US Government L4 and L5
 * and China operated by 21Vianet (docs/graph-gdap.md, "National clouds"), so a context of a
 * national cloud asks its own cloud's Graph, for its own audience. Shown without leaving the
 * machine: the named clouds' Graph client and token resource, and a US Government and a China
 * context whose addresses are the emulator's (its audience still the cloud's), whose Graph token
 * the emulator issues for that audience and its Graph (the global one) then refuses.
 */
describe('national clouds', () => {
  const RELATIONSHIPS_ROUTE = 'GET /v1.0/tenantRelationships/delegatedAdminRelationships';
  const NATIONAL = {
    AzureUSGovernment: 'https://graph.microsoft.us',
    AzureChinaCloud: 'https://microsoftgraph.chinacloudapi.cn',
  } as const satisfies Partial<Record<EnvironmentName, string>>;
  const CLOUDS = Object.keys(NATIONAL) as (keyof typeof NATIONAL)[];

  let partner: EmulatedPartner;
  beforeAll(async () => {
    partner = await emulatedPartner({ customers: 5 });
  });
  afterAll(() => partner.dispose());

  /** Saves a context of `cloud` under `name`, with the default context's sign-in. */
  async function saveContext(name: string, environment: (typeof ENVIRONMENTS)[EnvironmentName]) {
    const stores = storesFor(partner.env);
    const seeded = (await stores.contexts.read('default'))!;
    await stores.contexts.write({ ...seeded, name, environment });
    const { clientSecret } = stores.tokens.read('default')!;
    stores.tokens.write(name, { clientSecret });
    return stores;
  }

  describe.each(CLOUDS)('a %s context', (cloud) => {
    const graph = NATIONAL[cloud];

    it("asks its cloud's Graph, for its cloud's audience, with its cloud's scopes", async () => {
      expect(graphOf(ENVIRONMENTS[cloud])).toEqual({ endpoint: graph, audience: graph });
      const resource = tokenResource(ENVIRONMENTS[cloud], 'Graph');
      expect(resource.audience).toBe(graph);
      expect(scopeOf(resource, 'ServicePrincipal')).toBe(`${graph}/.default`);
      expect(scopeOf(resource, 'RefreshToken')).toBe(
        `${graph}/DelegatedAdminRelationship.Read.All`,
      );
      // The run's Graph client is made for that endpoint (no request is sent to make it).
      await saveContext(`named-${cloud}`, ENVIRONMENTS[cloud]);
      const said: string[] = [];
      const services = createCmdletServices({
        env: { ...partner.env, PARTNERCENTER_CONTEXT: `named-${cloud}` },
        contextName: `named-${cloud}`,
        correlationId: '00000000-0000-0000-0000-000000000001',
        signal: new AbortController().signal,
        verbose: (line) => said.push(line),
      });
      await services.graph();
      expect(said).toEqual([expect.stringContaining(`(Microsoft Graph at ${graph}, tenant `)]);
    });

    it('is not refused: the GDAP cmdlets get a Graph token for its audience and send it to its Graph', async () => {
      const environment = resolveEnvironment(cloud, {
        apiEndpoint: partner.emulator.apiEndpoint,
        authorityHost: partner.emulator.authorityHost,
        graphEndpoint: partner.emulator.graphEndpoint,
      });
      expect(environment.graphAudience).toBe(graph);
      const stores = await saveContext(`custom-${cloud}`, environment);
      partner.emulator.resetCounters();
      const result = await runInProcess(
        await loadCmdlet('Get-PartnerGdapRelationship'),
        ['-First', '1'],
        {
          env: { ...partner.env, PARTNERCENTER_CONTEXT: `custom-${cloud}` },
        },
      );
      // The emulator is the global Graph: it refuses a token for another cloud's Graph, as Graph
      // refuses a token whose audience is not its own.
      expect(result.code).toBe(3);
      expect(result.stderr).toMatch(
        /^Get-PartnerGdapRelationship: Microsoft Graph rejected the access token /,
      );
      expect(result.stderr).toContain(
        `the access token's audience '${graph}' is not Microsoft Graph`,
      );
      expect(partner.emulator.counters().requests[RELATIONSHIPS_ROUTE]).toBeGreaterThanOrEqual(1);
      const kept = stores.tokens.read(`custom-${cloud}`)!.accessTokensByResource!;
      expect(Object.keys(kept)).toEqual([graph]);
      expect(readAccessTokenClaims(kept[graph]!.token).aud).toBe(graph);
    });
  });
});
