/**
 * The fan-out: pipeline input for a cmdlet that declares `concurrentInput` (every per-customer
 * cmdlet), worked on up to -ThrottleLimit objects at once.
 *
 * - Input is read only when a worker is free (and stdout is not congested), so memory stays the
 *   same however long the input is.
 * - Each object's output is held until its run ends, then written whole, in the order objects
 *   finish: two customers' lines never interleave, and a failed or cancelled object writes
 *   nothing.
 * - -First stops reading, cancels the work in flight and ends the run once it wrote that many.
 * - A failure is the object's own: -ErrorAction decides (item-failures.ts), as for a sequential
 *   pipeline; an error that ends the run (or Stop) cancels the work in flight, and the host reports
 *   it with how many objects were done and, when a rerun can do better, the command that continues.
 * - -ResumeFile: an object is recorded once stdout has taken its output; a run with the same
 *   file skips what it records (see pipeline-resume-file.ts). The file is deleted only when the
 *   input was all there (input-end.ts: not cut, the upstream finished) and every object was done.
 *
 * How fast requests go out is the client's business (its adaptive limit and Retry-After gate):
 * the fan-out only keeps enough objects in flight for it.
 */
import type { CmdletDefinition, CmdletOutput, StdoutMark } from '../cmdlet-support/cmdlet.js';
import type { ConcurrentInput } from '../cmdlet-support/fan-out.js';
import {
  IncompleteRunError,
  OutputFailedError,
  PartnerCenterModuleError,
} from '../common/errors.js';
import { commandLine } from '../common/shell-quote.js';
import type { CommandLineBinding, CompleteBinding } from './binder.js';
import type { CommonParameterValues } from './common-parameters.js';
import { OutputClosedError } from './host-io.js';
import { type InvocationOutcome, untilAborted } from './invocation.js';
import { endsRun, type ItemFailures, mayPassOnRerun } from './item-failures.js';
import type { InputEnd } from './input-end.js';
import type { PipelineRecord } from './ndjson-reader.js';
import { type OutputWriter, throughEachObject } from './output/output-writer.js';
import { RecordedOutput } from './output/recorded-output.js';
import { bindPipelineObject } from './pipeline-binding.js';
import { PipelineResumeFile } from './pipeline-resume-file.js';

export interface FanOutSettings {
  throttleLimit: number;
  first?: number;
  resumeFile?: string;
}

/**
 * Objects one input object's output may hold before it is streamed instead (when no resume file
 * asks for whole outputs): a few pages of users, about a megabyte.
 */
const STREAM_AFTER_OBJECTS = 1_000;

/** What the fan-out needs of the run it belongs to (CmdletRun). */
export interface FanOutHost {
  readonly definition: CmdletDefinition<any> & { concurrentInput: ConcurrentInput };
  readonly binding: CommandLineBinding;
  readonly env: NodeJS.ProcessEnv;
  /** The run's own signal: SIGINT/SIGTERM, or the reader of stdout went away. */
  readonly signal: AbortSignal;
  /** Aborts the work in flight (and its requests) without stopping the run itself. */
  cancelWork(reason: unknown): void;
  invoke(
    bound: CompleteBinding,
    writer: OutputWriter,
    pipelineObject: Record<string, unknown>,
  ): Promise<InvocationOutcome>;
  /** What one object's failure does to the run (-ErrorAction), and its line. */
  readonly failures: ItemFailures;
  /** Once the input ended: the error saying it ended early, or undefined when it was all there. */
  inputEnded(end: InputEnd): unknown;
  /** What got out to stdout whole; absent: what the writer took counts as out a turn later. */
  readonly output?: CmdletOutput;
}

export interface FanOutCounts {
  /** Input objects read. */
  read: number;
  /** Objects whose output was written whole. */
  succeeded: number;
  failed: number;
  /** Objects an earlier run already did (the resume file records them). */
  skipped: number;
  /** Output objects written. */
  written: number;
}

export interface FanOutResult {
  /** The error that ended the run (Stop, or one that ends any run), with resume advice. */
  stoppedBy?: unknown;
  /** When some objects failed: the resume file that records the others, for the summary. */
  keptResumeFile?: string;
  /** The input ended early (input-end.ts), with how many were done and how to go on. */
  inputCut?: unknown;
}

/** Why the work in flight was cancelled when the run itself goes on to its end. */
class WorkCancelled extends Error {
  constructor(why: string) {
    super(why);
    this.name = 'AbortError';
  }
}

