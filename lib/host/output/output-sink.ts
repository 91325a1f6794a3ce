/**
 * The one place stdout is written. Whole lines only, coalesced into large writes (a page of
 * customers becomes one write instead of 500), flushed as soon as the producer pauses, and with
 * backpressure: while the stream is congested, `write` hands back a promise to await before the
 * next object is produced, so a slow reader slows the fetch instead of filling memory. A reader
 * that went away (EPIPE, e.g. `| head`) turns the sink into a silent sink and is reported once; so
 * does a write that failed (a full disk), known as soon as the write returns when the stream
 * writes synchronously (a file), before anything can record those bytes as written.
 *
 * Lines are encoded straight into fixed-size byte chunks that are reused once the stream has
 * written them: a long listing then allocates no new output memory per page (fresh buffers per
 * write pile up as external memory until V8 next collects, which made the peak RSS grow with the
 * length of the listing).
 */
import type { Writable } from 'node:stream';

/** Bytes per chunk: a chunk is written when full, or as soon as the producer pauses. */
const chunkSize = 64 * 1024;
/** Chunks kept for reuse; more than this are only in flight while the reader is slow. */
const spareChunks = 4;

export interface OutputSinkEvents {
  /** The reader went away (EPIPE or the stream was destroyed). */
  onClosed(): void;
  /** Any other write error (disk full, EIO): output cannot go on. */
  onFailed(error: Error): void;
  /**
   * Called before each write reaches the stream (a progress line on the same terminal steps aside).
   */
  beforeWrite?(): void;
  /** Called after each write was handed to the stream (the progress line comes back). */
  afterWrite?(): void;
}

export interface OutputSinkOptions {
  /**
   * Reuse a chunk once the stream's write callback ran. Only for streams that are done with the
   * bytes by then (process.stdout: a file, pipe or terminal); a stream that keeps the Buffer it was
   * given (a PassThrough, a collecting Writable) would see its data overwritten.
   */
  reuseChunks?: boolean;
}

export class OutputSink {
  private chunk: Buffer = Buffer.allocUnsafe(chunkSize);
  private buffered = 0;
  private readonly spares: Buffer[] = [];
  private flushScheduled = false;
  private congestion: Promise<void> | undefined;
  private releaseCongestion: (() => void) | undefined;
  private lastWrite: Promise<void> = Promise.resolve();
  private stopped = false;
  private writeFailure: Error | undefined;

  constructor(
    private readonly stream: Writable,
    private readonly events: OutputSinkEvents,
    private readonly options: OutputSinkOptions = {},
  ) {
    stream.on('error', this.onError);
    stream.on('drain', this.onDrain);
  }

  /** True once the reader went away or writing failed: further output is dropped. */
  get closed(): boolean {
    return this.stopped;
  }

  /** The write error that stopped the output (not a reader that went away). */
  get failure(): Error | undefined {
    return this.writeFailure;
  }

  /**
   * Queues whole lines. Returns a promise while the stream is congested; await it before producing
   * more.
   */
  write(text: string): Promise<void> | undefined {
    if (this.stopped || text === '') return undefined;
    // A UTF-16 unit never takes more than 3 bytes in UTF-8: measure exactly only when it may not
    // fit.
    if (text.length * 3 > chunkSize - this.buffered) {
      const bytes = Buffer.byteLength(text, 'utf8');
      if (bytes > chunkSize - this.buffered) this.sendChunk();
      if (bytes > chunkSize) {
        // Larger than a chunk (help, a huge object): it goes out on its own, after what was queued.
        this.send(Buffer.from(text, 'utf8'));
        return this.congestion;
      }
    }
    this.buffered += this.chunk.write(text, this.buffered, 'utf8');
    return this.queued();
  }

  /**
   * Queues bytes [start, end) of `source` (well-formed UTF-8, no newline) and a newline after them.
   */
  writeLine(source: Buffer, start: number, end: number): Promise<void> | undefined {
    if (this.stopped) return undefined;
    const length = end - start + 1;
    if (length > chunkSize - this.buffered) this.sendChunk();
    if (length > chunkSize) {
      const line = Buffer.allocUnsafe(length);
      source.copy(line, 0, start, end);
      line[length - 1] = 0x0a;
      this.send(line);
      return this.congestion;
    }
    this.buffered += source.copy(this.chunk, this.buffered, start, end);
    this.chunk[this.buffered++] = 0x0a;
    return this.queued();
  }

