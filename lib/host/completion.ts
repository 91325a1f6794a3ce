/**
 * Shell completion scripts for bash, zsh, fish and PowerShell, generated from the cmdlets'
 * declarations: cmdlet names, parameter names, choice values, values of position-0 parameters, and
 * the names of the saved contexts after -Context (and the context cmdlets' own name parameter).
 * Everything but the context names is embedded in the script, so pressing TAB never starts node;
 * the context names are the files of the config directory's contexts/ folder, listed by the shell
 * itself as TAB is pressed (a context saved later completes too). Regenerate after upgrading.
 */
import type { CmdletDefinition, ParameterDeclaration } from '../cmdlet-support/cmdlet.js';
import { APP_DIR_NAME } from '../session/config-dir.js';
import { commonParameters, shouldProcessParameters } from './common-parameters.js';

export const completionShells = ['bash', 'zsh', 'fish', 'powershell'] as const;
export type CompletionShell = (typeof completionShells)[number];

export interface CompletionCmdlet {
  name: string;
  /** Absent when the cmdlet could not be loaded: it then completes the common parameters only. */
  definition?: CmdletDefinition<any>;
  /**
   * Values for parameters whose choices are not in the declaration (Get-Help -Name: cmdlet names,
   * topics).
   */
  extraValues?: Record<string, readonly string[]>;
  /** Parameters whose value names a saved context (Select-PartnerContext -Name). */
  contextParameters?: readonly string[];
}

/**
 * Words the script may hold: no quotes, spaces or glob characters, so no quoting is ever needed.
 */
const safeWord = /^[A-Za-z0-9_.:+-]+$/;

/** What one parameter completes to. */
interface ParameterModel {
  name: string;
  aliases: string[];
  isSwitch: boolean;
  /** Known values (choices, cmdlet names), or `contexts` for the saved contexts' names. */
  values: readonly string[] | 'contexts';
  position0: boolean;
  description: string;
}

interface CmdletModel {
  name: string;
  parameters: ParameterModel[];
}

function parameterModel(
  name: string,
  declaration: ParameterDeclaration,
  values: readonly string[] | 'contexts',
): ParameterModel {
  return {
    name,
    aliases: (declaration.aliases ?? []).filter((alias) => safeWord.test(alias)),
    isSwitch: declaration.type === 'switch',
    values: values === 'contexts' ? values : [...new Set(values)].filter((v) => safeWord.test(v)),
    position0: declaration.position === 0,
    description: declaration.description,
  };
}

function commonModels(): ParameterModel[] {
  return (Object.entries(commonParameters) as Array<[string, ParameterDeclaration]>).map(
    ([name, declaration]) =>
      parameterModel(
        name,
        declaration,
        name === 'Context' ? 'contexts' : (declaration.choices ?? []),
      ),
  );
}

function cmdletModels(cmdlets: readonly CompletionCmdlet[]): CmdletModel[] {
  return cmdlets
    .filter((cmdlet) => safeWord.test(cmdlet.name))
    .map((cmdlet) => ({
      name: cmdlet.name,
      parameters: [
        ...Object.entries(cmdlet.definition?.parameters ?? {})
          .filter(([name, declaration]) => !declaration.hidden && safeWord.test(name))
          .map(([name, declaration]) =>
            parameterModel(
              name,
              declaration,
              cmdlet.contextParameters?.includes(name)
                ? 'contexts'
                : [...(declaration.choices ?? []), ...(cmdlet.extraValues?.[name] ?? [])],
            ),
          ),
        // -Force, -WhatIf, -Confirm: only where the cmdlet declares that it changes things.
        ...(cmdlet.definition?.changes
          ? Object.entries(shouldProcessParameters).map(([name, declaration]) =>
              parameterModel(name, declaration, []),
            )
          : []),
      ],
    }));
}

export function completionScript(
  shell: CompletionShell,
  cmdlets: readonly CompletionCmdlet[],
  platform: NodeJS.Platform = process.platform,
): string {
  const models = cmdletModels(cmdlets);
  const common = commonModels();
  switch (shell) {
    case 'bash':
      return bashScript(models, common, platform);
    case 'zsh':
      return zshScript(models, common, platform);
    case 'fish':
      return fishScript(models, common, platform);
    case 'powershell':
      return powerShellScript(models, common);
  }
}

