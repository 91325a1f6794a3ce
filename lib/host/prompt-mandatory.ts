/**
 * PowerShell asks a person at a terminal for the mandatory parameters they left out ("Supply values
 * for the following parameters:"); so does the host, and only then: never when stdin or stderr is
 * not a terminal or CI is set, where a missing parameter stays an error. Secrets are read without
 * echo.
 */
import { createInterface } from 'node:readline';
import { Writable, type Readable } from 'node:stream';
import { UsageError } from '../common/errors.js';
import type { CmdletDefinition } from '../cmdlet-support/cmdlet.js';
import { convertParameterValue } from './parameter-values.js';

export async function promptForMissing(
  definition: CmdletDefinition<any>,
  missing: readonly string[],
  stdin: Readable,
  stderr: Writable,
): Promise<Map<string, unknown>> {
  stderr.write(`${definition.name}\nSupply values for the following parameters:\n`);
  const values = new Map<string, unknown>();
  for (const name of missing) {
    const declaration = definition.parameters[name]!;
    const typed = await askLine(`${name}: `, stdin, stderr, declaration.type === 'secret');
    if (typed === undefined || typed === '') {
      throw new UsageError(`No value was given for the mandatory parameter -${name}.`, {
        hint: `Run '${definition.name} -?' for help.`,
      });
    }
    values.set(name, convertParameterValue(name, declaration, typed, { kind: 'prompt' }));
  }
  return values;
}

function askLine(
  question: string,
  stdin: Readable,
  stderr: Writable,
  secret: boolean,
): Promise<string | undefined> {
  let muted = false;
  // readline echoes what is typed through `output`: for a secret, swallow everything after the
  // question.
  const output = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) stderr.write(chunk);
      done();
    },
  });
  const reader = createInterface({ input: stdin, output, terminal: true });
  return new Promise((resolve) => {
    let answered = false;
    reader.question(question, (answer) => {
      answered = true;
      if (secret) stderr.write('\n');
      reader.close();
      resolve(answer.trim());
    });
    muted = secret;
    reader.once('close', () => {
      if (!answered) resolve(undefined);
    });
  });
}
