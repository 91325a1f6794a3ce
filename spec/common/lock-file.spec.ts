/**
 * The lock file (lib/common/lock-file.ts) that makes a resume file (and an update of MSAL's token
 * cache) one process's at a time: refused while its holder lives, taken over once the holder was
 * killed or its pid belongs to another process start, never through a symlink or over a file that
 * is not a lock. Holders in other processes are real processes running the built module.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ChildProcess } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  acquireLock,
  acquireLockWaiting,
  type LockHolder,
  LockBusyError,
} from '../../lib/common/lock-file.js';
import { type CliResult, cleanEnv, repoRoot, spawnCollect } from '../support/cli.js';

const builtLockFile = pathToFileURL(join(repoRoot, 'dist', 'lib', 'common', 'lock-file.js')).href;
let dir: string;
let count = 0;
const lockPath = () => join(dir, `file-${++count}.lock`);
const linux = process.platform === 'linux';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lock-file-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What acquireLock threw, or undefined when it took the lock. */
function refusal(path: string, label = 'second'): LockBusyError | undefined {
  try {
    acquireLock(path, label).release();
    return undefined;
  } catch (error) {
    if (error instanceof LockBusyError) return error;
    throw error;
  }
}

const holderFile = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as LockHolder;

/**
 * A process of the built module that takes the lock (or reports who holds it), prints the outcome
 * and waits for its stdin to end (or for a signal); `exit` makes it exit at once instead, holding.
 */
function lockingProcess(path: string, options: { exit?: boolean } = {}) {
  const script = `
    const { acquireLock, LockBusyError } = await import(${JSON.stringify(builtLockFile)});
    try {
      acquireLock(process.env.LOCK_PATH, 'holder ' + process.pid);
      process.stdout.write('held\\n');
    } catch (error) {
      if (!(error instanceof LockBusyError)) throw error;
      process.stdout.write('busy ' + (error.holder ? error.holder.pid : '?') + '\\n');
    }
    if (process.env.EXIT_AT_ONCE) process.exit(0);
    process.stdin.resume();
  `;
  let child: ChildProcess | undefined;
  let reported: (outcome: { line: string; child: ChildProcess }) => void;
  const outcome = new Promise<{ line: string; child: ChildProcess }>((resolve) => {
    reported = resolve;
  });
  const done: Promise<CliResult> = spawnCollect(
    process.execPath,
    ['--input-type=module', '-e', script],
    {
      env: cleanEnv({ LOCK_PATH: path, ...(options.exit ? { EXIT_AT_ONCE: '1' } : {}) }),
      openStdin: true,
      onOutput: ({ stdout }, spawned) => {
        child = spawned;
        if (stdout.endsWith('\n')) reported({ line: stdout.trim(), child: spawned });
      },
    },
  );
  return { outcome, done, child: () => child };
}

describe('one holder at a time', () => {
  it('refuses a second acquisition while the first is held, naming the holder; released, it is free', () => {
    const path = lockPath();
    const first = acquireLock(path, 'Get-PartnerCustomer');
    const refused = refusal(path);
    expect(refused?.holder).toMatchObject({
      pid: process.pid,
      host: hostname(),
      label: 'Get-PartnerCustomer',
    });
    expect(refused?.message).toMatch(
      new RegExp(`is held by process ${process.pid} \\(Get-PartnerCustomer\\), since \\d{4}-`),
    );
    if (process.platform !== 'win32') expect(statSync(path).mode & 0o777).toBe(0o600);
    first.release();
    expect(existsSync(path)).toBe(false);
    const again = acquireLock(path, 'third');
    expect(holderFile(path).label).toBe('third');
    again.release();
    again.release();
    expect(existsSync(path)).toBe(false);
  });

  it('refuses while another process holds it, and takes it over once that process was killed (SIGKILL)', async () => {
    const path = lockPath();
    const holder = lockingProcess(path);
    const { line, child } = await holder.outcome;
    expect(line).toBe('held');
    expect(refusal(path)?.holder).toMatchObject({ pid: child.pid, label: `holder ${child.pid}` });
    child.kill('SIGKILL');
    expect((await holder.done).signal).toBe('SIGKILL');
    // Its lock is still there: nothing could release it.
    expect(holderFile(path).pid).toBe(child.pid);
    const taken = acquireLock(path, 'after the kill');
    expect(holderFile(path)).toMatchObject({ pid: process.pid, label: 'after the kill' });
    taken.release();
  });

  it('lets exactly one of several processes take over one stale lock; the others name the winner', async () => {
    const path = lockPath();
    writeFileSync(path, JSON.stringify(staleHolder()));
    const racers = Array.from({ length: 3 }, () => lockingProcess(path));
    const outcomes = await Promise.all(racers.map((racer) => racer.outcome));
    const winners = outcomes.filter((o) => o.line === 'held');
    expect(winners).toHaveLength(1);
    const winner = winners[0]!.child.pid;
    for (const o of outcomes) if (o !== winners[0]) expect(o.line).toBe(`busy ${winner}`);
    for (const o of outcomes) o.child.stdin!.end();
    await Promise.all(racers.map((racer) => racer.done));
    // The winner released it when it ended; no guard or temp file is left.
    expect(existsSync(path)).toBe(false);
    expect(existsSync(`${path}.takeover`)).toBe(false);
  });

  it('is released by a process that exits while holding it', async () => {
    const path = lockPath();
    const holder = lockingProcess(path, { exit: true });
    expect((await holder.outcome).line).toBe('held');
    expect((await holder.done).code).toBe(0);
    expect(existsSync(path)).toBe(false);
  });
});

