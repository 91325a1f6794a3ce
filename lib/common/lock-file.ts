/**
 * A lock file that says which process holds a file: `<file>.lock` beside it, holding JSON that
 * names the holder (pid, host, what it is, since when) and a nonce of this one acquisition.
 *
 * Why a file and not an OS lock: Node has no flock(), and a lock file also tells the process that
 * is refused who holds it. The price is the stale lock of a process that was killed (SIGKILL, a
 * power loss), which the next process takes over once it can tell that the holder is gone:
 *
 * - it is created whole or not at all: written to a private temp file (0600, fsync) and then
 *   hard-linked to its name, which fails if the name exists (a filesystem without hard links
 *   falls back to an O_EXCL create); neither ever follows a symlink;
 * - its holder is alive when its pid is (signal 0; EPERM means alive but not ours) and, on Linux,
 *   is the same process start: `/proc/<pid>/stat`'s start time and the kernel's boot id are kept
 *   in the lock, so a pid reused by another process, a zombie, or a lock from before a restart is
 *   stale. Elsewhere a reused pid keeps the lock held (the refused run names it, and the user
 *   deletes the lock). A process that /proc hides from this user (hidepid) counts as alive. A lock
 *   from another host (another hostname) is never taken over: its pid means nothing here; so
 *   containers that share a volume need hostnames of their own (Docker's default), or one's pids
 *   would be judged in the other's pid namespace;
 * - a stale lock is taken over under a guard (`<file>.lock.takeover`, created exclusively and held
 *   for the microseconds of the takeover): under it, the lock is read again and deleted only if it
 *   is still the stale one that was judged (its nonce), then a new lock is created as above. So a
 *   live lock is never deleted by a process that read the stale one a moment before. A guard left
 *   by a process killed inside those microseconds is removed once it is 10 s old;
 * - it is released by deleting it only while it still holds this acquisition's nonce, and every
 *   lock still held is released when the process exits (an 'exit' listener).
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, linkSync, lstatSync, openSync, readFileSync } from 'node:fs';
import { removeFile } from './remove-file.js';
import { hostname } from 'node:os';
import { pauseSync } from './blocking-pause.js';
import { createPrivateFile } from './new-private-file.js';

const KIND = 'PartnerCenter.Lock';

/** Who holds a lock, as its lock file says. */
export interface LockHolder {
  kind: typeof KIND;
  pid: number;
  host: string;
  /** What holds it, e.g. a cmdlet's name: shown to a process that finds it held. */
  label: string;
  /** When it was taken (ISO 8601). */
  since: string;
  /** Linux only: the kernel's boot id and the process's start time, which tell a reused pid. */
  bootId?: string;
  startTicks?: string;
  nonce: string;
}

/** The lock is held by a live process (`holder`), or its file is not a lock of this module. */
export class LockBusyError extends Error {
  constructor(
    readonly lockPath: string,
    /** undefined: the file exists but is not a lock this module wrote (or not yet written). */
    readonly holder: LockHolder | undefined,
  ) {
    super(`'${lockPath}' is held by ${describeHolder(holder)}.`);
    this.name = 'LockBusyError';
  }
}

/** "process 4242 (Get-PartnerCustomer), since 2026-12-05T08:52:10.000Z", for messages. */
export function describeHolder(holder: LockHolder | undefined): string {
  if (!holder) return 'an unknown process (the lock file is not one this module wrote)';
  const where = holder.host === hostname() ? '' : ` on host ${holder.host}`;
  return `process ${holder.pid}${where} (${holder.label}), since ${holder.since}`;
}

const held = new Set<HeldLock>();
let releaseOnExit = false;

/** A lock this process holds. */
export class HeldLock {
  private released = false;

  constructor(
    readonly path: string,
    private readonly nonce: string,
  ) {
    held.add(this);
    if (!releaseOnExit) {
      releaseOnExit = true;
      process.on('exit', () => {
        for (const lock of held) lock.release();
      });
    }
  }

  /** Deletes the lock file if it is still this acquisition's; safe to call twice. */
  release(): void {
    if (this.released) return;
    this.released = true;
    held.delete(this);
    try {
      if (readHolder(this.path)?.nonce === this.nonce) removeFile(this.path);
    } catch {
      // Left behind, it is stale as soon as this process is gone, and the next one takes it over.
    }
  }
}

/**
 * Takes the lock at once or throws LockBusyError; a stale lock is taken over. Errors of the
 * filesystem (a missing or read-only directory) are thrown as they are, for the caller to word.
 */
export function acquireLock(lockPath: string, label: string): HeldLock {
  // Rounds lost to other processes (taking and releasing it, or taking a stale one over) are
  // retried; each lasts microseconds.
  for (let attempt = 0; attempt < 100; attempt++) {
    const mine = ownHolder(label);
    if (create(lockPath, mine)) return new HeldLock(lockPath, mine.nonce);
    let holder: LockHolder | undefined;
    try {
      holder = readHolder(lockPath);
    } catch (error) {
      // Released between the two steps: try again.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      holder = undefined;
    }
    if (!holder || isAlive(holder)) throw new LockBusyError(lockPath, holder);
    takeOver(lockPath, holder);
  }
  throw new LockBusyError(lockPath, safeReadHolder(lockPath));
}

