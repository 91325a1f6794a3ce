import { defineCmdlet } from '../lib/cmdlet-support/cmdlet.js';
import { ENVIRONMENTS, graphOf, type PartnerEnvironment } from '../lib/session/environments.js';
import { tokenResource } from '../lib/session/token-resources.js';
import type { EnvironmentView } from '../lib/session/views.js';

const graphEndpointOf = (environment: PartnerEnvironment) => graphOf(environment).endpoint;

/** An environment as shown: its endpoints, and the scopes an app-only sign-in asks for. */
function shown(
  environment: PartnerEnvironment,
): Omit<EnvironmentView, 'name' | 'custom' | 'contexts'> {
  const graph = tokenResource(environment, 'Graph');
  return {
    apiEndpoint: environment.apiEndpoint,
    authorityHost: environment.authorityHost,
    audience: environment.audience,
    scope: tokenResource(environment, 'PartnerCenter').appOnlyScope,
    graphEndpoint: graphEndpointOf(environment),
    graphAudience: graph.audience,
    graphScope: graph.appOnlyScope,
    graphDelegatedScope: graph.delegatedScope,
  };
}

export default defineCmdlet({
  name: 'Get-PartnerEnvironment',
  helpUri: 'https://learn.microsoft.com/partner-center/developer/partner-center-rest-urls',
  synopsis: 'Lists the Partner Center clouds and the custom environments of saved contexts.',
  description:
    'Lists the Partner Center clouds Connect-Partner -Environment knows ' +
    '(AzureCloud, AzureChinaCloud, AzureUSGovernment), each with its API ' +
    'endpoint, Entra ID authority host, token audience and app-only scope, and ' +
    'its Microsoft Graph endpoint, audience and scopes (app-only, and the ' +
    'delegated one user sign-ins ask for), followed by the custom environments ' +
    '(-ApiEndpoint / -AuthorityHost / -GraphEndpoint, such as the emulator) that ' +
    'saved contexts use.',
  parameters: {
    Name: {
      type: 'string',
      position: 0,
      description: 'Only the environment with this name (case-insensitive).',
    },
  },
  inputs: 'None.',
  outputType: 'EnvironmentView',
  view: [
    { name: 'Name', path: 'name', kind: 'id' },
    { name: 'ApiEndpoint', path: 'apiEndpoint', kind: 'id' },
    { name: 'AuthorityHost', path: 'authorityHost', kind: 'id', drop: 2 },
    { name: 'GraphEndpoint', path: 'graphEndpoint', kind: 'id', drop: 1 },
  ],
  // Each environment has nine long properties (endpoints, scopes): a table would cut them.
  terminalFormat: () => 'List',
  examples: [
    { title: 'List every environment', code: 'Get-PartnerEnvironment -OutputFormat Table' },
    { title: "The China cloud's endpoints", code: 'Get-PartnerEnvironment AzureChinaCloud' },
  ],
  async *run(p, context) {
    const wanted = p.Name?.toLowerCase();
    const matches = (name: string) => wanted === undefined || name.toLowerCase() === wanted;
    for (const environment of Object.values(ENVIRONMENTS)) {
      if (matches(environment.name))
        yield { name: environment.name, ...shown(environment), custom: false };
    }
    const { contexts } = await context.services.stores();
    const custom = new Map<string, { environment: PartnerEnvironment; contexts: string[] }>();
    for (const name of contexts.list()) {
      const saved = await contexts.read(name).catch(() => undefined);
      if (saved?.environment.name !== 'Custom') continue;
      const { apiEndpoint, authorityHost } = saved.environment;
      const key = `${apiEndpoint} ${authorityHost} ${graphEndpointOf(saved.environment)}`;
      const entry = custom.get(key) ?? { environment: saved.environment, contexts: [] };
      entry.contexts.push(name);
      custom.set(key, entry);
    }
    for (const entry of custom.values()) {
      if (matches('Custom'))
        yield {
          name: 'Custom',
          ...shown(entry.environment),
          custom: true,
          contexts: entry.contexts,
        };
    }
  },
});
