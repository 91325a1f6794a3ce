/**
 * stdout when it is a regular file (`> out`, `>> out`). Node's own stream for a file makes one
 * write(2) per chunk and ignores a short one: on a disk that fills up, the tail of a chunk was
 * silently dropped and the next chunk failed, which left a line cut in the middle of the file
 * while the run had already recorded it as written. Here every chunk is written whole, however
 * many calls that takes, and when the disk is full or the device fails, the line the failure cut
 * is removed again (the file cut back to its last whole line), so that what a resumed run appends
 * starts on a line of its own.
 *
 * The same file's marks (device, inode, size) are what resume files record with each record; the
 * cut back to such a mark is how a resumed run removes what a run killed between its output and
 * its record had written (see CmdletOutput in cmdlet.ts).
 */
import {
  constants,
  fstatSync,
  ftruncateSync,
  readFileSync,
  readlinkSync,
  writeSync,
} from 'node:fs';
import { Writable } from 'node:stream';
import type { StdoutMark } from '../../cmdlet-support/cmdlet.js';

/** What a failed write left in the file. */
export interface CutLine {
  /** Bytes of a line the failure cut that reached the file (0: it failed between lines). */
  bytes: number;
  /** Whether those bytes were removed again; otherwise why not. */
  removed: boolean;
  why?: string;
}

/** A write to the stdout file failed: the error, and what happened to the line it cut. */
export class StdoutFileWriteError extends Error {
  readonly code: string | undefined;

  constructor(
    readonly failure: Error,
    readonly cutLine: CutLine,
  ) {
    super(failure.message, { cause: failure });
    this.name = 'StdoutFileWriteError';
    this.code = (failure as NodeJS.ErrnoException).code;
  }
}

export class FileStdout extends Writable {
  constructor(readonly fd: number) {
    // The writes are synchronous, so nothing is ever queued: a chunk larger than the default
    // high-water mark (16 KB) must not report congestion that a 'drain' would end a turn later.
    super({ highWaterMark: 1 << 22 });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error) => void): void {
    let written = 0;
    try {
      while (written < chunk.length) {
        const n = writeSync(this.fd, chunk, written, chunk.length - written);
        if (n === 0)
          throw Object.assign(new Error('the file took no bytes'), { code: 'EIO' as const });
        written += n;
      }
    } catch (error) {
      done(new StdoutFileWriteError(error as Error, this.removeCutLine(chunk, written)));
      return;
    }
    done();
  }

  /**
   * The first `written` bytes of `chunk` (whole lines, as the sink writes them) reached the file:
   * removes those after the last newline. The file ends where this write ended (stdout's file is
   * this run's alone, as with any redirection).
   */
  private removeCutLine(chunk: Buffer, written: number): CutLine {
    const lineStart = written === 0 ? 0 : chunk.lastIndexOf(0x0a, written - 1) + 1;
    const bytes = written - lineStart;
    if (bytes === 0) return { bytes, removed: true };
    try {
      ftruncateSync(this.fd, fstatSync(this.fd).size - bytes);
      return { bytes, removed: true };
    } catch (error) {
      return { bytes, removed: false, why: (error as Error).message };
    }
  }
}

/** The descriptor's mark when it is a regular file; undefined for anything else. */
export function markOf(fd: number): StdoutMark | undefined {
  try {
    const stats = fstatSync(fd, { bigint: true });
    if (!stats.isFile()) return undefined;
    return { dev: String(stats.dev), ino: String(stats.ino), size: Number(stats.size) };
  } catch {
    return undefined;
  }
}

export function sameFile(a: StdoutMark, b: StdoutMark): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

/** The path stdout's file has now (Linux), for messages; `stdout` where the system cannot say. */
export function pathOf(fd: number): string {
  try {
    const path = readlinkSync(`/proc/self/fd/${fd}`);
    return path.startsWith('/') ? path : 'stdout';
  } catch {
    return 'stdout';
  }
}

/**
 * Whether the descriptor appends (`>>`): only then does a cut file take the next write at its new
 * end. Undefined where the system does not tell (Linux does, in /proc/self/fdinfo).
 */
export function appends(fd: number): boolean | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8');
  } catch {
    return undefined;
  }
  const flags = /^flags:\s*([0-7]+)$/m.exec(text)?.[1];
  return flags === undefined ? undefined : (Number.parseInt(flags, 8) & constants.O_APPEND) !== 0;
}

/** Cuts the file behind `fd` to `size` bytes; the error's message when it cannot. */
export function cutTo(fd: number, size: number): string | undefined {
  try {
    ftruncateSync(fd, size);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * Whether output to `fd` continues a file that already has content: a regular file appended to
 * (`>>`) and not empty. A resumed run's CSV goes on below the rows an earlier run wrote, under
 * their header, as PowerShell's Export-Csv -Append does; a second header would be read as a row.
 */
export function continuesFile(fd: number | undefined): boolean {
  if (fd === undefined) return false;
  const mark = markOf(fd);
  return mark !== undefined && mark.size > 0 && appends(fd) === true;
}
