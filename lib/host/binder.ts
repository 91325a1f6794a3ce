/**
 * The binder: command line first (names, positions, validation, common parameters), then, once per
 * run, the parameter set, pipeline properties, environment fallbacks and defaults. Everything a
 * cmdlet receives has passed its declaration's checks before the cmdlet starts.
 */
import type { CmdletDefinition, ParameterDeclaration } from '../cmdlet-support/cmdlet.js';
import { UsageError } from '../common/errors.js';
import {
  normaliseArguments,
  type NamedArgument,
  refuseRepeat,
  resolveName,
} from './argv-normaliser.js';
import {
  type CommonParameterValues,
  type ErrorAction,
  type Encoding,
  type OutputFormat,
  isCommonParameterName,
} from './common-parameters.js';
import {
  belongsToSet,
  candidateSets,
  declarationOf,
  parameterSetNames,
  resolveParameterSet,
} from './parameter-sets.js';
import { type ParameterEntry, parameterTable } from './parameter-table.js';
import { convertParameterValue, quote } from './parameter-values.js';

export interface CommandLineBinding {
  /** The cmdlet's own parameters given on the command line, converted and validated. */
  given: ReadonlyMap<string, unknown>;
  common: CommonParameterValues;
  /** The sets that still fit what was given. */
  candidateSets: string[];
  /**
   * Parameters that pipeline objects may still bind: by property name, not given, in a candidate
   * set.
   */
  pipelineParameters: string[];
  /** `secret` parameters given as `-` on the command line, whose value was then read from stdin. */
  secretsFromStdin?: readonly string[];
  /** Bound from an object of values (an in-process call): nothing was typed on a command line. */
  fromValues?: boolean;
}

export interface CompleteBinding {
  parameters: Record<string, unknown>;
  parameterSet: string;
  /** Values of `secret` parameters, for redaction. */
  secrets: string[];
}

export async function bindCommandLine(
  definition: CmdletDefinition<any>,
  argv: readonly string[],
): Promise<CommandLineBinding> {
  const table = parameterTable(definition);
  const { named, positional } = normaliseArguments(table, argv, definition.name);
  // -? and -Version skip the parse: they are the start-up paths people feel most, and the
  // cmdlet does not run, so its own values need not be valid.
  const asked = (['Help', 'Version'] as const).find((name) => named.some(asksFor(name)));
  if (asked) {
    return {
      given: new Map(),
      common: commonValues(new Map([[asked, true]])),
      candidateSets: parameterSetNames(definition),
      pipelineParameters: [],
    };
  }
  const parsed =
    named.length === 0 ? new Map<ParameterEntry, unknown>() : await parseWithYargs(named);
  const given = new Map<string, unknown>();
  const commonRaw = new Map<string, unknown>();
  for (const [entry, raw] of parsed) {
    if (entry.common)
      commonRaw.set(
        entry.name,
        convertParameterValue(entry.name, entry.declaration, raw, { kind: 'commandLine' }),
      );
  }
  const common = commonValues(commonRaw);
  // With -? the cmdlet does not run, so its own values need not be valid.
  if (common.help)
    return { given, common, candidateSets: parameterSetNames(definition), pipelineParameters: [] };
  for (const [entry, raw] of parsed) {
    if (!entry.common)
      given.set(
        entry.name,
        convertParameterValue(entry.name, entry.declaration, raw, { kind: 'commandLine' }),
      );
  }

  let candidates = candidateSets(definition, [...given.keys()]);
  for (const word of positional) {
    const next = nextPositional(definition, candidates, given);
    if (!next) {
      throw new UsageError(
        `A positional parameter cannot be found that accepts argument ${quote(word)}.`,
        {
          hint:
            `Name the parameter (-Name value); for a value after '--', check the cmdlet ` +
            `takes it by position: run '${definition.name} -?'.`,
        },
      );
    }
    given.set(
      next.name,
      convertParameterValue(next.name, next.declaration, word, { kind: 'commandLine' }),
    );
    candidates = candidateSets(definition, [...given.keys()]);
  }
  return {
    given,
    common,
    candidateSets: candidates,
    pipelineParameters: pipelineParametersOf(definition, given, candidates),
  };
}

