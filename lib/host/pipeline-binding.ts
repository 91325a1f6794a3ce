/**
 * Binds one pipeline object by property name, as PowerShell does: each parameter that takes
 * pipeline input and was not given on the command line takes the object's property of the same
 * name or alias (case-insensitive). Of the sets still possible, the one that binds the most of the
 * object's properties is tried first, the default set first among equals; the first that binds and
 * resolves wins. PowerShell gets there by binding every property it can and letting what was bound
 * narrow the sets (CmdletParameterBinderController), so a row with customerId and subscriptionId
 * gets the one subscription, not the customer's list with subscriptionId ignored. Only the object's
 * own keys are read, so `__proto__` or `constructor` keys are just names that match no parameter.
 */
import type { CmdletDefinition, ParameterDeclaration } from '../cmdlet-support/cmdlet.js';
import { UsageError } from '../common/errors.js';
import { type CommandLineBinding, type CompleteBinding, completeBinding } from './binder.js';
import { belongsToSet, declarationOf } from './parameter-sets.js';
import { convertParameterValue } from './parameter-values.js';

export function bindPipelineObject(
  definition: CmdletDefinition<any>,
  commandLine: CommandLineBinding,
  object: Record<string, unknown>,
  line: number,
  env: NodeJS.ProcessEnv,
): CompleteBinding {
  const keys = new Map<string, string>();
  for (const key of Object.keys(object))
    if (!keys.has(key.toLowerCase())) keys.set(key.toLowerCase(), key);
  const objectType = objectTypeOf(object);
  const fromObject = new Map<string, unknown>();
  for (const name of commandLine.pipelineParameters) {
    const declaration = declarationOf(definition, name);
    const property = propertyNames(name, declaration, objectType)
      .map((candidate) => keys.get(candidate.toLowerCase()))
      .find(Boolean);
    if (property === undefined) continue;
    const raw = object[property];
    if (raw === null || raw === undefined) continue;
    fromObject.set(
      name,
      convertParameterValue(name, declaration, raw, { kind: 'pipeline', line, property }),
    );
  }
  const bindings = commandLine.candidateSets.map(
    (set) =>
      new Map(
        [...fromObject].filter(([name]) => belongsToSet(declarationOf(definition, name), set)),
      ),
  );
  // Stable: among sets that bind as many, the candidates' order (the default set first) stands.
  const byMostBound = bindings.filter((bound) => bound.size > 0).sort((a, b) => b.size - a.size);
  let firstError: unknown;
  for (const bound of byMostBound) {
    try {
      return completeBinding(definition, commandLine, env, bound);
    } catch (error) {
      firstError ??= error;
    }
  }
  if (firstError instanceof UsageError && !firstError.message.startsWith('Input line')) {
    throw new UsageError(`Input line ${line}: ${firstError.message}`, { hint: firstError.hint });
  }
  if (firstError) throw firstError;
  const wanted = commandLine.pipelineParameters.flatMap((name) => [
    name,
    ...(declarationOf(definition, name).aliases ?? []),
  ]);
  throw new UsageError(
    `Input line ${line}: the object cannot be bound to any parameter: it has ` +
      `none of the properties ${wanted.join(', ')}.`,
    {
      hint:
        'Pipe in objects that have one of these properties, or give the parameter ' +
        'on the command line.',
    },
  );
}

/** The resource kind a Partner Center object names in `attributes.objectType`, if any. */
function objectTypeOf(object: Record<string, unknown>): string | undefined {
  const attributes = Object.hasOwn(object, 'attributes') ? object.attributes : undefined;
  if (!attributes || typeof attributes !== 'object') return undefined;
  const type = Object.hasOwn(attributes, 'objectType')
    ? (attributes as Record<string, unknown>).objectType
    : undefined;
  return typeof type === 'string' ? type.toLowerCase() : undefined;
}

/** The properties a parameter binds from, in order; an `id` only from objects of its kinds. */
function propertyNames(
  name: string,
  declaration: ParameterDeclaration,
  objectType: string | undefined,
): string[] {
  const names = [name, ...(declaration.aliases ?? [])];
  if (!declaration.idOf || objectType === undefined) return names;
  const others = names.filter((candidate) => candidate.toLowerCase() !== 'id');
  const ofItsKind = declaration.idOf.some((kind) => kind.toLowerCase() === objectType);
  return ofItsKind ? [name, 'id', ...others.slice(1)] : others;
}
