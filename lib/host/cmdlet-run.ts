/**
 * Runs a bound cmdlet once, or once per NDJSON object on stdin, and decides the exit code.
 *
 * Exit codes and -ErrorAction (PowerShell's semantics, mapped onto a process; item-failures.ts
 * decides what one failed object does to the run, for a single run and pipeline input alike, which
 * runs through the one engine, fan-out.ts):
 * - A command-line usage error always ends the run (exit 2) before anything else happens.
 * - Continue (default): each failed pipeline object gets one line on stderr and the run goes on;
 *   SilentlyContinue and Ignore go on without the line. A run in which any object failed ends
 *   with a summary line (Continue) and exits 1 (Failure), so a runbook can tell; with a single run
 *   (no pipeline input) the error's own line and code are kept.
 * - Stop: the first failure ends the run with that error's own exit code.
 * - An error whose `endsRun` is set (not connected, authentication, config files, signals, bugs,
 *   throttling past the retries) ends the run whatever -ErrorAction says: every later object
 *   would fail the same way.
 * - The reader went away (`| head`): stop quietly, exit 0 (or 1 when some object failed before).
 * - SIGINT/SIGTERM: stop between objects, 130/143; a cmdlet that returns normally after the signal
 *   (the emulator shutting down) exits 0.
 * - Pipeline input that ended early (the command feeding it failed or was killed, or its last line
 *   was cut off: input-end.ts): what came was done, exit 6 (InputIncomplete), resume file kept.
 * - When stdin is pipeline input at all: stdin-input.ts.
 */
import type {
  CmdletContext,
  CmdletDefinition,
  CmdletOutput,
  ShouldProcess,
} from '../cmdlet-support/cmdlet.js';
import type { ConcurrentInput } from '../cmdlet-support/fan-out.js';
import type { FanOut, FanOutCounts, PipelineObject } from './fan-out.js';
import {
  InterruptedError,
  OutputFailedError,
  PartnerCenterModuleError,
  ReaderGoneError,
  UsageError,
} from '../common/errors.js';
import { ExitCode } from '../common/exit-codes.js';
import { type CommandLineBinding, completeBinding, type CompleteBinding } from './binder.js';
import { createCmdletContext } from './cmdlet-context.js';
import { commandLineSecretWarning } from './command-line-secrets.js';
import type { Diagnostics, PipelineProgress } from './diagnostics.js';
import { errorDetails, errorLine, exitCodeOf } from './error-report.js';
import { type HostIO, OutputClosedError, showsProgress } from './host-io.js';
import { type InputEnd, inputCut } from './input-end.js';
import { type InvocationOutcome, invokeCmdlet } from './invocation.js';
import { errorActionOf, ItemFailures, terminalOf } from './item-failures.js';
import type { PipelineRecord } from './ndjson-reader.js';
import { type OutputWriter, throughEachObject } from './output/output-writer.js';
import { MissingMandatoryError } from './parameter-sets.js';
import { leavingContinuationTo, runCommandLine } from './continuation.js';
import { emptyInputWarning, noticeWaitingForInput, readsPipelineInput } from './stdin-input.js';

export class CmdletRun {
  readonly contextName: string | undefined;
  /** The error that ended the run: what the exit code came from, for callers that throw it. */
  failure: unknown;
  /** The pipeline objects that failed without ending the run; made when the run starts. */
  private failures: ItemFailures | undefined;
  private secretWarningGiven = false;
  private readonly reported = new Set<unknown>();
  private sharedContext: Omit<CmdletContext, 'parameterSet'> | undefined;
  /** The run's ShouldProcess, for a cmdlet that declares `changes` (confirm.ts). */
  private shouldProcess: ShouldProcess | undefined;
  /** -ThrottleLimit of a fan-out cmdlet's run: the client's cap on requests in flight. */
  private throttleLimit: number | undefined;
  /** Cancels the work in flight (-First reached, a fan-out stopping) without stopping the run. */
  private readonly work = new AbortController();
  /** What the cmdlet and its requests stop on: the run's signal or the work's cancellation. */
  private readonly workSignal: AbortSignal;

