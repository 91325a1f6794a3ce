/**
 * The cmdlet definition a module of cmdlets/ exports. Apart from load-cmdlet.ts, whose import of
 * every cmdlet by name would bring them all into a bundle that needs one (help-process.ts).
 */
import type { CmdletDefinition } from '../cmdlet-support/cmdlet.js';

export function cmdletDefinitionOf(
  module: Record<string, unknown>,
): CmdletDefinition<any> | undefined {
  return [module.default, ...Object.values(module)].find(isCmdletDefinition);
}

export function isCmdletDefinition(value: unknown): value is CmdletDefinition<any> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as CmdletDefinition).name === 'string' &&
    typeof (value as CmdletDefinition).run === 'function' &&
    typeof (value as CmdletDefinition).parameters === 'object'
  );
}
