/**
 * Reads pipeline input: NDJSON on stdin, one object per line, streamed so memory stays bounded by
 * the longest line allowed. A bad line becomes a record with a UsageError naming its line number,
 * so the caller's -ErrorAction decides whether the run stops; nothing here throws for bad input.
 *
 * The last line is different: one without a newline that cannot be read (not UTF-8, not JSON) is
 * what a writer killed mid-line leaves, so it is never data, nor a bad line of its own. It is not
 * yielded; the generator's return value (InputEnd) names it, and the run reports its input as cut
 * (input-end.ts). A whole object that only lacks the final newline (`printf '{...}'`) is read as
 * usual.
 */
import { UsageError } from '../common/errors.js';
import type { InputEnd } from './input-end.js';

/** One line of pipeline input: the object it holds, or why it holds none. */
export type PipelineRecord = PipelineValue | PipelineLineError;

export interface PipelineValue {
  line: number;
  value: Record<string, unknown>;
  /** (Never set: lets a reader test `record.error` to tell the two apart.) */
  error?: never;
}

export interface PipelineLineError {
  line: number;
  error: UsageError;
  /** The line could not be read at all (not UTF-8, not JSON): what a writer cut off leaves. */
  unreadable?: boolean;
  /** (Never set: a bad line holds no object.) */
  value?: never;
}

export interface NdjsonReaderOptions {
  /** Longest accepted line in bytes; longer lines are skipped whole and reported. */
  maxLineBytes?: number;
  /** Deepest accepted nesting of arrays and objects. */
  maxDepth?: number;
}

export const defaultMaxLineBytes = 16 * 1024 * 1024;
export const defaultMaxDepth = 1000;

export async function* readNdjson(
  input: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
  options: NdjsonReaderOptions = {},
): AsyncGenerator<PipelineRecord, InputEnd> {
  const maxLineBytes = options.maxLineBytes ?? defaultMaxLineBytes;
  const maxDepth = options.maxDepth ?? defaultMaxDepth;
  let parts: Buffer[] = [];
  let partBytes = 0;
  let oversized = false;
  let line = 0;
  const finishLine = (): PipelineRecord | undefined => {
    line++;
    const record = oversized
      ? {
          line,
          error: lineError(
            line,
            `is longer than ${formatBytes(maxLineBytes)}`,
            'Split the input into smaller objects.',
          ),
        }
      : parseLine(Buffer.concat(parts, partBytes), line, maxDepth);
    parts = [];
    partBytes = 0;
    oversized = false;
    return record;
  };
  for await (const chunk of input) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    let start = 0;
    while (start <= bytes.length) {
      const newline = bytes.indexOf(10, start);
      const end = newline < 0 ? bytes.length : newline;
      if (!oversized && end > start) {
        if (partBytes + (end - start) > maxLineBytes) {
          oversized = true;
          parts = [];
          partBytes = 0;
        } else {
          parts.push(bytes.subarray(start, end));
          partBytes += end - start;
        }
      }
      if (newline < 0) break;
      const record = finishLine();
      if (record) yield record;
      start = newline + 1;
    }
  }
  if (partBytes > 0 || oversized) {
    const record = finishLine();
    // Unreadable without its newline: cut off. An overlong line or a JSON value that is not an
    // object stays the bad line it is, whole or not.
    if (record?.error && record.unreadable) return { lines: line, tornLine: line };
    if (record) yield record;
  }
  return { lines: line };
}

function parseLine(bytes: Buffer, line: number, maxDepth: number): PipelineRecord | undefined {
  let text: string;
  try {
    // A fresh decoder per line strips a leading byte-order mark and refuses invalid UTF-8.
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return {
      line,
      error: lineError(line, 'is not valid UTF-8', 'Pipe in UTF-8 encoded NDJSON.'),
      unreadable: true,
    };
  }
  if (text.trim() === '') return undefined;
  if (nestingDepth(text) > maxDepth) {
    return {
      line,
      error: lineError(
        line,
        `nests objects or arrays deeper than ${maxDepth} levels`,
        'Pipe in flatter objects.',
      ),
    };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason =
      error instanceof Error ? error.message.replace(/\s+/g, ' ').slice(0, 120) : 'unreadable';
    return {
      line,
      error: lineError(
        line,
        `is not valid JSON (${reason})`,
        'Pipe in NDJSON: one JSON object per line.',
      ),
      unreadable: true,
    };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return {
      line,
      error: lineError(line, 'is not a JSON object', 'Pipe in NDJSON: one JSON object per line.'),
    };
  }
  return { line, value: value as Record<string, unknown> };
}

/**
 * Deepest nesting outside strings; cheap next to JSON.parse, and keeps hostile input from costing
 * more.
 */
function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === 0x5c) i++;
      else if (code === 0x22) inString = false;
    } else if (code === 0x22) {
      inString = true;
    } else if (code === 0x7b || code === 0x5b) {
      if (++depth > deepest) deepest = depth;
    } else if (code === 0x7d || code === 0x5d) {
      depth--;
    }
  }
  return deepest;
}

function lineError(line: number, problem: string, hint: string): UsageError {
  return new UsageError(`Input line ${line} ${problem}.`, { hint });
}

function formatBytes(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes} bytes`;
}
