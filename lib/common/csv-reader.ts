/**
 * Reads CSV as Excel and PowerShell's Export-Csv write it (RFC 4180 and what spreadsheets add):
 * an optional UTF-8 byte-order mark, CRLF or LF line ends, fields in double quotes holding the
 * delimiter, doubled quotes and line breaks, blank lines (a trailing one above all) skipped, any
 * one-character delimiter (a semicolon from Excel in European locales). The first record is the
 * header: its names, case kept, become the property names of one object per later record, every
 * value a string, as PowerShell's Import-Csv gives them.
 *
 * It streams: objects are handed out per chunk of text as it is parsed, so memory stays flat
 * whatever the file's length. A record with more or fewer fields than the header, an unclosed
 * quote, or an empty or repeated header name stops the read with a UsageError naming the source
 * and the line; every object handed out before it is whole.
 */
import { UsageError } from './errors.js';

export interface CsvSource {
  /** The text, in chunks as they arrive (decoded already). */
  text: AsyncIterable<string> | Iterable<string>;
  /** One character; `,` unless -Delimiter says otherwise. */
  delimiter: string;
  /** How messages name the input: `plan.csv`, `standard input`. */
  name: string;
}

/** One record's fields and the line it starts on (1-based, as an editor shows it). */
interface CsvRecord {
  fields: string[];
  line: number;
}

enum State {
  /** At the start of a field: nothing of it read yet. */
  FieldStart,
  Unquoted,
  Quoted,
  /** A quote inside a quoted field: a second one makes a literal quote, anything else ends it. */
  QuoteInQuoted,
  /** After a quoted field's closing quote: Excel keeps what follows up to the delimiter. */
  AfterQuoted,
}

/** The records of the text, in batches (one per chunk), blank lines left out. */
async function* csvRecords(source: CsvSource): AsyncGenerator<CsvRecord[]> {
  const { delimiter } = source;
  let fields: string[] = [];
  let field = '';
  let state = State.FieldStart;
  let line = 1;
  let recordLine = 1;
  let quoteLine = 1;
  // A CR ended the record: an LF right after it belongs to the same line end (CRLF).
  let afterCarriageReturn = false;
  let atStart = true;
  for await (let chunk of source.text) {
    if (atStart && chunk.length > 0) {
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
      atStart = false;
    }
    const batch: CsvRecord[] = [];
    const endRecord = () => {
      fields.push(field);
      // A line with nothing on it is no record (PowerShell's Import-Csv skips it too).
      if (!(fields.length === 1 && field === '' && state === State.FieldStart))
        batch.push({ fields, line: recordLine });
      fields = [];
      field = '';
      state = State.FieldStart;
    };
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i] as string;
      if (afterCarriageReturn) {
        afterCarriageReturn = false;
        if (c === '\n') {
          recordLine = line;
          continue;
        }
      }
      if (state === State.Quoted) {
        if (c === '"') state = State.QuoteInQuoted;
        else {
          if (c === '\n' || (c === '\r' && chunk[i + 1] !== '\n')) line++;
          field += c;
        }
        continue;
      }
      if (state === State.QuoteInQuoted) {
        if (c === '"') {
          field += '"';
          state = State.Quoted;
          continue;
        }
        state = State.AfterQuoted;
      }
      if (c === delimiter) {
        fields.push(field);
        field = '';
        state = State.FieldStart;
      } else if (c === '\n' || c === '\r') {
        endRecord();
        line++;
        recordLine = line;
        afterCarriageReturn = c === '\r';
      } else if (c === '"' && state === State.FieldStart) {
        state = State.Quoted;
        quoteLine = line;
      } else {
        // A quote inside an unquoted field is kept as it is, as Excel keeps it.
        field += c;
        if (state === State.FieldStart) state = State.Unquoted;
      }
    }
    if (batch.length > 0) yield batch;
  }
  if (state === State.Quoted)
    throw new UsageError(
      `${source.name}: the quoted field that starts on line ${quoteLine} is never closed.`,
      { hint: 'End a quoted field with a double quote; write a quote inside one as "".' },
    );
  if (fields.length > 0 || state !== State.FieldStart) {
    fields.push(field);
    yield [{ fields, line: recordLine }];
  }
}

/** The header's names, refused when one is empty or repeated (names are case-insensitive). */
function headerNames(record: CsvRecord, source: CsvSource): string[] {
  const seen = new Map<string, number>();
  record.fields.forEach((name, index) => {
    if (name === '')
      throw new UsageError(
        `${source.name}: column ${index + 1} of the header row (line ${record.line}) has no name.`,
        { hint: 'Every column needs a name: it becomes the property name of each row.' },
      );
    const earlier = seen.get(name.toLowerCase());
    if (earlier !== undefined)
      throw new UsageError(
        `${source.name}: the header row (line ${record.line}) names '${name}' twice ` +
          `(columns ${earlier + 1} and ${index + 1}).`,
        { hint: 'Property names are case-insensitive: give each column a name of its own.' },
      );
    seen.set(name.toLowerCase(), index);
  });
  return record.fields;
}

/**
 * One object per data record, property names from the header row, values as strings, in batches
 * as parsed. An empty input gives none. A record whose field count differs from the header's
 * ends the read: the objects before it come first, then the UsageError.
 */
export async function* csvObjects(
  source: CsvSource,
): AsyncGenerator<Array<Record<string, string>>> {
  let header: string[] | undefined;
  let row = 1;
  for await (const records of csvRecords(source)) {
    const objects: Array<Record<string, string>> = [];
    for (const record of records) {
      if (header === undefined) {
        header = headerNames(record, source);
        continue;
      }
      row++;
      if (record.fields.length !== header.length) {
        if (objects.length > 0) yield objects;
        throw new UsageError(
          `${source.name}: row ${row} (line ${record.line}) has ${record.fields.length} ` +
            `field${record.fields.length === 1 ? '' : 's'}; the header row has ${header.length}.`,
          {
            hint:
              `Quote a field that holds the delimiter '${source.delimiter}', a quote or a ` +
              'line break ("a,b"); give -Delimiter when the file uses another.',
          },
        );
      }
      const fields = record.fields;
      // fromEntries defines each name as an own property, even one such as __proto__.
      objects.push(Object.fromEntries((header as string[]).map((name, i) => [name, fields[i]])));
    }
    if (objects.length > 0) yield objects;
  }
}

/** -Delimiter of Import-Csv and ConvertFrom-Csv: one character that cannot open or end a field. */
export const csvDelimiterParameter = {
  type: 'string',
  default: ',',
  pattern: {
    regex: /^[^"\r\n]$/u,
    allowed: 'one character other than a double quote or a line break, such as ; or a tab',
  },
  description:
    'The character between fields: , (the default) or, for a file from Excel in a ' +
    'locale whose decimal separator is a comma, ;. A tab is written "`t" in PowerShell ' +
    "and $'\\t' in bash.",
} as const;
