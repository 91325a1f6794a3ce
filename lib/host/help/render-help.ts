/**
 * A cmdlet's help page, generated from its declaration (the one the binder uses), so help cannot
 * drift from behaviour. Sections and their order follow PowerShell's Get-Help.
 */
import type { CmdletDefinition, ParameterDeclaration } from '../../cmdlet-support/cmdlet.js';
import { UsageError } from '../../common/errors.js';
import { commonParameters, shouldProcessParameters } from '../common-parameters.js';
import { parameterSetNames } from '../parameter-sets.js';
import { typeNames } from '../parameter-values.js';
import { syntaxLines, valueSyntax } from './syntax.js';
import { hasWildcard, wildcardMatcher } from '../wildcard.js';
import { helpWidth, indentLines, wrap } from './text-layout.js';
import { outputsSection } from './outputs-section.js';

export type HelpView = 'default' | 'detailed' | 'full' | 'examples' | 'parameter';

export interface HelpOptions {
  view: HelpView;
  /** With view 'parameter': a name or prefix, `*` wildcards allowed. */
  parameter?: string;
  width?: number;
}

const tab = '    ';

export function renderHelp(definition: CmdletDefinition<any>, options: HelpOptions): string {
  const width = helpWidth(options.width);
  const section = (title: string, body: string) => `${title}\n${body}\n`;
  const para = (text: string) => wrap(text, width, tab);
  const parts: string[] = [''];
  if (options.view === 'parameter') {
    return `\n${parameterBlocks(definition, selectParameters(definition, options.parameter ?? '*'), width)}\n`;
  }
  parts.push(section('NAME', `${tab}${definition.name}`));
  parts.push(section('SYNOPSIS', para(definition.synopsis)));
  if (options.view === 'examples') {
    parts.push(examples(definition, width));
    return parts.join('\n');
  }
  parts.push(
    section(
      'SYNTAX',
      syntaxLines(definition)
        .map((line) => wrap(line, width, tab, tab + tab))
        .join('\n\n'),
    ),
  );
  parts.push(section('DESCRIPTION', para(definition.description)));
  const visible = Object.keys(documentedParameters(definition));
  const common =
    options.view === 'full'
      ? commonParameterDetails(width)
      : wrap(commonParametersSentence(), width, tab + tab);
  parts.push(
    section(
      'PARAMETERS',
      [parameterBlocks(definition, visible, width), `${tab}<CommonParameters>\n${common}`]
        .filter(Boolean)
        .join('\n\n'),
    ),
  );
  parts.push(section('INPUTS', para(definition.inputs ?? inputsFromDeclaration(definition))));
  parts.push(section('OUTPUTS', outputsSection(definition, width, options.view === 'full')));
  if ((options.view === 'full' || options.view === 'detailed') && definition.notes)
    parts.push(section('NOTES', para(definition.notes)));
  if (definition.examples.length > 0) parts.push(examples(definition, width));
  if (definition.helpUri)
    parts.push(section('RELATED LINKS', `${tab}Online Version: ${definition.helpUri}`));
  parts.push(
    section(
      'REMARKS',
      [
        `To see the examples, type: "Get-Help ${definition.name} -Examples".`,
        `For more information, type: "Get-Help ${definition.name} -Detailed".`,
        `For technical information, type: "Get-Help ${definition.name} -Full".`,
        ...(definition.helpUri
          ? [`For online help, type: "Get-Help ${definition.name} -Online".`]
          : []),
        `For exit codes, type: "Get-Help about_ExitCodes".`,
      ]
        .map(para)
        .join('\n'),
    ),
  );
  return parts.join('\n');
}

/**
 * The parameters a page documents: the cmdlet's own that are not hidden, then -Force, -WhatIf and
 * -Confirm of a cmdlet that changes things, as PowerShell's help lists -WhatIf and -Confirm among
 * the parameters (-Confirm saying when this cmdlet asks without it).
 */
function documentedParameters(
  definition: CmdletDefinition<any>,
): Readonly<Record<string, ParameterDeclaration>> {
  const documented: Record<string, ParameterDeclaration> = {};
  for (const [name, declaration] of Object.entries(definition.parameters))
    if (!declaration.hidden) documented[name] = declaration;
  const changes = definition.changes;
  if (!changes) return documented;
  const asks =
    changes.confirmImpact === 'High'
      ? 'so it asks by default'
      : changes.confirmImpact === 'Medium'
        ? 'so it asks only when PARTNERCENTER_CONFIRM_PREFERENCE is Medium or Low'
        : 'so it asks only when PARTNERCENTER_CONFIRM_PREFERENCE is Low';
  for (const [name, declaration] of Object.entries(shouldProcessParameters)) {
    documented[name] =
      name === 'Confirm'
        ? {
            ...declaration,
            description:
              `${declaration.description} This cmdlet's impact is ` +
              `${changes.confirmImpact}, ${asks}.`,
          }
        : declaration;
  }
  return documented;
}

