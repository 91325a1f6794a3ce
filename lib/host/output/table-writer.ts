/**
 * Table, PowerShell's Format-Table look (headings, a dashed rule, no borders), drawn by the
 * `table` package. Rows stream: they are drawn in batches whenever the cmdlet pauses (typically
 * once per page). The layout is fixed by the first batch, as PowerShell fixes it from the first
 * rows, and fitted to the terminal by what the view declares each column holds (table-layout.ts):
 * which columns show, how wide each is, which are cut and which rows go under a group line. The
 * package then pads and joins the cells, measuring them in terminal columns as
 * lib/common/text-width.ts counts them (table-package.ts says how and why), so wide scripts, emoji
 * and Thai or Devanagari marks line up. Cells are cut here, between graphemes, before the package
 * sees them: its own truncation counts graphemes, not columns. Control characters in the data are
 * blanked (printable.ts).
 */
import { displayWidth, truncateToWidth } from '../../common/text-width.js';
import type { OutputSink } from './output-sink.js';
import { type OutputWriter, type OutputWriterOptions, withNewline } from './output-writer.js';
import { ListWriter } from './list-writer.js';
import { printable } from './printable.js';
import { type Column, cellText, columnsFor, valueAtPath } from './property-paths.js';
import { columnGap, fitTable, type PlacedColumn, type TableLayout } from './table-layout.js';
import { tablePackage } from './table-package.js';

const batchLimit = 500;
const defaultWidth = 120;

export class TableWriter implements OutputWriter {
  private columns: Column[] | undefined;
  private layout: TableLayout | undefined;
  private pending: string[][] = [];
  /** The objects of the first batch, until the layout shows whether a table is readable. */
  private firstObjects: unknown[] | undefined = [];
  /** The list shown instead, where the table was only a default and would not be readable. */
  private list: ListWriter | undefined;
  private renderScheduled = false;
  /** The group line of the rows drawn last (undefined before the first). */
  private group: string | undefined;

  constructor(
    private readonly sink: OutputSink,
    private readonly options: OutputWriterOptions,
  ) {}

  write(value: unknown): Promise<void> | undefined {
    if (this.list) return this.list.write(value);
    this.columns ??= columnsFor(value, this.options.property, this.options.view);
    this.pending.push(this.columns.map((column) => tableCell(value, column)));
    this.firstObjects?.push(value);
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
    const columns = this.columns;
    this.layout ??= fitTable(columns, rows, this.options.columns ?? defaultWidth);
    const layout = this.layout;
    const first = this.firstObjects;
    this.firstObjects = undefined;
    if (first && !layout.readable && this.options.listWhenTooNarrow) {
      this.list = new ListWriter(this.sink, this.options, () => columns);
      for (const value of first) this.list.write(value);
      return;
    }
    const lines: string[] = [];
    // Rows between two group lines are one table: headings, the rule and the rows.
    let block: string[][] = [];
    const drawBlock = () => {
      lines.push(...drawn(layout, block));
      block = [];
    };
    for (const row of rows) {
      const group = groupLine(layout, row, this.options.columns ?? defaultWidth);
      if (this.group === undefined || group !== this.group) {
        drawBlock();
        if (this.group !== undefined) lines.push('');
        if (group) lines.push(group, '');
        block.push(...headingRows(layout));
        this.group = group;
      }
      block.push(shownCells(layout, (placed) => cellOf(row, placed)));
    }
    drawBlock();
    this.sink.write(`${lines.join('\n')}\n`);
  }
}

/**
 * The line above a group of rows: `Heading: value` for each group column. Ids stay whole; text
 * (a customer's name) is cut so that the line fits the terminal.
 */
