import { defineCmdlet } from '../lib/cmdlet-support/cmdlet.js';

export default defineCmdlet({
  name: 'Disconnect-Partner',
  synopsis: 'Signs out: removes a saved context and its tokens.',
  description:
    'Removes a saved context and everything the token store holds for it ' +
    '(access token, client secret). Without parameters it removes the current ' +
    'context (-Context, PARTNERCENTER_CONTEXT, or the default). Removing a ' +
    'context that does not exist is not an error, so a runbook can always ' +
    'clean up; the output says whether anything was removed.',
  defaultParameterSet: 'Current',
  parameters: {
    ContextName: {
      type: 'string',
      sets: ['Current'],
      position: 0,
      aliases: ['Name'],
      description: 'The context to remove; default the current one.',
    },
    All: {
      type: 'switch',
      sets: ['All'],
      mandatory: true,
      description: 'Remove every saved context and its tokens.',
    },
  },
  inputs: 'None.',
  outputType: 'RemovedContext',
  outputs: 'One object per context.',
  examples: [
    { title: 'Sign out of the current context', code: 'Disconnect-Partner' },
    { title: 'Remove a named context', code: 'Disconnect-Partner -ContextName prod' },
    { title: 'Remove everything', code: 'Disconnect-Partner -All' },
  ],
  async *run(p, context) {
    const { contexts, tokens } = await context.services.stores();
    const names = p.All
      ? [...new Set([...contexts.list(), ...tokens.list()])]
      : [await contexts.resolveName(p.ContextName ?? context.contextName)];
    for (const name of names) {
      // Tokens first: if this is interrupted, what is left is a context that asks to sign in again,
      // never a stray secret.
      const removedTokens = tokens.remove(name);
      const removedContext = contexts.remove(name);
      context.verbose(
        removedContext || removedTokens
          ? `Removed context '${name}' and its tokens.`
          : `There was no context named '${name}'.`,
      );
      yield { name, removed: removedContext || removedTokens };
    }
  },
});
