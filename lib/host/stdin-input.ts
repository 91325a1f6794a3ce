/**
 * When standard input is pipeline input, and what a run says about it (about_Pipelines, "Standard
 * input"). A runbook's stdin is often a pipe nobody writes to (Node's execFileSync, a CI step, a
 * scheduler), so stdin never swallows a command line that says what to do by itself:
 * - A command line that names the object (a parameter that takes pipeline input, such as
 *   -CustomerId, is given) and is complete on its own runs once: stdin is not read, whatever it is.
 *   Objects that carry every value bind without it: a subscription written by
 *   Get-PartnerCustomerSubscription carries its customerId, so piping subscriptions to get each by
 *   id needs no -CustomerId.
 * - Otherwise a pipe or file on stdin is pipeline input; an input that ends with no objects says
 *   so in a warning, and a run still waiting for its first object after a few seconds says so
 *   when someone can see it (stderr a terminal, or -Verbose).
 */
import type { CmdletDefinition } from '../cmdlet-support/cmdlet.js';
import { type CommandLineBinding, completeBinding } from './binder.js';
import type { Diagnostics } from './diagnostics.js';
import type { HostIO } from './host-io.js';
import { belongsToSet } from './parameter-sets.js';

const DEFAULT_WAIT_NOTICE_MS = 5_000;

/** Whether this run reads its pipeline input (stdin, or an in-process caller's input). */
export function readsPipelineInput(
  definition: CmdletDefinition<any>,
  binding: CommandLineBinding,
  io: HostIO,
): boolean {
  if (binding.pipelineParameters.length === 0) return false;
  if (!(io.stdinHasInput ?? !io.stdinIsTTY)) return false;
  return io.explicitInput === true || !namesItsObject(definition, binding, io.env);
}

/**
 * The command line gives a parameter that pipeline objects would bind and completes a parameter
 * set without them: it already says which object to work on.
 */
function namesItsObject(
  definition: CmdletDefinition<any>,
  binding: CommandLineBinding,
  env: NodeJS.ProcessEnv,
): boolean {
  const givesPipelineParameter = [...binding.given.keys()].some(
    (name) => definition.parameters[name]?.pipeline === 'byPropertyName',
  );
  if (!givesPipelineParameter) return false;
  try {
    completeBinding(definition, binding, env);
    return true;
  } catch {
    return false;
  }
}

/** The parameters to give for a run without pipeline input, for the messages below. */
function standaloneParameters(
  definition: CmdletDefinition<any>,
  binding: CommandLineBinding,
): string {
  const set = definition.defaultParameterSet;
  const inDefault = binding.pipelineParameters.filter((name) => {
    const declaration = definition.parameters[name];
    return set === undefined || (declaration !== undefined && belongsToSet(declaration, set));
  });
  const names = inDefault.length > 0 ? inDefault : binding.pipelineParameters;
  return names.map((name) => `-${name}`).join(' or ');
}

/** The warning for an input that ended with no objects (a silent nothing misleads a runbook). */
export function emptyInputWarning(
  definition: CmdletDefinition<any>,
  binding: CommandLineBinding,
): string {
  return (
    `Nothing came on standard input, so ${definition.name} read no objects and did nothing. ` +
    `If that was not meant: give ${standaloneParameters(definition, binding)} on the command ` +
    'line (then standard input is not read), or pipe in the objects to work on.'
  );
}

/**
 * Says, once, that the run is still waiting for its first input object: after a few seconds, and
 * only where someone sees it. Returns the function that cancels it (call it when an object came).
 */
export function noticeWaitingForInput(
  definition: CmdletDefinition<any>,
  binding: CommandLineBinding,
  io: HostIO,
  diagnostics: Diagnostics,
): () => void {
  if (io.explicitInput || !(io.stderrIsTTY || binding.common.verbose)) return () => {};
  const timer = setTimeout(() => {
    // One of the module's commands is at work on the other end (a slow first page): nothing is
    // wrong, and only -Verbose says what the run waits for.
    const writer = io.upstreamWriter?.();
    if (writer) {
      if (binding.common.verbose)
        diagnostics.line(`Waiting for the first object from ${writer}.`, 'VERBOSE: ');
      return;
    }
    diagnostics.line(
      `${definition.name} is waiting for pipeline input (NDJSON objects) on standard input. ` +
        `To run it without, give ${standaloneParameters(definition, binding)} or connect ` +
        'standard input to /dev/null; to end the input, close it (Ctrl-D at a terminal).',
      binding.common.verbose ? 'VERBOSE: ' : 'WARNING: ',
    );
  }, io.inputWaitNoticeMs ?? DEFAULT_WAIT_NOTICE_MS);
  timer.unref();
  return () => clearTimeout(timer);
}
