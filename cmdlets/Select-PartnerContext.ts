import { defineCmdlet } from '../lib/cmdlet-support/cmdlet.js';
import { CONTEXT_VIEW_COLUMNS, viewOf } from '../lib/session/context-view.js';
import { validateContextName } from '../lib/session/context-store.js';
import { noSavedContext } from '../lib/session/stores.js';

export default defineCmdlet({
  name: 'Select-PartnerContext',
  synopsis: 'Makes a saved context the default for later commands.',
  description:
    'Makes a saved context the default: later commands without -Context (and ' +
    'without PARTNERCENTER_CONTEXT) use it. The context must exist; ' +
    'Get-PartnerContext -ListAvailable shows the saved ones. Safe to run from ' +
    'several processes at once: the default is one small file written atomically.',
  parameters: {
    Name: {
      type: 'string',
      mandatory: true,
      position: 0,
      aliases: ['ContextName'],
      pipeline: 'byPropertyName',
      description: 'The name of the saved context.',
    },
  },
  inputs: 'Context objects (from Get-PartnerContext -ListAvailable): their name binds to -Name.',
  outputType: 'ContextView',
  outputs: 'The selected context.',
  view: CONTEXT_VIEW_COLUMNS,
  terminalFormat: () => 'List',
  examples: [
    { title: 'Make the production context the default', code: 'Select-PartnerContext prod' },
    {
      title: 'Use another context for one command only',
      code: 'Get-PartnerCustomer -Context test -First 5',
    },
  ],
  async *run(p, context) {
    const name = validateContextName(p.Name);
    const { contexts, tokens } = await context.services.stores();
    const saved = await contexts.read(name);
    if (!saved) throw noSavedContext(name, contexts, true);
    await contexts.setDefault(name);
    yield viewOf(saved, tokens.read(name), true);
  },
});
