import type { Readable, Writable } from 'node:stream';
import type { CmdletServicesFactory } from '../cmdlet-support/services.js';

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
  stderr: Writable;
  env: NodeJS.ProcessEnv;
  stdinIsTTY: boolean;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
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
}

/** The reason the run's signal carries when stdout's reader went away (`| head`). */
export class OutputClosedError extends Error {
  constructor() {
    super('The output stream was closed by its reader.');
    this.name = 'OutputClosedError';
  }
}
