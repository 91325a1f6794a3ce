/**
 * The run engine for pipeline input: every object piped in goes through here. A cmdlet that
 * declares `concurrentInput` (every per-customer cmdlet) is worked on up to -ThrottleLimit objects
 * at once; any other cmdlet is the same run with a limit of 1 whose output goes straight to stdout
 * as it comes (`streamsOutput`), as PowerShell runs a pipeline one object at a time.
 *
 * - Input is read only when a worker is free (and stdout is not congested), so memory stays the
 *   same however long the input is.
 * - A fan-out cmdlet's object's output is held until its run ends, then written whole, in the
 *   order objects finish: two customers' lines never interleave, and a failed or cancelled object
 *   writes nothing.
 * - -First stops reading, cancels the work in flight and ends the run once it wrote that many.
 * - A failure is the object's own: -ErrorAction decides (item-failures.ts), as for a single
 *   run; an error that ends the run (or Stop) cancels the work in flight, and the host reports
 *   it with how many objects were done and, when a rerun can do better, the command that continues.
 * - -ResumeFile: an object is recorded once stdout has taken its output; a run with the same
 *   file skips what it records (see pipeline-resume-file.ts). A cmdlet may record what a rerun
 *   needs before its work (CmdletContext.journal: a write's request id). The file is deleted only when the
 *   input was all there (input-end.ts: not cut, the upstream finished) and every object was done.
 *
 * How fast requests go out is the client's business (its adaptive limit and Retry-After gate):
 * the fan-out only keeps enough objects in flight for it.
 */
import type { CmdletDefinition, CmdletOutput, StdoutMark } from '../cmdlet-support/cmdlet.js';
import type { ConcurrentInput, FanOutParameterName } from '../cmdlet-support/fan-out.js';
import type { ItemJournal } from '../cmdlet-support/item-journal.js';
import { repeatRun } from '../cmdlet-support/rerun.js';
import {
  IncompleteRunError,
  OutputFailedError,
  PartnerCenterModuleError,
} from '../common/errors.js';
import { commandLine } from '../common/shell-quote.js';
import { type CommandLineBinding, type CompleteBinding, runValue } from './binder.js';
import { runCommandLine } from './continuation.js';
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
  /**
   * One object at a time, its output written to stdout as it comes and the object's cmdlet given
   * stdout itself (a listing's resume file marks it): the engine of a cmdlet without
   * `concurrentInput`. Its stop lines are its objects' own (a listing's), not the fan-out's advice.
   */
  streamsOutput?: boolean;
}

/** The settings of a sequential run: one object at a time, its output as it comes. */
export const SEQUENTIAL: FanOutSettings = { throttleLimit: 1, streamsOutput: true };

/**
 * Objects one input object's output may hold before it is streamed instead (when no resume file
 * asks for whole outputs): a few pages of users, about a megabyte.
 */
const STREAM_AFTER_OBJECTS = 1_000;

/** What the fan-out needs of the run it belongs to (CmdletRun). */
export interface FanOutHost {
  /** `concurrentInput` names the input objects in the fan-out's advice; absent: no advice. */
  readonly definition: CmdletDefinition<any>;
  readonly binding: CommandLineBinding;
  readonly env: NodeJS.ProcessEnv;
  /** The run's own signal: SIGINT/SIGTERM, or the reader of stdout went away. */
  readonly signal: AbortSignal;
  /** Aborts the work in flight (and its requests) without stopping the run itself. */
  cancelWork(reason: unknown): void;
  /** Runs the cmdlet for one pipeline object. */
  invoke(
    bound: CompleteBinding,
    writer: OutputWriter,
    object: PipelineObject,
  ): Promise<InvocationOutcome>;
  /** What one object's failure does to the run (-ErrorAction), and its line. */
  readonly failures: ItemFailures;
  /** Once the input ended: the error saying it ended early, or undefined when it was all there. */
  inputEnded(end: InputEnd): unknown;
  /** What got out to stdout whole; absent: what the writer took counts as out a turn later. */
  readonly output?: CmdletOutput;
}

/** One pipeline object's invocation, as the cmdlet's context carries it. */
export interface PipelineObject {
  value: Record<string, unknown>;
  /** Its output goes straight to stdout (the cmdlet may mark stdout), not held by the fan-out. */
  writesStdout: boolean;
  /** Its entry in the run's resume file, when there is one (item-journal.ts). */
  journal?: ItemJournal;
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
  /**
   * How the last object's run ended: when a signal stopped the run, an output-streaming run
   * reports what that object said (a listing's own stop line).
   */
  lastOutcome: InvocationOutcome;
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
  private readonly onProgress: () => void;
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
  private lastOutcome: InvocationOutcome = { kind: 'completed' };
  /** Where an output-streaming run writes: the run's writer, counting for the progress line. */
  private readonly stdout: OutputWriter;

