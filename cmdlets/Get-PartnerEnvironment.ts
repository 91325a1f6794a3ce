import { defineCmdlet } from '../lib/cmdlet-support/cmdlet.js';
import { ENVIRONMENTS } from '../lib/session/environments.js';

export default defineCmdlet({
  name: 'Get-PartnerEnvironment',
  synopsis: 'Lists the Partner Center clouds and the custom environments of saved contexts.',
  description:
    'Lists the Partner Center clouds Connect-Partner -Environment knows ' +
    '(AzureCloud, AzureChinaCloud, AzureUSGovernment), each with its API ' +
    'endpoint, Entra ID authority host, token audience and app-only scope, ' +
    'followed by the custom environments (-ApiEndpoint / -AuthorityHost, such ' +
    'as the emulator) that saved contexts use.',
  parameters: {
    Name: {
      type: 'string',
      position: 0,
      description: 'Only the environment with this name (case-insensitive).',
    },
  },
  inputs: 'None.',
  outputs:
    'Environment objects: name, apiEndpoint, authorityHost, audience, scope, ' +
    'custom, and for custom ones the contexts using them.',
  view: [
    { name: 'Name', path: 'name' },
    { name: 'ApiEndpoint', path: 'apiEndpoint' },
    { name: 'AuthorityHost', path: 'authorityHost' },
  ],
  examples: [
    { title: 'List every environment', code: 'Get-PartnerEnvironment -OutputFormat Table' },
    { title: "The China cloud's endpoints", code: 'Get-PartnerEnvironment AzureChinaCloud' },
  ],
  async *run(p, context) {
    const wanted = p.Name?.toLowerCase();
    const matches = (name: string) => wanted === undefined || name.toLowerCase() === wanted;
    for (const environment of Object.values(ENVIRONMENTS)) {
      if (matches(environment.name))
        yield { ...environment, scope: `${environment.audience}/.default`, custom: false };
    }
    const { contexts } = await context.services.stores();
    const custom = new Map<
      string,
      { apiEndpoint: string; authorityHost: string; audience: string; contexts: string[] }
    >();
    for (const name of contexts.list()) {
      const saved = await contexts.read(name).catch(() => undefined);
      if (saved?.environment.name !== 'Custom') continue;
      const key = `${saved.environment.apiEndpoint} ${saved.environment.authorityHost}`;
      const entry = custom.get(key) ?? { ...saved.environment, contexts: [] };
      entry.contexts.push(name);
      custom.set(key, entry);
    }
    for (const entry of custom.values()) {
      if (matches('Custom'))
        yield {
          name: 'Custom',
          apiEndpoint: entry.apiEndpoint,
          authorityHost: entry.authorityHost,
          audience: entry.audience,
          scope: `${entry.audience}/.default`,
          custom: true,
          contexts: entry.contexts,
        };
    }
  },
});
