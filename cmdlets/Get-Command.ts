import { NotFoundError } from '../lib/common/errors.js';
import { defineCmdlet, TextOutput } from '../lib/cmdlet-support/cmdlet.js';
import { type CompletionCmdlet, completionShells } from '../lib/host/completion.js';
import { readManifest } from '../lib/host/module-manifest.js';
import { hasWildcard, wildcardMatcher } from '../lib/host/wildcard.js';

export default defineCmdlet({
  name: 'Get-Command',
  synopsis:
    'Lists the cmdlets of the module with its version, or prints a shell completion script.',
  description:
    'Lists the cmdlets of the module from its manifest, with their synopses and, as ' +
    "PowerShell's Get-Command does, the module's version and name (source), filtered " +
    'by -Name, -Verb and -Noun (each takes several values and * and ? wildcards, ' +
    'case-insensitive). Every cmdlet also prints the version alone with -Version. ' +
    'With -Completion bash, zsh, fish or powershell it prints a completion script for ' +
    'that shell instead: cmdlet names, parameter names and allowed values, generated ' +
    "from the cmdlets' declarations, and the names of the saved contexts after -Context.",
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
      choices: completionShells,
      description:
        'Prints a completion script for this shell: cmdlet and parameter names, allowed ' +
        'values, and the saved contexts after -Context. Load it with: source ' +
        '<(Get-Command -Completion bash) (zsh the same); Get-Command -Completion fish | ' +
        'source; in PowerShell, Get-Command -Completion powershell | Out-String | ' +
        "Invoke-Expression (there Get-Help and Get-Command are PowerShell's own).",
    },
  },
  inputs: 'None.',
  outputType: 'CommandInfo',
  outputs: 'One object per cmdlet; with -Completion, a shell script instead.',
  view: [
    { name: 'Name', path: 'name', kind: 'id' },
    { name: 'Version', path: 'version', kind: 'id' },
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
    { title: "The module's version", code: 'Get-Command -Version' },
    { title: 'The cmdlets about contexts', code: 'Get-Command -Noun *Context' },
    {
      title: 'Tab completion in bash (add to ~/.bashrc)',
      code: 'source <(Get-Command -Completion bash)',
    },
    {
      title: 'Tab completion in fish (add to ~/.config/fish/config.fish)',
      code: 'Get-Command -Completion fish | source',
    },
    {
      title: 'Tab completion in PowerShell (add to $PROFILE)',
      code: 'Get-Command -Completion powershell | Out-String | Invoke-Expression',
    },
  ],
  async *run(p) {
    const manifest = readManifest();
    const cmdlets = manifest.cmdlets;
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
      yield {
        name: cmdlet.name,
        verb,
        noun,
        synopsis: cmdlet.synopsis,
        version: manifest.version,
        source: manifest.name,
      };
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

/** The parameters of the context cmdlets that name a saved context. */
const contextParameters: Record<string, readonly string[]> = {
  'Select-PartnerContext': ['Name'],
  'Set-PartnerContext': ['Name'],
  'Disconnect-Partner': ['ContextName'],
};

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
      return { name, definition, extraValues, contextParameters: contextParameters[name] };
    }),
  );
}
