import { NotFoundError } from '../lib/common/errors.js';
import {
  type CmdletContext,
  type CmdletDefinition,
  defineCmdlet,
  TextOutput,
} from '../lib/cmdlet-support/cmdlet.js';
import { aboutTopics, findAboutTopic, renderAboutTopic } from '../lib/host/help/about-topics.js';
import { type HelpView, renderHelp } from '../lib/host/help/render-help.js';
import { helpWidth, tableRow, wrap } from '../lib/host/help/text-layout.js';
import { loadCmdlet } from '../lib/host/load-cmdlet.js';
import { findManifestCmdlet, readManifest } from '../lib/host/module-manifest.js';
import { hasWildcard, wildcardMatcher } from '../lib/host/wildcard.js';

export default defineCmdlet({
  name: 'Get-Help',
  synopsis: 'Shows help for a cmdlet of the module, or an about_ topic.',
  description:
    'Shows the help of a cmdlet, generated from the same declaration its ' +
    'parameter binder uses, so it always matches what the cmdlet accepts: ' +
    'NAME, SYNOPSIS, SYNTAX (one line per parameter set), DESCRIPTION, ' +
    'PARAMETERS, INPUTS, OUTPUTS, EXAMPLES and RELATED LINKS; -Detailed adds ' +
    'the notes, -Full the common parameters too. "<Cmdlet> -?" shows the same ' +
    'page. On a terminal, a page longer than the screen goes through the pager: ' +
    'PARTNERCENTER_PAGER, else PAGER, else "less -FRX" (empty or "cat" for ' +
    'none); a pipe or a file gets the text as it is. With an about_ topic name it shows that topic (about_ExitCodes, ' +
    'about_CommonParameters, about_Parameters, about_Pipelines); with ' +
    'wildcards it lists the cmdlets and topics that match; without a name it ' +
    'lists everything there is help for.',
  defaultParameterSet: 'Default',
  parameters: {
    Name: {
      type: 'string',
      position: 0,
      description:
        'A cmdlet name (any case), an about_ topic, or a pattern with * and ? wildcards.',
    },
    Detailed: {
      type: 'switch',
      sets: ['Detailed'],
      mandatory: true,
      description: "Adds the cmdlet's notes to its help page.",
    },
    Full: {
      type: 'switch',
      sets: ['Full'],
      mandatory: true,
      description: 'Adds the notes and the details of the common parameters.',
    },
    Examples: {
      type: 'switch',
      sets: ['Examples'],
      mandatory: true,
      description: 'Shows only the name, synopsis and examples.',
    },
    Parameter: {
      type: 'string',
      sets: ['Parameter'],
      mandatory: true,
      description: 'Shows only this parameter (a name, a prefix, or a pattern with wildcards).',
    },
    Online: {
      type: 'switch',
      sets: ['Online'],
      mandatory: true,
      description:
        "Writes the address of the public documentation of the cmdlet's Partner Center (or " +
        'Microsoft Graph) operation, and opens it in the browser when someone is at a ' +
        'terminal with a display (or BROWSER names a browser). Never waits for the browser.',
    },
  },
  inputs: 'None.',
  outputType: 'HelpText',
  // A help page is read by a person: on a terminal, a long one goes through the pager ($PAGER).
  pagedText: true,
  examples: [
    { title: 'The help page of a cmdlet', code: 'Get-Help Get-PartnerCustomer' },
    { title: 'Only the examples', code: 'Get-Help Get-PartnerCustomer -Examples' },
    { title: 'One parameter', code: 'Get-Help Get-PartnerCustomer -Parameter PageSize' },
    {
      title: "The Partner Center documentation of the cmdlet's operation, in the browser",
      code: 'Get-Help Get-PartnerCustomer -Online',
    },
    { title: 'The exit codes every cmdlet uses', code: 'Get-Help about_ExitCodes' },
    { title: 'Every cmdlet and topic about customers', code: "Get-Help '*Customer*'" },
  ],
  async *run(p, context) {
    const columns = context.terminalColumns;
    const name = p.Name?.trim();
    if (!name) {
      yield new TextOutput(overview(columns));
      return;
    }
    const topic = findAboutTopic(name);
    if (topic) {
      yield new TextOutput(renderAboutTopic(topic, columns));
      return;
    }
    if (hasWildcard(name)) {
      yield new TextOutput(listing(wildcardMatcher(name), columns));
      return;
    }
    const entry = findManifestCmdlet(name);
    if (!entry) {
      throw new NotFoundError(
        `Get-Help cannot find help for '${name.slice(0, 80)}': it is neither a cmdlet ` +
          'of the module nor a help topic.',
        {
          hint: 'Run Get-Command to list the cmdlets, or Get-Help with no name for every topic.',
        },
      );
    }
    const definition = await loadCmdlet(entry.name);
    if (p.Online) {
      yield new TextOutput(await openOnline(definition, context));
      return;
    }
    const view: HelpView = p.Full
      ? 'full'
      : p.Detailed
        ? 'detailed'
        : p.Examples
          ? 'examples'
          : p.Parameter !== undefined
            ? 'parameter'
            : 'default';
    yield new TextOutput(renderHelp(definition, { view, parameter: p.Parameter, width: columns }));
  },
});

