/** The sink on its own: order, whole lines, chunking, reuse of chunks, and backpressure. */
import { describe, expect, it } from '@jest/globals';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { OutputSink } from '../../lib/host/output/output-sink.js';

/** A stream that keeps every Buffer it is given (as a PassThrough would) and reads slowly. */
class KeepingStream extends Writable {
  readonly kept: Buffer[] = [];
  constructor(private readonly delayMs = 0) {
    super({ highWaterMark: 16 * 1024 });
  }
  override _write(
    chunk: Buffer,
    _encoding: BufferEncoding,
    callback: (error?: Error | null) => void,
  ): void {
    this.kept.push(chunk);
    if (this.delayMs) setTimeout(callback, this.delayMs);
    else callback();
  }
  get text(): string {
    return Buffer.concat(this.kept).toString('utf8');
  }
}

const events = {
  onClosed: () => undefined,
  onFailed: (error: Error) => {
    throw error;
  },
};

/** Writes lines through the sink, waiting whenever it says the stream is congested. */
async function writeAll(sink: OutputSink, lines: Array<string | Buffer>): Promise<void> {
  for (const line of lines) {
    const room = typeof line === 'string' ? sink.write(line) : sink.writeLine(line, 0, line.length);
    if (room) await room;
  }
  await sink.end();
}

describe('OutputSink', () => {
  it('keeps the order of text, byte lines and lines larger than a chunk', async () => {
    const stream = new KeepingStream();
    const big = `${'x'.repeat(200_000)}\n`;
    const parts: Array<string | Buffer> = [
      'one\n',
      Buffer.from('{"name":"콘토소"}'),
      big,
      'after\n',
      Buffer.from('y'.repeat(70_000)),
      'end\n',
    ];
    await writeAll(new OutputSink(stream, events), parts);
    expect(stream.text).toBe(`one\n{"name":"콘토소"}\n${big}after\n${'y'.repeat(70_000)}\nend\n`);
  });

  it(
    'a stream that keeps the buffers it was given never sees them change ' +
      '(chunks are not reused by default)',
    async () => {
      const stream = new KeepingStream();
      const lines = Array.from({ length: 20_000 }, (_, n) => `line ${n} ${'é'.repeat(n % 13)}\n`);
      await writeAll(new OutputSink(stream, events), lines);
      expect(stream.text).toBe(lines.join(''));
      expect(stream.kept.length).toBeGreaterThan(3);
    },
  );

  it(
    'with reuse (process.stdout), a file written through a slow stream still ' +
      'gets every byte in order',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'pc-sink-'));
      try {
        const path = join(dir, 'out.ndjson');
        const stream = createWriteStream(path);
        const lines = Array.from({ length: 30_000 }, (_, n) =>
          Buffer.from(`{"n":${n},"s":"${'ü'.repeat(n % 17)}"}`),
        );
        await writeAll(new OutputSink(stream, events, { reuseChunks: true }), lines);
        await new Promise((resolve) => stream.end(resolve));
        expect(readFileSync(path, 'utf8')).toBe(
          lines.map((line) => `${line.toString('utf8')}\n`).join(''),
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it('says when the stream is congested and lets the producer go on once it drained', async () => {
    const stream = new KeepingStream(2);
    const sink = new OutputSink(stream, events);
    let congested = 0;
    const lines = Array.from({ length: 5_000 }, (_, n) => `${'z'.repeat(100)} ${n}\n`);
    for (const line of lines) {
      const room = sink.write(line);
      if (room) {
        congested++;
        await room;
      }
    }
    await sink.end();
    expect(congested).toBeGreaterThan(0);
    expect(stream.text).toBe(lines.join(''));
  });

  it('turns silent once the reader went away, and says so once', async () => {
    let closed = 0;
    const stream = new Writable({
      write(_chunk, _encoding, callback) {
        callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const sink = new OutputSink(stream, {
      onClosed: () => closed++,
      onFailed: (error) => {
        throw error;
      },
    });
    sink.write('a\n');
    sink.flush();
    await new Promise((resolve) => setImmediate(resolve));
    expect(sink.closed).toBe(true);
    expect(sink.write('b\n')).toBeUndefined();
    expect(sink.writeLine(Buffer.from('c'), 0, 1)).toBeUndefined();
    await sink.end();
    expect(closed).toBe(1);
  });
});