export class FanOut {
  readonly counts: FanOutCounts = { read: 0, succeeded: 0, failed: 0, skipped: 0, written: 0 };
  private readonly active = new Set<Promise<void>>();
  private readonly resume: PipelineResumeFile | undefined;
  private congestion: Promise<void> | undefined;
  /** Held while an output too large to hold is being streamed; resolves when it is done. */
  private lane: Promise<void> | undefined;
  private releaseLane: (() => void) | undefined;
  private ended = false;
  private stoppedBy: unknown;
  /** Why the input that ended was not all of it (input-end.ts). */
  private cut: unknown;
  /** Aborted when the fan-out ends early: a wait for input (a slow upstream) must not outlast it. */
  private readonly halted = new AbortController();
  private readonly haltSignal: AbortSignal;
  /** Where a regular-file stdout stood at the last record: what a failed stdout is cut back to. */
  private lastMark: StdoutMark | undefined;

  constructor(
    private readonly host: FanOutHost,
    private readonly settings: FanOutSettings,
    private readonly writer: OutputWriter,
    /** Called whenever a count changed. */
    private readonly onProgress: () => void = () => {},
  ) {
    this.haltSignal = AbortSignal.any([host.signal, this.halted.signal]);
    // A wrong file is a usage error before anything is read or sent.
    this.resume =
      settings.resumeFile === undefined
        ? undefined
        : new PipelineResumeFile(settings.resumeFile, runIdentity(host));
    if (this.resume) {
      // What an earlier run wrote after its last record is written again: cut off first.
      try {
        host.output?.resumeFrom(this.resume.lastMark, this.resume.path);
      } catch (error) {
        this.resume.close(false);
        throw error;
      }
      this.lastMark = host.output?.mark();
    }
  }

  async run(records: AsyncIterator<PipelineRecord, InputEnd>): Promise<FanOutResult> {
    const { throttleLimit } = this.settings;
    try {
      while (!this.ended && !this.host.signal.aborted) {
        if (this.active.size >= throttleLimit) {
          await Promise.race(this.active);
          continue;
        }
        if (this.congestion) {
          await untilAborted(this.congestion, this.haltSignal);
          this.congestion = undefined;
          continue;
        }
        let next: IteratorResult<PipelineRecord, InputEnd> | undefined;
        try {
          next = await untilAborted(records.next(), this.haltSignal);
        } catch (error) {
          // stdin itself failed (not a bad line): nothing more can come.
          if (!this.host.signal.aborted) this.stop(error);
          break;
        }
        if (this.ended || this.host.signal.aborted || !next) break;
        if (next.done) {
          this.cut = this.host.inputEnded(next.value);
          break;
        }
        this.start(next.value);
      }
      await Promise.all(this.active);
    } finally {
      this.resume?.close(this.complete);
    }
    return {
      stoppedBy: this.stoppedBy === undefined ? undefined : this.withAdvice(this.stoppedBy),
      keptResumeFile: this.counts.failed > 0 ? this.resume?.path : undefined,
      inputCut: this.cut === undefined ? undefined : this.withAdvice(this.cut),
    };
  }

  /** The error a stopped run reports (a signal's too), with how many were done and how to go on. */
  withAdvice(error: unknown): unknown {
    if (!(error instanceof PartnerCenterModuleError)) return error;
    // A failed stdout file is cut back to the last record: it then holds exactly what is recorded.
    const cut =
      error instanceof OutputFailedError && this.resume
        ? this.host.output?.cutBackTo(this.lastMark)
        : undefined;
    return new IncompleteRunError(error, [cut, this.advice(error)].filter(Boolean).join(' '), {
      replaceHint: cut !== undefined,
    });
  }

  /** Whether a resume file records the objects done. */
  get resumable(): boolean {
    return this.resume !== undefined;
  }

  /**
   * Every input object was read and done: nothing is left for a resume file to record. An input
   * that ended early is not all of them; neither is an empty one, which cannot tell a finished
   * upstream from one that failed before writing (an earlier run's file is kept for the rerun).
   */
  private get complete(): boolean {
    return (
      !this.ended &&
      !this.host.signal.aborted &&
      this.cut === undefined &&
      this.counts.read > 0 &&
      this.counts.failed === 0 &&
      this.active.size === 0
    );
  }

  private start(record: PipelineRecord): void {
    this.counts.read++;
    let bound: CompleteBinding;
    try {
      if (record.error) throw record.error;
      bound = bindPipelineObject(
        this.host.definition,
        this.host.binding,
        record.value!,
        record.line,
        this.host.env,
      );
    } catch (error) {
      this.failed(error);
      return;
    }
    const key = keyOf(bound, this.host.binding);
    if (this.resume?.isDone(key)) {
      this.counts.skipped++;
      this.onProgress();
      return;
    }
    this.onProgress();
    const task = this.work(bound, record, key).finally(() => this.active.delete(task));
    this.active.add(task);
  }

