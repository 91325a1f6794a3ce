/**
 * Reading a billing export's files (docs/billing.md, "The manifest" and "Blob downloads"): each is
 * gzip of JSON lines, downloaded as a stream (download.ts: backpressure, a cut body resumed with
 * Range, a refused SAS renewed), decompressed and split into line items as the bytes arrive, so
 * memory holds a chunk, never a file. Several files are read at once, a few at a time
 * (`interleaved`), each line item counted against the file it came from, which is what a resume
 * records.
 */
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { ServiceError } from '../common/errors.js';
import { type JsonLineBatch, JsonLineSplitter } from '../json/json-lines.js';
import { abortReason } from './abortable.js';
import type { HttpClient } from './client.js';
import { type DownloadProgress, download } from './download.js';

export interface BlobReadOptions {
  /** Line items of the file already out (an earlier run's, or this run's before a re-read). */
  skip?: number;
  signal?: AbortSignal;
  /** A new URL of the same file when the blob service refuses the current one (an expired SAS). */
  renewUrl?: () => Promise<string>;
  verbose?: (line: string) => void;
  onProgress?: (progress: DownloadProgress) => void;
  /** Reads of the whole file after a truncated or corrupt gzip stream. Default 3. */
  maxReads?: number;
}

/** Larger than zlib's 16 KB default: fewer, fuller batches of line items. */
const INFLATED_CHUNK = 64 * 1024;

/**
 * The line items of the file at `url`, as the JSON text of its lines (blank lines are no line
 * items), in batches of what one decompressed chunk held. The first `skip` line items are
 * read and dropped. A gzip stream that ends early or is corrupt (a truncated file) is read again
 * from the start, dropping what was already handed out.
 */
export async function* lineItemBatches(
  blobs: HttpClient,
  url: string,
  name: string,
  options: BlobReadOptions = {},
): AsyncGenerator<JsonLineBatch> {
  const maxReads = options.maxReads ?? 3;
  let out = options.skip ?? 0;
  let current = url;
  for (let read = 1; ; read++) {
    let index = 0;
    const renewUrl = options.renewUrl;
    const source = download(blobs, current, {
      signal: options.signal,
      verbose: options.verbose,
      onProgress: options.onProgress,
      renewUrl: renewUrl
        ? async () => {
            current = await renewUrl();
            return current;
          }
        : undefined,
    });
    const inflated = pipeline(source, createGunzip({ chunkSize: INFLATED_CHUNK }), () => {});
    // Each line item stays the bytes it came as (JsonText): written to NDJSON verbatim, parsed
    // only by a consumer that reads its properties (json-lines.ts).
    const lines = new JsonLineSplitter({ skip: out, what: `the export file ${name}` });
    try {
      for await (const chunk of inflated as AsyncIterable<Buffer>) {
        const batch = lines.push(chunk);
        index = lines.lines;
        if (batch.length > 0) {
          out += batch.length;
          yield batch;
        }
      }
      // The last line may have no newline.
      const last = lines.end();
      if (last.length > 0) {
        out += last.length;
        yield last;
      }
      return;
    } catch (error) {
      if (options.signal?.aborted) throw abortReason(options.signal);
      const cut =
        isBrokenGzip(error) ||
        (error instanceof ServiceError && error.reason === 'download cut off');
      if (!cut || read >= maxReads) {
        if (isBrokenGzip(error)) {
          throw new ServiceError(
            `The export file ${name} is not a whole gzip stream (${(error as Error).message}), ` +
              `read ${read} times; ${out} line items of it were read.`,
            { reason: 'export file broken', hint: 'Start the export again later.', cause: error },
          );
        }
        throw error;
      }
      options.verbose?.(
        `The export file ${name} broke off after ${index} line items ` +
          `(${(error as Error).message}): reading it again, skipping the ${out} already read ` +
          `(read ${read + 1} of ${maxReads}).`,
      );
    } finally {
      (inflated as NodeJS.ReadableStream & { destroy(): void }).destroy();
    }
  }
}

/** zlib's errors for a stream that ends before its end (Z_BUF_ERROR) or is damaged. */
function isBrokenGzip(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'Z_BUF_ERROR' || code === 'Z_DATA_ERROR';
}

/** One value of one of several sources, with the index of the source it came from. */
export interface FromSource<T> {
  source: number;
  value: T;
}

/**
 * The values of `sources` (made only when their turn comes), at most `limit` read at once, each
 * handed out as it arrives. Each running source has at most one value read ahead, so a slow
 * consumer pauses every download. Closing the result closes the running sources.
 */
export async function* interleaved<T>(
  sources: readonly (() => AsyncGenerator<T>)[],
  limit: number,
  /** Aborted when the result ends early, so sources still reading stop at once (give them its signal). */
  stop?: AbortController,
): AsyncGenerator<FromSource<T>> {
  type Step = { source: number; step: IteratorResult<T> };
  const running = new Map<number, { iterator: AsyncGenerator<T>; next: Promise<Step> }>();
  let started = 0;
  const advance = (source: number, iterator: AsyncGenerator<T>) => {
    const next = iterator.next().then((step) => ({ source, step }));
    // Raced below; a failure of one not raced yet is seen when it is.
    next.catch(() => {});
    running.set(source, { iterator, next });
  };
  const startNext = () => {
    const make = sources[started];
    if (make) advance(started, make());
    started++;
  };
  try {
    while (started < sources.length && running.size < limit) startNext();
    while (running.size > 0) {
      const { source, step } = await Promise.race([...running.values()].map((one) => one.next));
      const entry = running.get(source);
      if (!entry) continue;
      if (step.done) {
        running.delete(source);
        if (started < sources.length) startNext();
        continue;
      }
      advance(source, entry.iterator);
      yield { source, value: step.value };
    }
  } finally {
    // One source failed, or the consumer stopped: the others must not finish their reads first (a
    // stalled download would hold the stop for its idle timeout).
    if (running.size > 0) stop?.abort(new Error('the other export files are no longer read'));
    const closing = [...running.values()].map(({ iterator, next }) =>
      next.then(
        () => iterator.return(undefined),
        () => undefined,
      ),
    );
    running.clear();
    await Promise.allSettled(closing);
  }
}