/** How a parameter can appear as the previous word, lower-cased: its name and its aliases. */
function spellings(parameter: ParameterModel): string[] {
  return [parameter.name, ...parameter.aliases].map((spelling) => `-${spelling.toLowerCase()}`);
}

/**
 * The lookup every script shares, as pairs: `Cmdlet|params`, `Cmdlet|switches`,
 * `Cmdlet|positional`, `Cmdlet|-spelling` (a parameter's values) and `*|-spelling` (a common
 * parameter's, for any cmdlet). A value of `contexts` means the saved contexts' names.
 */
function lookupTable(
  models: readonly CmdletModel[],
  common: readonly ParameterModel[],
): Array<[string[], readonly string[] | 'contexts']> {
  const table: Array<[string[], readonly string[] | 'contexts']> = [];
  const hasValues = (p: ParameterModel) => p.values === 'contexts' || p.values.length > 0;
  for (const cmdlet of models) {
    const all = [...cmdlet.parameters, ...common];
    table.push([[`${cmdlet.name}|params`], all.map((p) => `-${p.name}`)]);
    table.push([[`${cmdlet.name}|switches`], all.filter((p) => p.isSwitch).flatMap(spellings)]);
    for (const parameter of cmdlet.parameters.filter(hasValues)) {
      table.push([spellings(parameter).map((s) => `${cmdlet.name}|${s}`), parameter.values]);
      if (parameter.position0) table.push([[`${cmdlet.name}|positional`], parameter.values]);
    }
  }
  for (const parameter of common.filter(hasValues))
    table.push([spellings(parameter).map((s) => `*|${s}`), parameter.values]);
  return table.filter(([, values]) => values === 'contexts' || values.length > 0);
}

/**
 * The config directory as a POSIX shell expression, as resolveConfigDir (lib/session/config-dir.ts)
 * finds it on the platform the script is made on.
 */
function posixConfigDir(platform: NodeJS.Platform): string {
  const base =
    platform === 'darwin' ? '$HOME/Library/Preferences' : `\${XDG_CONFIG_HOME:-$HOME/.config}`;
  return `\${PARTNERCENTER_CONFIG_DIR:-${base}/${APP_DIR_NAME}}`;
}

/** The words function of bash and zsh: `case` over the lookup table. */
function posixWordsFunction(
  models: readonly CmdletModel[],
  common: readonly ParameterModel[],
  platform: NodeJS.Platform,
): string {
  const cases = lookupTable(models, common).map(([keys, values]) => {
    const pattern = keys
      .map((key) => (key.startsWith('*|') ? `*'${key.slice(1)}'` : `'${key}'`))
      .join('|');
    const body = values === 'contexts' ? '__partnercenter_contexts' : `echo '${values.join(' ')}'`;
    return `    ${pattern}) ${body} ;;`;
  });
  return [
    '# The saved contexts: the files of the config directory (see Get-Help about_CommonParameters).',
    '__partnercenter_contexts() {',
    '  local f',
    `  command ls -1 "${posixConfigDir(platform)}/contexts" 2>/dev/null | while IFS= read -r f; do`,
    `    case $f in *.json) printf '%s ' "\${f%.json}" ;; esac`,
    '  done',
    '}',
    '',
    '__partnercenter_words() {',
    '  case "$1|$2" in',
    ...cases,
    '  esac',
    '}',
  ].join('\n');
}

const header = (shell: CompletionShell, load: string) =>
  `# PartnerCenter ${shell} completion, generated by: Get-Command -Completion ${shell}
# Load it from your shell's start-up file, e.g.:  ${load}
`;

