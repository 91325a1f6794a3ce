/**
 * Csv per RFC 4180: CRLF line ends, a header row, fields quoted when they hold a quote, comma or
 * line break (quotes doubled). Columns come from -Property, else the cmdlet's view, else the first
 * object's dotted leaf paths; later objects fill the same columns.
 */
import type { OutputSink } from './output-sink.js';
import { type OutputWriter, type OutputWriterOptions, withNewline } from './output-writer.js';
import { type Column, cellText, columnsFor, valueAtPath } from './property-paths.js';

export class CsvWriter implements OutputWriter {
  private columns: Column[] | undefined;

  constructor(
    private readonly sink: OutputSink,
    private readonly options: OutputWriterOptions,
  ) {}

  write(value: unknown): Promise<void> | undefined {
    if (!this.columns) {
      this.columns = columnsFor(value, this.options.property, this.options.view);
      this.sink.write(csvRecord(this.columns.map((column) => column.heading)));
    }
    return this.sink.write(
      csvRecord(this.columns.map((column) => cellText(valueAtPath(value, column.path)))),
    );
  }

  delivered(): Promise<void> | undefined {
    return this.sink.delivered();
  }

  writeText(text: string): Promise<void> | undefined {
    return this.sink.write(withNewline(text));
  }

  end(): void {}
}

export function csvRecord(fields: readonly string[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}

function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
