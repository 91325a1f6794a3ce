/**
 * What the host hands a cmdlet's run() for a command line: bound by the real binder (defaults,
 * environment fallbacks and the parameter set included), for specs that drive run() directly.
 */
import type {
  ParameterDeclarations,
  RunParameters,
  TypedCmdletDefinition,
} from '../../lib/cmdlet-support/parameter-types.js';
import { bindCommandLine, completeBinding } from '../../lib/host/binder.js';

export async function boundParameters<
  C extends TypedCmdletDefinition<ParameterDeclarations, string>,
>(definition: C, argv: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<RunParameters<C>> {
  const bound = completeBinding(definition, await bindCommandLine(definition, argv), env);
  return { ...bound.parameters, parameterSet: bound.parameterSet } as RunParameters<C>;
}
