import { NotConnectedError } from '../lib/errors.js';
import { defineCmdlet } from '../lib/host/cmdlet.js';
import { CONTEXT_VIEW_COLUMNS, viewOf } from '../lib/session/context-view.js';
import { storesFor } from '../lib/session/session.js';

interface Parameters extends Record<string, unknown> {
  Name?: string;
  DefaultOutputFormat?: string;
}

export default defineCmdlet<Parameters>({
  name: 'Set-PartnerContext',
  synopsis: 'Changes the preferences saved with a context, such as its default output format.',
  description:
    'Changes preferences saved with a context. -DefaultOutputFormat sets the format commands use on a terminal when -OutputFormat is not given (Table suits people); when stdout is not a terminal the output stays NDJSON unless -OutputFormat says otherwise, so pipelines and scripts never change behaviour. PARTNERCENTER_OUTPUT_FORMAT overrides it for one shell.',
  parameters: {
    Name: { type: 'string', position: 0, aliases: ['ContextName'], description: 'The context to change; default the current one.' },
    DefaultOutputFormat: { type: 'string', mandatory: true, choices: ['Ndjson', 'Json', 'Csv', 'Table'], description: 'The output format on a terminal.' },
  },
  inputs: 'None.',
  outputs: 'The changed context.',
  view: CONTEXT_VIEW_COLUMNS,
  examples: [{ title: 'Tables on the terminal from now on', code: 'Set-PartnerContext -DefaultOutputFormat Table' }],
  async *run(p, context) {
    const { contexts, tokens } = storesFor(context.env);
    const current = await contexts.resolveName(context.contextName);
    const name = await contexts.resolveName(p.Name ?? current);
    const saved = await contexts.read(name);
    if (!saved) throw new NotConnectedError(`There is no saved context named '${name}'.`, { hint: 'Run Connect-Partner first.' });
    const changed = { ...saved, outputFormat: p.DefaultOutputFormat };
    await contexts.write(changed);
    yield viewOf(changed, tokens.read(name), name === current);
  },
});
