/**
 * The one place stdout is written. Whole lines only, coalesced into large writes (a page of
 * customers becomes one write instead of 500), flushed as soon as the producer pauses, and with
 * backpressure: while the stream is congested, `write` hands back a promise to await before the
 * next object is produced, so a slow reader slows the fetch instead of filling memory. A reader that
 * went away (EPIPE, e.g. `| head`) turns the sink into a silent sink and is reported once.
 */
import type { Writable } from 'node:stream';

/** Flush at once past this many buffered characters, rather than waiting for the producer to pause. */
const flushThreshold = 64 * 1024;

export interface OutputSinkEvents {
  /** The reader went away (EPIPE or the stream was destroyed). */
  onClosed(): void;
  /** Any other write error (disk full, EIO): output cannot go on. */
  onFailed(error: Error): void;
  /** Called before each write reaches the stream (a progress line on the same terminal steps aside). */
  beforeWrite?(): void;
  /** Called after each write was handed to the stream (the progress line comes back). */
  afterWrite?(): void;
}

export class OutputSink {
  private pieces: string[] = [];
  private buffered = 0;
  private flushScheduled = false;
  private congestion: Promise<void> | undefined;
  private releaseCongestion: (() => void) | undefined;
  private lastWrite: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly stream: Writable,
    private readonly events: OutputSinkEvents,
  ) {
    stream.on('error', this.onError);
    stream.on('drain', this.onDrain);
  }

  /** True once the reader went away or writing failed: further output is dropped. */
  get closed(): boolean {
    return this.stopped;
  }

  /** Queues whole lines. Returns a promise while the stream is congested; await it before producing more. */
  write(text: string): Promise<void> | undefined {
    if (this.stopped || text === '') return undefined;
    this.pieces.push(text);
    this.buffered += text.length;
    if (this.buffered >= flushThreshold) this.flush();
    else this.scheduleFlush();
    return this.congestion;
  }

  /** A promise while the stream is congested, for writers that buffer on their own (Table). */
  waitForRoom(): Promise<void> | undefined {
    return this.congestion;
  }

  /** Writes what is buffered unless the stream is congested (then the drain flushes it). */
  flush(): void {
    if (this.stopped || this.buffered === 0 || this.congestion) return;
    const chunk = this.pieces.length === 1 ? this.pieces[0]! : this.pieces.join('');
    this.pieces = [];
    this.buffered = 0;
    this.events.beforeWrite?.();
    let accepted = true;
    this.lastWrite = new Promise<void>((resolve) => {
      try {
        accepted = this.stream.write(chunk, () => resolve());
      } catch (error) {
        this.onError(error as Error);
        resolve();
      }
    });
    this.events.afterWrite?.();
    if (!accepted && !this.stopped) {
      this.congestion = new Promise<void>((resolve) => (this.releaseCongestion = resolve));
    }
  }

  /** Flushes everything and resolves once the stream has taken the last write (or the reader is gone). */
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
    this.pieces = [];
    this.buffered = 0;
    this.uncongest();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED' || code === 'ECONNRESET') this.events.onClosed();
    else this.events.onFailed(error);
  };

  private uncongest(): void {
    const release = this.releaseCongestion;
    this.congestion = undefined;
    this.releaseCongestion = undefined;
    release?.();
  }
}
