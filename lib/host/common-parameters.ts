/**
 * The parameters every cmdlet takes, handled by the host rather than the cmdlet. Declared in the
 * same shape as a cmdlet's own parameters, so the binder, help (about_CommonParameters) and
 * completion read one list.
 */
import type { ParameterDeclaration } from '../cmdlet-support/cmdlet.js';

export const outputFormats = ['Ndjson', 'Json', 'Csv', 'Table', 'List'] as const;
export type OutputFormat = (typeof outputFormats)[number];

export const encodings = ['utf8', 'utf8BOM'] as const;
export type Encoding = (typeof encodings)[number];

// Kept with the Node API's options, whose published types must not reach Node's through this file.
import { type ErrorAction, errorActions } from './in-process-options.js';

export { type ErrorAction, errorActions };

export const commonParameters = {
  Verbose: {
    type: 'switch',
    description: 'Writes what the cmdlet is doing to stderr, each line prefixed with "VERBOSE: ".',
    aliases: ['vb'],
  },
  Debug: {
    type: 'switch',
    description:
      'Writes a trace (HTTP method, URL, status, timing, headers) to stderr, ' +
      'each line prefixed with "DEBUG: ". Tokens and secrets are redacted. ' +
      'Unexpected errors also show their stack.',
    aliases: ['db'],
  },
  ErrorAction: {
    type: 'string',
    description:
      'What happens when one pipeline input object fails (a customer the partner ' +
      'may not read, one that does not exist): Continue (the default, as in ' +
      'PowerShell) writes one line for it on stderr, goes on, and ends with a ' +
      'summary line; SilentlyContinue goes on without the lines (the summary ' +
      'with -Verbose); Ignore goes on without a word; Stop ends the run at the ' +
      'first failure. Whichever, a run in which some object failed exits 1. ' +
      'What ends any run (sign-in expired, throttling past the retries, Ctrl-C) ' +
      'still ends it. PARTNERCENTER_ERROR_ACTION_PREFERENCE sets the default ' +
      "(as PowerShell's $ErrorActionPreference; Ignore only as the parameter).",
    choices: errorActions,
    default: 'Continue',
    env: 'PARTNERCENTER_ERROR_ACTION_PREFERENCE',
    aliases: ['ea'],
  },
  OutputFormat: {
    type: 'string',
    description:
      'How output objects are written: Ndjson (one JSON object per line; always ' +
      'the default when stdout is not a terminal), Json (one array), Csv (RFC ' +
      '4180, safe to open in a spreadsheet), Table or List. On a terminal the ' +
      'default is a Table, or a List for a command that writes one object, ' +
      'unless a format was saved with the context (see about_OutputFormats).',
    choices: outputFormats,
    aliases: ['of'],
  },
  Encoding: {
    type: 'string',
    description:
      'utf8 (the default, as in PowerShell 7) or utf8BOM: the Csv output then ' +
      'starts with a UTF-8 byte-order mark, so Excel opens names in every script ' +
      'right instead of reading the file in the local code page. Only with ' +
      '-OutputFormat Csv (JSON forbids a byte-order mark).',
    choices: encodings,
    default: 'utf8',
  },
  Property: {
    type: 'string[]',
    description:
      'The properties to output, as dotted paths (e.g. ' +
      'id,companyProfile.domain); for every format.',
  },
  Context: {
    type: 'string',
    description: 'The saved context (connection) to use instead of the default one.',
    env: 'PARTNERCENTER_CONTEXT',
  },
  Help: {
    type: 'switch',
    description: 'Shows help for the cmdlet instead of running it.',
    aliases: ['?'],
  },
  Version: {
    type: 'switch',
    description:
      'Prints the module\'s name and version ("PartnerCenter 1.2.3") instead of running the ' +
      'cmdlet; --version works too. Get-Command lists every cmdlet with it.',
  },
} as const satisfies Record<string, ParameterDeclaration>;

/**
 * The parameters the host adds to a cmdlet that declares `changes` (PowerShell's risk-management
 * parameters, and the -Force that PowerShell cmdlets conventionally add beside them); refused as
 * unknown by every other cmdlet. What they do: lib/host/confirm.ts.
 */
export const shouldProcessParameters = {
  WhatIf: {
    type: 'switch',
    description:
      'Shows what would change instead of changing it: the cmdlet still reads what it needs, ' +
      'sends no change, and writes one line per change on stderr ("What if: Performing the ' +
      'operation ... on target ...", with each property before → after). Nothing is asked. ' +
      "PARTNERCENTER_WHATIF_PREFERENCE=true sets it by default (as PowerShell's " +
      '$WhatIfPreference); -WhatIf:$false then runs for real.',
    aliases: ['wi'],
    env: 'PARTNERCENTER_WHATIF_PREFERENCE',
  },
  Confirm: {
    type: 'switch',
    description:
      'Asks on the terminal before each change, whatever its impact ([Y] Yes [A] Yes to All ' +
      '[N] No [L] No to All). -Confirm:$false (or --Confirm=false) never asks, whatever ' +
      'PARTNERCENTER_CONFIRM_PREFERENCE says. Without it, the cmdlet asks when its impact is ' +
      'at least PARTNERCENTER_CONFIRM_PREFERENCE (High by default).',
    aliases: ['cf'],
  },
  Force: {
    type: 'switch',
    description:
      'Makes the changes without asking, also where no terminal is there to ask (a runbook, ' +
      'CI); -Confirm given as well still asks.',
  },
} as const satisfies Record<string, ParameterDeclaration>;

export type CommonParameterName =
  | keyof typeof commonParameters
  | keyof typeof shouldProcessParameters;

/**
 * The common parameters of one cmdlet, in the order help lists them: the risk-management ones
 * first for a cmdlet that declares `changes` (PowerShell's SYNTAX shows [-WhatIf] [-Confirm]
 * before [<CommonParameters>]), then those of every cmdlet.
 */
export function commonParametersOf(definition: {
  changes?: unknown;
}): ReadonlyArray<[CommonParameterName, ParameterDeclaration]> {
  const own = definition.changes === undefined ? {} : shouldProcessParameters;
  return Object.entries({ ...own, ...commonParameters }) as Array<
    [CommonParameterName, ParameterDeclaration]
  >;
}

export interface CommonParameterValues {
  verbose: boolean;
  debug: boolean;
  /** Undefined when not given: the run then takes the preference or the default (item-failures.ts). */
  errorAction?: ErrorAction;
  /** Undefined when not given: the host then picks the default for where stdout goes. */
  outputFormat?: OutputFormat;
  encoding: Encoding;
  property?: string[];
  contextName?: string;
  help: boolean;
  version: boolean;
  /** -WhatIf given (true) or turned off (-WhatIf:$false); undefined when not given. */
  whatIf?: boolean;
  /** -Confirm given (true) or -Confirm:$false (false); undefined when not given. */
  confirm?: boolean;
  /** -Force given (true) or -Force:$false; undefined when not given. */
  force?: boolean;
}

export function isCommonParameterName(name: string): name is CommonParameterName {
  return Object.hasOwn(commonParameters, name) || Object.hasOwn(shouldProcessParameters, name);
}