/**
 * -Online: the address always goes to stdout (a script can use it); the browser opens only for
 * someone at a terminal.
 */
async function openOnline(
  definition: Pick<CmdletDefinition, 'name' | 'helpUri'>,
  context: CmdletContext,
): Promise<string> {
  const url = definition.helpUri;
  if (!url) {
    throw new NotFoundError(
      'The online version of this Help topic cannot be displayed because ' +
        `${definition.name} names no Internet address (URI) for it: it calls no ` +
        'Partner Center or Graph operation.',
      { hint: `Run Get-Help ${definition.name} -Full for its whole help.` },
    );
  }
  if (context.interactive) {
    const { openInBrowser } = await import('../lib/host/help/browser.js');
    if (await openInBrowser(url, context.env)) context.inform(`Opening ${url} in the browser.`);
  }
  return url;
}

function overview(columns: number | undefined): string {
  const width = helpWidth(columns);
  const manifest = readManifest();
  return [
    '',
    'TOPIC',
    `    ${manifest.name} module help`,
    '',
    'SHORT DESCRIPTION',
    wrap(manifest.description, width, '    '),
    '',
    'LONG DESCRIPTION',
    wrap(
      "Get-Help <Cmdlet> shows a cmdlet's help; <Cmdlet> -? does too. " +
        'Get-Command lists the cmdlets. Every cmdlet writes NDJSON unless ' +
        '-OutputFormat says otherwise, and takes pipeline input by property name.',
      width,
      '    ',
    ),
    '',
    listing(() => true, columns),
  ].join('\n');
}

function listing(matches: (name: string) => boolean, columns: number | undefined): string {
  const width = helpWidth(columns);
  const rows = [
    ...readManifest().cmdlets.map((cmdlet) => [cmdlet.name, 'Cmdlet', cmdlet.synopsis] as const),
    ...aboutTopics.map((topic) => [topic.name, 'HelpFile', topic.synopsis] as const),
  ].filter(([name]) => matches(name));
  if (rows.length === 0) return 'No cmdlet or help topic matches.';
  const nameWidth = Math.max(4, ...rows.map(([name]) => name.length)) + 2;
  const header = `${'Name'.padEnd(nameWidth)}${'Category'.padEnd(10)}Synopsis`;
  const rule = `${'----'.padEnd(nameWidth)}${'--------'.padEnd(10)}--------`;
  const lines = rows.map((row) => tableRow(row, [nameWidth, 10], width));
  return [header, rule, ...lines].join('\n');
}
