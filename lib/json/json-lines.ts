/**
 * JSON lines (one JSON object per line, as Microsoft Graph's billing export files hold them once
 * gunzipped) cut out of a byte stream as JsonText values over the stream's own chunks: no parse,
 * no string, no copy per line. An export of millions of line items mostly writes each line out
 * again as NDJSON, so the line's bytes go to stdout as they came (the NDJSON writer's
 * `writeJsonText`) and only a consumer that reads properties (Csv, Table, -Property, a caller from
 * Node, pipeline binding) parses one, when it asks for its value.
 *
 * What is checked, at the speed of the inflater: each line is valid UTF-8 and one object (its
 * first and last non-blank bytes are braces), so stdout never gets a line that is not a JSON
 * object in UTF-8. The bytes in between are the service's, written as they are (a full JSON check
 * would cost more than the gunzip itself); the gzip member's CRC vouches for the transfer.
 *
 * A line is handed out only once its newline arrived (or the stream ended cleanly after it): a
 * stream cut mid-line leaves the partial line unseen, and `lines` counts exactly the lines handed
 * out (or skipped), which is the position a resumed run starts again from (`skip`).
 */
import { isUtf8 } from 'node:buffer';
import { ServiceError } from '../common/errors.js';
import { externalBytesPassed } from '../common/external-memory.js';
import { untrustedLine } from '../common/text.js';
import { JsonText, JsonTextList } from './json-text.js';

const NEWLINE = 0x0a;
const CR = 0x0d;

export interface JsonLineSplitterOptions {
  /** Objects (non-blank lines) to pass over first: a resumed run's `lines` from the run before. */
  skip?: number;
  /** What the stream is, for messages: `the file part-00001-....json.gz of the export`. */
  what?: string;
}

/**
 * The whole lines one chunk completed, in order: the line that began in an earlier chunk (copied
 * once into its own bytes), then the chunk's own lines (spans of the chunk). Iterable, so a cmdlet
 * can yield it as one ObjectList.
 */
export class JsonLineBatch<T = unknown> implements Iterable<JsonText<T>> {
  constructor(
    private readonly carried: JsonText<T> | undefined,
    private readonly list: JsonTextList<T> | undefined,
  ) {}

  get length(): number {
    return (this.carried ? 1 : 0) + (this.list?.length ?? 0);
  }

  *[Symbol.iterator](): Iterator<JsonText<T>> {
    if (this.carried) yield this.carried;
    if (this.list) yield* this.list;
  }
}

const EMPTY = new JsonLineBatch<never>(undefined, undefined);

export class JsonLineSplitter<T = unknown> {
  /** The start of a line still waiting for its newline (bytes of earlier chunks). */
  private partial: Buffer[] = [];
  private partialBytes = 0;
  private toSkip: number;
  private counted = 0;
  /** Lines seen, blank ones included: what messages number. */
  private physical = 0;
  private readonly what: string;

  constructor(options: JsonLineSplitterOptions = {}) {
    this.toSkip = Math.max(0, options.skip ?? 0);
    this.what = options.what ?? 'the JSON lines';
  }

  /**
   * Objects (non-blank lines) passed so far, handed out or skipped: where the stream stands once
   * every batch handed out is written, and the `skip` of a run that resumes there.
   */
  get lines(): number {
    return this.counted;
  }

