/**
 * National clouds: Graph documents the GDAP APIs for the global service, US Government L4 and L5
 * and China operated by 21Vianet (docs/graph-gdap.md, "National clouds"), so a context of a
 * national cloud asks its own cloud's Graph, for its own audience. Shown without leaving the
 * machine: the named clouds' Graph client and token resource, and a US Government and a China
 * context whose addresses are the emulator's (its audience still the cloud's), whose Graph token
 * the emulator issues for that audience and its Graph (the global one) then refuses.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createCmdletServices } from '../../lib/cmdlet-support/services.js';
import {
  ENVIRONMENTS,
  graphOf,
  resolveEnvironment,
  type EnvironmentName,
} from '../../lib/session/environments.js';
import { readAccessTokenClaims } from '../../lib/session/jwt-claims.js';
import { storesFor } from '../../lib/session/session.js';
import { scopeOf, tokenResource } from '../../lib/session/token-resources.js';
import { loadCmdlet } from '../../lib/host/load-cmdlet.js';
import { runInProcess } from '../fixtures/host/run-in-process.js';
import { emulatedPartner, type EmulatedPartner } from '../support/emulated-partner.js';

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
    expect(scopeOf(resource, 'RefreshToken')).toBe(`${graph}/DelegatedAdminRelationship.Read.All`);
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