function parameterBlocks(
  definition: CmdletDefinition<any>,
  names: readonly string[],
  width: number,
): string {
  const sets = parameterSetNames(definition);
  const documented = documentedParameters(definition);
  return names
    .flatMap((name) => {
      const declaration = documented[name];
      return declaration ? [parameterBlock(name, declaration, sets, width)] : [];
    })
    .join('\n\n');
}

function parameterBlock(
  name: string,
  declaration: ParameterDeclaration,
  allSets: readonly string[],
  width: number,
): string {
  const rows: Array<[string, string]> = [
    ['Type', typeNames[declaration.type]],
    ['Required?', required(declaration)],
    ['Position?', declaration.position === undefined ? 'named' : String(declaration.position)],
    ['Default value', declaration.default === undefined ? 'None' : String(declaration.default)],
    [
      'Accept pipeline input?',
      declaration.pipeline === 'byPropertyName' ? 'True (ByPropertyName)' : 'False',
    ],
    ['Aliases', declaration.aliases?.length ? declaration.aliases.join(', ') : 'None'],
  ];
  if (declaration.choices) rows.push(['Accepted values', declaration.choices.join(', ')]);
  if (declaration.range)
    rows.push(['Accepted range', `${declaration.range[0]}..${declaration.range[1]}`]);
  if (declaration.pattern) rows.push(['Accepted values', declaration.pattern.allowed]);
  if (declaration.mustExist) rows.push(['Must exist?', 'True']);
  if (declaration.env) rows.push(['Environment variable', declaration.env]);
  if (allSets.length > 1) rows.push(['Parameter sets', declaration.sets?.join(', ') ?? 'All']);
  const heading =
    declaration.type === 'switch' ? `${tab}-${name}` : `${tab}-${name} ${valueSyntax(declaration)}`;
  const table = rows.map(([label, value]) => `${tab}${tab}${label.padEnd(28)} ${value}`).join('\n');
  return `${heading}\n${wrap(declaration.description, width, tab + tab)}\n\n${table}`;
}

function required(declaration: ParameterDeclaration): string {
  if (declaration.mandatory === true) return 'true';
  if (Array.isArray(declaration.mandatory) && declaration.mandatory.length > 0)
    return `true (${declaration.mandatory.join(', ')})`;
  return 'false';
}

function selectParameters(definition: CmdletDefinition<any>, pattern: string): string[] {
  const names = Object.keys(documentedParameters(definition));
  // Like the binder, a plain name also matches as a prefix; an exact name wins.
  const isMatch = wildcardMatcher(hasWildcard(pattern) ? pattern : `${pattern}*`);
  const exact = names.filter((name) => name.toLowerCase() === pattern.toLowerCase());
  const matches = exact.length > 0 ? exact : names.filter(isMatch);
  if (matches.length === 0) {
    throw new UsageError(`${definition.name} has no parameter that matches '${pattern}'.`, {
      hint:
        `Its parameters are: ${names.map((name) => `-${name}`).join(' ') || 'none'} ` +
        '(and the common parameters, see about_CommonParameters).',
    });
  }
  return matches;
}

function examples(definition: CmdletDefinition<any>, width: number): string {
  return definition.examples
    .map((example, index) => {
      const rule = `-------------------------- EXAMPLE ${index + 1} --------------------------`;
      const lines = [
        `${tab}${rule}`,
        wrap(example.title, width, tab),
        '',
        indentLines(example.code, tab),
      ];
      if (example.remarks) lines.push('', wrap(example.remarks, width, tab));
      return `${lines.join('\n')}\n`;
    })
    .join('\n');
}

function inputsFromDeclaration(definition: CmdletDefinition<any>): string {
  const piped = Object.entries(definition.parameters).filter(
    ([, declaration]) => declaration.pipeline === 'byPropertyName',
  );
  if (piped.length === 0) return 'None. This cmdlet does not take pipeline input.';
  const names = piped.map(([name, declaration]) =>
    [name, ...(declaration.aliases ?? [])].join(' or '),
  );
  return `NDJSON objects on stdin, bound by property name: ${names.join('; ')}.`;
}

export function commonParametersSentence(): string {
  const names = Object.keys(commonParameters).map((name) => `-${name}`);
  return (
    `This cmdlet supports the common parameters: ${names.join(', ')}. For more ` +
    'information, type "Get-Help about_CommonParameters".'
  );
}

export function commonParameterDetails(
  width: number,
  parameters: Readonly<Record<string, ParameterDeclaration>> = commonParameters,
): string {
  return Object.entries(parameters)
    .map(([name, declaration]) => {
      const decl = declaration as ParameterDeclaration;
      const heading = decl.type === 'switch' ? `-${name}` : `-${name} ${valueSyntax(decl)}`;
      const aliases = decl.aliases?.length
        ? ` (alias ${decl.aliases.map((alias) => `-${alias}`).join(', ')})`
        : '';
      return `${tab}${tab}${heading}${aliases}\n${wrap(decl.description, width, tab + tab + tab)}`;
    })
    .join('\n\n');
}
