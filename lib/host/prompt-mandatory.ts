/**
 * PowerShell asks a person at a terminal for the mandatory parameters they left out ("Supply values
 * for the following parameters:"); so does the host, and only then: never when stdin or stderr is
 * not a terminal or CI is set, where a missing parameter stays an error. The question is asked on
 * the terminal itself (terminal.ts), never read from stdin, which may carry other input (a secret
 * given as `-`); a secret is read without echo.
 */
import { UsageError } from '../common/errors.js';
import type { CmdletDefinition } from '../cmdlet-support/cmdlet.js';
import { convertParameterValue } from './parameter-values.js';
import type { Terminal } from './terminal.js';

export async function promptForMissing(
  definition: CmdletDefinition<any>,
  missing: readonly string[],
  terminal: Terminal,
  signal?: AbortSignal,
): Promise<Map<string, unknown>> {
  terminal.write(`${definition.name}\nSupply values for the following parameters:\n`);
  const values = new Map<string, unknown>();
  for (const name of missing) {
    const declaration = definition.parameters[name];
    if (!declaration) throw new Error(`${definition.name} declares no parameter ${name}`);
    const typed = await terminal.readLine(`${name}: `, {
      secret: declaration.type === 'secret',
      signal,
    });
    signal?.throwIfAborted();
    if (typed === undefined || typed === '') {
      throw new UsageError(`No value was given for the mandatory parameter -${name}.`, {
        hint: `Run '${definition.name} -?' for help.`,
      });
    }
    values.set(name, convertParameterValue(name, declaration, typed, { kind: 'prompt' }));
  }
  return values;
}
