/**
 * Pipe marks: how two of the module's commands joined by a shell pipe (`A | B`) learn about each
 * other without a byte of their NDJSON changing (`A | jq` must see only objects).
 *
 * A pipe has one identity both ends can see: fstat() of the writer's stdout and of the reader's
 * stdin give the same device and inode on Linux and macOS for as long as the pipe exists. Each end
 * leaves a small file named after that identity in a private directory:
 * - the writer (`<dev>-<ino>.w<pid>`): "running" before its first output, then "ended" with its
 *   exit code, written before the process exits and so before its stdout closes; the reader, on
 *   reaching the end of its input, reads it to tell a finished upstream from one that failed or
 *   was killed (still "running"), then removes it;
 * - the reader (`<dev>-<ino>.r<pid>`): written when it starts reading, so a writer that stops can
 *   leave the instruction to continue to the reader that can give it (one instruction, not two).
 *
 * Where marks cannot be kept (no private directory, Windows, stdin/stdout not a pipe) nothing is
 * written and the reader knows nothing of its writer: about_Pipelines says what it then assumes.
 * Stale marks (a killed reader, a writer whose reader was not ours) are removed after a day; a
 * pipe's identity is only reused once the pipe is gone, after the kernel's inode counter wrapped.
 */
import {
  fstatSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { removeFile } from '../common/remove-file.js';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/** What the reader learns about the command(s) of the module that wrote its input. */
export type Upstream =
  /** No mark: the input came from another program, a file, or a shell without marks. */
  | { kind: 'unknown' }
  | { kind: 'finished'; cmdlet: string; pid: number }
  | { kind: 'failed'; cmdlet: string; pid: number; code: number }
  /** Started but never said it ended: killed (SIGKILL), or crashed past its last handler. */
  | { kind: 'vanished'; cmdlet: string; pid: number };

interface Mark {
  cmdlet: string;
  pid: number;
  state: 'running' | 'ended';
  code?: number;
  /** A reader of the fan-out kind (-ResumeFile): it gives the instruction to continue. */
  continues?: boolean;
}

/** Marks older than this are stale (their pipe is long gone). */
const STALE_AFTER_MS = 24 * 60 * 60 * 1000;
/** The directory is swept only once it holds this many marks: a sweep costs a stat per mark. */
const SWEEP_ABOVE = 64;
/**
 * And at most this often. A writer whose reader is not ours (`| cat`, a script) leaves its mark
 * for a day, so a busy machine holds thousands of marks younger than a day: sweeping them on
 * every start cost a stat each (about 70 ms for 2,000, most of a help page's start-up) to remove
 * none. The time of the last sweep is the mtime of a stamp beside the directory, not in it (the
 * directory holds marks only).
 */
const SWEEP_EVERY_MS = 60 * 60 * 1000;

/** `<dev>-<ino>` of a pipe on `fd`; undefined for anything that is not a pipe. */
export function pipeIdentity(fd: number): string | undefined {
  try {
    const stats = fstatSync(fd, { bigint: true });
    return stats.isFIFO() && stats.ino !== 0n ? `${stats.dev}-${stats.ino}` : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The private directory marks live in, created 0700; undefined (no marks) when it cannot be made
 * or is not ours alone: a mark another user could write would let them tell a reader its input
 * was complete.
 */
export function markDirectory(env: NodeJS.ProcessEnv): string | undefined {
  const uid = process.getuid?.();
  if (uid === undefined) return undefined;
  const runtime = env.XDG_RUNTIME_DIR;
  const base = runtime && isAbsolute(runtime) ? runtime : env.TMPDIR || tmpdir();
  const dir = join(base, `partnercenter-pipes-${uid}`);
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return undefined;
  }
  try {
    const stats = lstatSync(dir);
    const own = stats.isDirectory() && stats.uid === uid && (stats.mode & 0o077) === 0;
    return own ? dir : undefined;
  } catch {
    return undefined;
  }
}

/** The writer's mark: "running" now, "ended" with the exit code by `end`. */
export class OutputMark {
  private constructor(
    private readonly dir: string,
    private readonly identity: string,
    private readonly cmdlet: string,
  ) {}

  /** Marks stdout as written by `cmdlet` when it is a pipe; undefined otherwise. */
  static begin(cmdlet: string, env: NodeJS.ProcessEnv, fd = 1): OutputMark | undefined {
    const identity = pipeIdentity(fd);
    const dir = identity && markDirectory(env);
    if (!identity || !dir) return undefined;
    const mark = new OutputMark(dir, identity, cmdlet);
    mark.write({ cmdlet, pid: process.pid, state: 'running' });
    sweep(dir);
    return mark;
  }

  /** Called before the process exits (so before its stdout closes). */
  end(code: number): void {
    this.write({ cmdlet: this.cmdlet, pid: process.pid, state: 'ended', code });
  }

  /**
   * The reader of this output when it is a command of the module that gives the instruction to
   * continue (a fan-out): its name. Not checked for being alive: on Ctrl-C it may have exited
   * already, and its mark stays for exactly that.
   */
  continuingReader(): string | undefined {
    for (const mark of marksOf(this.dir, this.identity, 'r'))
      if (mark.mark?.continues) return mark.mark.cmdlet;
    return undefined;
  }

  private write(mark: Mark): void {
    writeMark(this.dir, `${this.identity}.w${process.pid}`, mark);
  }
}

/** The reader's side: its mark, and what it learns about its writers once its input ended. */
export class InputMark {
  private constructor(
    private readonly dir: string,
    private readonly identity: string,
  ) {}

  /** Marks stdin as read by `cmdlet` when it is a pipe; undefined otherwise. */
  static begin(
    cmdlet: string,
    continues: boolean,
    env: NodeJS.ProcessEnv,
    fd = 0,
  ): InputMark | undefined {
    const identity = pipeIdentity(fd);
    const dir = identity && markDirectory(env);
    if (!identity || !dir) return undefined;
    writeMark(dir, `${identity}.r${process.pid}`, {
      cmdlet,
      pid: process.pid,
      state: 'running',
      continues,
    });
    return new InputMark(dir, identity);
  }

  /** A writer of the module still at work on this pipe, e.g. "Get-PartnerCustomer (process 7)". */
  runningWriter(): string | undefined {
    for (const { mark, pid } of marksOf(this.dir, this.identity, 'w'))
      if (mark?.state === 'running') return `${mark.cmdlet} (process ${pid})`;
    return undefined;
  }

  /**
   * Once the input ended (every writer closed the pipe): how the module's writers ended. Several
   * writers (`{ A; A2; } | B`) must all have finished. The marks are removed: they were for this.
   */
  upstream(): Upstream {
    const writers = marksOf(this.dir, this.identity, 'w');
    for (const { file } of [...writers, ...marksOf(this.dir, this.identity, 'r')]) removeFile(file);
    let finished: Upstream = { kind: 'unknown' };
    for (const { mark, pid } of writers) {
      // Unreadable (torn by a crash mid-write, which the rename should prevent): assume the worst.
      if (!mark) return { kind: 'vanished', cmdlet: 'the command writing it', pid };
      if (mark.state !== 'ended') return { kind: 'vanished', cmdlet: mark.cmdlet, pid };
      if (mark.code !== 0)
        return { kind: 'failed', cmdlet: mark.cmdlet, pid, code: mark.code ?? -1 };
      finished = { kind: 'finished', cmdlet: mark.cmdlet, pid };
    }
    return finished;
  }
}

function writeMark(dir: string, name: string, mark: Mark): void {
  const file = join(dir, name);
  const temporary = `${file}.tmp`;
  try {
    // Renamed into place: a reader never sees half a mark.
    writeFileSync(temporary, JSON.stringify(mark), { mode: 0o600 });
    renameSync(temporary, file);
  } catch {
    // A mark that cannot be written leaves the reader knowing less, never believing more: a
    // "running" mark without its "ended" reads as a writer that did not finish.
  }
}

function marksOf(
  dir: string,
  identity: string,
  role: 'w' | 'r',
): { file: string; pid: number; mark: Mark | undefined }[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const prefix = `${identity}.${role}`;
  return names
    .filter((name) => name.startsWith(prefix) && /^\d+$/.test(name.slice(prefix.length)))
    .map((name) => {
      const file = join(dir, name);
      return { file, pid: Number(name.slice(prefix.length)), mark: readMark(file) };
    });
}

function readMark(file: string): Mark | undefined {
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as Partial<Mark>;
    return typeof value.cmdlet === 'string' &&
      (value.state === 'running' || value.state === 'ended')
      ? (value as Mark)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Removes marks older than a day once there are many (readers that were not ours leave them). */
function sweep(dir: string): void {
  const stamp = `${dir}.swept`;
  if (sweptRecently(stamp)) return;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  if (names.length <= SWEEP_ABOVE) return;
  stampNow(stamp);
  const before = Date.now() - STALE_AFTER_MS;
  for (const name of names) {
    const file = join(dir, name);
    try {
      if (statSync(file).mtimeMs < before) removeFile(file);
    } catch {
      // Removed by another sweep meanwhile.
    }
  }
}

/**
 * Whether our own stamp says a sweep ran within the last hour. A stamp that is not our plain file
 * (another user's, in a shared /tmp) is not believed: sweeps then stay due, as they were before
 * stamps, so no one can stop ours.
 */
function sweptRecently(stamp: string): boolean {
  try {
    const stats = lstatSync(stamp);
    const ours = stats.isFile() && stats.uid === process.getuid?.();
    return ours && Math.abs(Date.now() - stats.mtimeMs) < SWEEP_EVERY_MS;
  } catch {
    return false;
  }
}

function stampNow(stamp: string): void {
  try {
    // `wx` creates it and never follows a link someone left in its place.
    writeFileSync(stamp, '', { flag: 'wx', mode: 0o600 });
  } catch {
    try {
      const stats = lstatSync(stamp);
      if (stats.isFile() && stats.uid === process.getuid?.()) {
        const now = new Date();
        utimesSync(stamp, now, now);
      }
    } catch {
      // No stamp: the next start sweeps again, as it did before stamps.
    }
  }
}