  /** The lines `chunk` completes. Throws a ServiceError for a line that is not a JSON object. */
  push(chunk: Buffer): JsonLineBatch<T> {
    // The chunks are external memory: promoted ones are freed only by a major collection.
    externalBytesPassed(chunk.length);
    const firstNewline = chunk.indexOf(NEWLINE);
    if (firstNewline === -1) {
      this.keepPartial(chunk);
      return EMPTY;
    }
    let carried: JsonText<T> | undefined;
    let from = 0;
    if (this.partialBytes > 0) {
      this.partial.push(chunk.subarray(0, firstNewline));
      const bytes = Buffer.concat(this.partial, this.partialBytes + firstNewline);
      this.partial = [];
      this.partialBytes = 0;
      carried = this.line(bytes, 0, bytes.length);
      from = firstNewline + 1;
    }
    // Everything up to the last newline is whole lines; UTF-8 is checked once for all of them
    // (a newline never falls inside a multi-byte character, so the region ends on a boundary).
    const lastNewline = chunk.lastIndexOf(NEWLINE);
    let list: JsonTextList<T> | undefined;
    if (lastNewline >= from) {
      if (!isUtf8(chunk.subarray(from, lastNewline))) this.notUtf8();
      list = this.wholeLines(chunk, from, lastNewline);
    }
    if (lastNewline + 1 < chunk.length) this.keepPartial(chunk.subarray(lastNewline + 1));
    return carried || list ? new JsonLineBatch(carried, list) : EMPTY;
  }

  /**
   * The stream ended cleanly: its last line, if it had no newline. Not to be called after a
   * stream that was cut (that line is incomplete, and a resumed run reads it whole).
   */
  end(): JsonLineBatch<T> {
    if (this.partialBytes === 0) return EMPTY;
    const bytes = Buffer.concat(this.partial, this.partialBytes);
    this.partial = [];
    this.partialBytes = 0;
    const last = this.line(bytes, 0, bytes.length);
    return last ? new JsonLineBatch(last, undefined) : EMPTY;
  }

  private keepPartial(bytes: Buffer): void {
    // A copy: the stream may reuse its chunk's memory once handed on.
    this.partial.push(Buffer.from(bytes));
    this.partialBytes += bytes.length;
  }

  /** The lines of chunk[from, lastNewline] as spans, blank and skipped ones left out. */
  private wholeLines(
    chunk: Buffer,
    from: number,
    lastNewline: number,
  ): JsonTextList<T> | undefined {
    const spans: number[] = [];
    let start = from;
    while (start <= lastNewline) {
      const newline = chunk.indexOf(NEWLINE, start);
      const span = this.span(chunk, start, newline);
      if (span) spans.push(span[0], span[1], 1);
      start = newline + 1;
    }
    return spans.length > 0 ? new JsonTextList<T>(chunk, Int32Array.from(spans)) : undefined;
  }

  /** One line in bytes[start, end) as a JsonText; undefined when it is blank or skipped. */
  private line(bytes: Buffer, start: number, end: number): JsonText<T> | undefined {
    if (!isUtf8(bytes.subarray(start, end))) this.notUtf8();
    const span = this.span(bytes, start, end);
    return span && new JsonText<T>(bytes, span[0], span[1], true);
  }

  /**
   * The object's bytes within a line (surrounding blanks and a CR of CRLF left out), the line
   * counted; undefined for a blank line or one still to skip.
   */
  private span(bytes: Buffer, start: number, end: number): [number, number] | undefined {
    this.physical++;
    let first = start;
    let last = end;
    while (first < last && isBlank(bytes[first]!)) first++;
    while (last > first && isBlank(bytes[last - 1]!)) last--;
    if (first === last) return undefined;
    this.counted++;
    if (this.toSkip > 0) {
      this.toSkip--;
      return undefined;
    }
    if (bytes[first] !== 0x7b /* { */ || bytes[last - 1] !== 0x7d /* } */) {
      throw new ServiceError(
        `Line ${this.physical} of ${this.what} is not a JSON object: ` +
          `'${untrustedLine(bytes.toString('utf8', first, Math.min(last, first + 60)), 60)}'.`,
        { reason: 'not JSON lines', hint: 'Start the export again; report this if it persists.' },
      );
    }
    return [first, last];
  }

  private notUtf8(): never {
    throw new ServiceError(
      `${capitalised(this.what)} holds bytes that are not UTF-8 (line ${this.physical + 1} or one of ` +
        'the lines after it).',
      { reason: 'not JSON lines', hint: 'Start the export again; report this if it persists.' },
    );
  }
}

function isBlank(byte: number): boolean {
  return byte === 0x20 || byte === 0x09 || byte === CR || byte === NEWLINE;
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
