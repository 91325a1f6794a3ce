import type { Readable, Writable } from 'node:stream';
import type { CmdletServicesFactory } from '../cmdlet-support/services.js';
import type { ConfirmAnswer, ConfirmQuestion } from './in-process-options.js';
import type { Upstream } from './pipe-marks.js';
import type { Terminal } from './terminal.js';

/**
 * Everything a run touches, injected: main() passes the process's, specs pass streams of their own.
 */
export interface HostIO {
  argv: string[];
  /**
   * Read only when pipeline input is wanted (main passes a getter, so fd 0 is not opened
   * otherwise).
   */
  stdin: Readable;
  stdout: Writable;
  /**
   * The descriptor behind stdout when it is a regular file (main passes 1 for `> out`, `>> out`):
   * the run then writes it itself, whole chunks, and keeps the marks resume files record. `stdout`
   * is not used then.
   */
  stdoutFile?: number;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
  stdinIsTTY: boolean;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  /**
   * stdout is a pipe or socket (another command reads it): no progress line then, the reader's own
   * would be mixed with it (about_Pipelines). Default false.
   */
  stdoutIsPipe?: boolean;
  /**
   * Pipeline input handed over by an in-process caller rather than read from a process's stdin:
   * always read when given, and no warnings about an empty or silent stdin.
   */
  explicitInput?: boolean;
  /**
   * Once the pipeline input ended: how the module's command that wrote it ended (pipe-marks.ts).
   * Absent (nothing known) in-process and where marks cannot be kept.
   */
  upstream?: () => Upstream;
  /**
   * The module's command reading stdout through a pipe, when it is one that gives the instruction
   * to continue after a stop (a fan-out): this run then leaves that instruction to it.
   */
  continuingReader?: () => string | undefined;
  /** The module's command writing the input pipe while it still runs (pipe-marks.ts). */
  upstreamWriter?: () => string | undefined;
  /** How long a run waits for its first input object before saying so (default 5 s). */
  inputWaitNoticeMs?: number;
  /**
   * Whether stdin carries pipeline input: a pipe, file or socket; not a terminal, /dev/null or a
   * closed descriptor. Defaults to `!stdinIsTTY`.
   */
  stdinHasInput?: boolean;
  /**
   * When stdin is a regular file: counts its lines (the progress line's total). Absent for pipes,
   * terminals and in-process input.
   */
  countInputLines?: () => Promise<number | undefined>;
  /** Terminal width for Table output (process.stdout.columns). */
  columns?: number;
  /** Terminal height (process.stdout.rows): help longer than this goes through the pager. */
  rows?: number;
  /** SIGINT/SIGTERM: abort with an InterruptedError as the reason. */
  signal?: AbortSignal;
  /**
   * Builds the run's services (stores, Partner Center client); the real ones when absent. Specs
   * and in-process callers hand their own here.
   */
  services?: CmdletServicesFactory;
  /**
   * The process's terminal for questions (a confirmation, a missing mandatory parameter), read and
   * written directly, never through stdin (terminal.ts); undefined when the process has none.
   * Absent in-process: nothing there asks a terminal.
   */
  terminal?: () => Terminal | undefined;
  /** The Node API's onConfirm: answers confirmations instead of a terminal (confirm.ts). */
  onConfirm?: (question: ConfirmQuestion) => ConfirmAnswer | Promise<ConfirmAnswer>;
}

// The reason the run's signal carries when stdout's reader went away: in lib/common, where a
// listing can tell it from a signal.
export { OutputClosedError } from '../common/errors.js';

/**
 * The progress line is for a person at the terminal, drawn by the one command whose stdout is a
 * terminal or a file (or /dev/null): never by a command whose stdout is a pipe, whose reader's own
 * output or progress would run into it on the same screen.
 */
export function showsProgress(io: HostIO): boolean {
  return io.stderrIsTTY && !io.stdoutIsPipe;
}