export interface WaitOptions {
  /** How long to wait for a live holder before giving up (default 10 s). */
  waitMs?: number;
  /** The pause between attempts (a test hands its own). */
  pause?: (ms: number) => void;
  now?: () => number;
}

/**
 * Takes the lock, waiting (synchronously, in short pauses) while another process holds it: for
 * locks held only for the few milliseconds of a read-merge-write. A lock that is not this
 * module's is not waited for.
 */
export function acquireLockWaiting(
  lockPath: string,
  label: string,
  options: WaitOptions = {},
): HeldLock {
  const { waitMs = 10_000, pause = pauseSync, now = Date.now } = options;
  const deadline = now() + waitMs;
  let delay = 2;
  for (;;) {
    try {
      return acquireLock(lockPath, label);
    } catch (error) {
      if (!(error instanceof LockBusyError) || !error.holder || now() >= deadline) throw error;
    }
    pause(delay);
    delay = Math.min(delay * 2, 50);
  }
}

/** Whether the process a lock names still runs (as the same process start, where that is known). */
export function isAlive(holder: LockHolder): boolean {
  // Another host's pid says nothing here: never take its lock over.
  if (holder.host !== hostname()) return true;
  const me = ownIdentity();
  if (holder.bootId && me?.bootId && holder.bootId !== me.bootId) return false;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    // EPERM: it runs, as another user.
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  if (!me) return true;
  const now = processIdentity(holder.pid);
  if (now === 'gone') return false;
  // Hidden from this user (/proc mounted with hidepid): it runs, and may be the holder.
  if (!now) return true;
  if (now.zombie) return false;
  return holder.startTicks === undefined || holder.startTicks === now.startTicks;
}

function ownHolder(label: string): LockHolder {
  const me = ownIdentity();
  return {
    kind: KIND,
    pid: process.pid,
    host: hostname(),
    label,
    since: new Date().toISOString(),
    ...(me ? { bootId: me.bootId, startTicks: me.startTicks } : {}),
    nonce: randomBytes(8).toString('hex'),
  };
}

/** Writes the lock whole under its name; false when the name is taken. */
function create(lockPath: string, holder: LockHolder): boolean {
  const text = JSON.stringify(holder);
  const temp = `${lockPath}.${process.pid}.${holder.nonce}.tmp`;
  createPrivateFile(temp, text);
  try {
    linkSync(temp, lockPath);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS')
      throw error;
    // No hard links on this filesystem: an exclusive create, written at once.
    try {
      createPrivateFile(lockPath, text);
      return true;
    } catch (fallbackError) {
      if ((fallbackError as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw fallbackError;
    }
  } finally {
    removeFile(temp);
  }
}

/** The holder a lock file names; undefined when it is not a lock of this module. */
function readHolder(path: string): LockHolder | undefined {
  const fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  let text: string;
  try {
    text = readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
  try {
    const value = JSON.parse(text) as Partial<LockHolder> | null;
    if (
      value?.kind === KIND &&
      Number.isInteger(value.pid) &&
      (value.pid as number) > 0 &&
      typeof value.host === 'string' &&
      typeof value.label === 'string' &&
      typeof value.since === 'string' &&
      typeof value.nonce === 'string'
    )
      return value as LockHolder;
  } catch {
    // Not JSON: not ours.
  }
  return undefined;
}

function safeReadHolder(path: string): LockHolder | undefined {
  try {
    return readHolder(path);
  } catch {
    return undefined;
  }
}

/** A takeover guard older than this was left by a process killed during its takeover. */
const ABANDONED_GUARD_MS = 10_000;

/** Deletes the stale lock `stale` if it is still there (see the header); the caller tries again. */
function takeOver(lockPath: string, stale: LockHolder): void {
  const guard = `${lockPath}.takeover`;
  try {
    createPrivateFile(guard, String(process.pid));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // Another process is taking it over right now.
    try {
      if (Date.now() - lstatSync(guard).mtimeMs > ABANDONED_GUARD_MS) removeFile(guard);
    } catch {
      // Gone meanwhile.
    }
    pauseSync(1);
    return;
  }
  try {
    if (safeReadHolder(lockPath)?.nonce === stale.nonce) removeFile(lockPath);
  } finally {
    removeFile(guard);
  }
}

interface ProcessIdentity {
  bootId: string;
  startTicks: string;
  zombie: boolean;
}

let bootId: string | undefined;

function ownIdentity(): ProcessIdentity | undefined {
  const me = processIdentity('self');
  return me === 'gone' ? undefined : me;
}

/**
 * Linux's view of a process: its start time in clock ticks since boot and whether it is a zombie
 * (field 22 and 3 of /proc/<pid>/stat, read after the command name, which may hold spaces);
 * 'gone' when there is no such process, undefined elsewhere or when /proc does not show it.
 */
function processIdentity(pid: number | 'self'): ProcessIdentity | 'gone' | undefined {
  if (process.platform !== 'linux') return undefined;
  let stat: string;
  try {
    bootId ??= readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' && pid !== 'self'
      ? 'gone'
      : undefined;
  }
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const startTicks = fields[19];
  if (!startTicks) return undefined;
  return { bootId, startTicks, zombie: fields[0] === 'Z' || fields[0] === 'X' };
}
