/**
 * Pipe marks on their own (lib/host/pipe-marks.ts), on a real FIFO: what a reader learns about its
 * writer, that the marks are consumed, and that a directory another user could write is refused.
 * The pipeline itself is proven with real processes in spec/e2e/pipeline-cut-input.spec.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  constants,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputMark, markDirectory, OutputMark, pipeIdentity } from '../../lib/host/pipe-marks.js';

let scratch: string;
let fd: number;
const env = () => ({ TMPDIR: scratch });

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'pc-marks-'));
  const fifo = join(scratch, 'fifo');
  execFileSync('mkfifo', [fifo]);
  // Read and write on one descriptor: a FIFO opened so never blocks (Linux).
  fd = openSync(fifo, constants.O_RDWR);
});

afterAll(() => {
  closeSync(fd);
  rmSync(scratch, { recursive: true, force: true });
});

const uid = process.getuid!();

describe('pipe marks', () => {
  it('a pipe has an identity; a regular file has none', () => {
    expect(pipeIdentity(fd)).toMatch(/^\d+-\d+$/);
    const file = openSync(join(scratch, 'plain'), 'w');
    expect(pipeIdentity(file)).toBeUndefined();
    closeSync(file);
  });

  it('tells the reader how its writer ended, once', () => {
    const reader = InputMark.begin('Get-Reader', true, env(), fd)!;
    const writer = OutputMark.begin('Get-Writer', env(), fd)!;
    expect(writer.continuingReader()).toBe('Get-Reader');
    expect(reader.runningWriter()).toBe(`Get-Writer (process ${process.pid})`);
    // Started, never said it ended: killed.
    expect(reader.upstream()).toEqual({ kind: 'vanished', cmdlet: 'Get-Writer', pid: process.pid });
    // Consumed: nothing is left for a later pipe with the same identity.
    expect(readdirSync(join(scratch, `partnercenter-pipes-${uid}`))).toEqual([]);

    const next = InputMark.begin('Get-Reader', false, env(), fd)!;
    OutputMark.begin('Get-Writer', env(), fd)!.end(5);
    expect(next.upstream()).toEqual({
      kind: 'failed',
      cmdlet: 'Get-Writer',
      pid: process.pid,
      code: 5,
    });
    const last = InputMark.begin('Get-Reader', false, env(), fd)!;
    expect(OutputMark.begin('Get-Writer', env(), fd)!.continuingReader()).toBeUndefined();
    OutputMark.begin('Get-Writer', env(), fd)!.end(0);
    expect(last.upstream()).toEqual({ kind: 'finished', cmdlet: 'Get-Writer', pid: process.pid });
    expect(last.upstream()).toEqual({ kind: 'unknown' });
  });

  it('a torn or foreign mark file reads as a writer that did not finish', () => {
    const reader = InputMark.begin('Get-Reader', false, env(), fd)!;
    const dir = markDirectory(env())!;
    writeFileSync(join(dir, `${pipeIdentity(fd)}.w12345`), '{"cmdlet":"Get-Wr');
    expect(reader.upstream()).toMatchObject({ kind: 'vanished', pid: 12345 });
  });

  it('refuses a directory another user could write, or a symlink', () => {
    const loose = mkdtempSync(join(scratch, 'loose-'));
    mkdirSync(join(loose, `partnercenter-pipes-${uid}`), { mode: 0o777 });
    chmodSync(join(loose, `partnercenter-pipes-${uid}`), 0o777);
    expect(markDirectory({ TMPDIR: loose })).toBeUndefined();
    expect(OutputMark.begin('Get-Writer', { TMPDIR: loose }, fd)).toBeUndefined();

    const linked = mkdtempSync(join(scratch, 'linked-'));
    const target = mkdtempSync(join(scratch, 'target-'));
    symlinkSync(target, join(linked, `partnercenter-pipes-${uid}`));
    expect(markDirectory({ TMPDIR: linked })).toBeUndefined();
  });

  it('prefers $XDG_RUNTIME_DIR, and creates the directory 0700', () => {
    const runtime = mkdtempSync(join(scratch, 'runtime-'));
    const dir = markDirectory({ XDG_RUNTIME_DIR: runtime, TMPDIR: scratch })!;
    expect(dir).toBe(join(runtime, `partnercenter-pipes-${uid}`));
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('removes marks older than a day once there are many', () => {
    const base = mkdtempSync(join(scratch, 'many-'));
    const dir = markDirectory({ TMPDIR: base })!;
    const old = new Date(Date.now() - 2 * 24 * 60 * 60 * 1000);
    for (let n = 0; n < 70; n++) {
      const file = join(dir, `1-${n}.w${n}`);
      writeFileSync(file, '{}');
      if (n < 60) utimesSync(file, old, old);
    }
    OutputMark.begin('Get-Writer', { TMPDIR: base }, fd);
    // The ten recent ones and the new writer's own.
    expect(readdirSync(dir)).toHaveLength(11);
  });

  it('sweeps at most once an hour, so many young marks cost no stat per start', () => {
    const base = mkdtempSync(join(scratch, 'busy-'));
    const dir = markDirectory({ TMPDIR: base })!;
    for (let n = 0; n < 70; n++) writeFileSync(join(dir, `2-${n}.w${n}`), '{}');
    OutputMark.begin('Get-Writer', { TMPDIR: base }, fd);
    const stamp = `${dir}.swept`;
    expect(statSync(stamp).isFile()).toBe(true);
    // A mark that turned stale after the sweep waits for the next one, an hour on.
    const old = new Date(Date.now() - 2 * 24 * 60 * 60 * 1000);
    const stale = join(dir, '2-stale.w1');
    writeFileSync(stale, '{}');
    utimesSync(stale, old, old);
    OutputMark.begin('Get-Writer', { TMPDIR: base }, fd);
    expect(readdirSync(dir)).toContain('2-stale.w1');
    const hourAgo = new Date(Date.now() - 61 * 60 * 1000);
    utimesSync(stamp, hourAgo, hourAgo);
    OutputMark.begin('Get-Writer', { TMPDIR: base }, fd);
    expect(readdirSync(dir)).not.toContain('2-stale.w1');
    expect(readdirSync(dir)).toHaveLength(71);
  });
});