/**
 * The in-process counterpart of bindCommandLine: the cmdlet's parameters as an object of values
 * (`{ PageSize: 100 }`), named and converted exactly as on a command line (names in any case,
 * aliases and unambiguous prefixes; the same checks and messages). Common parameters are the
 * command line's business: an in-process caller has options for what they do.
 */
export function bindGivenValues(
  definition: CmdletDefinition<any>,
  values: Readonly<Record<string, unknown>>,
): CommandLineBinding {
  const table = parameterTable(definition);
  const given = new Map<string, unknown>();
  const common = new Map<string, unknown>();
  const typedAs = new Map<string, string>();
  for (const [typed, raw] of Object.entries(values)) {
    if (raw === undefined) continue;
    const entry = resolveName(table, typed, definition.name);
    refuseRepeat(typedAs, entry, typed);
    // -ErrorAction means the same in-process: which failed pipeline objects end the call; so do
    // -WhatIf, -Confirm and -Force of a cmdlet that changes things (the question then goes to the
    // caller's onConfirm).
    if (entry.common && inProcessCommon.has(entry.name)) {
      common.set(
        entry.name,
        convertParameterValue(entry.name, entry.declaration, raw, { kind: 'commandLine' }),
      );
      continue;
    }
    if (entry.common)
      throw new UsageError(`-${entry.name} is a parameter of the command line only.`, {
        hint:
          'In-process calls take options (env, signal, onMessage, onError, onConfirm) instead ' +
          'of common parameters; ErrorAction (and WhatIf, Confirm, Force of a cmdlet that ' +
          'changes things) are the ones they take.',
      });
    given.set(
      entry.name,
      convertParameterValue(entry.name, entry.declaration, raw, { kind: 'commandLine' }),
    );
  }
  const candidates = candidateSets(definition, [...given.keys()]);
  return {
    given,
    common: commonValues(common),
    candidateSets: candidates,
    pipelineParameters: pipelineParametersOf(definition, given, candidates),
    fromValues: true,
  };
}

/** The common parameters an in-process call takes (in-process-options.ts). */
const inProcessCommon = new Set(['ErrorAction', 'WhatIf', 'Confirm', 'Force']);

/** Parameters a pipeline object may still bind: by property name, not given, in a candidate set. */
function pipelineParametersOf(
  definition: CmdletDefinition<any>,
  given: ReadonlyMap<string, unknown>,
  candidates: readonly string[],
): string[] {
  return Object.entries(definition.parameters)
    .filter(([name, declaration]) => declaration.pipeline === 'byPropertyName' && !given.has(name))
    .filter(([, declaration]) => candidates.some((set) => belongsToSet(declaration, set)))
    .map(([name]) => name);
}

/**
 * Resolves the set for one run and fills in what was not given: `fromPipeline` (already converted),
 * then each parameter's environment variable, then its default.
 */
export function completeBinding(
  definition: CmdletDefinition<any>,
  commandLine: CommandLineBinding,
  env: NodeJS.ProcessEnv,
  fromPipeline: ReadonlyMap<string, unknown> = new Map(),
): CompleteBinding {
  const bound = new Map<string, unknown>([...commandLine.given, ...fromPipeline]);
  const fromEnv = (declaration: ParameterDeclaration) =>
    declaration.env ? env[declaration.env] : undefined;
  const present = (name: string) =>
    bound.has(name) || Boolean(fromEnv(declarationOf(definition, name)));
  const parameterSet = resolveParameterSet(definition, [...bound.keys()], present);
  const parameters: Record<string, unknown> = {};
  const secrets: string[] = [];
  for (const [name, declaration] of Object.entries(definition.parameters)) {
    if (!belongsToSet(declaration, parameterSet)) continue;
    const value = filledIn(name, declaration, bound, env);
    if (value === undefined) continue;
    parameters[name] = value;
    if (declaration.type === 'secret' && typeof value === 'string') secrets.push(value);
  }
  return { parameters, parameterSet, secrets };
}

/**
 * A parameter's value for the whole run, as completeBinding fills it in (given, else its
 * environment variable, else its default), for what the host itself reads of a run
 * (-ThrottleLimit, -First and -ResumeFile of a fan-out) before any pipeline object is bound.
 */
export function runValue(
  definition: CmdletDefinition<any>,
  binding: CommandLineBinding,
  env: NodeJS.ProcessEnv,
  name: string,
): unknown {
  const declaration = definition.parameters[name];
  return declaration && filledIn(name, declaration, binding.given, env);
}

