import { defineCmdlet } from '../lib/cmdlet-support/cmdlet.js';
import { CONTEXT_VIEW_COLUMNS, viewOf } from '../lib/session/context-view.js';
import { noSavedContext } from '../lib/session/stores.js';

export default defineCmdlet({
  name: 'Get-PartnerContext',
  synopsis: 'Shows the current session context (never any secret).',
  description:
    'Shows the context later commands will use: the environment and its ' +
    'endpoints, the tenant, the signed-in account, and when the stored access ' +
    'token expires. It reads only the saved files and makes no network call. ' +
    'With -ListAvailable it shows every saved context; isDefault (the Default ' +
    'column) marks the one commands use without -Context, which ' +
    'Select-PartnerContext chooses. Not connected is an error (exit code 3) that ' +
    'names the saved contexts, so a script can test for it.',
  defaultParameterSet: 'Current',
  parameters: {
    ListAvailable: {
      type: 'switch',
      sets: ['ListAvailable'],
      mandatory: true,
      description:
        'Show every saved context, the default one (Select-PartnerContext) marked isDefault.',
    },
  },
  inputs: 'None.',
  outputType: 'ContextView',
  outputs: 'One object per context; never a secret.',
  view: CONTEXT_VIEW_COLUMNS,
  terminalFormat: (given) => (given.ListAvailable ? 'Table' : 'List'),
  examples: [
    { title: 'Show the current context', code: 'Get-PartnerContext' },
    {
      title: 'Show the context a runbook will use',
      code: 'PARTNERCENTER_CONTEXT=prod Get-PartnerContext',
    },
    {
      title: 'List every saved context as a table',
      code: 'Get-PartnerContext -ListAvailable -OutputFormat Table',
    },
  ],
  async *run(p, context) {
    const { contexts, tokens } = await context.services.stores();
    const current = await contexts.resolveName(context.contextName);
    // isDefault is the saved default, whichever context -Context or PARTNERCENTER_CONTEXT shows.
    const defaultName = await contexts.resolveName(undefined);
    const names = p.ListAvailable ? contexts.list() : [current];
    for (const name of names) {
      const saved = await contexts.read(name);
      if (saved) yield viewOf(saved, tokens.read(name), name === defaultName);
      else if (!p.ListAvailable) {
        throw noSavedContext(name, contexts, context.contextName !== undefined);
      }
    }
  },
});
