/**
 * Json: one array, streamed, laid out as PowerShell's ConvertTo-Json lays it out. Each element is
 * held back until the next arrives (or the run ends), because only then is it known whether a comma
 * follows: that way every write ends a line, and memory holds one element, never the listing. The
 * array is closed on every stop except a vanished reader, so what was written still parses.
 */
import type { OutputSink } from './output-sink.js';
import { type OutputWriter, type OutputWriterOptions, withNewline } from './output-writer.js';
import { selectPaths } from './property-paths.js';

export class JsonWriter implements OutputWriter {
  private held: string | undefined;
  private started = false;
  private wroteText = false;

  constructor(
    private readonly sink: OutputSink,
    private readonly options: OutputWriterOptions,
  ) {}

  write(value: unknown): Promise<void> | undefined {
    const selected = this.options.property ? selectPaths(value, this.options.property) : value;
    const json = JSON.stringify(selected, null, 2);
    if (json === undefined) return undefined;
    const element = `  ${json.replace(/\n/g, '\n  ')}`;
    const previous = this.held;
    this.held = element;
    if (!this.started) {
      this.started = true;
      return this.sink.write('[\n');
    }
    return this.sink.write(`${previous},\n`);
  }

  delivered(): Promise<void> | undefined {
    return this.sink.delivered();
  }

  writeText(text: string): Promise<void> | undefined {
    this.wroteText = true;
    return this.sink.write(withNewline(text));
  }

  end(): void {
    // A cmdlet that only wrote text (help) wrote no array at all.
    if (this.started) this.sink.write(`${this.held}\n]\n`);
    else if (!this.wroteText) this.sink.write('[]\n');
  }
}
