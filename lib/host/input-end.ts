/**
 * Whether pipeline input that ended was all of it. A run that reads objects until the end of its
 * input cannot tell from the end alone that the command feeding it finished: a failed or killed
 * upstream closes the pipe just as a finished one does. So the end is judged from what is known:
 * - the writer's pipe mark (pipe-marks.ts), when the module's own command fed the pipe: finished
 *   (exit 0), failed (its exit code) or vanished (started, never ended: killed);
 * - otherwise the bytes: an input whose last line is whole (newline-terminated, or at least
 *   readable JSON) ended cleanly; one whose last line was cut off mid-object did not.
 * A cut input is not the end of the work: the run exits InputIncomplete (6) and keeps its resume
 * file, so the same pipeline run again does the rest and nothing twice.
 */
import { PartnerCenterModuleError } from '../common/errors.js';
import { ExitCode } from '../common/exit-codes.js';
import type { Upstream } from './pipe-marks.js';

/** What the NDJSON reader saw at the end of its input. */
export interface InputEnd {
  /** Lines read, the last one included. */
  lines: number;
  /** The number of the last line when it was cut off: no newline, and not readable as JSON. */
  tornLine?: number;
}

/** The input ended before its end: the run did what came, and says so with exit code 6. */
export class InputIncompleteError extends PartnerCenterModuleError {
  static override readonly endsRunByDefault = true;
  override readonly exitCode = ExitCode.InputIncomplete;
}

/** The error for an input that ended early, or undefined when it ended as it should. */
export function inputCut(end: InputEnd, upstream: Upstream): InputIncompleteError | undefined {
  const writer = 'cmdlet' in upstream ? `${upstream.cmdlet} (process ${upstream.pid})` : '';
  if (upstream.kind === 'failed')
    return new InputIncompleteError(
      `The input is incomplete: ${writer}, which fed this command, exited with code ` +
        `${upstream.code}${upstream.code === ExitCode.Failure ? ' (some of its objects failed)' : ''}.`,
    );
  if (upstream.kind === 'vanished')
    return new InputIncompleteError(
      `The input is incomplete: ${writer}, which fed this command, ended without finishing ` +
        '(killed, or crashed).',
    );
  if (end.tornLine !== undefined)
    return new InputIncompleteError(
      `The input is incomplete: its last line (line ${end.tornLine}) has no newline and cannot be read as ` +
        'JSON, so the command feeding this one was cut off in the middle of it; ' +
        'that line was not used.',
    );
  return undefined;
}
