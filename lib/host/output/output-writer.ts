/**
 * Output writers turn the objects a cmdlet yields into text on the sink, one format each. Only the
 * chosen writer is loaded: Table pulls in the `table` package, which nothing else should pay for.
 */
import type { ViewColumn } from '../../cmdlet-support/cmdlet.js';
import type { OutputFormat } from '../common-parameters.js';
import { JsonText, plainValue } from '../../json/json-text.js';
import type { OutputSink } from './output-sink.js';

export interface OutputWriter {
  /** Writes one object; returns a promise while the sink is congested. */
  write(value: unknown): Promise<void> | undefined;
  /**
   * Writes one object that arrived as JSON bytes, when the format can use the bytes as they are
   * (Ndjson without -Property); writers without it get the parsed value through `write`.
   */
  writeJsonText?(text: JsonText): Promise<void> | undefined;
  /** Writes preformatted text (help, completion scripts) between objects, whatever the format. */
  writeText(text: string): Promise<void> | undefined;
  /**
   * Resolves once the stream has taken everything this writer was given (see
   * OutputSink.delivered; undefined: already); Json still holds its last element back, since a comma may follow.
   */
  delivered?(): Promise<void> | undefined;
  /**
   * Closes the format (Json's `]`, Table's last rows). Called on every stop except a vanished
   * reader.
   */
  end(): void;
}

export interface OutputWriterOptions {
  property?: readonly string[];
  view?: readonly ViewColumn[];
  /** Terminal width for Table. */
  columns?: number;
  /** Csv: start with a UTF-8 byte-order mark (-Encoding utf8BOM), for Excel. */
  byteOrderMark?: boolean;
  /**
   * Csv: whether the output goes on below earlier output of the same file (appended to, not
   * empty), asked at the first object: then the file has its header and byte-order mark already.
   */
  continuesFile?: () => boolean;
  /**
   * Table: the table is only the terminal's default, not asked for; where the terminal is too
   * narrow for its ids and values, a list of the view's columns is shown instead.
   */
  listWhenTooNarrow?: boolean;
}

export async function createOutputWriter(
  format: OutputFormat,
  sink: OutputSink,
  options: OutputWriterOptions,
): Promise<OutputWriter> {
  switch (format) {
    case 'Ndjson':
      return new (await import('./ndjson-writer.js')).NdjsonWriter(sink, options);
    case 'Json':
      return new (await import('./json-writer.js')).JsonWriter(sink, options);
    case 'Csv':
      return new (await import('./csv-writer.js')).CsvWriter(sink, options);
    case 'Table':
      return new (await import('./table-writer.js')).TableWriter(sink, options);
    case 'List':
      return new (await import('./list-writer.js')).ListWriter(sink, options);
  }
}

export function withNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}

/** Writes one object a cmdlet yielded, by the cheapest path the writer offers. */
export function writeObject(writer: OutputWriter, value: unknown): Promise<void> | undefined {
  return value instanceof JsonText && writer.writeJsonText
    ? writer.writeJsonText(value)
    : writer.write(plainValue(value));
}

/**
 * Writes objects in order; the sink is waited for once, after the last (it holds at most this
 * list).
 */
export function writeObjects(
  writer: OutputWriter,
  values: Iterable<unknown>,
): Promise<void> | undefined {
  let room: Promise<void> | undefined;
  for (const value of values) room = writeObject(writer, value) ?? room;
  return room;
}

/**
 * The same writer with every object it is given (not preformatted text) passed through `each`,
 * which writes it by calling `write`, or drops it by not calling it. `end` closes the format
 * unless another is given (a writer lent for a while must not close it).
 */
export function throughEachObject(
  writer: OutputWriter,
  each: (write: () => Promise<void> | undefined) => Promise<void> | undefined,
  end: () => void = () => writer.end(),
): OutputWriter {
  const { writeJsonText, delivered } = writer;
  return {
    write: (value) => each(() => writer.write(value)),
    writeJsonText: writeJsonText
      ? (text) => each(() => writeJsonText.call(writer, text))
      : undefined,
    writeText: (text) => writer.writeText(text),
    delivered: delivered ? () => delivered.call(writer) : undefined,
    end,
  };
}