  constructor(
    private readonly host: FanOutHost,
    private readonly settings: FanOutSettings,
    private readonly writer: OutputWriter,
    /** Called whenever a count changed; absent when no progress is shown. */
    onProgress?: () => void,
  ) {
    this.onProgress = onProgress ?? (() => {});
    // Counted only for a progress line: the wrapper costs a call per object.
    this.stdout =
      settings.streamsOutput && onProgress ? countingWrites(writer, this.counts) : writer;
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
      lastOutcome: this.lastOutcome,
    };
  }

  /** The error a stopped run reports (a signal's too), with how many were done and how to go on. */
  withAdvice(error: unknown): unknown {
    const input = this.host.definition.concurrentInput;
    if (!(error instanceof PartnerCenterModuleError) || !input) return error;
    // A failed stdout file is cut back to the last record: it then holds exactly what is recorded.
    const cut =
      error instanceof OutputFailedError && this.resume
        ? this.host.output?.cutBackTo(this.lastMark)
        : undefined;
    const advice = this.advice(error, input);
    return new IncompleteRunError(error, [cut, advice].filter(Boolean).join(' '), {
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
    if (record.error) {
      this.lastOutcome = { kind: 'failed', error: record.error };
      this.failed(record.error);
      return;
    }
    const object = record.value;
    let bound: CompleteBinding;
    try {
      bound = bindPipelineObject(
        this.host.definition,
        this.host.binding,
        object,
        record.line,
        this.host.env,
      );
    } catch (error) {
      this.lastOutcome = { kind: 'failed', error };
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
    const run = this.settings.streamsOutput
      ? this.streamed(bound, object)
      : this.work(bound, object, record.line, key);
    const task = run.finally(() => this.active.delete(task));
    this.active.add(task);
  }

  /** One object of an output-streaming run: its output went to stdout as it came. */
  private async streamed(bound: CompleteBinding, object: Record<string, unknown>): Promise<void> {
    const outcome = await this.host.invoke(bound, this.stdout, {
      value: object,
      writesStdout: true,
    });
    this.lastOutcome = outcome;
    if (outcome.kind === 'failed' && !this.host.signal.aborted) this.failed(outcome.error);
    else if (outcome.kind === 'completed') {
      this.counts.succeeded++;
      this.onProgress();
    }
  }

  private async work(
    bound: CompleteBinding,
    object: Record<string, unknown>,
    line: number,
    key: string,
  ): Promise<void> {
    // A resumable run writes each object whole or not at all, so it holds even a large output;
    // otherwise one past STREAM_AFTER_OBJECTS goes out as it comes, through the output lane.
    const output = new RecordedOutput(
      this.resume ? undefined : { after: STREAM_AFTER_OBJECTS, stream: () => this.streamLane() },
    );
    let outcome: InvocationOutcome;
    try {
      // Held by the fan-out, not written to stdout as it comes: what stdout took is the fan-out's
      // to know (its journal), not the object's cmdlet's.
      outcome = await this.host.invoke(bound, output, {
        value: object,
        writesStdout: false,
        journal: this.resume?.journalOf(key, line),
      });
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
      this.resume.record(key, line, mark);
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

  private advice(error: PartnerCenterModuleError, { one, many }: ConcurrentInput): string {
    const { succeeded, read, failed, skipped } = this.counts;
    const noun = (n: number) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
    const done =
      `${noun(succeeded)} of the ${read.toLocaleString('en-US')} read ` +
      `${succeeded === 1 ? 'was' : 'were'} done` +
      (failed ? `, ${failed.toLocaleString('en-US')} failed` : '') +
      (skipped ? ` (${noun(skipped)} skipped: earlier runs did them)` : '');
    const line = runCommandLine(this.host.definition, this.host.binding);
    // A call from Node is continued with parameters, not command-line words.
    const { inProcess } = line;
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
      ...repeatRun(line, { dropStop: refused }),
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

/**
 * -ThrottleLimit, -First and -ResumeFile of a fan-out cmdlet's run, as the binder completes any
 * parameter (given, else its environment variable, else its default); a cmdlet without
 * `concurrentInput` runs one object at a time, whatever parameters of those names it has.
 */
export function runSettings(
  definition: CmdletDefinition<any>,
  binding: CommandLineBinding,
  env: NodeJS.ProcessEnv,
): FanOutSettings {
  if (!definition.concurrentInput) return SEQUENTIAL;
  const value = (name: FanOutParameterName) => runValue(definition, binding, env, name);
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
  const [only, ...more] = values;
  return only && more.length === 0 ? String(only[1]) : JSON.stringify(values);
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

/** The same writer, counting the objects written (for the progress line). */
function countingWrites(writer: OutputWriter, counts: { written: number }): OutputWriter {
  return throughEachObject(writer, (write) => {
    counts.written++;
    return write();
  });
}
