/**
 * What a run tells a cmdlet (and the fan-out) about stdout so that a resume file records only
 * output that got out whole (CmdletOutput in cmdlet.ts), and the one error a failed stdout ends the
 * run with. Over the sink; with a regular file as stdout, also the file's marks and the cuts back
 * to them.
 */
import type { CmdletOutput, StdoutMark } from '../../cmdlet-support/cmdlet.js';
import { OutputFailedError, UsageError } from '../../common/errors.js';
import { commandLine } from '../../common/shell-quote.js';
import { appends, cutTo, markOf, pathOf, sameFile, StdoutFileWriteError } from './file-stdout.js';
import type { OutputSink } from './output-sink.js';

export class StdoutOutput implements CmdletOutput {
  constructor(
    private readonly sink: OutputSink,
    /** The descriptor of a regular-file stdout; undefined for a pipe, terminal or stream. */
    private readonly fd: number | undefined,
  ) {}

  delivered(): boolean | Promise<boolean> {
    const pending = this.sink.delivered();
    if (!pending) return !this.sink.closed;
    return pending.then(() => !this.sink.closed);
  }

  mark(): StdoutMark | undefined {
    return this.fd === undefined || this.sink.closed ? undefined : markOf(this.fd);
  }

  cutBackTo(mark: StdoutMark | undefined): string | undefined {
    if (this.fd === undefined || !mark) return undefined;
    const now = markOf(this.fd);
    if (!now || !sameFile(now, mark) || now.size <= mark.size) return undefined;
    const path = pathOf(this.fd);
    const extra = now.size - mark.size;
    const why = cutTo(this.fd, mark.size);
    if (!why)
      return (
        `The ${bytes(extra)} written to ${path} after the last record were removed, so it ` +
        'ends with the last output recorded.'
      );
    return (
      `${path} could not be cut back (${why}): its last ${bytes(extra)}, written after the last ` +
      `record, will be written again; remove them first: ${truncateCommand(path, mark.size)}`
    );
  }

  resumeFrom(mark: StdoutMark | undefined, resumeFile: string): number {
    if (this.fd === undefined || !mark) return 0;
    const now = markOf(this.fd);
    if (!now || !sameFile(now, mark)) return 0;
    const path = pathOf(this.fd);
    if (now.size < mark.size) {
      throw new UsageError(
        `${path} holds ${bytes(now.size)}, fewer than the ${bytes(mark.size)} the earlier runs ` +
          `had written to it when ${resumeFile} last recorded: it was emptied or cut since ` +
          '(> instead of >>?), so output the resume file records as written is no longer there.',
        {
          hint:
            `Resume appending to the file the earlier runs wrote (>> ${path}), or delete ` +
            `${resumeFile} to start over.`,
        },
      );
    }
    const extra = now.size - mark.size;
    if (extra === 0) return 0;
    const truncate = truncateCommand(path, mark.size);
    // A file that is not appended to takes the next write where the last one ended: cut shorter,
    // it would get a hole of zero bytes there.
    if (appends(this.fd) !== true) {
      throw new UsageError(
        `${path} ends with ${bytes(extra)} that an earlier run wrote after its last record in ` +
          `${resumeFile} (it stopped between the two), and this run cannot cut them off: stdout ` +
          'does not append to it.',
        { hint: `Resume with >> ${path}, or remove them first: ${truncate}` },
      );
    }
    const why = cutTo(this.fd, mark.size);
    if (why) {
      throw new UsageError(
        `Cannot remove the ${bytes(extra)} an earlier run wrote to ${path} after its last ` +
          `record in ${resumeFile}: ${why}.`,
        { hint: `Remove them first: ${truncate}` },
      );
    }
    return extra;
  }
}

/**
 * The error a failed stdout stops the run with: what failed, and what became of the line the
 * failure cut (removed again from a file; cut where it cannot be removed).
 */
export function outputFailure(error: Error, fd: number | undefined): OutputFailedError {
  const where = fd === undefined ? 'stdout' : pathOf(fd);
  const code = (error as NodeJS.ErrnoException).code;
  const reason = `${error.message}${code && !error.message.includes(code) ? ` (${code})` : ''}`;
  let hint: string;
  if (error instanceof StdoutFileWriteError) {
    const { bytes: cut, removed, why } = error.cutLine;
    hint =
      cut === 0
        ? `${where} ends with a whole line.`
        : removed
          ? `The line it cut (${bytes(cut)}) was removed, so ${where} ends with a whole line.`
          : `Its last line is cut after ${bytes(cut)} and could not be removed (${why}).`;
  } else {
    hint = `${where} is not a regular file: a line the failure cut, if any, cannot be removed.`;
  }
  return new OutputFailedError(`Cannot write the output to ${where}: ${reason}.`, {
    hint,
    cause: error,
  });
}

/** The command that cuts the file to `size` bytes; in words where its path is not known. */
function truncateCommand(path: string, size: number): string {
  return path === 'stdout'
    ? `cut stdout's file to its first ${bytes(size)} (truncate -s ${size} <file>)`
    : commandLine('truncate', ['-s', size, path]);
}

function bytes(n: number): string {
  return `${n.toLocaleString('en-US')} byte${n === 1 ? '' : 's'}`;
}
