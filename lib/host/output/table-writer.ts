/**
 * Table, PowerShell's Format-Table look (headings, a dashed rule, no borders), drawn with the
 * `table` package so wide scripts (Korean, Japanese) line up. Rows stream: they are drawn in
 * batches whenever the cmdlet pauses (typically once per page). Column widths are fixed by the
 * first batch, as PowerShell fixes them from the first rows, and fitted to the terminal; longer
 * cells are cut with an ellipsis. Control characters in the data are blanked so a hostile company
 * name cannot drive the terminal.
 */
import { getBorderCharacters, table } from 'table';
import type { OutputSink } from './output-sink.js';
import { type OutputWriter, type OutputWriterOptions, withNewline } from './output-writer.js';
import { type Column, cellText, columnsFor, valueAtPath } from './property-paths.js';

const batchLimit = 500;
const columnGap = 2;
const widestColumn = 60;
const narrowestColumn = 4;
/** A heading is kept whole up to this width while other columns can still give way. */
const headingKept = 12;

export class TableWriter implements OutputWriter {
  private columns: Column[] | undefined;
  private widths: number[] | undefined;
  private pending: string[][] = [];
  private renderScheduled = false;

  constructor(
    private readonly sink: OutputSink,
    private readonly options: OutputWriterOptions,
  ) {}

  write(value: unknown): Promise<void> | undefined {
    this.columns ??= columnsFor(value, this.options.property, this.options.view);
    this.pending.push(
      this.columns.map((column) => printable(cellText(valueAtPath(value, column.path)))),
    );
    if (this.pending.length >= batchLimit) this.render();
    else this.scheduleRender();
    return this.sink.waitForRoom();
  }

  writeText(text: string): Promise<void> | undefined {
    this.render();
    return this.sink.write(withNewline(text));
  }

  delivered(): Promise<void> | undefined {
    this.render();
    return this.sink.delivered();
  }

  end(): void {
    this.render();
  }

  private scheduleRender(): void {
    if (this.renderScheduled) return;
    this.renderScheduled = true;
    setImmediate(() => {
      this.renderScheduled = false;
      this.render();
    });
  }

  private render(): void {
    if (this.pending.length === 0 || !this.columns) return;
    const rows = this.pending;
    this.pending = [];
    if (!this.widths) {
      const headings = this.columns.map((column) => printable(column.heading));
      const least = this.columns.map((column) => column.minWidth ?? 1);
      this.widths = fitWidths([headings, ...rows], least, this.options.columns ?? 120);
      rows.unshift(
        headings,
        headings.map((heading) =>
          '-'.repeat(Math.max(1, Math.min(displayWidth(heading), widestColumn))),
        ),
      );
    }
    const widths = this.widths;
    // Cut by display width ourselves: the package's own truncation counts characters, and a cut
    // wide (Korean, Japanese) cell would then wrap onto a second line.
    const cells = rows.map((row) => row.map((cell, i) => truncateToWidth(cell, widths[i]!)));
    const text = table(cells, {
      border: getBorderCharacters('void'),
      columnDefault: { paddingLeft: 0, paddingRight: columnGap },
      columns: widths.map((width) => ({ width, wrapWord: false })),
      singleLine: true,
    });
    const lines = text.split('\n').map((line) => line.trimEnd());
    while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    this.sink.write(`${lines.join('\n')}\n`);
  }
}

/**
 * Widths that show the first batch whole where the terminal allows, shrinking the widest columns
 * first.
 */
function fitWidths(
  rows: readonly string[][],
  least: readonly number[],
  terminalWidth: number,
): number[] {
  const count = rows[0]!.length;
  const widths = Array.from({ length: count }, (_, i) =>
    Math.max(
      least[i]!,
      Math.min(widestColumn, Math.max(...rows.map((row) => displayWidth(row[i]!)))),
    ),
  );
  const room = Math.max(count * narrowestColumn, terminalWidth - 1 - columnGap * (count - 1));
  let total = widths.reduce((sum, width) => sum + width, 0);
  // What a column keeps before others give way to the last: its declared least width, and its
  // heading up to a dozen columns (a cut heading leaves the column unreadable).
  const keep = widths.map((_, i) =>
    Math.max(least[i]!, Math.min(headingKept, displayWidth(rows[0]![i]!))),
  );
  // The first column is usually what identifies the row (an id): it gives way last.
  const shrinkable = (floor: (i: number) => number): number => {
    let widest = -1;
    for (let i = 1; i < count; i++)
      if (widths[i]! > floor(i) && (widest < 0 || widths[i]! > widths[widest]!)) widest = i;
    return widest;
  };
  // Then the columns without a declared least width; a declared one (a status) gives way last.
  while (total > room) {
    let column = shrinkable((i) => Math.max(narrowestColumn, keep[i]!));
    if (column < 0) column = shrinkable((i) => Math.max(narrowestColumn, least[i]!));
    if (column < 0) column = shrinkable(() => narrowestColumn);
    if (column < 0) column = widths[0]! > narrowestColumn ? 0 : -1;
    if (column < 0) break;
    widths[column]!--;
    total--;
  }
  return widths;
}

/** `text` cut to `width` terminal columns, ending in … when cut. */
export function truncateToWidth(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  let kept = '';
  let used = 0;
  for (const character of text) {
    const next = displayWidth(character);
    if (used + next > width - 1) break;
    kept += character;
    used += next;
  }
  return `${kept}…`;
}

/** Terminal columns a string takes: East Asian wide characters count two, combining marks none. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const character of text) {
    const code = character.codePointAt(0)!;
    if ((code >= 0x300 && code <= 0x36f) || (code >= 0x200b && code <= 0x200f)) continue;
    width += isWide(code) ? 2 : 1;
  }
  return width;
}

function isWide(code: number): boolean {
  return (
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0xa4cf) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x1f300 && code <= 0x1faff) ||
    (code >= 0x20000 && code <= 0x3fffd)
  );
}

/** Control characters (C0, DEL, C1) and bidirectional overrides become spaces. */
function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, ' ');
}