/** What was bound, else the environment variable's value (converted), else the default. */
function filledIn(
  name: string,
  declaration: ParameterDeclaration,
  bound: ReadonlyMap<string, unknown>,
  env: NodeJS.ProcessEnv,
): unknown {
  const value = bound.get(name);
  if (value !== undefined) return value;
  const variable = declaration.env;
  const envText = variable ? env[variable] : undefined;
  if (variable && envText)
    return convertParameterValue(name, declaration, envText, { kind: 'environment', variable });
  return declaration.default ?? (declaration.type === 'switch' ? false : undefined);
}

/**
 * The unbound positional parameter next in line, preferring the default set where positions clash.
 */
function nextPositional(
  definition: CmdletDefinition<any>,
  candidates: readonly string[],
  given: ReadonlyMap<string, unknown>,
): { name: string; declaration: ParameterDeclaration } | undefined {
  const sets = parameterSetNames(definition).filter((set) => candidates.includes(set));
  let best:
    | { name: string; declaration: ParameterDeclaration; position: number; setRank: number }
    | undefined;
  for (const [name, declaration] of Object.entries(definition.parameters)) {
    if (declaration.position === undefined || given.has(name)) continue;
    const setRank = sets.findIndex((set) => belongsToSet(declaration, set));
    if (setRank < 0) continue;
    if (
      !best ||
      declaration.position < best.position ||
      (declaration.position === best.position && setRank < best.setRank)
    ) {
      best = { name, declaration, position: declaration.position, setRank };
    }
  }
  return best;
}

function asksFor(name: 'Help' | 'Version'): (argument: NamedArgument) => boolean {
  return ({ entry, value }) =>
    entry.common &&
    entry.name === name &&
    convertParameterValue(name, entry.declaration, value, { kind: 'commandLine' }) === true;
}

/**
 * yargs does the final parse of the canonical words the normaliser produced (docs/ARCHITECTURE.md,
 * "Stack facts"). Its parser is loaded only when there is something to parse: it is a good part of
 * start-up.
 */
async function parseWithYargs(
  named: readonly NamedArgument[],
): Promise<Map<ParameterEntry, unknown>> {
  const { default: yargsParser } = await import('yargs-parser');
  const words: string[] = [];
  const options = { string: [] as string[], array: [] as string[] };
  for (const { entry, value } of named) {
    if (!options.string.includes(entry.name)) options.string.push(entry.name);
    if (entry.declaration.type === 'string[]' && !options.array.includes(entry.name))
      options.array.push(entry.name);
    for (const item of Array.isArray(value) ? value : [value])
      words.push(`--${entry.name}=${String(item)}`);
  }
  const result = yargsParser(words, {
    ...options,
    configuration: {
      'short-option-groups': false,
      'camel-case-expansion': false,
      'dot-notation': false,
      'parse-numbers': false,
      'parse-positional-numbers': false,
      'boolean-negation': false,
      'duplicate-arguments-array': true,
      'flatten-duplicate-arrays': true,
      'greedy-arrays': false,
    },
  });
  const values = new Map<ParameterEntry, unknown>();
  for (const { entry } of named) {
    if (!Object.hasOwn(result, entry.name)) continue;
    const value: unknown = result[entry.name];
    const list = [value].flat();
    // The normaliser refused a repeated parameter, so only a list has more than one value.
    values.set(entry, entry.declaration.type === 'string[]' ? list.map(String) : list[0]);
  }
  return values;
}

function commonValues(raw: ReadonlyMap<string, unknown>): CommonParameterValues {
  const get = (name: string) => {
    if (!isCommonParameterName(name)) throw new Error(`not a common parameter: ${name}`);
    return raw.get(name);
  };
  return {
    verbose: get('Verbose') === true,
    debug: get('Debug') === true,
    errorAction: get('ErrorAction') as ErrorAction | undefined,
    outputFormat: get('OutputFormat') as OutputFormat | undefined,
    encoding: (get('Encoding') as Encoding | undefined) ?? 'utf8',
    property: get('Property') as string[] | undefined,
    contextName: get('Context') as string | undefined,
    help: get('Help') === true,
    version: get('Version') === true,
    whatIf: get('WhatIf') as boolean | undefined,
    confirm: get('Confirm') as boolean | undefined,
    force: get('Force') as boolean | undefined,
  };
}
