/**
 * Parameter sets as PowerShell resolves them: the given parameters narrow the sets; of those left,
 * the one whose mandatory parameters are all present wins, the default set breaking ties;
 * parameters from sets that exclude each other are refused, naming the sets.
 */
import type { CmdletDefinition, ParameterDeclaration } from '../cmdlet-support/cmdlet.js';
import { MissingMandatoryError, UsageError } from '../common/errors.js';
import { capitalise } from '../common/text.js';

/** PowerShell's name for the one set of a cmdlet that declares none. */
export const allParameterSets = '__AllParameterSets';

/** Every set of the cmdlet, the default first, then in the order they first appear. */
export function parameterSetNames(definition: CmdletDefinition<any>): string[] {
  const names: string[] = [];
  if (definition.defaultParameterSet) names.push(definition.defaultParameterSet);
  for (const declaration of Object.values(definition.parameters)) {
    for (const set of declaration.sets ?? []) if (!names.includes(set)) names.push(set);
  }
  return names.length > 0 ? names : [allParameterSets];
}

export function belongsToSet(declaration: ParameterDeclaration, set: string): boolean {
  return declaration.sets === undefined || declaration.sets.includes(set);
}

export function isMandatoryIn(declaration: ParameterDeclaration, set: string): boolean {
  if (!belongsToSet(declaration, set)) return false;
  const mandatory = declaration.mandatory;
  return mandatory === true || (Array.isArray(mandatory) && mandatory.includes(set));
}

/**
 * The declaration of a parameter the definition names: the names come from the definition itself
 * (its keys, the binder's table), so a missing one is a bug, reported as one.
 */
export function declarationOf(
  definition: CmdletDefinition<any>,
  name: string,
): ParameterDeclaration {
  const declaration = definition.parameters[name];
  if (!declaration) throw new Error(`${definition.name} declares no parameter -${name}`);
  return declaration;
}

/** The sets that contain every one of the given (cmdlet, not common) parameters. */
export function candidateSets(
  definition: CmdletDefinition<any>,
  given: readonly string[],
): string[] {
  const sets = parameterSetNames(definition);
  const candidates = sets.filter((set) =>
    given.every((name) => belongsToSet(declarationOf(definition, name), set)),
  );
  if (candidates.length === 0) throw conflictingSetsError(definition, given);
  return candidates;
}

export function missingMandatory(
  definition: CmdletDefinition<any>,
  set: string,
  present: (name: string) => boolean,
): string[] {
  return Object.entries(definition.parameters)
    .filter(([name, declaration]) => isMandatoryIn(declaration, set) && !present(name))
    .map(([name]) => name);
}

/**
 * Chooses the set for a run. `present` says whether a parameter has a value (given, from the
 * environment, or from a pipeline object). Throws UsageError when no set fits.
 */
export function resolveParameterSet(
  definition: CmdletDefinition<any>,
  given: readonly string[],
  present: (name: string) => boolean,
): string {
  const candidates = candidateSets(definition, given);
  const complete = candidates.filter(
    (set) => missingMandatory(definition, set, present).length === 0,
  );
  const preferred = definition.defaultParameterSet;
  const [only, ...others] = complete;
  if (only !== undefined && others.length === 0) return only;
  if (others.length > 0) {
    if (preferred && complete.includes(preferred)) return preferred;
    throw new UsageError(
      'Parameter set cannot be resolved using the specified named parameters: ' +
        `they fit the sets ${complete.join(', ')}.`,
      {
        hint:
          `Add a parameter that only one of these sets has; run '${definition.name} ` +
          `-?' to see the sets.`,
      },
    );
  }
  const fallback =
    candidates.length === 1
      ? candidates[0]
      : preferred && candidates.includes(preferred)
        ? preferred
        : undefined;
  if (fallback)
    throw missingMandatoryError(
      definition,
      fallback,
      missingMandatory(definition, fallback, present),
    );
  const needs = candidates.map(
    (set) =>
      `${set} needs ${missingMandatory(definition, set, present)
        .map((name) => `-${name}`)
        .join(' ')}`,
  );
  throw new UsageError(
    `Parameter set cannot be resolved using the specified named parameters: ${needs.join('; ')}.`,
    {
      hint: `Run '${definition.name} -?' to see the sets.`,
    },
  );
}

function missingMandatoryError(
  definition: CmdletDefinition<any>,
  set: string,
  missing: string[],
): MissingMandatoryError {
  const declared = missing.map((name) => ({ name, ...declarationOf(definition, name) }));
  const fromPipeline = declared
    .filter((declaration) => declaration.pipeline === 'byPropertyName')
    .map(({ name }) => name);
  const fromEnv = declared
    .map((declaration) => declaration.env)
    .filter((name): name is string => Boolean(name));
  const ways = ['give it on the command line'];
  if (fromEnv.length > 0) ways.push(`set ${fromEnv.join(' or ')}`);
  if (fromPipeline.length > 0) {
    const article = /^[AEIOU]/i.test(fromPipeline[0] ?? '') ? 'an' : 'a';
    ways.push(`pipe in objects with ${article} ${fromPipeline.join('/')} property`);
  }
  const setText = parameterSetNames(definition).length > 1 ? ` (parameter set ${set})` : '';
  const names = missing.map((name) => `-${name}`).join(', ');
  return new MissingMandatoryError(
    `Missing mandatory parameter${missing.length > 1 ? 's' : ''} ${names}${setText}.`,
    { hint: `${capitalise(ways.join(', or '))}; run '${definition.name} -?' for help.` },
    set,
    missing,
  );
}

function conflictingSetsError(
  definition: CmdletDefinition<any>,
  given: readonly string[],
): UsageError {
  const parts = given.flatMap((name) => {
    const { sets } = declarationOf(definition, name);
    return sets === undefined ? [] : [`-${name} (${sets.join(', ')})`];
  });
  return new UsageError(
    `Parameters from different parameter sets cannot be used together: ${parts.join(', ')}.`,
    {
      hint: `Use the parameters of one set only; run '${definition.name} -?' to see the sets.`,
    },
  );
}

export { MissingMandatoryError };
