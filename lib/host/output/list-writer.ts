/**
 * List, PowerShell's Format-List look: each object as `name : value` lines, one per property (its
 * dotted leaf paths, or -Property), names padded to one column, a blank line between objects.
 * What a one-object command (a context, an environment) shows on a terminal: every property, where
 * a one-row table would cut most of them. A long value is written whole on its line and left to
 * the terminal to wrap, so an id or a path is still copied in one piece. Control characters in the
 * data are blanked, as in a table.
 */
import { displayWidth, padToWidth } from '../../common/text-width.js';
import type { OutputSink } from './output-sink.js';
import { type OutputWriter, type OutputWriterOptions, withNewline } from './output-writer.js';
import { type Column, cellText, leafColumns, valueAtPath } from './property-paths.js';
import { printable } from './printable.js';

export class ListWriter implements OutputWriter {
  private written = 0;

  /** `columnsOf`: the lines of an object; by default -Property's paths, else every leaf. */
  constructor(
    private readonly sink: OutputSink,
    options: OutputWriterOptions,
    private readonly columnsOf: (value: unknown) => Column[] = (value) =>
      options.property && options.property.length > 0
        ? options.property.map((path) => ({ heading: path, path }))
        : leafColumns(value),
  ) {}

  write(value: unknown): Promise<void> | undefined {
    const columns = this.columnsOf(value);
    const named = columns.map((column) => ({ name: printable(column.heading), column }));
    const nameWidth = Math.max(...named.map(({ name }) => displayWidth(name)));
    const lines = named.map(({ name, column }) =>
      `${padToWidth(name, nameWidth)} : ${printable(cellText(valueAtPath(value, column.path)))}`.trimEnd(),
    );
    const separator = this.written++ > 0 ? '\n' : '';
    return this.sink.write(`${separator}${lines.join('\n')}\n`);
  }

  writeText(text: string): Promise<void> | undefined {
    return this.sink.write(withNewline(text));
  }

  delivered(): Promise<void> | undefined {
    return this.sink.delivered();
  }

  end(): void {}
}