  private async work(bound: CompleteBinding, record: PipelineRecord, key: string): Promise<void> {
    // A resumable run writes each object whole or not at all, so it holds even a large output;
    // otherwise one past STREAM_AFTER_OBJECTS goes out as it comes, through the output lane.
    const output = new RecordedOutput(
      this.resume ? undefined : { after: STREAM_AFTER_OBJECTS, stream: () => this.streamLane() },
    );
    let outcome: InvocationOutcome;
    try {
      outcome = await this.host.invoke(bound, output, record.value!);
    } finally {
      if (output.streamed) this.releaseLane?.();
    }
    if (output.streamed) {
      if (outcome.kind === 'failed' && !this.ended && !this.host.signal.aborted)
        this.failed(outcome.error);
      else if (outcome.kind === 'completed') this.counts.succeeded++;
      this.onProgress();
      return;
    }
    // Another output is being streamed: this one, whole, comes after it.
    while (this.lane) await this.lane;
    // Stopped meanwhile (-First, a failure, a signal): what it made is dropped, nothing recorded.
    if (this.ended || this.host.signal.aborted) return;
    if (outcome.kind === 'failed') {
      this.failed(outcome.error);
      return;
    }
    if (outcome.kind === 'stopped') return;
    const limit =
      this.settings.first === undefined
        ? Number.POSITIVE_INFINITY
        : this.settings.first - this.counts.written;
    const { written, room } = output.replay(this.writer, limit);
    this.counts.written += written;
    const whole = written === output.objects;
    if (whole) this.counts.succeeded++;
    this.onProgress();
    if (room) this.congested(room);
    if (this.counts.written === this.settings.first) this.end(new WorkCancelled('-First reached'));
    if (!whole || !this.resume) return;
    // Recorded only once stdout has taken the output (its write callback ran), so a kill can at
    // worst repeat this object, never lose it. Handed to a congested stdout is not enough: the
    // bytes would still be in this process (the sink's chunk, the stream's queue) when a SIGKILL
    // came, and the journal would record an object whose output never arrived.
    // Taken at once (a pipe or file on Linux): recorded in the same turn, so not even a SIGKILL
    // can fall between the output and its record. Not taken whole (stdout failed, its reader
    // went away): not recorded, and not counted as done.
    const taken = this.delivered();
    // No await when it is already out: the mark taken next must not include another's output.
    if (taken !== true && !(taken !== false && (await taken))) {
      this.counts.succeeded--;
      this.onProgress();
      return;
    }
    const mark = this.host.output?.mark();
    try {
      this.resume.record(key, record.line, mark);
      this.lastMark = mark;
    } catch (error) {
      this.stop(error);
    }
  }

  /** Whether stdout took everything written so far whole: at once when it did there and then. */
  private delivered(): boolean | Promise<boolean> {
    if (this.host.output) return this.host.output.delivered();
    const pending = this.writer.delivered
      ? this.writer.delivered()
      : new Promise((resolve) => setImmediate(resolve));
    const taken = () => !(this.host.signal.reason instanceof OutputClosedError);
    return pending ? pending.then(taken) : taken();
  }

  /**
   * The writer for an output too large to hold, once no other output is being streamed. It counts
   * what it writes (progress, -First) and drops what comes after -First.
   */
  private async streamLane(): Promise<OutputWriter> {
    while (this.lane) await this.lane;
    let release = () => {};
    this.lane = new Promise<void>((resolve) => {
      release = () => {
        this.lane = undefined;
        this.releaseLane = undefined;
        resolve();
      };
    });
    this.releaseLane = release;
    // Lent for the length of one output: closing the format stays the run's.
    return throughEachObject(
      this.writer,
      (write) => {
        if (this.ended) return undefined;
        const room = write();
        this.counts.written++;
        this.onProgress();
        if (this.counts.written === this.settings.first)
          this.end(new WorkCancelled('-First reached'));
        return room;
      },
      () => {},
    );
  }

  private congested(room: Promise<void>): void {
    this.congestion = room;
    void room.then(() => {
      if (this.congestion === room) this.congestion = undefined;
    });
  }

  private failed(error: unknown): void {
    this.counts.failed++;
    this.onProgress();
    if (this.host.failures.stops(error)) this.stop(error);
  }

  private stop(error: unknown): void {
    if (this.ended) return;
    this.stoppedBy = error;
    this.end(new WorkCancelled('the run stopped'));
  }

  /** No more input is read, and the work in flight is cancelled. */
  private end(reason: WorkCancelled): void {
    if (this.ended) return;
    this.ended = true;
    this.halted.abort(reason);
    this.host.cancelWork(reason);
  }

