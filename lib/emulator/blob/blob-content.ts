/**
 * A blob's bytes: its JSON lines, gzip-compressed, made as they are read (Readable.from pulls a
 * batch only when the consumer wants more, so a slow reader holds the generator, not memory).
 * The same lines always compress to the same bytes, so a byte range is served by compressing
 * from the start and skipping to it, and a blob's size is measured once and remembered.
 *
 * With a cache directory (`billingBlobCacheDirectory`, for benchmarks), the bytes compressed to
 * measure a blob are also kept in a file there and every download is served from it, as a blob
 * store serves stored bytes: making the lines is otherwise the slowest part of a download (about
 * 50,000 lines a second), slower than any client, which would hide the client's own speed.
 * Without one, the bytes of a small blob (up to MAX_BLOB_KEPT compressed) are kept in memory when
 * it is measured, up to MAX_BYTES_KEPT in all (the oldest dropped first): every export is measured
 * before it is downloaded, and the same invoice is often exported again, so most downloads are
 * served from memory instead of making and compressing the same lines again (memory stays
 * bounded, whatever the number of line items).
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { AttributeSet } from '../billing/attribute-sets.js';
import { type ExportData, linesOfBlob, rootPathOf, blobNameOf } from '../billing/export-data.js';
import type { BillingDataset } from '../billing/invoices.js';

/** Lines per write to the compressor: large enough to be cheap, small enough to stay flat. */
const LINES_PER_BATCH = 200;
/** Sizes remembered (a number each); the oldest are measured again if asked for. */
const MAX_SIZES_KEPT = 10_000;
/** A fast level: the emulator compresses every blob at least once (measuring its size). */
const GZIP_LEVEL = 1;
/**
 * A blob compressed to at most this many bytes (about 10,000 lines) is kept in memory when it is
 * measured; the default blobs of a large export (50,000 lines, about 5 MB) never are, so the
 * emulator's memory at millions of lines is what it was.
 */
const MAX_BLOB_KEPT = 1024 * 1024;
/** Bytes of blobs kept in memory in all; the oldest go first. */
const MAX_BYTES_KEPT = 16 * 1024 * 1024;
/** Chunks a kept blob is served in, so a slow client still holds back the next one. */
const SERVED_CHUNK = 64 * 1024;

function* lineBatches(
  billing: BillingDataset,
  data: ExportData,
  part: number,
  set: AttributeSet,
): Generator<string> {
  const reader = billing.reader(data.source);
  const { start, end } = linesOfBlob(data, part);
  for (let batch = start; batch < end; batch += LINES_PER_BATCH) {
    let text = '';
    const last = Math.min(end, batch + LINES_PER_BATCH);
    for (let position = batch; position < last; position++)
      text += `${reader.line(position, set)}\n`;
    yield text;
  }
}

/** The whole blob, compressed as it is read. */
export function gzipBlob(billing: BillingDataset, data: ExportData, part: number): Readable {
  const gzip = createGzip({ level: GZIP_LEVEL });
  const lines = Readable.from(lineBatches(billing, data, part, data.attributeSet));
  lines.on('error', (error) => gzip.destroy(error));
  gzip.on('close', () => lines.destroy());
  return lines.pipe(gzip);
}

/**
 * Bytes [from, to] (inclusive) of a stream; stops reading it (and so stops its generator) once
 * `to` is passed.
 */
export function byteWindow(source: Readable, from: number, to: number): Readable {
  async function* window(): AsyncGenerator<Buffer> {
    let at = 0;
    try {
      for await (const chunk of source as AsyncIterable<Buffer>) {
        const chunkEnd = at + chunk.length;
        if (chunkEnd > from)
          yield chunk.subarray(Math.max(0, from - at), Math.min(chunk.length, to + 1 - at));
        at = chunkEnd;
        if (at > to) break;
      }
    } finally {
      source.destroy();
    }
  }
  return Readable.from(window(), { objectMode: false });
}

/** Bytes [from, to] (inclusive; all without a range) of bytes held in memory, in chunks. */
function servedFrom(bytes: Buffer, range?: { from: number; to: number }): Readable {
  const window = range ? bytes.subarray(range.from, range.to + 1) : bytes;
  const chunks: Buffer[] = [];
  for (let at = 0; at < window.length; at += SERVED_CHUNK)
    chunks.push(window.subarray(at, at + SERVED_CHUNK));
  return Readable.from(chunks, { objectMode: false });
}