  constructor(
    private readonly definition: CmdletDefinition<any>,
    private readonly io: HostIO,
    private readonly binding: CommandLineBinding,
    private readonly diagnostics: Diagnostics,
    private readonly signal: AbortSignal,
    /** stdout as a resume file needs it (what got out whole); absent: taken when handed over. */
    private readonly output?: CmdletOutput,
    /** The Node API's `onError`: each pipeline object's failure that -ErrorAction records. */
    private readonly onError?: (error: unknown) => void,
  ) {
    this.contextName = binding.common.contextName ?? (io.env.PARTNERCENTER_CONTEXT || undefined);
    this.workSignal = AbortSignal.any([signal, this.work.signal]);
  }

  /** The width of the terminal stderr is (as the progress line measures it); none for a pipe. */
  private get stderrColumns(): number | undefined {
    if (!this.io.stderrIsTTY) return undefined;
    return (this.io.stderr as { columns?: number }).columns || this.io.columns || 80;
  }

  /** Pipeline objects that failed without ending the run. */
  get failedObjects(): number {
    return this.failures?.count ?? 0;
  }

  async execute(writer: OutputWriter): Promise<number> {
    try {
      this.failures = new ItemFailures(
        this.definition.name,
        errorActionOf(this.binding.common, this.io.env),
        {
          line: (text, prefix) => this.diagnostics.line(text, prefix),
          terminal: await terminalOf(this.stderrColumns),
          verbose: this.binding.common.verbose,
          onError: this.onError,
          inProcess: this.binding.fromValues === true,
          recordsInput: this.definition.concurrentInput !== undefined,
        },
      );
      // Before anything is read or sent: a confirmation nobody can answer refuses the run here.
      if (this.definition.changes) {
        const { createShouldProcess } = await import('./confirm.js');
        this.shouldProcess = createShouldProcess({
          definition: this.definition,
          common: this.binding.common,
          env: this.io.env,
          line: (text) => this.diagnostics.line(text),
          verbose: (text) => {
            if (this.binding.common.verbose) this.diagnostics.line(text, 'VERBOSE: ');
          },
          inProcess: this.binding.fromValues === true,
          resumeFile: this.binding.given.has('ResumeFile'),
          holdProgress: () => this.diagnostics.holdProgress(),
          signal: this.workSignal,
          terminal: this.io.terminal,
          onConfirm: this.io.onConfirm,
        });
      }
    } catch (error) {
      this.report(error);
      return exitCodeOf(error);
    }
    return this.executeWith(writer, this.failures);
  }

  private async executeWith(writer: OutputWriter, failures: ItemFailures): Promise<number> {
    if (readsPipelineInput(this.definition, this.binding, this.io))
      return this.executePipeline(writer, failures);
    let bound: CompleteBinding;
    try {
      bound = await this.bindAskingIfNeeded();
    } catch (error) {
      this.failure ??= error;
      this.diagnostics.line(errorLine(this.definition.name, error));
      return exitCodeOf(error);
    }
    let outcome: InvocationOutcome;
    try {
      outcome = await this.invoke(bound, await this.singleRunWriter(writer));
    } catch (error) {
      this.report(error);
      return exitCodeOf(error);
    }
    if (outcome.kind === 'failed' && !this.signal.aborted) {
      if (failures.showsAlone(outcome.error)) this.report(outcome.error);
      return exitCodeOf(outcome.error);
    }
    return this.exitCode(outcome);
  }

  /**
   * A run once, its input on the command line: -ThrottleLimit still caps the client's requests in
   * flight and -First still cuts the output short; -ResumeFile, which records pipeline input
   * objects, has nothing to record.
   */
  private async singleRunWriter(writer: OutputWriter): Promise<OutputWriter> {
    if (!this.definition.concurrentInput) return writer;
    const { runSettings } = await import('./fan-out.js');
    const settings = runSettings(this.definition, this.binding, this.io.env);
    if (settings.resumeFile !== undefined) {
      throw new UsageError(
        '-ResumeFile records which pipeline input objects were done, and this run has no ' +
          'pipeline input.',
        {
          hint:
            `Pipe the objects in (e.g. Get-PartnerCustomer | ${this.definition.name} ` +
            '-ResumeFile <file>), or leave -ResumeFile out.',
        },
      );
    }
    this.throttleLimit = settings.throttleLimit;
    const { first } = settings;
    return first === undefined
      ? writer
      : firstOnly(writer, first, () => this.work.abort(new Error('-First reached')));
  }

