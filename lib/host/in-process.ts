/**
 * A cmdlet run inside the caller's process, for the Node API (lib/invoke.ts), on the host's own
 * machinery: bindGivenValues converts and checks the parameters as the command line would,
 * CmdletRun runs the cmdlet (pipeline binding by property name, services, -ErrorAction, stopping
 * between objects), and an OutputWriter hands each object to the caller instead of writing it.
 * Nothing goes to stdout or stderr, nothing prompts, nothing exits. As on the command line, a
 * pipeline object that fails does not end the call under ErrorAction Continue (the default): its
 * line goes to `onMessage`, the error itself to `onError`, and the iteration ends normally; what
 * ends a run (Stop, not signed in, a signal) rejects with the module error it is. */
import { Readable, Writable } from 'node:stream';
import type { CmdletDefinition } from '../cmdlet-support/cmdlet.js';
import type { CmdletServicesFactory } from '../cmdlet-support/services.js';
import { InternalError, PartnerCenterModuleError } from '../common/errors.js';
import { createRedactor } from '../common/redact.js';
import type { JsonText } from '../json/json-text.js';
import { bindGivenValues } from './binder.js';
import { CmdletRun } from './cmdlet-run.js';
import { Diagnostics } from './diagnostics.js';
import type { InvokeOptions } from './in-process-options.js';
import { OutputClosedError } from './host-io.js';
import type { OutputWriter } from './output/output-writer.js';

/** The Node API's options, and the run's services (the real ones when absent; specs pass theirs). */
export interface InProcessOptions extends InvokeOptions {
  /** The run's services; the real ones when absent. */
  services?: CmdletServicesFactory;
}

export function streamCmdlet(
  load: () => Promise<CmdletDefinition<any>>,
  parameters: Readonly<Record<string, unknown>>,
  options: InProcessOptions = {},
): AsyncIterable<unknown> {
  return {
    [Symbol.asyncIterator]: () => new InProcessIterator(load, parameters, options),
  };
}

class InProcessIterator implements AsyncIterator<unknown> {
  private readonly channel = new ObjectChannel();
  private readonly controller = new AbortController();
  private finished: Promise<void> | undefined;

  constructor(
    private readonly load: () => Promise<CmdletDefinition<any>>,
    private readonly parameters: Readonly<Record<string, unknown>>,
    private readonly options: InProcessOptions,
  ) {}

  next(): Promise<IteratorResult<unknown>> {
    this.finished ??= this.run().then(
      () => this.channel.close(),
      (error: unknown) => this.channel.close(error),
    );
    return this.channel.take();
  }

  /** The caller stopped early (break): the run stops as for a reader that went away. */
  async return(): Promise<IteratorResult<unknown>> {
    this.controller.abort(new OutputClosedError());
    this.channel.discard();
    // Never started: it never will.
    this.finished ??= Promise.resolve(this.channel.close());
    await this.finished;
    return { done: true, value: undefined };
  }

  private async run(): Promise<void> {
    const { signal: callerSignal, input, onMessage, onError, onConfirm } = this.options;
    const stop = () => {
      this.controller.abort(callerSignal?.reason);
      // Between objects means between the caller's objects: what the cmdlet already handed over
      // (a whole page of a listing) is dropped, not served after the abort.
      this.channel.stop();
    };
    if (callerSignal?.aborted) throw callerSignal.reason;
    callerSignal?.addEventListener('abort', stop, { once: true });
    try {
      const definition = await this.load();
      const binding = bindGivenValues(definition, this.parameters);
      const pipeline = input === undefined ? undefined : new PipelineInput(input);
      const run = new CmdletRun(
        definition,
        {
          argv: [],
          stdin: pipeline?.stream ?? Readable.from([]),
          stdout: lineWriter(),
          stderr: lineWriter(onMessage),
          env: this.options.env ?? process.env,
          stdinIsTTY: false,
          stdoutIsTTY: false,
          stderrIsTTY: false,
          stdinHasInput: pipeline !== undefined,
          explicitInput: true,
          services: this.options.services,
          onConfirm,
        },
        binding,
        new Diagnostics(lineWriter(onMessage), false, createRedactor()),
        this.controller.signal,
        undefined,
        onError && ((error) => onError(asModuleError(error))),
      );
      const code = await run.execute(this.channel);
      if (callerSignal?.aborted) throw callerSignal.reason;
      if (code === 0 || this.controller.signal.reason instanceof OutputClosedError) return;
      // Only pipeline objects failed, and -ErrorAction let the run go on: the caller was told.
      if (run.failure === undefined && run.failedObjects > 0) return;
      const failure = run.failure;
      if (failure instanceof PartnerCenterModuleError || failure === pipeline?.failure)
        throw failure;
      throw new InternalError(
        failure instanceof Error ? failure.message : `${definition.name} exited with ${code}`,
        { cause: failure },
      );
    } finally {
      callerSignal?.removeEventListener('abort', stop);
    }
  }
}

