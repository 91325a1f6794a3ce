import { NotFoundError } from '../lib/common/errors.js';
import { defineCmdlet, TextOutput } from '../lib/cmdlet-support/cmdlet.js';
import type { CompletionCmdlet } from '../lib/host/completion.js';
import { readManifest } from '../lib/host/module-manifest.js';
import { hasWildcard, wildcardMatcher } from '../lib/host/wildcard.js';

export default defineCmdlet({
  name: 'Get-Command',
  synopsis: 'Lists the cmdlets of the module, or prints a shell completion script.',
  description:
    'Lists the cmdlets of the module from its manifest, with their synopses, ' +
    'filtered by -Name, -Verb and -Noun (each takes several values and * and ' +
    '? wildcards, case-insensitive). With -Completion bash or -Completion zsh ' +
    'it prints a completion script for that shell instead: cmdlet names, ' +
    "parameter names and allowed values, generated from the cmdlets' declarations.",
  defaultParameterSet: 'List',
  parameters: {
    Name: {
      type: 'string[]',
      sets: ['List'],
      position: 0,
      description: 'Cmdlet names or patterns (e.g. *Customer*).',
    },
    Verb: { type: 'string[]', sets: ['List'], description: 'Verbs or patterns (e.g. Get).' },
    Noun: { type: 'string[]', sets: ['List'], description: 'Nouns or patterns (e.g. Partner*).' },
    Completion: {
      type: 'string',
      sets: ['Completion'],
      mandatory: true,
      choices: ['bash', 'zsh'],
      description:
        'Prints a completion script for this shell. Load it with: source ' +
        '<(Get-Command -Completion bash).',
    },
  },
  inputs: 'None.',
  outputType: 'CommandInfo',
  outputs: 'One object per cmdlet; with -Completion, a shell script instead.',
  view: [
    { name: 'Name', path: 'name', kind: 'id' },
    { name: 'Synopsis', path: 'synopsis', kind: 'text' },
  ],
  // One cmdlet named exactly is one object: shown as a list, as PowerShell shows one command.
  terminalFormat: (given) =>
    given.Name?.length === 1 && !hasWildcard(given.Name.join()) && !given.Verb && !given.Noun
      ? 'List'
      : 'Table',
  examples: [
    { title: 'Every cmdlet, as a table', code: 'Get-Command -OutputFormat Table' },
    { title: 'The cmdlets that read', code: 'Get-Command -Verb Get' },
    { title: 'The cmdlets about contexts', code: 'Get-Command -Noun *Context' },
    {
      title: 'Tab completion in bash (add to ~/.bashrc)',
      code: 'source <(Get-Command -Completion bash)',
    },
  ],
  async *run(p) {
    const cmdlets = readManifest().cmdlets;
    if (p.Completion) {
      const { completionScript } = await import('../lib/host/completion.js');
      yield new TextOutput(
        completionScript(p.Completion, await completionData(cmdlets.map((cmdlet) => cmdlet.name))),
      );
      return;
    }
    const anyOf = (patterns: string[] | undefined) => {
      const matchers = patterns?.map(wildcardMatcher);
      return (text: string) => !matchers || matchers.some((matches) => matches(text));
    };
    const [nameOk, verbOk, nounOk] = [anyOf(p.Name), anyOf(p.Verb), anyOf(p.Noun)];
    const found = new Set<string>();
    for (const cmdlet of cmdlets) {
      const [verb, noun] = splitName(cmdlet.name);
      if (!nameOk(cmdlet.name) || !verbOk(verb) || !nounOk(noun)) continue;
      found.add(cmdlet.name.toLowerCase());
      yield { name: cmdlet.name, verb, noun, synopsis: cmdlet.synopsis };
    }
    // As in PowerShell, a name without wildcards that matches nothing is an error; a pattern is
    // not.
    const missing = (p.Name ?? []).filter(
      (name) => !hasWildcard(name) && !found.has(name.toLowerCase()),
    );
    if (missing.length > 0) {
      const names = missing.map((name) => `'${name.slice(0, 80)}'`).join(', ');
      throw new NotFoundError(
        `${names} ${missing.length === 1 ? 'is not a cmdlet' : 'are not cmdlets'} of the module.`,
        {
          hint: 'Run Get-Command without parameters to list the cmdlets.',
        },
      );
    }
  },
});

function splitName(name: string): [string, string] {
  const dash = name.indexOf('-');
  return dash < 0 ? [name, ''] : [name.slice(0, dash), name.slice(dash + 1)];
}

/** Every cmdlet's declaration; one that cannot be loaded still completes by name. */
async function completionData(names: string[]): Promise<CompletionCmdlet[]> {
  const [{ loadCmdlet }, { aboutTopics }] = await Promise.all([
    import('../lib/host/load-cmdlet.js'),
    import('../lib/host/help/about-topics.js'),
  ]);
  return Promise.all(
    names.map(async (name): Promise<CompletionCmdlet> => {
      const definition = await loadCmdlet(name).catch(() => undefined);
      const extraValues =
        name === 'Get-Help'
          ? { Name: [...names, ...aboutTopics.map((topic) => topic.name)] }
          : name === 'Get-Command'
            ? { Name: names }
            : undefined;
      return { name, definition, extraValues };
    }),
  );
}
