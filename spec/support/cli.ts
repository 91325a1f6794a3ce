/**
 * Runs the real bin/ commands as separate processes, each with its own private config directory.
 */
import { type ChildProcess, spawn } from 'node:child_process';
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
 * developer's shell, and minus the machine's NODE_EXTRA_CA_CERTS. No spec reaches a host that
 * bundle would vouch for (the emulator's CA comes with its context, or a case sets the variable
 * itself), and Node reads and parses the file at every start: on the machine the suite is timed
 * on, where it names the system's 140-certificate bundle, `node -e 0` took 0.12 s of CPU with it
 * and 0.075 s without, and the specs start a few hundred node processes (bin/ commands, npm, tsc).
 */
export function cleanEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env))
    if (!key.startsWith('PARTNERCENTER_') && key !== 'NODE_EXTRA_CA_CERTS') env[key] = value;
  return { ...env, ...extra };
}

export interface SpawnOptions extends CliOptions {
  /** Working directory of the child; default this process's. */
  cwd?: string;
  /**
   * stdin is a pipe that is never ended (what `script` copies to its terminal); `input`, if any, is
   * written to it first.
   */
  openStdin?: boolean;
  /** Run the child as another user (only root may): a reader the files' permissions refuse. */
  user?: { uid: number; gid: number };
  /**
   * Called with all the output so far after every chunk of either stream (to signal the child
   * mid-run, to act on a prompt it printed, to stall its reader).
   */
  onOutput?(output: { stdout: string; stderr: string }, child: ChildProcess): void;
}

/**
 * The one spawn-and-collect of the specs: runs `command` with a private environment (default the
 * machine's without PARTNERCENTER_*), collects stdout and stderr as text, and kills it with
 * SIGKILL after `timeoutMs` (default 20 s) so a hung child fails its spec instead of the suite.
 */
export function spawnCollect(
  command: string,
  args: readonly string[],
  options: SpawnOptions = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? cleanEnv({}),
      ...(options.user ?? {}),
      // No input means /dev/null, as under cron: a pipe would be read as (empty) pipeline input.
      stdio: [
        options.input === undefined && !options.openStdin ? 'ignore' : 'pipe',
        'pipe',
        'pipe',
      ],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      options.onOutput?.({ stdout, stderr }, child);
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      options.onOutput?.({ stdout, stderr }, child);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    if (!options.openStdin) child.stdin?.end(options.input);
    else if (options.input !== undefined) child.stdin?.write(options.input);
  });
}

/** A real bin/ command as its own process. */
export function runCli(
  cmdlet: string,
  args: readonly string[],
  options: SpawnOptions = {},
): Promise<CliResult> {
  return spawnCollect(process.execPath, [binPath(cmdlet), ...args], options);
}

export function binPath(cmdlet: string): string {
  return join(repoRoot, 'bin', cmdlet);
}

/** A bash script (pipelines of real commands: `| head`, PIPESTATUS). */
export function runBash(script: string, options: SpawnOptions = {}): Promise<CliResult> {
  return spawnCollect('bash', ['-c', script], options);
}

/**
 * A command line run on a real pseudo-terminal (util-linux `script`), as a person at a shell runs
 * it; its stdout is what the terminal showed. CI is unset: a terminal is there.
 */
export function runOnTerminal(commandLine: string, options: SpawnOptions = {}): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...(options.env ?? cleanEnv({})) };
  delete env.CI;
  // `script` runs the line with $SHELL: the same shell here as on CI, where it is /bin/sh.
  env.SHELL = '/bin/sh';
  return spawnCollect('script', ['-qec', commandLine, '/dev/null'], {
    openStdin: true,
    ...options,
    env,
  });
}

export { parseNdjson } from './ndjson.js';

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
