/**
 * Csv per RFC 4180: CRLF line ends, a header row, fields quoted when they hold a quote, comma or
 * line break (quotes doubled). Columns come from -Property, else the cmdlet's view, else the first
 * object's dotted leaf paths; later objects fill the same columns.
 *
 * Made to be opened in a spreadsheet safely (about_OutputFormats): a company name is chosen by the
 * customer, and a cell that starts like a formula would run as one in Excel (OWASP's "CSV
 * Injection"). Such a text cell is written as OWASP advises: a single quote before it, the whole
 * field in double quotes. A number stays a number: a JSON number, or a text that is a plain
 * decimal number such as -5, cannot be a formula and is written as it is. With -Encoding utf8BOM
 * the output starts with a UTF-8 byte-order mark, which Excel needs to read UTF-8 at all.
 *
 * Appended (`>>`) to a file that is not empty, as a resumed run does, the rows go on under the
 * header already there (Export-Csv -Append): a header in the middle would be read as a row.
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
      if (!this.options.continuesFile?.()) {
        const header = csvRecord(this.columns.map((column) => column.heading));
        this.sink.write(this.options.byteOrderMark ? `\ufeff${header}` : header);
      }
    }
    return this.sink.write(
      csvRecord(this.columns.map((column) => valueAtPath(value, column.path))),
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

/** One CSV record of the given values (text, numbers, anything cellText shows), CRLF-ended. */
function csvRecord(values: readonly unknown[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

/** What spreadsheets read as the start of a formula (OWASP: = + - @, tab, carriage return). */
const formulaStart = /^[=+\-@\t\r]/;
/** A plain decimal number (-5, +1.5, -2e3): read as a number, never as a formula. */
const plainNumber = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function csvField(value: unknown): string {
  const text = cellText(value);
  if (typeof value !== 'number' && formulaStart.test(text) && !plainNumber.test(text))
    return `"'${text.replace(/"/g, '""')}"`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
