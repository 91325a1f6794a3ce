/**
 * The command that continues a stopped run, and one instruction to continue per pipeline.
 *
 * The command is derived once from the run's binding (`runCommandLine`): the host hands it to the
 * cmdlet (CmdletContext.commandLine) for a listing's stop line, and the fan-out repeats it in its
 * own; the words themselves come from lib/cmdlet-support/rerun.ts.
 *
 * One instruction to continue per pipeline. When `A | B` stops (Ctrl-C reaches both; or A fails and
 * B then finds its input cut), each used to say how to continue, and A's count was of what it wrote
 * into the pipe, not of what B did. When B is one of the module's fan-outs (pipe-marks.ts tells A
 * so), B's instruction is the one that is right: it counts what it did and keeps its -ResumeFile.
 * A then states only its cause and points at B.
 */
import type { CmdletDefinition } from '../cmdlet-support/cmdlet.js';
import type { RunCommandLine } from '../cmdlet-support/rerun.js';
import {
  ContinuedDownstreamError,
  IncompleteError,
  PartnerCenterModuleError,
} from '../common/errors.js';
import type { CommandLineBinding } from './binder.js';

/** The run's command line as bound, for the command that continues it. */
export function runCommandLine(
  definition: CmdletDefinition<any>,
  binding: CommandLineBinding,
): RunCommandLine {
  const { errorAction, outputFormat, property, contextName } = binding.common;
  return {
    cmdlet: definition.name,
    parameters: definition.parameters,
    given: binding.given,
    common: { errorAction, outputFormat, property, contextName },
    inProcess: binding.fromValues === true,
  };
}

/** Whether the error's hint is an instruction to continue: a listing's, a fan-out's. */
const carriesContinuation = (error: unknown): error is IncompleteError =>
  error instanceof IncompleteError;

/**
 * `error` as this run reports it: without its instruction to continue when `reader()` names the
 * command reading this output that gives it (asked only for an error that carries one).
 */
export function leavingContinuationTo(error: unknown, reader: () => string | undefined): unknown {
  if (!carriesContinuation(error)) return error;
  const cause = error.cause;
  if (!(cause instanceof PartnerCenterModuleError)) return error;
  const name = reader();
  return name ? new ContinuedDownstreamError(cause, name) : error;
}

export { ContinuedDownstreamError };
