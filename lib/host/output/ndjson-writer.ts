/** NDJSON: one JSON object per line, exactly as the API sent it (or only the -Property paths). */
import type { JsonText } from '../../json/json-text.js';
import type { OutputSink } from './output-sink.js';
import { type OutputWriter, type OutputWriterOptions, withNewline } from './output-writer.js';
import { selectPaths } from './property-paths.js';

export class NdjsonWriter implements OutputWriter {
  constructor(
    private readonly sink: OutputSink,
    private readonly options: OutputWriterOptions,
  ) {}

  write(value: unknown): Promise<void> | undefined {
    const selected = this.options.property ? selectPaths(value, this.options.property) : value;
    const line = JSON.stringify(selected);
    return line === undefined ? undefined : this.sink.write(`${line}\n`);
  }

  /**
   * The service's own bytes when they already are one line; a spread-out item is written compact.
   */
  writeJsonText(text: JsonText): Promise<void> | undefined {
    if (this.options.property || !text.compact) return this.write(text.value);
    return this.sink.writeLine(text.source, text.start, text.end);
  }

  delivered(): Promise<void> | undefined {
    return this.sink.delivered();
  }

  writeText(text: string): Promise<void> | undefined {
    return this.sink.write(withNewline(text));
  }

  end(): void {}
}