/** What a caller's `onError` receives: the module's error, or an unforeseen one as a bug. */
function asModuleError(error: unknown): PartnerCenterModuleError {
  if (error instanceof PartnerCenterModuleError) return error;
  return new InternalError(error instanceof Error ? error.message : String(error), {
    cause: error,
  });
}

/**
 * What the cmdlet yields, as the caller receives it: exactly the values its NDJSON lines hold (a
 * listing's JSON bytes parsed, anything else through JSON), texts (help) as strings.
 */
class ObjectChannel implements OutputWriter {
  private readonly queue: unknown[] = [];
  private room: { promise: Promise<void>; resolve: () => void } | undefined;
  private waiting: (() => void) | undefined;
  private closed = false;
  private stopped = false;
  private failure: { error: unknown } | undefined;

  write(value: unknown): Promise<void> | undefined {
    const line = JSON.stringify(value);
    return line === undefined ? undefined : this.push(JSON.parse(line));
  }

  writeJsonText(text: JsonText): Promise<void> | undefined {
    return this.push(text.value);
  }

  writeText(text: string): Promise<void> | undefined {
    return this.push(text);
  }

  end(): void {}

  /** The run is over; `error` is what the caller's next `next()` rejects with. */
  close(error?: unknown): void {
    this.closed = true;
    if (error !== undefined) this.failure = { error };
    this.wake();
  }

  /** The caller left: what is queued will never be taken. */
  discard(): void {
    this.queue.length = 0;
    this.room?.resolve();
  }

  /** The caller's signal: nothing queued or written from now on reaches the caller. */
  stop(): void {
    this.stopped = true;
    this.discard();
  }

  async take(): Promise<IteratorResult<unknown>> {
    for (;;) {
      if (this.queue.length > 0) return { done: false, value: this.queue.shift() };
      if (this.closed) {
        const failure = this.failure;
        this.failure = undefined;
        if (failure) throw failure.error;
        return { done: true, value: undefined };
      }
      // Everything handed out was taken and the caller asks for more: the cmdlet may go on.
      const room = this.room;
      this.room = undefined;
      room?.resolve();
      await new Promise<void>((resolve) => {
        this.waiting = resolve;
      });
    }
  }

  private push(value: unknown): Promise<void> | undefined {
    if (this.stopped) return undefined;
    this.queue.push(value);
    this.wake();
    if (!this.room) {
      let resolve = () => {};
      const promise = new Promise<void>((done) => {
        resolve = done;
      });
      this.room = { promise, resolve };
    }
    return this.room.promise;
  }

  private wake(): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.();
  }
}

/** The caller's pipeline objects as the NDJSON stream stdin would carry. */
class PipelineInput {
  failure: unknown;
  readonly stream: Readable;

  constructor(input: Iterable<unknown> | AsyncIterable<unknown>) {
    this.stream = Readable.from(this.lines(input), { objectMode: false });
  }

  private async *lines(input: Iterable<unknown> | AsyncIterable<unknown>): AsyncGenerator<string> {
    try {
      for await (const item of input) yield `${JSON.stringify(item) ?? 'null'}\n`;
    } catch (error) {
      // The caller's own iterable failed: that error is theirs to get back as it is.
      this.failure = error;
      throw error;
    }
  }
}

/** A stream for what would have gone to a terminal: each whole line to `onLine`, or nowhere. */
function lineWriter(onLine?: (line: string) => void): Writable {
  return new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      if (onLine) {
        for (const line of chunk.toString().split('\n')) if (line) onLine(line);
      }
      callback();
    },
  });
}
