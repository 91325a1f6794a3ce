/**
 * What the fault, kill and resume specs share: running Get-PartnerCustomer as a real process or
 * in-process (the real host, cmdlet, session and client; only the streams are in memory), reading
 * the resume command out of its one error line, and checking that output lines are whole.
 */
import { expect } from '@jest/globals';
import GetPartnerCustomer from '../../../cmdlets/Get-PartnerCustomer.js';
import { runInProcess } from '../../fixtures/host/run-in-process.js';
import { runCli, type CliResult } from '../../support/cli.js';
import { wholeNdjsonLines } from '../../support/ndjson.js';

/**
 * Retries that wait milliseconds, not seconds (a documented tuning knob of
 * lib/session/retry-settings.ts). The client keeps its own request timeout: a run with -MaxRetry 0
 * or 1 must not fail because a loaded machine took longer than a short timeout to answer.
 */
export const FAST_RETRY_DELAY = { PARTNERCENTER_RETRY_BASE_DELAY_MS: '5' } as const;

/**
 * FAST_RETRY_DELAY and a 400 ms request timeout, for runs whose faults include stalled answers
 * (fault-schedules.ts) and that allow enough retries to ride out a timeout the machine caused.
 */
export const FAST_RETRIES = {
  ...FAST_RETRY_DELAY,
  PARTNERCENTER_REQUEST_TIMEOUT_MS: '400',
} as const;

export type RunMode = 'process' | 'in-process';

export interface ListingResult {
  code: number | null;
  signal?: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export async function runListing(
  mode: RunMode,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<ListingResult> {
  if (mode === 'process') return runCli('Get-PartnerCustomer', args, { env, timeoutMs: 60_000 });
  const result = await runInProcess(GetPartnerCustomer, [...args], { env });
  return { code: result.code, stdout: result.stdout, stderr: result.stderr };
}

export function idsOf(stdout: string): string[] {
  return wholeNdjsonLines(stdout).map((customer) => customer.id as string);
}

/**
 * The lines of stderr that are not -Verbose/-Debug/WARNING chatter: a failed run has exactly one.
 */
export function errorLines(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((line) => line !== '' && !/^(VERBOSE|DEBUG|WARNING): /.test(line));
}

/**
 * The command the error line says continues the listing (`... run: Get-PartnerCustomer ...` at its
 * end).
 */
export function resumeCommandOf(errorLine: string): string[] {
  const at = errorLine.lastIndexOf(': Get-PartnerCustomer');
  if (at < 0) throw new Error(`no resume command in: ${errorLine}`);
  const [cmdlet, ...args] = shellWords(errorLine.slice(at + 2));
  expect(cmdlet).toBe('Get-PartnerCustomer');
  return args;
}

/**
 * POSIX shell words, as the suggested command would be split by bash: plain words and '...' with
 * '\'' escapes.
 */
export function shellWords(text: string): string[] {
  const words: string[] = [];
  let current = '';
  let started = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (char === ' ') {
      if (started) words.push(current);
      current = '';
      started = false;
    } else if (char === "'") {
      const end = text.indexOf("'", index + 1);
      if (end < 0) throw new Error(`unbalanced quote in: ${text}`);
      current += text.slice(index + 1, end);
      started = true;
      index = end;
    } else if (char === '\\') {
      current += text[++index] ?? '';
      started = true;
    } else {
      current += char;
      started = true;
    }
  }
  if (started) words.push(current);
  return words;
}

export interface SignalledRun extends CliResult {
  /** Lines that had arrived when the signal was sent. */
  linesAtSignal: number;
}

/**
 * Starts the real Get-PartnerCustomer, waits until `afterLines` lines have arrived on stdout, then
 * sends `signal`. With `stallReader`, stdout is no longer read from that moment until the signal
 * was sent and a little later, so the run is held mid-page by backpressure.
 */
export function runUntilSignalled(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  options: { signal: NodeJS.Signals; afterLines: number; stallReader?: boolean },
): Promise<SignalledRun> {
  let lines = 0;
  let counted = 0;
  let linesAtSignal = -1;
  const run = runCli('Get-PartnerCustomer', args, {
    env,
    timeoutMs: 30_000,
    onOutput: ({ stdout }, child) => {
      lines += stdout.slice(counted).split('\n').length - 1;
      counted = stdout.length;
      if (linesAtSignal >= 0 || lines < options.afterLines) return;
      linesAtSignal = lines;
      if (options.stallReader) {
        child.stdout!.pause();
        // Let the child fill the pipe and block on it, then stop it, then drain what it still has.
        setTimeout(() => {
          child.kill(options.signal);
          setTimeout(() => child.stdout!.resume(), 200);
        }, 300);
      } else {
        child.kill(options.signal);
      }
    },
  });
  return run.then((result) => ({ ...result, linesAtSignal }));
}

/** Counts of a combined output against the emulator's set. */
export function compareWithExpected(
  ids: readonly string[],
  expected: readonly string[],
): { duplicates: number; missing: number } {
  const seen = new Set<string>();
  let duplicates = 0;
  for (const id of ids) {
    if (seen.has(id)) duplicates++;
    seen.add(id);
  }
  const missing = expected.filter((id) => !seen.has(id)).length;
  return { duplicates, missing };
}
