/**
 * How a run that writes its items in order and keeps a position (a listing, a billing export)
 * reads the host's stop, so that the position it records and the stop line it gives count only
 * what got out: stdout failed (a full disk: what got out whole is where the run stands, and a
 * file as stdout is cut back to it), the reader of stdout went away while a resume file expects
 * the run to go on, or any other stop (every item handed out is then written, once stdout took
 * it).
 */
import {
  InterruptedError,
  OutputClosedError,
  OutputFailedError,
  ReaderGoneError,
} from '../common/errors.js';
import type { CmdletContext, CmdletOutput } from './cmdlet.js';

export interface OutputStop {
  /** stdout failed: the run stands where its output last got out whole. */
  outputFailed: boolean;
  /** The reader went away while a resume file expects the run to go on. */
  readerGone: boolean;
  /** What the stop line reports: the output's failure, the reader gone, or the run's own error. */
  error: unknown;
}

/**
 * The stop as the host's signal says it, for a run that failed with `error`. `resumable`: the run
 * keeps a resume file (a reader that leaves then stops a run that was to go on; without one, a
 * reader that leaves ends it quietly, as `| head` expects).
 */
export function outputStop(
  context: CmdletContext,
  error: unknown,
  options: { resumable: boolean; what: string; hint: string },
): OutputStop {
  const reason: unknown = context.signal.reason;
  const outputFailed = reason instanceof OutputFailedError;
  const readerGone = reason instanceof OutputClosedError && options.resumable;
  if (outputFailed) return { outputFailed, readerGone, error: reason };
  if (readerGone)
    return {
      outputFailed,
      readerGone,
      error: new ReaderGoneError(
        `The reader of stdout went away before the ${options.what} ended.`,
        {
          hint: options.hint,
        },
      ),
    };
  return { outputFailed, readerGone, error };
}

/**
 * The stop behind the host's closing of the run's generator, when it is one the run reports with
 * its resume advice (a signal, a failed stdout, a reader gone from a resumable run); undefined for
 * a close that simply ends the run. A generator the host closes runs only its finally blocks:
 * throwing from there is the one way to turn that close into the stop line.
 */
export function stopBehindClose(context: CmdletContext, resumable: boolean): unknown {
  const reason: unknown = context.signal.reason;
  return reason instanceof InterruptedError ||
    reason instanceof OutputFailedError ||
    (reason instanceof OutputClosedError && resumable)
    ? reason
    : undefined;
}

/** Whether every item handed to stdout is out of the process (always, with no host output). */
export async function outputTaken(output: CmdletOutput | undefined): Promise<boolean> {
  const taken = output ? output.delivered() : true;
  return taken === true || (taken !== false && (await taken));
}