  private advice(error: PartnerCenterModuleError): string {
    const { one, many } = this.host.definition.concurrentInput;
    const { succeeded, read, failed, skipped } = this.counts;
    const noun = (n: number) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
    const done =
      `${noun(succeeded)} of the ${read.toLocaleString('en-US')} read ` +
      `${succeeded === 1 ? 'was' : 'were'} done` +
      (failed ? `, ${failed.toLocaleString('en-US')} failed` : '') +
      (skipped ? ` (${noun(skipped)} skipped: earlier runs did them)` : '');
    // A call from Node is continued with parameters, not command-line words.
    const inProcess = this.host.binding.fromValues === true;
    // Stopped by -ErrorAction Stop on a refusal (403, 404): a rerun with Stop stops at the same
    // object again, so only going on past it helps (a resume file then skips what was done).
    const refused = !endsRun(error) && !mayPassOnRerun(error);
    if (refused && !this.resume)
      return (
        `${done}. A rerun stops at the same ${one}: without ` +
        `${inProcess ? "ErrorAction: 'Stop'" : '-ErrorAction Stop'} the run goes on past it.`
      );
    const file = this.resume?.path ?? `${this.host.definition.name}.resume`;
    if (inProcess)
      return this.resume
        ? `${done}; ${file} records them. To continue with the rest, make the same call again ` +
            `with the same input${refused ? " and without ErrorAction: 'Stop'" : ''}.`
        : `${done}, and nothing records which. To make a call continue where it stopped, give ` +
            `it ResumeFile: ${JSON.stringify(file)}.`;
    const continuing = commandLine(this.host.definition.name, [
      ...repeatedArguments(this.host.definition, this.host.binding, { dropStop: refused }),
      '-ResumeFile',
      file,
    ]);
    if (this.resume && refused)
      return (
        `${done}; ${file} records them. To go on past the failed ${one}, run the same pipeline ` +
        `again without -ErrorAction Stop, ending in: ${continuing}`
      );
    if (this.resume)
      return (
        `${done}; ${file} records them. To continue with the rest, run the same ` +
        `pipeline again ending in: ${continuing}`
      );
    return (
      `${done}, and nothing records which. To make a run continue where it stopped, end the ` +
      `pipeline in: ${continuing}`
    );
  }
}

/** -ThrottleLimit, -First and -ResumeFile as given (or from the environment, or defaulted). */
export function fanOutSettings(
  definition: CmdletDefinition<any>,
  binding: CommandLineBinding,
  env: NodeJS.ProcessEnv,
  convert: (name: string, text: string, variable: string) => unknown,
): FanOutSettings {
  const value = (name: string): unknown => {
    if (binding.given.has(name)) return binding.given.get(name);
    const declaration = definition.parameters[name];
    const variable = declaration?.env;
    if (variable && env[variable]) return convert(name, env[variable], variable);
    return declaration?.default;
  };
  return {
    throttleLimit: Number(value('ThrottleLimit') ?? 1),
    first: value('First') as number | undefined,
    resumeFile: value('ResumeFile') as string | undefined,
  };
}

/** What identifies an input object across runs: the values it bound (a customer's id). */
function keyOf(bound: CompleteBinding, binding: CommandLineBinding): string {
  const values = binding.pipelineParameters
    .filter((name) => bound.parameters[name] !== undefined)
    .map((name) => [name, bound.parameters[name]]);
  return values.length === 1 ? String(values[0]![1]) : JSON.stringify(values);
}

/** What decides a run's output, for its resume file: the parameters given, bar those that don't. */
function runIdentity(host: FanOutHost): { cmdlet: string; parameters: Record<string, unknown> } {
  const parameters: Record<string, unknown> = {};
  for (const [name, value] of host.binding.given) {
    const declaration = host.definition.parameters[name];
    if (!declaration || declaration.outputNeutral || declaration.type === 'secret') continue;
    parameters[name] = value;
  }
  return { cmdlet: host.definition.name, parameters };
}

/** The command-line words that repeat this run (bar -ResumeFile and secrets), for the advice. */
function repeatedArguments(
  definition: CmdletDefinition<any>,
  binding: CommandLineBinding,
  options: { dropStop: boolean },
): string[] {
  const words: string[] = [];
  for (const [name, value] of binding.given) {
    const declaration = definition.parameters[name];
    if (!declaration || name === 'ResumeFile' || declaration.type === 'secret') continue;
    if (value === true) words.push(`-${name}`);
    else if (value !== false)
      words.push(`-${name}`, Array.isArray(value) ? value.join(',') : String(value));
  }
  const common: CommonParameterValues = binding.common;
  if (common.errorAction && !(options.dropStop && common.errorAction === 'Stop'))
    words.push('-ErrorAction', common.errorAction);
  if (common.outputFormat) words.push('-OutputFormat', common.outputFormat);
  if (common.property) words.push('-Property', common.property.join(','));
  if (common.contextName !== undefined) words.push('-Context', common.contextName);
  return words;
}
