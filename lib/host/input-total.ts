/**
 * How many lines a file on stdin holds, for the progress line's total ("812 of 2,000 customers").
 * Read with positional reads, which leave the descriptor's offset alone, so the pipeline reader
 * reading the same descriptor is not disturbed; in the background, and only for a terminal.
 */
import { read } from 'node:fs';

const CHUNK = 1024 * 1024;

export async function countLines(fd: number): Promise<number | undefined> {
  const buffer = Buffer.allocUnsafe(CHUNK);
  let lines = 0;
  let position = 0;
  let last = 0x0a;
  for (;;) {
    const bytes = await new Promise<number>((resolve, reject) =>
      read(fd, buffer, 0, CHUNK, position, (error, n) => (error ? reject(error) : resolve(n))),
    ).catch(() => undefined);
    if (bytes === undefined) return undefined;
    if (bytes === 0) break;
    for (let at = buffer.indexOf(0x0a, 0); at >= 0 && at < bytes; at = buffer.indexOf(0x0a, at + 1))
      lines++;
    last = buffer.readUInt8(bytes - 1);
    position += bytes;
  }
  return last === 0x0a ? lines : lines + 1;
}
