/**
 * Which columns a table shows and how wide each is, from what the view declares each column
 * holds (ViewColumn.kind, minWidth, drop, group) and the first rows. The rule, also written in
 * about_OutputFormats:
 *
 * 1. Group columns become a line above their rows, not columns.
 * 2. Every other column asks for its widest cell (heading included): an id that width, a short
 *    value at least its minWidth (room for longer values in later rows), a text column at least
 *    its minWidth (16 by default, less when its cells are shorter).
 * 3. While the asked widths do not fit the terminal, the column with the lowest `drop` is left
 *    out; columns without `drop` always stay.
 * 4. What is left over goes to the text columns, first up to their widest cell, then evenly up
 *    to 60 columns (later rows may hold longer text).
 * 5. When even that does not fit, short values give up what their minWidth kept for later rows,
 *    text columns are cut down to a few columns, then short values. An id is never cut: the line
 *    is then wider than the terminal. Such a table is not readable (nor is one whose short values
 *    were cut), and where the table was only the terminal's default, the writer shows a list.
 */
import { displayWidth } from '../../common/text-width.js';
import type { Column } from './property-paths.js';

export const columnGap = 2;
/** No short value asks for more than this, and room left over widens text up to it. */
const widestColumn = 60;
/** What a text column keeps before others are left out, unless it declares its own. */
const textFloor = 16;
/** How narrow a column may be cut when nothing is left to leave out. */
const narrowestColumn = 4;

export interface TableLayout {
  /** Indices of the columns shown, in order. */
  shown: number[];
  /** Indices of the columns shown as a group line above their rows. */
  grouped: number[];
  /** Width of each column by index (shown ones only are meaningful). */
  widths: number[];
  /** Whether a column's cells may be cut (ids are not). */
  cut: boolean[];
  /**
   * Whether the table is readable at this width: its ids and the short values of the first rows
   * whole, within the terminal (text may be cut).
   */
  readable: boolean;
}

export function fitTable(
  columns: readonly Column[],
  rows: readonly (readonly string[])[],
  terminalWidth: number,
): TableLayout {
  // The last terminal column stays free: some terminals wrap a line that fills it.
  const room = terminalWidth - 1;
  const heading = (i: number) => displayWidth(columns[i]!.shortName ?? columns[i]!.heading);
  const widest = columns.map((column, i) => {
    const cells = Math.max(heading(i), ...rows.map((row) => displayWidth(row[i]!)));
    return column.kind === 'id' || column.kind === 'text' ? cells : Math.min(widestColumn, cells);
  });
  const asked = columns.map((column, i) => {
    if (column.kind !== 'text') return Math.max(column.minWidth ?? 0, widest[i]!);
    return Math.min(widest[i]!, Math.max(column.minWidth ?? textFloor, heading(i)));
  });
  const grouped = columns.flatMap((column, i) => (column.group ? [i] : []));
  let shown = columns.flatMap((column, i) => (column.group ? [] : [i]));
  const total = (widths: readonly number[]) =>
    shown.reduce((sum, i) => sum + widths[i]!, 0) + columnGap * (shown.length - 1);

  while (total(asked) > room) {
    const droppable = shown.filter((i) => columns[i]!.drop !== undefined);
    if (droppable.length === 0) break;
    const first = droppable.reduce((a, b) => (columns[b]!.drop! < columns[a]!.drop! ? b : a));
    shown = shown.filter((i) => i !== first);
  }

  const widths = [...asked];
  const texts = shown.filter((i) => columns[i]!.kind === 'text');
  // Room left over goes to the text columns: first to the one furthest from its widest cell, then
  // (longer text may come in later rows) to the narrowest, up to the widest any column gets.
  const give = (limit: (i: number) => number, pick: (a: number, b: number) => number) => {
    for (let spare = room - total(widths); spare > 0; spare--) {
      const wanting = texts.filter((i) => widths[i]! < limit(i));
      if (wanting.length === 0) return;
      widths[wanting.reduce(pick)]!++;
    }
  };
  give(
    (i) => widest[i]!,
    (a, b) => (widest[b]! - widths[b]! > widest[a]! - widths[a]! ? b : a),
  );
  give(
    () => widestColumn,
    (a, b) => (widths[b]! < widths[a]! ? b : a),
  );
  // Too wide still: short values give up the room kept for longer values in later rows (minWidth),
  // then text is cut, then short values; widest first, each down to a floor; never an id.
  const shrink = (which: readonly number[], floor: (i: number) => number) => {
    while (total(widths) > room) {
      const cuttable = which.filter((i) => widths[i]! > floor(i));
      if (cuttable.length === 0) return;
      widths[cuttable.reduce((a, b) => (widths[b]! > widths[a]! ? b : a))]!--;
    }
  };
  const values = shown.filter((i) => columns[i]!.kind !== 'id' && columns[i]!.kind !== 'text');
  shrink(values, (i) => Math.max(narrowestColumn, widest[i]!));
  shrink(texts, () => narrowestColumn);
  shrink(values, () => narrowestColumn);
  return {
    shown,
    grouped,
    widths,
    cut: columns.map((column) => column.kind !== 'id'),
    readable:
      total(widths) <= room &&
      shown.every((i) => columns[i]!.kind === 'text' || widths[i]! >= widest[i]!),
  };
}
