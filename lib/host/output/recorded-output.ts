/**
 * One input object's output, held until its run ends: a fan-out run writes each object's output
 * whole, so that lines of two customers never interleave and a failed or cancelled customer writes
 * nothing. The objects are kept as the cmdlet yielded them (a listing's JsonText keeps the
 * service's bytes), then handed to the real writer by its cheapest path.
 */
import type { JsonText } from '../../json/json-text.js';
import { type OutputWriter, writeObject } from './output-writer.js';

type Entry = { object: unknown } | { text: string };

/**
 * Past `after` objects, an output is not held any more: `stream()` hands over a writer once no
 * other output is being written (the fan-out's output lane), the objects held so far go to it, and
 * every later one goes straight to it, so a customer with 100,000 users costs a page of memory,
 * not 100,000 objects. Such an output is still never interleaved with another, but a failure
 * half-way leaves what it wrote.
 */
export interface StreamWhenLarge {
  after: number;
  stream(): Promise<OutputWriter>;
}

export class RecordedOutput implements OutputWriter {
  private readonly entries: Entry[] = [];
  private direct: OutputWriter | undefined;
  private handover: Promise<void> | undefined;

  /** Objects recorded (preformatted text is not an object). */
  objects = 0;

  constructor(private readonly large?: StreamWhenLarge) {}

  /** Whether this output went to a writer of its own (it grew past `after` objects). */
  get streamed(): boolean {
    return this.handover !== undefined;
  }

  write(value: unknown): Promise<void> | undefined {
    if (this.direct) return writeObject(this.direct, value);
    this.entries.push({ object: value });
    this.objects++;
    if (this.large && this.handover === undefined && this.objects > this.large.after)
      this.handover = this.large.stream().then((writer) => {
        this.direct = writer;
        const { room } = this.replay(writer);
        this.entries.length = 0;
        return room;
      });
    // Until the writer is there, the cmdlet waits: its output no longer grows in memory.
    return this.direct ? undefined : this.handover;
  }

  writeJsonText(text: JsonText): Promise<void> | undefined {
    return this.write(text);
  }

  writeText(text: string): Promise<void> | undefined {
    if (this.direct) return this.direct.writeText(text);
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
