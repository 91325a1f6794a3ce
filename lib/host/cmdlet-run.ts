/**
 * Runs a bound cmdlet once, or once per NDJSON object on stdin, and decides the exit code.
 *
 * Exit codes and -ErrorAction (PowerShell's semantics, mapped onto a process; item-failures.ts
 * decides what one failed object does to the run, for this pipeline and the fan-out alike):
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
import { type InvocationOutcome, invokeCmdlet, untilAborted } from './invocation.js';
import { endsRun, errorActionOf, ItemFailures, terminalOf } from './item-failures.js';
import type { PipelineRecord } from './ndjson-reader.js';
import { type OutputWriter, throughEachObject } from './output/output-writer.js';
import { MissingMandatoryError } from './parameter-sets.js';
import { convertParameterValue } from './parameter-values.js';
import { leavingContinuationTo } from './continuation.js';
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
  /** -ThrottleLimit of a fan-out run: the client's cap on requests in flight. */
  private maxConcurrency: number | undefined;
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
    const usesPipeline = readsPipelineInput(this.definition, this.binding, this.io);
    if (usesPipeline && this.definition.concurrentInput)
      return this.executeFanOut(writer, failures);
    if (!usesPipeline) {
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
        // One object: its own full line (nothing to sum up), unless -ErrorAction silences it.
        const silenced = failures.action === 'SilentlyContinue' || failures.action === 'Ignore';
        if (!silenced || endsRun(outcome.error)) this.report(outcome.error);
        return exitCodeOf(outcome.error);
      }
      return this.exitCode(outcome);
    }
    return this.executePipeline(writer, failures);
  }

  /**
   * A fan-out cmdlet run once (its input on the command line): -First still cuts its output short;
   * -ResumeFile, which records pipeline input objects, has nothing to record.
   */
  private async singleRunWriter(writer: OutputWriter): Promise<OutputWriter> {
    if (!this.definition.concurrentInput) return writer;
    const { fanOutSettings } = await import('./fan-out.js');
    const settings = fanOutSettings(this.definition, this.binding, this.io.env, this.convert);
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
    const { first } = settings;
    return first === undefined
      ? writer
      : firstOnly(writer, first, () => this.work.abort(new Error('-First reached')));
  }

  private readonly convert = (name: string, text: string, variable: string): unknown =>
    convertParameterValue(name, this.definition.parameters[name]!, text, {
      kind: 'environment',
      variable,
    });

  private async executeFanOut(writer: OutputWriter, failures: ItemFailures): Promise<number> {
    const [{ FanOut, fanOutSettings }, { readNdjson }] = await Promise.all([
      import('./fan-out.js'),
      import('./ndjson-reader.js'),
    ]);
    const definition = this.definition as CmdletDefinition<any> & {
      concurrentInput: ConcurrentInput;
    };
    let fanOut: InstanceType<typeof FanOut>;
    try {
      const settings = fanOutSettings(definition, this.binding, this.io.env, this.convert);
      this.maxConcurrency = settings.throttleLimit;
      fanOut = new FanOut(
        {
          definition,
          binding: this.binding,
          env: this.io.env,
          signal: this.signal,
          cancelWork: (reason) => this.work.abort(reason),
          // Each object's output is held by the fan-out, not written to stdout as it comes: what
          // stdout took is the fan-out's to know (its journal), not the object's cmdlet's.
          invoke: (bound, output, object) => this.invoke(bound, output, object, false),
          failures,
          inputEnded: (end) => this.inputEnded(end, fanOut.counts.read),
          output: this.output,
        },
        settings,
        writer,
        () => show?.(),
      );
    } catch (error) {
      this.report(error);
      return exitCodeOf(error);
    }
    const stdin = this.io.stdin;
    const stopReading = () => stdin.destroy();
    this.signal.addEventListener('abort', stopReading, { once: true });
    const { counts } = fanOut;
    const progress = showsProgress(this.io)
      ? new FanOutProgress(definition.concurrentInput)
      : undefined;
    if (progress) void this.io.countInputLines?.().then((total) => (progress.total = total));
    const show = progress
      ? () =>
          this.diagnostics.pipelineProgress(
            progress.status(
              counts.succeeded + counts.failed + counts.skipped,
              counts,
              this.runContext().services.throttling?.()?.gateClosedMs,
            ),
          )
      : undefined;
    // The rate and the time spent throttled change while nothing finishes.
    const ticker = show ? setInterval(show, 1000).unref() : undefined;
    let result: Awaited<ReturnType<typeof fanOut.run>>;
    const input = this.watchedInput(readNdjson(stdin));
    try {
      result = await fanOut.run(input.records);
    } finally {
      input.stopWatching();
      clearInterval(ticker);
      this.signal.removeEventListener('abort', stopReading);
      stdin.destroy();
    }
    if (result.stoppedBy !== undefined) {
      this.report(result.stoppedBy);
      return exitCodeOf(result.stoppedBy);
    }
    if (this.signal.aborted) {
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
    const code = failures.finish(counts.read, definition.concurrentInput, result.keptResumeFile);
    if (result.inputCut === undefined) return code;
    this.report(result.inputCut);
    return exitCodeOf(result.inputCut);
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

  private async executePipeline(writer: OutputWriter, failures: ItemFailures): Promise<number> {
    const { readNdjson } = await import('./ndjson-reader.js');
    const { bindPipelineObject } = await import('./pipeline-binding.js');
    const stdin = this.io.stdin;
    const input = this.watchedInput(readNdjson(stdin));
    const records = input.records;
    // A run waiting for upstream input must still stop at once on a signal.
    const stopReading = () => stdin.destroy();
    this.signal.addEventListener('abort', stopReading, { once: true });
    let outcome: InvocationOutcome = { kind: 'completed' };
    // On a terminal, the progress line counts input objects and what the run wrote.
    const counts = { done: 0, read: 0, written: 0 };
    const show = showsProgress(this.io)
      ? () => this.diagnostics.pipelineProgress(counts)
      : undefined;
    if (show) writer = countingWrites(writer, counts);
    let cut: unknown;
    try {
      for (;;) {
        let next: IteratorResult<PipelineRecord, InputEnd> | undefined;
        try {
          next = await untilAborted(records.next(), this.signal);
        } catch (error) {
          // stdin itself failed (not a bad line): nothing more can come.
          if (this.signal.aborted) break;
          this.report(error);
          return exitCodeOf(error);
        }
        if (this.signal.aborted || !next) break;
        if (next.done) {
          cut = this.inputEnded(next.value, counts.read);
          break;
        }
        const record = next.value;
        counts.read++;
        show?.();
        let bound: CompleteBinding | undefined;
        try {
          if (record.error) throw record.error;
          bound = bindPipelineObject(
            this.definition,
            this.binding,
            record.value!,
            record.line,
            this.io.env,
          );
        } catch (error) {
          outcome = { kind: 'failed', error };
        }
        if (bound) outcome = await this.invoke(bound, writer, record.value);
        counts.done++;
        show?.();
        if (outcome.kind !== 'failed' || this.signal.aborted) continue;
        if (failures.stops(outcome.error)) {
          this.report(outcome.error);
          return exitCodeOf(outcome.error);
        }
      }
    } finally {
      input.stopWatching();
      this.signal.removeEventListener('abort', stopReading);
      if (this.signal.aborted) stdin.destroy();
    }
    if (this.signal.aborted)
      return this.exitCode(outcome.kind === 'completed' ? { kind: 'stopped' } : outcome);
    const code = failures.finish(counts.read);
    if (cut === undefined) return code;
    this.report(cut);
    return exitCodeOf(cut);
  }

  private invoke(
    bound: CompleteBinding,
    writer: OutputWriter,
    pipelineObject?: Record<string, unknown>,
    writesStdout = true,
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
      pipelineObject,
      ...(writesStdout ? {} : { output: undefined }),
    };
    if (context.debug) {
      const shown = describeParameters(this.definition, bound.parameters);
      context.debug(`${this.definition.name} parameter set ${bound.parameterSet}: ${shown}`);
    }
    return invokeCmdlet(this.definition, bound.parameters, context, writer);
  }

  /** What every pipeline object of the run shares: ids, diagnostics and services, made once. */
  private runContext(): Omit<CmdletContext, 'parameterSet'> {
    this.sharedContext ??= createCmdletContext({
      common: this.binding.common,
      diagnostics: this.diagnostics,
      signal: this.workSignal,
      env: this.io.env,
      contextName: this.contextName,
      maxConcurrency: this.maxConcurrency,
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
    return this.sharedContext;
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

/** The fan-out's part of the progress line: counts, the total when known, the recent rate. */
class FanOutProgress {
  total: number | undefined;
  private readonly samples: { at: number; done: number }[] = [];

  constructor(private readonly input: ConcurrentInput) {}

  status(
    done: number,
    counts: { read: number; written: number },
    throttledMs: number | undefined,
  ): PipelineProgress {
    const now = Date.now();
    const last = this.samples.at(-1);
    if (!last || now - last.at >= 1000) this.samples.push({ at: now, done });
    while (this.samples.length > 11) this.samples.shift();
    const first = this.samples[0]!;
    const seconds = (now - first.at) / 1000;
    return {
      done,
      read: counts.read,
      written: counts.written,
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

/** The same writer, counting the objects written (for the progress line). */
function countingWrites(writer: OutputWriter, counts: { written: number }): OutputWriter {
  return throughEachObject(writer, (write) => {
    counts.written++;
    return write();
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
