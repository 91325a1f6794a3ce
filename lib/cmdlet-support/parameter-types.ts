/**
 * The TypeScript types of a cmdlet's parameters, computed from its declarations, so a parameter's
 * type is written once: where it is declared. `run(p)` gets one object type per parameter set,
 * told apart by `p.parameterSet`; within a set a mandatory parameter, a parameter with a default
 * and a switch (the binder binds false) are always present. The in-process API takes the same
 * declarations the other way round (what a caller may give), so an editor completes parameter
 * names and catches a wrong type.
 */
import type {
  CmdletContext,
  CmdletDefinition,
  ConfirmImpact,
  ParameterDeclaration,
} from './cmdlet.js';
import type { InProcessShouldProcessParameters } from './should-process-parameters.js';

/** A cmdlet's `changes` (CmdletDefinition). */
type ChangesDeclaration = { confirmImpact: ConfirmImpact };

/** A cmdlet's declarations, keyed by parameter name. */
export type ParameterDeclarations = Readonly<Record<string, ParameterDeclaration>>;

/** PowerShell's name for the one set of a cmdlet that declares none (see host/parameter-sets). */
export type AllParameterSets = '__AllParameterSets';

/** The TypeScript type of a bound value: `choices` narrow a string to the union of its choices. */
export type ParameterValue<D extends ParameterDeclaration> = D extends {
  choices: readonly (infer C extends string)[];
}
  ? D['type'] extends 'string[]'
    ? C[]
    : C
  : ValueOfType<D['type']>;

type ValueOfType<T extends ParameterDeclaration['type']> = T extends 'int'
  ? number
  : T extends 'switch'
    ? boolean
    : T extends 'string[]'
      ? string[]
      : string;

/** Every set a cmdlet has: the default one and those its parameters name. */
export type ParameterSetName<P extends ParameterDeclarations, Default extends string> = [
  Default | DeclaredSets<P>,
] extends [never]
  ? AllParameterSets
  : Default | DeclaredSets<P>;

type DeclaredSets<P extends ParameterDeclarations> = {
  [K in keyof P]: P[K] extends { sets: readonly (infer S extends string)[] } ? S : never;
}[keyof P];

type InSet<D extends ParameterDeclaration, S extends string> = D extends {
  sets: readonly (infer Sets extends string)[];
}
  ? S extends Sets
    ? true
    : false
  : true;

type MandatoryIn<D extends ParameterDeclaration, S extends string> = D extends { mandatory: true }
  ? true
  : D extends { mandatory: readonly (infer M extends string)[] }
    ? S extends M
      ? true
      : false
    : false;

/** Bound whenever its set runs: given (mandatory), defaulted, or a switch the binder sets false. */
type AlwaysBound<D extends ParameterDeclaration, S extends string> =
  MandatoryIn<D, S> extends true
    ? true
    : D extends { default: string | number | boolean }
      ? true
      : D extends { type: 'switch' }
        ? true
        : false;

/** Flattens an intersection so editors show one object type. */
type Simplify<T> = { [K in keyof T]: T[K] } & {};

type BoundInSet<P extends ParameterDeclarations, S extends string> = Simplify<
  { parameterSet: S } & {
    -readonly [K in keyof P as InSet<P[K], S> extends true
      ? AlwaysBound<P[K], S> extends true
        ? K
        : never
      : never]: ParameterValue<P[K]>;
  } & {
    -readonly [K in keyof P as InSet<P[K], S> extends true
      ? AlwaysBound<P[K], S> extends true
        ? never
        : K
      : never]?: ParameterValue<P[K]>;
  } & {
    // Present in the type (never bound) so code can test `p.X !== undefined` before narrowing.
    -readonly [K in keyof P as InSet<P[K], S> extends true ? never : K]?: undefined;
  }
>;

/**
 * What `run` receives: one object type per parameter set, told apart by `parameterSet` (the same
 * name as `context.parameterSet`).
 */
export type BoundParameters<P extends ParameterDeclarations, Default extends string = never> = {
  [S in ParameterSetName<P, Default>]: BoundInSet<P, S>;
}[ParameterSetName<P, Default>];

/** Must be given by an in-process caller: mandatory in the set, with no other way to bind it. */
type RequiredFromCaller<D extends ParameterDeclaration, S extends string> =
  MandatoryIn<D, S> extends true
    ? D extends { pipeline: 'byPropertyName' } | { env: string } | { default: unknown }
      ? false
      : true
    : false;

type GivenInSet<P extends ParameterDeclarations, S extends string> = Simplify<
  {
    -readonly [K in keyof P as InSet<P[K], S> extends true
      ? RequiredFromCaller<P[K], S> extends true
        ? K
        : never
      : never]: ParameterValue<P[K]>;
  } & {
    -readonly [K in keyof P as InSet<P[K], S> extends true
      ? RequiredFromCaller<P[K], S> extends true
        ? never
        : K
      : never]?: ParameterValue<P[K]>;
  } & {
    // Parameters of other sets cannot be given with this one.
    -readonly [K in keyof P as InSet<P[K], S> extends true ? never : K]?: never;
  }
>;

/** What an in-process caller may give: the parameters of one set, its mandatory ones required. */
export type GivenParameters<P extends ParameterDeclarations, Default extends string = never> = {
  [S in ParameterSetName<P, Default>]: GivenInSet<P, S>;
}[ParameterSetName<P, Default>];

/** A definition with its declarations' literal types kept, as `defineCmdlet` returns it. */
export type TypedCmdletDefinition<
  P extends ParameterDeclarations,
  Default extends string = never,
  Changes extends ChangesDeclaration | undefined = ChangesDeclaration | undefined,
> = Omit<
  CmdletDefinition<BoundParameters<P, Default>>,
  'parameters' | 'defaultParameterSet' | 'changes'
> & {
  parameters: P;
  defaultParameterSet?: Default;
  /** See CmdletDefinition; kept in the type, so the in-process parameters know of it. */
  changes?: Changes;
  run(parameters: BoundParameters<P, Default>, context: CmdletContext): AsyncIterable<unknown>;
};

/** What a defined cmdlet's `run` receives, read from the definition (for a cmdlet's helpers). */
export type RunParameters<C> =
  C extends TypedCmdletDefinition<infer P, infer Default> ? BoundParameters<P, Default> : never;

/**
 * What an in-process caller may give a cmdlet, read from its definition's type: with WhatIf,
 * Confirm and Force where it declares `changes`.
 */
export type GivenParametersOf<C> =
  C extends TypedCmdletDefinition<infer P, infer Default, infer Changes>
    ? [Changes] extends [ChangesDeclaration]
      ? GivenParameters<P, Default> & InProcessShouldProcessParameters
      : GivenParameters<P, Default>
    : Record<string, unknown>;

/**
 * Declares a cmdlet. The `const` type parameters keep the declarations' literal types (set names,
 * choices, `mandatory: true`, whether it declares `changes`), which is what the parameter types
 * are computed from.
 */
export function defineCmdlet<
  const P extends ParameterDeclarations,
  const Default extends string = never,
  const Changes extends ChangesDeclaration | undefined = undefined,
>(
  definition: TypedCmdletDefinition<P, Default, Changes>,
): TypedCmdletDefinition<P, Default, Changes> {
  return definition;
}