  /**
   * Pipeline input, through the one run engine (fan-out.ts): a fan-out cmdlet's objects up to
   * -ThrottleLimit at once, any other cmdlet's one at a time with its output as it comes.
   */
  private async executePipeline(writer: OutputWriter, failures: ItemFailures): Promise<number> {
    const [{ FanOut, runSettings }, { readNdjson }] = await Promise.all([
      import('./fan-out.js'),
      import('./ndjson-reader.js'),
    ]);
    const { definition } = this;
    const input = definition.concurrentInput;
    let fanOut: InstanceType<typeof FanOut>;
    const progress = showsProgress(this.io) ? new PipelineProgressLine(input) : undefined;
    const show = progress
      ? () =>
          this.diagnostics.pipelineProgress(
            progress.status(fanOut.counts, this.runContext().services.throttling?.()?.gateClosedMs),
          )
      : undefined;
    try {
      const settings = runSettings(definition, this.binding, this.io.env);
      this.throttleLimit = settings.throttleLimit;
      fanOut = new FanOut(
        {
          definition,
          binding: this.binding,
          env: this.io.env,
          signal: this.signal,
          cancelWork: (reason) => this.work.abort(reason),
          invoke: (bound, output, object) => this.invoke(bound, output, object),
          failures,
          inputEnded: (end) => this.inputEnded(end, fanOut.counts.read),
          output: this.output,
        },
        settings,
        writer,
        show,
      );
    } catch (error) {
      this.report(error);
      return exitCodeOf(error);
    }
    const stdin = this.io.stdin;
    const stopReading = () => stdin.destroy();
    // A run waiting for upstream input must still stop at once on a signal.
    this.signal.addEventListener('abort', stopReading, { once: true });
    if (progress && input)
      void this.io.countInputLines?.().then((total) => (progress.total = total));
    // The rate and the time spent throttled change while nothing finishes.
    const ticker = show && input ? setInterval(show, 1000).unref() : undefined;
    let result: Awaited<ReturnType<typeof fanOut.run>>;
    const records = this.watchedInput(readNdjson(stdin));
    try {
      result = await fanOut.run(records.records);
    } finally {
      records.stopWatching();
      clearInterval(ticker);
      this.signal.removeEventListener('abort', stopReading);
      stdin.destroy();
    }
    if (result.stoppedBy !== undefined) {
      this.report(result.stoppedBy);
      return exitCodeOf(result.stoppedBy);
    }
    if (this.signal.aborted) return this.stoppedPipeline(fanOut, result.lastOutcome);
    const code = failures.finish(fanOut.counts.read, input, result.keptResumeFile);
    if (result.inputCut === undefined) return code;
    this.report(result.inputCut);
    return exitCodeOf(result.inputCut);
  }

  /**
   * The exit code of a pipeline run its signal stopped. A fan-out's own stop line says what was
   * done and how to continue; a run of one object at a time reports what its last object said (a
   * listing's stop line), as a single run does.
   */
  private stoppedPipeline(fanOut: FanOut, last: InvocationOutcome): number {
    if (!this.definition.concurrentInput)
      return this.exitCode(last.kind === 'completed' ? { kind: 'stopped' } : last);
    const reason: unknown = this.signal.reason;
    if (reason instanceof InterruptedError || reason instanceof OutputFailedError) {
      this.report(fanOut.withAdvice(reason));
      return exitCodeOf(reason);
    }
    // With a resume file the run did not finish: one line says what it records (exit 1).
    if (reason instanceof OutputClosedError && fanOut.resumable) {
      const gone = new ReaderGoneError('The reader of stdout went away before the run ended.', {
        hint: 'What it had not read yet of the output handed to it is not written again.',
      });
      this.report(fanOut.withAdvice(gone));
      return exitCodeOf(gone);
    }
    return this.exitCode({ kind: 'stopped' });
  }