/** A lock of this host whose process does not exist any more. */
function staleHolder(overrides: Partial<LockHolder> = {}): LockHolder {
  return {
    kind: 'PartnerCenter.Lock',
    pid: 2 ** 22 + 1, // above Linux's pid_max: no such process
    host: hostname(),
    label: 'killed run',
    since: '2026-01-01T00:00:00.000Z',
    nonce: 'stale',
    ...overrides,
  };
}

describe('stale or not', () => {
  it('takes over the lock of a pid that is not running', () => {
    const path = lockPath();
    writeFileSync(path, JSON.stringify(staleHolder()));
    acquireLock(path, 'taker').release();
  });

  it('takes over a lock whose pid now belongs to another process start (pid reuse) on Linux', () => {
    const path = lockPath();
    const mine = acquireLock(path, 'me');
    const real = holderFile(path);
    mine.release();
    // This very process's pid, alive, but as it would be had the pid been reused: another start.
    writeFileSync(path, JSON.stringify({ ...real, startTicks: '1', nonce: 'reused' }));
    const reused = refusal(path);
    if (linux) {
      expect(real.startTicks).toMatch(/^\d+$/);
      expect(reused).toBeUndefined();
      // A lock from before the machine restarted.
      writeFileSync(path, JSON.stringify({ ...real, bootId: 'another-boot', nonce: 'rebooted' }));
      expect(refusal(path)).toBeUndefined();
    } else {
      // Without a process start time a live pid keeps it (documented): the user deletes the lock.
      expect(reused?.holder?.nonce).toBe('reused');
    }
  });

  it('never takes over the lock of another host, whatever its pid', () => {
    const path = lockPath();
    writeFileSync(path, JSON.stringify(staleHolder({ host: `not-${hostname()}` })));
    expect(refusal(path)?.message).toMatch(
      new RegExp(`held by process ${2 ** 22 + 1} on host not-${hostname()} \\(killed run\\)`),
    );
  });

  it('refuses a file that is not a lock, and a symlink, leaving both (and the target) as they are', () => {
    const foreign = lockPath();
    writeFileSync(foreign, 'my notes\n', { mode: 0o644 });
    const refused = refusal(foreign);
    expect(refused?.holder).toBeUndefined();
    expect(refused?.message).toMatch(/not one this module wrote/);
    expect(readFileSync(foreign, 'utf8')).toBe('my notes\n');

    const target = join(dir, 'precious.json');
    writeFileSync(target, '{"secret":1}', { mode: 0o600 });
    const link = lockPath();
    symlinkSync(target, link);
    expect(refusal(link)?.holder).toBeUndefined();
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe('{"secret":1}');
    if (process.platform !== 'win32') expect(statSync(target).mode & 0o777).toBe(0o600);
  });

  it('release deletes only its own acquisition, not a lock another process holds now', () => {
    const path = lockPath();
    const lock = acquireLock(path, 'first');
    const other = { ...holderFile(path), nonce: 'someone-else' };
    writeFileSync(path, JSON.stringify(other));
    lock.release();
    expect(holderFile(path).nonce).toBe('someone-else');
  });
});

describe('waiting for a lock held for a moment (the token cache)', () => {
  it('pauses while it is held and takes it once released', () => {
    const path = lockPath();
    const first = acquireLock(path, 'writer');
    const pauses: number[] = [];
    const second = acquireLockWaiting(path, 'next writer', {
      pause: (ms) => {
        pauses.push(ms);
        if (pauses.length === 4) first.release();
      },
    });
    expect(pauses).toEqual([2, 4, 8, 16]);
    expect(holderFile(path).label).toBe('next writer');
    second.release();
  });

  it('gives up after its wait with the holder named, and never waits for a file that is not a lock', () => {
    const path = lockPath();
    const held = acquireLock(path, 'slow writer');
    let now = 0;
    const pauses: number[] = [];
    const waiting = () =>
      acquireLockWaiting(path, 'next', {
        waitMs: 100,
        now: () => now,
        pause: (ms) => {
          pauses.push(ms);
          now += ms;
        },
      });
    expect(waiting).toThrow(LockBusyError);
    expect(pauses.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(100);
    held.release();
    writeFileSync(path, 'not a lock');
    pauses.length = 0;
    expect(waiting).toThrow(/not one this module wrote/);
    expect(pauses).toEqual([]);
  });
});
