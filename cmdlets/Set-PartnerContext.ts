import { UsageError } from '../lib/common/errors.js';
import { defineCmdlet } from '../lib/cmdlet-support/cmdlet.js';
import { CONTEXT_SETTINGS_COLUMNS, viewOf } from '../lib/session/context-view.js';
import { MAX_RETRY_LIMIT } from '../lib/session/retry-settings.js';
import { noSavedContext } from '../lib/session/stores.js';

export default defineCmdlet({
  name: 'Set-PartnerContext',
  synopsis: 'Changes the preferences saved with a context, such as its default output format.',
  description:
    'Changes preferences saved with a context. -DefaultOutputFormat sets the ' +
    'format commands use on a terminal when -OutputFormat is not given (Table ' +
    'suits people); when stdout is not a terminal the output stays NDJSON ' +
    'unless -OutputFormat says otherwise, so pipelines and scripts never ' +
    'change behaviour. -MaxRetry and -MaxRetryWaitSeconds set how persistent ' +
    'every command of this context is against throttling and transient ' +
    'failures (see Get-Help about_Retries). PARTNERCENTER_OUTPUT_FORMAT, ' +
    'PARTNERCENTER_MAX_RETRY and PARTNERCENTER_MAX_RETRY_WAIT override them ' +
    'for one shell.',
  parameters: {
    Name: {
      type: 'string',
      position: 0,
      aliases: ['ContextName'],
      description: 'The context to change; default the current one.',
    },
    DefaultOutputFormat: {
      type: 'string',
      choices: ['Ndjson', 'Json', 'Csv', 'Table'],
      description: 'The output format on a terminal.',
    },
    MaxRetry: {
      type: 'int',
      range: [0, MAX_RETRY_LIMIT],
      description: 'Retries per request before a command gives up (default 5).',
    },
    MaxRetryWaitSeconds: {
      type: 'int',
      range: [0, 86_400],
      description:
        'The most one request may spend waiting between retries, in seconds (default 300).',
    },
  },
  inputs: 'None.',
  outputType: 'ContextView',
  outputs: 'The changed context as saved, with its settings.',
  view: CONTEXT_SETTINGS_COLUMNS,
  terminalFormat: () => 'List',
  examples: [
    {
      title: 'Tables on the terminal from now on',
      code: 'Set-PartnerContext -DefaultOutputFormat Table',
    },
    {
      title: 'A patient runbook context',
      code: 'Set-PartnerContext runbook -MaxRetry 10 -MaxRetryWaitSeconds 900',
    },
  ],
  async *run(p, context) {
    const changes = {
      ...(p.DefaultOutputFormat !== undefined ? { outputFormat: p.DefaultOutputFormat } : {}),
      ...(p.MaxRetry !== undefined ? { maxRetry: p.MaxRetry } : {}),
      ...(p.MaxRetryWaitSeconds !== undefined
        ? { maxRetryWaitSeconds: p.MaxRetryWaitSeconds }
        : {}),
    };
    if (Object.keys(changes).length === 0) {
      throw new UsageError('Nothing to change.', {
        hint: 'Give -DefaultOutputFormat, -MaxRetry or -MaxRetryWaitSeconds.',
      });
    }
    const { contexts, tokens } = await context.services.stores();
    const named = p.Name ?? context.contextName;
    const name = await contexts.resolveName(named);
    const saved = await contexts.read(name);
    if (!saved) throw noSavedContext(name, contexts, named !== undefined);
    const changed = { ...saved, ...changes };
    await contexts.write(changed);
    // The context as saved, the settings just changed included (defaultOutputFormat, maxRetry...).
    yield viewOf(changed, tokens.read(name), name === (await contexts.resolveName(undefined)));
  },
});