  /**
   * Pipeline input that ended: the error saying it was not all of it (input-end.ts), or the warning
   * for an input with no objects at all.
   */
  private inputEnded(end: InputEnd, objects: number): unknown {
    const cut = inputCut(end, this.io.upstream?.() ?? { kind: 'unknown' });
    if (!cut && objects === 0 && !this.io.explicitInput)
      this.diagnostics.line(emptyInputWarning(this.definition, this.binding), 'WARNING: ');
    return cut;
  }

  /** The records of the input, with a notice while the first one is slow to come. */
  private watchedInput(records: AsyncGenerator<PipelineRecord, InputEnd>): {
    records: AsyncIterator<PipelineRecord, InputEnd>;
    stopWatching: () => void;
  } {
    const stopWatching = noticeWaitingForInput(
      this.definition,
      this.binding,
      this.io,
      this.diagnostics,
    );
    return {
      records: {
        next: () => records.next().finally(stopWatching),
      },
      stopWatching,
    };
  }

  /** Binds the command line; a person at a terminal is asked for missing mandatory parameters. */
  private async bindAskingIfNeeded(): Promise<CompleteBinding> {
    try {
      return completeBinding(this.definition, this.binding, this.io.env);
    } catch (error) {
      const terminal = this.interactive ? this.io.terminal?.() : undefined;
      if (!(error instanceof MissingMandatoryError) || !terminal) throw error;
      const { promptForMissing } = await import('./prompt-mandatory.js');
      const typed = await promptForMissing(this.definition, error.missing, terminal, this.signal);
      const given = new Map([...this.binding.given, ...typed]);
      return completeBinding(this.definition, { ...this.binding, given }, this.io.env);
    }
  }

  private get interactive(): boolean {
    return this.io.stdinIsTTY && this.io.stderrIsTTY && !this.io.env.CI;
  }

  /**
   * One invocation of the cmdlet: for the run's input on the command line, or for one pipeline
   * object. Its context is the run's (runContext) with what is the object's own: the parameter
   * set, the object, its journal entry; what a write contract asks per object joins it here.
   */
  private invoke(
    bound: CompleteBinding,
    writer: OutputWriter,
    object?: PipelineObject,
  ): Promise<InvocationOutcome> {
    // Once, and only for a run that goes ahead: a usage error stays the one line it always is.
    if (!this.secretWarningGiven) {
      this.secretWarningGiven = true;
      const warning = commandLineSecretWarning(this.definition, this.binding);
      if (warning) this.diagnostics.line(warning, 'WARNING: ');
    }
    for (const secret of bound.secrets) this.diagnostics.redact.add(secret);
    const context = {
      ...this.runContext(),
      parameterSet: bound.parameterSet,
      pipelineObject: object?.value,
      journal: object?.journal,
      // Output the fan-out holds is the fan-out's to record once out, not the cmdlet's.
      ...(object && !object.writesStdout ? { output: undefined } : {}),
    };
    if (context.debug) {
      const shown = describeParameters(this.definition, bound.parameters);
      context.debug(`${this.definition.name} parameter set ${bound.parameterSet}: ${shown}`);
    }
    return invokeCmdlet(this.definition, bound.parameters, context, writer);
  }

  /** What every pipeline object of the run shares: ids, diagnostics and services, made once. */
  private runContext(): Omit<CmdletContext, 'parameterSet'> {
    this.sharedContext ??= {
      ...this.newContext(),
      commandLine: runCommandLine(this.definition, this.binding),
    };
    return this.sharedContext;
  }

  private newContext(): Omit<CmdletContext, 'parameterSet'> {
    return createCmdletContext({
      common: this.binding.common,
      diagnostics: this.diagnostics,
      signal: this.workSignal,
      env: this.io.env,
      contextName: this.contextName,
      throttleLimit: this.throttleLimit,
      // Someone who can answer is at the keyboard: never in CI, never with a redirected stdin or
      // stderr.
      interactive: this.interactive,
      terminalColumns: this.io.stdoutIsTTY ? this.io.columns : undefined,
      services: this.io.services,
      output: this.output,
      // Only a cmdlet that takes no pipeline objects may read stdin as text, and only a process's.
      standardInput:
        this.binding.pipelineParameters.length === 0 && this.io.explicitInput !== true
          ? this.io.stdin
          : undefined,
      shouldProcess: this.shouldProcess,
    });
  }