function bashScript(
  models: readonly CmdletModel[],
  common: readonly ParameterModel[],
  platform: NodeJS.Platform,
): string {
  return `${header('bash', 'source <(Get-Command -Completion bash)')}
${posixWordsFunction(models, common, platform)}

__partnercenter_complete() {
  local cmd=\${COMP_WORDS[0]##*/} cur=\${COMP_WORDS[COMP_CWORD]} prev='' words='' w
  (( COMP_CWORD > 1 )) && prev=\${COMP_WORDS[COMP_CWORD-1]}
  COMPREPLY=()
  if [[ $cur == -* ]]; then
    words=$(__partnercenter_words "$cmd" params)
  else
    words=$(__partnercenter_words "$cmd" "\${prev,,}")
    if [[ -z $words ]]; then
      # The value of a parameter with no known values: leave it to file-name completion.
      [[ $prev == -* && " $(__partnercenter_words "$cmd" switches) " != *" \${prev,,} "* ]] && return
      words=$(__partnercenter_words "$cmd" positional)
    fi
  fi
  # Parameter names and values are case-insensitive, so matching is too.
  for w in $words; do
    [[ \${w,,} == "\${cur,,}"* ]] && COMPREPLY+=("$w")
  done
}

complete -o default -F __partnercenter_complete ${models.map((m) => m.name).join(' ')}
`;
}

function zshScript(
  models: readonly CmdletModel[],
  common: readonly ParameterModel[],
  platform: NodeJS.Platform,
): string {
  return `${header('zsh', 'source <(Get-Command -Completion zsh)')}
${posixWordsFunction(models, common, platform)}

__partnercenter_complete() {
  local cmd=\${words[1]:t} cur=\${words[CURRENT]} prev='' list=''
  (( CURRENT > 2 )) && prev=\${words[CURRENT-1]}
  if [[ $cur == -* ]]; then
    list=$(__partnercenter_words $cmd params)
  else
    list=$(__partnercenter_words $cmd \${(L)prev})
    if [[ -z $list ]]; then
      if [[ $prev == -* && " $(__partnercenter_words $cmd switches) " != *" \${(L)prev} "* ]]; then
        _files
        return
      fi
      list=$(__partnercenter_words $cmd positional)
    fi
  fi
  if [[ -n $list ]]; then
    compadd -M 'm:{a-zA-Z}={A-Za-z}' -- \${=list}
  else
    _files
  fi
}

if ! (( $+functions[compdef] )); then
  autoload -Uz compinit && compinit
fi
compdef __partnercenter_complete ${models.map((m) => m.name).join(' ')}
`;
}

