/**
 * The process entry point behind every bin/<Verb-Noun> shim: loads that one cmdlet, runs it against
 * the real argv/stdin/stdout/stderr/env, and exits with the run's code. It imports only what the
 * run needs, so start-up stays close to `node -e 0`.
 */
import { fstatSync } from 'node:fs';
import { isatty } from 'node:tty';
import { InterruptedError } from '../common/errors.js';
import { ExitCode } from '../common/exit-codes.js';
import { errorLine, exitCodeOf } from './error-report.js';
import type { CmdletDefinition } from '../cmdlet-support/cmdlet.js';
import type { HostIO } from './host-io.js';
import { loadCmdlet } from './load-cmdlet.js';
import { InputMark, OutputMark } from './pipe-marks.js';
import { redactSecrets } from '../common/redact.js';
import { runCmdlet } from './run.js';
import { processTerminal } from './terminal.js';

/**
 * @param heldSignals SIGINT/SIGTERM the bin/ shim received while this module was loading; the run
 * treats them as if they came now, so a signal at start-up ends with the stop line too.
 */
export function main(
  cmdletName: string,
  heldSignals: readonly NodeJS.Signals[] = [],
): Promise<void> {
  return runProcess(cmdletName, () => loadCmdlet(cmdletName), heldSignals);
}

/**
 * main() with the definition supplied by the caller: lets specs run fixture cmdlets as real
 * processes.
 */
export async function runProcess(
  cmdletName: string,
  load: () => Promise<CmdletDefinition<any>>,
  heldSignals: readonly NodeJS.Signals[] = [],
): Promise<void> {
  // Before anything can reach stdout: a reader of ours must be able to tell this run's end from a
  // kill (pipe-marks.ts).
  const outputMark = OutputMark.begin(cmdletName, process.env);
  const exit = (code: number): never => {
    // Before the exit closes stdout, so the reader finds it once its input ends.
    outputMark?.end(code);
    process.exit(code);
  };
  const controller = new AbortController();
  const signalsSeen = new Set<NodeJS.Signals>();
  const onSignal = (signal: 'SIGINT' | 'SIGTERM') => {
    // The first signal stops the run between two lines; a second one means "now".
    if (signalsSeen.size > 0) {
      clearProgressLine();
      exit(signal === 'SIGINT' ? ExitCode.Interrupted : ExitCode.Terminated);
    }
    signalsSeen.add(signal);
    controller.abort(new InterruptedError(signal));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  for (const signal of heldSignals)
    if (signal === 'SIGINT' || signal === 'SIGTERM') onSignal(signal);
  const crash = (error: unknown) => {
    clearProgressLine();
    writeLine(errorLine(cmdletName, error));
    exit(ExitCode.Failure);
  };
  // stderr belongs to the run's one-line messages: Node's own warnings (deprecations from a
  // dependency) are noise to a user, so they show only with -Debug.
  const debug = process.argv.slice(2).some((word) => /^--?(debug|db)(:\$?true)?$/i.test(word));
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (debug) writeLine(`DEBUG: ${warning.name}: ${warning.message}`);
  });
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);

  let code: number;
  try {
    const definition = await load();
    // A signal while the cmdlet loaded: nothing has started, so stop before binding anything.
    controller.signal.throwIfAborted();
    code = await runCmdlet(definition, processIO(definition, controller.signal, outputMark));
  } catch (error) {
    writeLine(errorLine(cmdletName, error));
    code = exitCodeOf(error);
  }
  await Promise.all([
    isRegularFile(1) ? undefined : drained(process.stdout),
    drained(process.stderr),
  ]);
  // Exit rather than wait for the event loop: a keep-alive socket or a timer left by a cmdlet must
  // not hold the shell prompt back once every line is written.
  exit(code);
}

function processIO(
  definition: CmdletDefinition<any>,
  signal: AbortSignal,
  outputMark: OutputMark | undefined,
): HostIO {
  let inputMark: InputMark | undefined;
  return {
    argv: process.argv.slice(2),
    // A getter: fd 0 is opened only when the run reads it, and only then is it marked as read.
    get stdin() {
      inputMark ??= InputMark.begin(
        definition.name,
        definition.concurrentInput !== undefined,
        process.env,
      );
      return process.stdin;
    },
    // A getter too: with a regular file as stdout the run writes fd 1 itself (stdoutFile).
    get stdout() {
      return process.stdout;
    },
    stdoutFile: isRegularFile(1) ? 1 : undefined,
    stderr: process.stderr,
    env: process.env,
    stdinIsTTY: isatty(0),
    stdoutIsTTY: isatty(1),
    stderrIsTTY: isatty(2),
    stdoutIsPipe: isPipe(1),
    upstream: () => inputMark?.upstream() ?? { kind: 'unknown' },
    upstreamWriter: () => inputMark?.runningWriter(),
    continuingReader: () => outputMark?.continuingReader(),
    stdinHasInput: stdinHasInput(),
    countInputLines: isRegularFile(0)
      ? () => import('./input-total.js').then(({ countLines }) => countLines(0))
      : undefined,
    // A pseudo-terminal nobody sized (ssh -t without a size, `script`, some CI runners) reports 0
    // columns.
    columns: process.stdout.columns || Number(process.env.COLUMNS) || undefined,
    rows: process.stdout.rows || Number(process.env.LINES) || undefined,
    signal,
    terminal: () => processTerminal(),
  };
}

/**
 * Pipeline input comes from a pipe, a socket or a file; not from a terminal, /dev/null or nothing.
 */
function stdinHasInput(): boolean {
  try {
    const stats = fstatSync(0);
    return stats.isFIFO() || stats.isSocket() || stats.isFile();
  } catch {
    return false;
  }
}

function isPipe(fd: number): boolean {
  try {
    const stats = fstatSync(fd);
    return stats.isFIFO() || stats.isSocket();
  } catch {
    return false;
  }
}

/** The progress line, if one is showing, must not stay behind a process that exits at once. */
function clearProgressLine(): void {
  if (!isatty(2)) return;
  try {
    process.stderr.write('\r\u001b[K');
  } catch {
    // Nothing left to clear.
  }
}

function isRegularFile(fd: number): boolean {
  try {
    return fstatSync(fd).isFile();
  } catch {
    return false;
  }
}

function drained(stream: NodeJS.WriteStream): Promise<void> {
  if (stream.destroyed || stream.writableEnded) return Promise.resolve();
  return new Promise((resolve) => stream.write('', () => resolve()));
}

function writeLine(text: string): void {
  try {
    process.stderr.write(`${redactSecrets(text)}\n`);
  } catch {
    // Nothing left to report to.
  }
}
