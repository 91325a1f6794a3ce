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

export type CommonParameterName = keyof typeof commonParameters;

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
}

export function isCommonParameterName(name: string): name is CommonParameterName {
  return Object.hasOwn(commonParameters, name);
}