/** A fish single-quoted string. */
function fishQuote(text: string): string {
  return `'${text.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}

/** The first sentence of a description, short enough for fish's pager. */
function shortDescription(text: string): string {
  const first = (text.split(/(?<=\.)\s/)[0] ?? text).replace(/\s+/g, ' ');
  return first.length > 70 ? `${first.slice(0, 69)}…` : first;
}

/**
 * fish: one `complete` line per parameter, with -o (fish's "old-style" option, `-Name` with one
 * dash), so fish lists them with their descriptions and matches them in any case.
 */
function fishScript(
  models: readonly CmdletModel[],
  common: readonly ParameterModel[],
  platform: NodeJS.Platform,
): string {
  const base =
    platform === 'darwin'
      ? '$HOME/Library/Preferences'
      : '(set -q XDG_CONFIG_HOME; and echo $XDG_CONFIG_HOME; or echo $HOME/.config)';
  const lines: string[] = [
    header('fish', 'Get-Command -Completion fish | source'),
    'function __partnercenter_contexts',
    '    set -l dir $PARTNERCENTER_CONFIG_DIR',
    `    test -n "$dir"; or set dir ${base}/${APP_DIR_NAME}`,
    '    for file in $dir/contexts/*.json',
    '        basename $file .json',
    '    end',
    'end',
    '',
  ];
  const valuesOf = (p: ParameterModel) =>
    p.values === 'contexts' ? '(__partnercenter_contexts)' : p.values.join(' ');
  for (const cmdlet of models) {
    for (const parameter of [...cmdlet.parameters, ...common]) {
      const options = [parameter.name, ...parameter.aliases].map((s) => `-o ${s}`).join(' ');
      const hasValues = parameter.values === 'contexts' || parameter.values.length > 0;
      const argument = parameter.isSwitch
        ? ''
        : hasValues
          ? ` -x -a ${fishQuote(valuesOf(parameter))}`
          : ' -r';
      lines.push(
        `complete -c ${cmdlet.name} ${options}${argument} -d ${fishQuote(shortDescription(parameter.description))}`,
      );
    }
    const positional = cmdlet.parameters.find((p) => p.position0 && p.values.length > 0);
    // A word that is not a parameter name: the position-0 parameter's values, not file names.
    const notAParameter = `-n 'not string match -q -- "-*" (commandline -ct)'`;
    if (positional)
      lines.push(
        `complete -c ${cmdlet.name} -f ${notAParameter} -a ${fishQuote(valuesOf(positional))}`,
      );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * PowerShell: one native argument completer for every command (the bin/ commands are
 * applications to PowerShell). Get-Help and Get-Command are left out: in PowerShell those names
 * are its own cmdlets, which win over an application of the same name.
 */
function powerShellScript(
  models: readonly CmdletModel[],
  common: readonly ParameterModel[],
): string {
  const shadowed = new Set(['Get-Help', 'Get-Command']);
  const kept = models.filter((m) => !shadowed.has(m.name));
  const entries = lookupTable(kept, common).flatMap(([keys, values]) =>
    keys.map(
      (key) =>
        `  '${key}' = ${values === 'contexts' ? "'@contexts'" : `@(${values.map((v) => `'${v}'`).join(', ')})`}`,
    ),
  );
  return `${header('powershell', 'Get-Command -Completion powershell | Out-String | Invoke-Expression')}
$__partnercenterWords = @{
${entries.join('\n')}
}

function __partnercenterContexts {
  $dir = $env:PARTNERCENTER_CONFIG_DIR
  if (-not $dir) {
    $dir = if ($IsWindows -or $env:OS -eq 'Windows_NT') { Join-Path $env:APPDATA '${APP_DIR_NAME}' }
      elseif ($IsMacOS) { Join-Path $HOME 'Library/Preferences/${APP_DIR_NAME}' }
      elseif ($env:XDG_CONFIG_HOME) { Join-Path $env:XDG_CONFIG_HOME '${APP_DIR_NAME}' }
      else { Join-Path $HOME '.config/${APP_DIR_NAME}' }
  }
  Get-ChildItem -Path (Join-Path $dir 'contexts') -Filter '*.json' -File -ErrorAction Ignore |
    ForEach-Object { $_.BaseName }
}

Register-ArgumentCompleter -Native -CommandName @(${kept.map((m) => `'${m.name}'`).join(', ')}) -ScriptBlock {
  param($wordToComplete, $commandAst, $cursorPosition)
  $cmd = [System.IO.Path]::GetFileNameWithoutExtension($commandAst.CommandElements[0].Extent.Text)
  # The words up to the cursor; the last of them is the one being completed, when there is one.
  $elements = @($commandAst.CommandElements | Where-Object { $_.Extent.StartOffset -lt $cursorPosition })
  $n = $elements.Count
  if ($wordToComplete -ne '') { $n-- }
  $prev = if ($n -gt 1) { $elements[$n - 1].Extent.Text.ToLowerInvariant() } else { '' }
  $lookup = {
    param($key)
    $found = $__partnercenterWords["$cmd|$key"]
    if ($null -eq $found) { $found = $__partnercenterWords["*|$key"] }
    if ($found -eq '@contexts') { $found = @(__partnercenterContexts) }
    $found
  }
  $words = if ($wordToComplete.StartsWith('-')) { & $lookup 'params' }
    else {
      $values = & $lookup $prev
      if ($null -ne $values) { $values }
      elseif (-not $prev.StartsWith('-') -or @(& $lookup 'switches') -contains $prev) { & $lookup 'positional' }
    }
  # Parameter names and values are case-insensitive (-like is), so matching is too.
  @($words) | Where-Object { $_ -and $_ -like "$wordToComplete*" } | ForEach-Object {
    [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
  }
}
`;
}