  /** The exit code once the signal may have been aborted. */
  private exitCode(outcome: InvocationOutcome): number {
    const reason: unknown = this.signal.aborted ? this.signal.reason : undefined;
    const failed = this.failures?.count ?? 0;
    // Some objects failed before the reader left, or before a cmdlet's own end: 1, as for a run
    // that went through its input.
    if (reason === undefined) return failed > 0 ? ExitCode.Failure : ExitCode.Success;
    if (reason instanceof OutputClosedError) {
      // A listing that keeps a resume file did not finish: its stop line says so (exit 1).
      if (
        outcome.kind === 'failed' &&
        outcome.error instanceof PartnerCenterModuleError &&
        outcome.error.cause instanceof ReaderGoneError
      ) {
        this.report(outcome.error);
        return exitCodeOf(outcome.error);
      }
      return failed > 0 ? ExitCode.Failure : ExitCode.Success;
    }
    if (reason instanceof OutputFailedError) {
      // A listing's own stop line says what was written and how to continue; else the failure's.
      const wrapped =
        outcome.kind === 'failed' &&
        outcome.error instanceof PartnerCenterModuleError &&
        outcome.error.cause === reason;
      this.report(wrapped ? outcome.error : reason);
      return exitCodeOf(reason);
    }
    // Any other reason is a stdout that failed in some other way: runCmdlet reports it.
    if (!(reason instanceof InterruptedError)) return ExitCode.Failure;
    if (outcome.kind === 'completed') return ExitCode.Success;
    if (outcome.kind === 'failed' && !isAbortError(outcome.error, reason))
      this.report(outcome.error);
    else this.report(reason);
    return exitCodeOf(reason);
  }

  /** Whether `error` was reported, itself or as the cause of what was. */
  hasReported(error: unknown): boolean {
    return this.reported.has(error);
  }

  private report(error: unknown): void {
    this.failure ??= error;
    for (let e: unknown = error; e instanceof Error && !this.reported.has(e); e = e.cause)
      this.reported.add(e);
    const shown = leavingContinuationTo(error, () => this.io.continuingReader?.());
    this.diagnostics.line(errorLine(this.definition.name, shown));
    if (this.binding.common.debug) this.diagnostics.line(errorDetails(error).join('\n'), 'DEBUG: ');
  }
}

/**
 * The run's part of the progress line: input objects done and read, objects written; for a fan-out
 * also its input objects' name, the total when known and the recent rate.
 */
class PipelineProgressLine {
  total: number | undefined;
  private readonly samples: { at: number; done: number }[] = [];

  constructor(private readonly input: ConcurrentInput | undefined) {}

  status(counts: FanOutCounts, throttledMs: number | undefined): PipelineProgress {
    const done = counts.succeeded + counts.failed + counts.skipped;
    const status = { done, read: counts.read, written: counts.written };
    if (!this.input) return status;
    const now = Date.now();
    const last = this.samples.at(-1);
    if (!last || now - last.at >= 1000) this.samples.push({ at: now, done });
    while (this.samples.length > 11) this.samples.shift();
    const first = this.samples[0] ?? { at: now, done };
    const seconds = (now - first.at) / 1000;
    return {
      ...status,
      fanOut: {
        ...this.input,
        total: this.total,
        perSecond: seconds >= 1 ? (done - first.done) / seconds : undefined,
        throttledMs,
      },
    };
  }
}

/** The same writer, which writes `first` objects, then calls `reached` and drops the rest. */
function firstOnly(writer: OutputWriter, first: number, reached: () => void): OutputWriter {
  let written = 0;
  return throughEachObject(writer, (write) => {
    if (written >= first) return undefined;
    const room = write();
    if (++written === first) reached();
    return room;
  });
}

function isAbortError(error: unknown, reason: unknown): boolean {
  return error === reason || (error instanceof Error && error.name === 'AbortError');
}

function describeParameters(
  definition: CmdletDefinition<any>,
  parameters: Record<string, unknown>,
): string {
  const shown: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(parameters))
    shown[name] = definition.parameters[name]?.type === 'secret' ? '***' : value;
  return JSON.stringify(shown);
}
