/**
 * Drives a cmdlet's async generator for one set of parameters: writes each object as it comes,
 * waits while stdout is congested, and stops between objects once the run's signal is aborted
 * (SIGINT, SIGTERM, or the reader went away), so the last line written is always whole.
 */
import type { CmdletContext, CmdletDefinition } from '../cmdlet-support/cmdlet.js';
import { ObjectList, TextOutput } from '../cmdlet-support/cmdlet.js';
import { type OutputWriter, writeObject, writeObjects } from './output/output-writer.js';

export type InvocationOutcome =
  /** The generator ran to its end (even if a signal came meanwhile: the emulator ends that way). */
  | { kind: 'completed' }
  /** The host stopped pulling because the signal was aborted. */
  | { kind: 'stopped' }
  | { kind: 'failed'; error: unknown };

export async function invokeCmdlet(
  definition: CmdletDefinition<any>,
  parameters: Record<string, unknown>,
  context: CmdletContext,
  writer: OutputWriter,
): Promise<InvocationOutcome> {
  const { signal } = context;
  let iterator: AsyncIterator<unknown>;
  try {
    // The set travels with the parameters: that is what tells their types apart (parameter-types).
    const bound = { ...parameters, parameterSet: context.parameterSet };
    iterator = definition.run(bound, context)[Symbol.asyncIterator]();
  } catch (error) {
    return { kind: 'failed', error };
  }
  try {
    for (;;) {
      if (signal.aborted) {
        await iterator.return?.();
        return { kind: 'stopped' };
      }
      const next = await iterator.next();
      if (next.done) return { kind: 'completed' };
      const value = next.value;
      const room =
        value instanceof TextOutput
          ? writer.writeText(value.text)
          : value instanceof ObjectList
            ? writeObjects(writer, value.objects)
            : writeObject(writer, value);
      if (room) await untilAborted(room, signal);
    }
  } catch (error) {
    return { kind: 'failed', error };
  }
}

/**
 * Resolves with `promise`, or as soon as the signal is aborted (a stuck reader must not block
 * Ctrl-C).
 */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  if (signal.aborted) return Promise.resolve(undefined);
  return new Promise<T | undefined>((resolve, reject) => {
    const onAbort = () => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
