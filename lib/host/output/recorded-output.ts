/**
 * One input object's output, held until its run ends: a fan-out run writes each object's output
 * whole, so that lines of two customers never interleave and a failed or cancelled customer writes
 * nothing. The objects are kept as the cmdlet yielded them (a listing's JsonText keeps the
 * service's bytes), then handed to the real writer by its cheapest path.
 */
import type { JsonText } from '../../json/json-text.js';
import { type OutputWriter, writeObject } from './output-writer.js';

type Entry = { object: unknown } | { text: string };

export class RecordedOutput implements OutputWriter {
  private readonly entries: Entry[] = [];

  /** Objects recorded (preformatted text is not an object). */
  objects = 0;

  write(value: unknown): undefined {
    this.entries.push({ object: value });
    this.objects++;
    return undefined;
  }

  writeJsonText(text: JsonText): undefined {
    return this.write(text);
  }

  writeText(text: string): undefined {
    this.entries.push({ text });
    return undefined;
  }

  end(): void {}

  /**
   * Writes the recorded output to `writer`, at most `limit` objects; returns how many objects were
   * written and the writer's congestion, if any.
   */
  replay(
    writer: OutputWriter,
    limit = Number.POSITIVE_INFINITY,
  ): { written: number; room: Promise<void> | undefined } {
    let written = 0;
    let room: Promise<void> | undefined;
    for (const entry of this.entries) {
      if ('text' in entry) {
        room = writer.writeText(entry.text) ?? room;
        continue;
      }
      if (written >= limit) break;
      room = writeObject(writer, entry.object) ?? room;
      written++;
    }
    return { written, room };
  }
}
