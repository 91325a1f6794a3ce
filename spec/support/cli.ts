/**
 * Runs the real bin/ commands as separate processes, each with its own private config directory.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';

export const repoRoot = join(import.meta.dirname, '..', '..');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: NodeJS.ProcessEnv;
  input?: string;
  timeoutMs?: number;
}

/** A scratch PARTNERCENTER_CONFIG_DIR; call `dispose()` in afterAll. */
export function scratchConfigDir(): { dir: string; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'pc-spec-'));
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Environment for a child: the machine's, minus anything of ours that could leak in from the
 * developer's shell.
 */
export function cleanEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env))
    if (!key.startsWith('PARTNERCENTER_')) env[key] = value;
  return { ...env, ...extra };
}

export function runCli(
  cmdlet: string,
  args: readonly string[],
  options: CliOptions = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin', cmdlet), ...args], {
      env: options.env ?? cleanEnv({}),
      // No input means /dev/null, as under cron: a pipe would be read as (empty) pipeline input.
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin?.end(options.input);
  });
}

export function parseNdjson(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/**
 * A run started now and awaited later, by the case that checks it: lets a slow run that nothing
 * else depends on overlap other cases. A failure is kept for that case, not reported as unhandled.
 */
export function inBackground<T>(run: Promise<T>): Promise<T> {
  run.catch(() => undefined);
  return run;
}

/**
 * Resolves once the clock has passed `timestamp` (ms since the epoch): waits for a condition, not a
 * guess.
 */
export async function untilPast(timestamp: number): Promise<void> {
  while (Date.now() <= timestamp)
    await new Promise((resolve) => setTimeout(resolve, timestamp - Date.now() + 1));
}

/**
 * Runs tasks at most `limit` at a time, in the order given: independent runs overlap on a machine
 * with several cores, without more processes at once than it has cores (each keeps its usual pace).
 */
export function taskQueue(
  limit = availableParallelism(),
): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async (task) => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await task();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}
