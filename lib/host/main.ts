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
import { redactSecrets } from '../common/redact.js';
import { runCmdlet } from './run.js';

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
  const controller = new AbortController();
  const signalsSeen = new Set<NodeJS.Signals>();
  const onSignal = (signal: 'SIGINT' | 'SIGTERM') => {
    // The first signal stops the run between two lines; a second one means "now".
    if (signalsSeen.size > 0)
      process.exit(signal === 'SIGINT' ? ExitCode.Interrupted : ExitCode.Terminated);
    signalsSeen.add(signal);
    controller.abort(new InterruptedError(signal));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  for (const signal of heldSignals)
    if (signal === 'SIGINT' || signal === 'SIGTERM') onSignal(signal);
  const crash = (error: unknown) => {
    writeLine(errorLine(cmdletName, error));
    process.exit(ExitCode.Failure);
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
    code = await runCmdlet(definition, processIO(controller.signal));
  } catch (error) {
    writeLine(errorLine(cmdletName, error));
    code = exitCodeOf(error);
  }
  await Promise.all([drained(process.stdout), drained(process.stderr)]);
  // Exit rather than wait for the event loop: a keep-alive socket or a timer left by a cmdlet must
  // not hold the shell prompt back once every line is written.
  process.exit(code);
}

function processIO(signal: AbortSignal): HostIO {
  return {
    argv: process.argv.slice(2),
    // A getter: fd 0 is opened only when the run reads pipeline input.
    get stdin() {
      return process.stdin;
    },
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    stdinIsTTY: isatty(0),
    stdoutIsTTY: isatty(1),
    stderrIsTTY: isatty(2),
    stdinHasInput: stdinHasInput(),
    countInputLines: stdinIsFile()
      ? () => import('./input-total.js').then(({ countLines }) => countLines(0))
      : undefined,
    // A pseudo-terminal nobody sized (ssh -t without a size, `script`, some CI runners) reports 0
    // columns.
    columns: process.stdout.columns || Number(process.env.COLUMNS) || undefined,
    rows: process.stdout.rows || Number(process.env.LINES) || undefined,
    signal,
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

function stdinIsFile(): boolean {
  try {
    return fstatSync(0).isFile();
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