function groupLine(layout: TableLayout, row: readonly string[], terminalWidth: number): string {
  const part = (placed: PlacedColumn, value: string) =>
    `${printable(placed.column.heading)}: ${value}`;
  const whole = layout.grouped.map((placed) => part(placed, cellOf(row, placed)));
  const over = displayWidth(whole.join('  ')) - (terminalWidth - 1);
  if (over <= 0) return whole.join('  ');
  return layout.grouped
    .map((placed) => {
      const value = cellOf(row, placed);
      if (placed.column.kind !== 'text') return part(placed, value);
      return part(placed, truncateToWidth(value, Math.max(8, displayWidth(value) - over)));
    })
    .join('  ');
}

/** A row's cell of a column (every row has a cell per column: write() makes them so). */
function cellOf(row: readonly string[], placed: PlacedColumn): string {
  return row[placed.index] ?? '';
}

/** What a cell shows: its text on one line, a date as people read it. */
function tableCell(value: unknown, column: Column): string {
  const text = printable(cellText(valueAtPath(value, column.path)));
  return column.kind === 'date' ? shownTime(text) : text;
}

function headingRows(layout: TableLayout): string[][] {
  const heading = ({ column }: PlacedColumn) => printable(column.shortName ?? column.heading);
  return [
    shownCells(layout, heading),
    shownCells(layout, (placed) =>
      '-'.repeat(Math.max(1, Math.min(displayWidth(heading(placed)), placed.width))),
    ),
  ];
}

/** The shown cells of one row, each cut to its column (ids never are). */
function shownCells(layout: TableLayout, cell: (placed: PlacedColumn) => string): string[] {
  return layout.shown.map((placed) =>
    placed.cut ? truncateToWidth(cell(placed), placed.width) : cell(placed),
  );
}

/**
 * The lines `table` draws for rows of shown cells: no borders, each column padded to its width
 * and followed by the gap. An id wider than its column (a longer one in a later batch than in the
 * first) is never cut: its row is drawn on its own, as wide as it needs, and only it is shifted.
 */
function drawn(layout: TableLayout, rows: string[][]): string[] {
  const widths = layout.shown.map((placed) => Math.max(1, placed.width));
  const lines: string[] = [];
  let fitting: string[][] = [];
  for (const row of rows) {
    // Each shown column's width and what the row's cell in it needs (a cut one fits any width).
    const cells = layout.shown.map((placed, n) => ({
      width: Math.max(1, placed.width),
      needs: placed.cut ? 0 : displayWidth(row[n] ?? ''),
    }));
    if (cells.every(({ width, needs }) => needs <= width)) {
      fitting.push(row);
      continue;
    }
    lines.push(...drawnTable(fitting, widths));
    fitting = [];
    lines.push(
      ...drawnTable(
        [row],
        cells.map(({ width, needs }) => Math.max(width, needs)),
      ),
    );
  }
  lines.push(...drawnTable(fitting, widths));
  return lines;
}

function drawnTable(rows: string[][], widths: readonly number[]): string[] {
  if (rows.length === 0) return [];
  const { table, getBorderCharacters } = tablePackage();
  const text = table(rows, {
    border: getBorderCharacters('void'),
    columnDefault: { paddingLeft: 0, paddingRight: columnGap },
    columns: widths.map((width) => ({ width })),
    drawHorizontalLine: () => false,
  });
  // Each row ends in a line break; the last column's padding is not kept.
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) => line.trimEnd());
}

/**
 * An ISO 8601 UTC time as a table shows it: the date alone at midnight (how the service writes a
 * date), else the date and the time to the minute. Anything else is shown as it is.
 */
export function shownTime(text: string): string {
  const time = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::(\d{2})(?:\.(\d+))?)?(?:Z|[+-]00:?00)$/.exec(
    text,
  );
  if (!time) return text;
  const [, date, minutes, seconds = '00', fraction = '0'] = time;
  return minutes === '00:00' && Number(seconds) === 0 && Number(fraction) === 0
    ? text.slice(0, 'yyyy-mm-dd'.length) // the date the pattern matched first
    : `${date} ${minutes}Z`;
}