export class BlobSizes {
  private readonly sizes = new Map<string, number>();
  /** Small blobs' compressed bytes (without a cache directory), oldest first. */
  private readonly kept = new Map<string, Buffer>();
  private keptBytes = 0;
  private readonly measuring = new Map<string, Promise<number>>();
  private stopped = false;

  /** Measuring stops (the emulator closes): a size being measured is never learnt. */
  stop(): void {
    this.stopped = true;
  }

  constructor(
    private readonly billing: BillingDataset,
    /** Where measured blobs are kept and served from; none: compressed again at each read. */
    private readonly cacheDirectory?: string,
  ) {}

  /**
   * The blob's bytes [from, to] (inclusive; the whole blob without a range), from the cache file
   * once it was measured there, else compressed as they are read.
   */
  open(data: ExportData, part: number, range?: { from: number; to: number }): Readable {
    const inMemory = this.kept.get(this.key(data, part));
    if (inMemory) return servedFrom(inMemory, range);
    const cached = this.cacheDirectory && this.known(data, part) !== undefined;
    if (cached)
      return createReadStream(
        this.cacheFile(data, part),
        range && { start: range.from, end: range.to },
      );
    const blob = gzipBlob(this.billing, data, part);
    return range ? byteWindow(blob, range.from, range.to) : blob;
  }

  private cacheFile(data: ExportData, part: number): string {
    const name = createHash('sha256').update(this.key(data, part)).digest('hex').slice(0, 32);
    return join(this.cacheDirectory ?? '', `${name}.gz`);
  }

  private key(data: ExportData, part: number): string {
    return `${rootPathOf(data)}/${blobNameOf(data, part)}`;
  }

  private keep(key: string, bytes: Buffer): void {
    // Measured again (its size was forgotten): the same bytes, counted once.
    this.keptBytes -= this.kept.get(key)?.length ?? 0;
    this.kept.delete(key);
    this.keptBytes += bytes.length;
    this.kept.set(key, bytes);
    for (const [oldest, dropped] of this.kept) {
      if (this.keptBytes <= MAX_BYTES_KEPT) break;
      this.kept.delete(oldest);
      this.keptBytes -= dropped.length;
    }
  }

  known(data: ExportData, part: number): number | undefined {
    return this.sizes.get(this.key(data, part));
  }

  /** The blob's compressed size, measured by compressing it once (memory stays flat). */
  sizeOf(data: ExportData, part: number): Promise<number> {
    const key = this.key(data, part);
    const size = this.sizes.get(key);
    if (size !== undefined) return Promise.resolve(size);
    let pending = this.measuring.get(key);
    if (!pending) {
      pending = (async () => {
        let total = 0;
        const file = this.cacheDirectory ? this.cacheFile(data, part) : undefined;
        const kept = file ? createWriteStream(`${file}.part`) : undefined;
        // Without a file, a small blob's bytes are collected to be kept in memory.
        let chunks: Buffer[] | undefined = file ? undefined : [];
        try {
          for await (const chunk of gzipBlob(this.billing, data, part) as AsyncIterable<Buffer>) {
            if (this.stopped) throw new Error('the emulator closed while it measured a blob');
            total += chunk.length;
            if (chunks && total <= MAX_BLOB_KEPT) chunks.push(chunk);
            else chunks = undefined;
            if (kept && !kept.write(chunk))
              await new Promise<void>((resolve) => kept.once('drain', () => resolve()));
          }
          if (kept && file) {
            kept.end();
            await finished(kept);
            renameSync(`${file}.part`, file);
          }
        } catch (error) {
          kept?.destroy();
          if (file) rmSync(`${file}.part`, { force: true });
          throw error;
        }
        if (this.sizes.size >= MAX_SIZES_KEPT) {
          const oldest = this.sizes.keys().next().value;
          if (oldest !== undefined) this.sizes.delete(oldest);
        }
        this.sizes.set(key, total);
        if (chunks) this.keep(key, Buffer.concat(chunks, total));
        return total;
      })().finally(() => this.measuring.delete(key));
      this.measuring.set(key, pending);
    }
    return pending;
  }
}