  private queued(): Promise<void> | undefined {
    if (this.buffered >= chunkSize) this.sendChunk();
    else this.scheduleFlush();
    return this.congestion;
  }

  /**
   * Sends what is queued (even into a congested stream: one chunk at most) and resolves once the
   * stream has taken every byte queued so far (its write callback ran: for a pipe or file, the
   * bytes are the kernel's), or the reader is gone. What records output as done waits for this:
   * bytes still in this process are lost to a SIGKILL. Undefined when the stream took them there
   * and then: a pipe or file on Linux is written synchronously, and recording at once (in the same
   * turn) leaves a SIGKILL no room to fall between the output and its record.
   */
  delivered(): Promise<void> | undefined {
    this.sendChunk();
    if (this.stopped || (this.stream.writableLength === 0 && !this.congestion)) return undefined;
    return this.lastWrite;
  }

  /** A promise while the stream is congested, for writers that buffer on their own (Table). */
  waitForRoom(): Promise<void> | undefined {
    return this.congestion;
  }

  /** Writes what is buffered unless the stream is congested (then the drain flushes it). */
  flush(): void {
    if (!this.congestion) this.sendChunk();
  }

  /**
   * Writes what is buffered even into a congested stream: a full chunk, or one that must go before
   * a line that does not fit, cannot wait (the producer itself waits for the congestion to pass).
   */
  private sendChunk(): void {
    if (this.stopped || this.buffered === 0) return;
    const chunk = this.chunk;
    const bytes = chunk.subarray(0, this.buffered);
    this.chunk = this.spares.pop() ?? Buffer.allocUnsafe(chunkSize);
    this.buffered = 0;
    this.send(bytes, this.options.reuseChunks ? chunk : undefined);
  }

  /**
   * Hands bytes to the stream; `reusable` goes back to the spares once the stream has written it.
   */
  private send(bytes: Buffer, reusable?: Buffer): void {
    this.events.beforeWrite?.();
    let accepted = true;
    this.lastWrite = new Promise<void>((resolve) => {
      try {
        accepted = this.stream.write(bytes, (error) => {
          if (error) this.onError(error);
          else if (reusable && this.spares.length < spareChunks) this.spares.push(reusable);
          resolve();
        });
      } catch (error) {
        this.onError(error as Error);
        resolve();
      }
    });
    // A stream that writes synchronously (a file) has failed by now if it failed: known before
    // anyone records these bytes as written, not a turn later when its callback runs.
    const failed = this.stream.errored;
    if (failed) this.onError(failed);
    this.events.afterWrite?.();
    if (!accepted && !this.stopped) {
      this.congestion ??= new Promise<void>((resolve) => (this.releaseCongestion = resolve));
    }
  }

  /**
   * Flushes everything and resolves once the stream has taken the last write (or the reader is
   * gone).
   */
  async end(): Promise<void> {
    while (!this.stopped && (this.buffered > 0 || this.congestion)) {
      this.flush();
      if (this.congestion) await this.congestion;
    }
    await this.lastWrite;
  }

  /** Stops listening to the stream; call after end(). */
  detach(): void {
    this.stream.off('drain', this.onDrain);
    // The error listener stays: an EPIPE that arrives after the run must not crash the process.
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  private readonly onDrain = (): void => {
    this.uncongest();
    this.flush();
  };

  private readonly onError = (error: Error): void => {
    if (this.stopped) return;
    this.stopped = true;
    this.buffered = 0;
    this.uncongest();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED' || code === 'ECONNRESET')
      this.events.onClosed();
    else {
      this.writeFailure = error;
      this.events.onFailed(error);
    }
  };

  private uncongest(): void {
    const release = this.releaseCongestion;
    this.congestion = undefined;
    this.releaseCongestion = undefined;
    release?.();
  }
}
