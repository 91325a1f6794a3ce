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

/** One column of the table as the layout places it. */
export interface PlacedColumn {
  /** Where its cell is in each row. */
  index: number;
  column: Column;
  /** Its width in terminal columns (meaningful for shown columns). */
  width: number;
  /** Whether its cells may be cut (ids are not). */
  cut: boolean;
}

export interface TableLayout {
  /** The columns shown, in order. */
  shown: PlacedColumn[];
  /** The columns shown as a group line above their rows. */
  grouped: PlacedColumn[];
  /**
   * Whether the table is readable at this width: its ids and the short values of the first rows
   * whole, within the terminal (text may be cut).
   */
  readable: boolean;
}

/** A column while the layout is worked out: what it asks for, and its widest cell. */
interface Slot extends PlacedColumn {
  heading: number;
  widest: number;
  asked: number;
}

export function fitTable(
  columns: readonly Column[],
  rows: readonly (readonly string[])[],
  terminalWidth: number,
): TableLayout {
  // The last terminal column stays free: some terminals wrap a line that fills it.
  const room = terminalWidth - 1;
  const slots = columns.map((column, index): Slot => {
    const heading = displayWidth(column.shortName ?? column.heading);
    const cells = Math.max(heading, ...rows.map((row) => displayWidth(row[index] ?? '')));
    const widest =
      column.kind === 'id' || column.kind === 'text' ? cells : Math.min(widestColumn, cells);
    const asked =
      column.kind !== 'text'
        ? Math.max(column.minWidth ?? 0, widest)
        : Math.min(widest, Math.max(column.minWidth ?? textFloor, heading));
    return { index, column, heading, widest, asked, width: asked, cut: column.kind !== 'id' };
  });
  const grouped = slots.filter((slot) => slot.column.group);
  let shown = slots.filter((slot) => !slot.column.group);
  const total = (width: (slot: Slot) => number) =>
    shown.reduce((sum, slot) => sum + width(slot), 0) + columnGap * (shown.length - 1);
  const widths = () => total((slot) => slot.width);

  while (total((slot) => slot.asked) > room) {
    const droppable = shown.flatMap((slot) =>
      slot.column.drop === undefined ? [] : [{ slot, drop: slot.column.drop }],
    );
    if (droppable.length === 0) break;
    const first = droppable.reduce((a, b) => (b.drop < a.drop ? b : a));
    shown = shown.filter((slot) => slot !== first.slot);
  }

  const texts = shown.filter((slot) => slot.column.kind === 'text');
  // Room left over goes to the text columns: first to the one furthest from its widest cell, then
  // (longer text may come in later rows) to the narrowest, up to the widest any column gets.
  const give = (limit: (slot: Slot) => number, pick: (a: Slot, b: Slot) => Slot) => {
    for (let spare = room - widths(); spare > 0; spare--) {
      const wanting = texts.filter((slot) => slot.width < limit(slot));
      if (wanting.length === 0) return;
      wanting.reduce(pick).width++;
    }
  };
  give(
    (slot) => slot.widest,
    (a, b) => (b.widest - b.width > a.widest - a.width ? b : a),
  );
  give(
    () => widestColumn,
    (a, b) => (b.width < a.width ? b : a),
  );
  // Too wide still: short values give up the room kept for longer values in later rows (minWidth),
  // then text is cut, then short values; widest first, each down to a floor; never an id.
  const shrink = (which: readonly Slot[], floor: (slot: Slot) => number) => {
    while (widths() > room) {
      const cuttable = which.filter((slot) => slot.width > floor(slot));
      if (cuttable.length === 0) return;
      cuttable.reduce((a, b) => (b.width > a.width ? b : a)).width--;
    }
  };
  const values = shown.filter((slot) => slot.column.kind !== 'id' && slot.column.kind !== 'text');
  shrink(values, (slot) => Math.max(narrowestColumn, slot.widest));
  shrink(texts, () => narrowestColumn);
  shrink(values, () => narrowestColumn);
  return {
    shown,
    grouped,
    readable:
      widths() <= room &&
      shown.every((slot) => slot.column.kind === 'text' || slot.width >= slot.widest),
  };
}
