/**
 * Loads a cmdlet's definition from cmdlets/<Verb-Noun>.js next to the host (dist/cmdlets in the
 * build; the jest module mapper finds the .ts source in specs). Only names of the Verb-Noun form
 * are imported, so a typed name can never reach another file.
 */
import type { CmdletDefinition } from '../cmdlet-support/cmdlet.js';
import { PartnerCenterModuleError, UsageError } from '../common/errors.js';

const cmdletName = /^[A-Z][A-Za-z]*-[A-Z][A-Za-z]*$/;

export async function loadCmdlet(name: string): Promise<CmdletDefinition<any>> {
  if (!cmdletName.test(name))
    throw new UsageError(`'${name.slice(0, 60)}' is not a cmdlet name.`, {
      hint: 'Cmdlet names have the form Verb-Noun.',
    });
  let module: Record<string, unknown>;
  try {
    module = (await import(`../../cmdlets/${name}.js`)) as Record<string, unknown>;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && String((error as Error).message).includes(`${name}.`)) {
      throw new PartnerCenterModuleError(
        `The cmdlet ${name} is not installed (its file is missing).`,
        {
          hint: 'Rebuild or reinstall the module (npm run build).',
          cause: error,
        },
      );
    }
    throw error;
  }
  const definition = [module.default, ...Object.values(module)].find(isCmdletDefinition);
  if (!definition)
    throw new PartnerCenterModuleError(`cmdlets/${name} does not export a cmdlet definition.`, {
      hint: 'Report this as a bug.',
    });
  return definition;
}

function isCmdletDefinition(value: unknown): value is CmdletDefinition<any> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as CmdletDefinition).name === 'string' &&
    typeof (value as CmdletDefinition).run === 'function' &&
    typeof (value as CmdletDefinition).parameters === 'object'
  );
}
