/**
 * Secrets typed on a command line are visible to every user of the machine (ps,
 * /proc/<pid>/cmdline) and often land in shell history. The binder knows where each value came
 * from, so it warns once when a `secret` parameter was typed, and accepts `-` as the value to read
 * the secret from stdin instead (only for a cmdlet that is not reading pipeline input from it).
 */
import type { Readable } from 'node:stream';
import { UsageError } from '../common/errors.js';
import type { CommandLineBinding } from './binder.js';
import type { CmdletDefinition } from '../cmdlet-support/cmdlet.js';

export const READ_FROM_STDIN = '-';

/** Secrets can be long (certificates' passwords, refresh tokens) but not this long. */
const MAX_SECRET_BYTES = 64 * 1024;

/** The WARNING line for secrets typed on the command line, or undefined when there were none. */
export function commandLineSecretWarning(
  definition: CmdletDefinition<any>,
  binding: CommandLineBinding,
): string | undefined {
  // Values handed over in-process were never on a command line others could read.
  if (binding.fromValues) return undefined;
  const typed = secretsGiven(definition, binding).filter(
    ({ name }) =>
      binding.given.get(name) !== READ_FROM_STDIN && !binding.secretsFromStdin?.includes(name),
  );
  const [first, ...more] = typed;
  if (first === undefined) return undefined;
  const names = typed.map(({ name }) => `-${name}`);
  const listed =
    more.length === 0
      ? `-${first.name}`
      : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  const instead = ({ name, variable }: GivenSecret) =>
    `${variable ? `set ${variable}, or ` : ''}pass -${name} ${READ_FROM_STDIN} ` +
    'and write it to stdin';
  const advice =
    more.length === 0
      ? `Instead, ${instead(first)}.`
      : `Instead: ${typed.map((secret) => `for -${secret.name}, ${instead(secret)}`).join('; ')}.`;
  return (
    `${listed} on the command line can be seen by other users of this machine ` +
    `(ps, /proc) and may stay in your shell history. ${advice}`
  );
}

/** The binding with a `-` secret replaced by what stdin holds (one trailing newline removed). */
export async function withSecretsFromStdin(
  definition: CmdletDefinition<any>,
  binding: CommandLineBinding,
  stdin: { readable: () => Readable; isTTY: boolean; hasInput: boolean },
): Promise<CommandLineBinding> {
  const fromStdin = secretsGiven(definition, binding).filter(
    ({ name }) => binding.given.get(name) === READ_FROM_STDIN,
  );
  const [secret, ...others] = fromStdin;
  if (secret === undefined) return binding;
  if (others.length > 0) {
    throw new UsageError(
      `Only one secret can be read from stdin, but ${fromStdin.map(({ name }) => `-${name}`).join(' and ')} ` +
        'both ask for it.',
      {
        hint: 'Give the others through their environment variables.',
      },
    );
  }
  const { name } = secret;
  if (binding.pipelineParameters.length > 0 && stdin.hasInput) {
    throw new UsageError(
      `-${name} ${READ_FROM_STDIN} cannot read stdin: ${definition.name} reads ` +
        'its pipeline input from there.',
      {
        hint: 'Give the secret through its environment variable instead.',
      },
    );
  }
  if (stdin.isTTY || !stdin.hasInput) {
    throw new UsageError(
      `-${name} ${READ_FROM_STDIN} reads the secret from stdin, but nothing is piped into it.`,
      {
        hint: `Pipe or redirect it, e.g. ${definition.name} ... -${name} ${READ_FROM_STDIN} < secret.txt`,
      },
    );
  }
  const value = await readAll(stdin.readable(), name);
  if (value === '')
    throw new UsageError(`-${name} ${READ_FROM_STDIN}: stdin was empty.`, {
      hint: 'Write the secret to stdin, on one line.',
    });
  const given = new Map(binding.given);
  given.set(name, value);
  return { ...binding, given, secretsFromStdin: [name] };
}

/** A `secret` parameter given on the command line, and the variable that could give it instead. */
interface GivenSecret {
  name: string;
  variable: string | undefined;
}

function secretsGiven(
  definition: CmdletDefinition<any>,
  binding: CommandLineBinding,
): GivenSecret[] {
  return [...binding.given.keys()].flatMap((name) => {
    const declaration = definition.parameters[name];
    return declaration?.type === 'secret' ? [{ name, variable: declaration.env }] : [];
  });
}

async function readAll(stream: Readable, name: string): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > MAX_SECRET_BYTES) {
      stream.destroy();
      throw new UsageError(
        `-${name} ${READ_FROM_STDIN}: stdin holds more than ${MAX_SECRET_BYTES / 1024} ` +
          'KiB, which is no secret.',
        {
          hint: 'Write only the secret to stdin.',
        },
      );
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}
