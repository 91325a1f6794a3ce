/**
 * Output writers turn the objects a cmdlet yields into text on the sink, one format each. Only the
 * chosen writer is loaded: Table pulls in the `table` package, which nothing else should pay for.
 */
import type { ViewColumn } from '../cmdlet.js';
import type { OutputFormat } from '../common-parameters.js';
import type { OutputSink } from './output-sink.js';

export interface OutputWriter {
  /** Writes one object; returns a promise while the sink is congested. */
  write(value: unknown): Promise<void> | undefined;
  /** Writes preformatted text (help, completion scripts) between objects, whatever the format. */
  writeText(text: string): Promise<void> | undefined;
  /** Closes the format (Json's `]`, Table's last rows). Called on every stop except a vanished reader. */
  end(): void;
}

export interface OutputWriterOptions {
  property?: readonly string[];
  view?: readonly ViewColumn[];
  /** Terminal width for Table. */
  columns?: number;
}

export async function createOutputWriter(format: OutputFormat, sink: OutputSink, options: OutputWriterOptions): Promise<OutputWriter> {
  switch (format) {
    case 'Ndjson':
      return new (await import('./ndjson-writer.js')).NdjsonWriter(sink, options);
    case 'Json':
      return new (await import('./json-writer.js')).JsonWriter(sink, options);
    case 'Csv':
      return new (await import('./csv-writer.js')).CsvWriter(sink, options);
    case 'Table':
      return new (await import('./table-writer.js')).TableWriter(sink, options);
  }
}

export function withNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}
