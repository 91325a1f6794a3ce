/**
 * JsonLineSplitter: a gunzipped export file's bytes, in chunks cut anywhere (mid-line, mid
 * character), become the file's lines exactly once, in order, as JsonText over the bytes; a line
 * is handed out only once it is whole, `lines` says where the stream stands, and `skip` starts a
 * resumed run exactly after it. What is not JSON lines is refused.
 */
import { describe, expect, it } from '@jest/globals';
import { ServiceError } from '../../lib/common/errors.js';
import { JsonLineSplitter } from '../../lib/json/json-lines.js';
import type { JsonText } from '../../lib/json/json-text.js';
import { seededRandom } from '../support/seeded-random.js';

const ITEMS = Array.from({ length: 200 }, (_, n) => ({
  Line: n,
  CustomerName: n % 3 ? `Contoso ${n}` : `葵ソリューションズ株式会社 ${n} 😀`,
  Total: n * 1.25,
  Nested: { list: [n, 'a\nb'] },
}));
const FILE = Buffer.from(ITEMS.map((item) => `${JSON.stringify(item)}\n`).join(''), 'utf8');

/** `bytes` in chunks cut at seeded random places. */
function chunksOf(bytes: Buffer, seed: number, maxChunk = 300): Buffer[] {
  const random = seededRandom(seed);
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; ) {
    const size = 1 + random.int(maxChunk);
    chunks.push(bytes.subarray(at, at + size));
    at += size;
  }
  return chunks;
}

function splitAll(chunks: Buffer[], splitter = new JsonLineSplitter()): JsonText[] {
  const out: JsonText[] = [];
  for (const chunk of chunks) for (const line of splitter.push(chunk)) out.push(line);
  for (const line of splitter.end()) out.push(line);
  return out;
}

const textOf = (line: JsonText) => line.source.toString('utf8', line.start, line.end);

describe('JsonLineSplitter', () => {
  it('hands out every line once, in order, as the bytes it came as, however the chunks fall', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const lines = splitAll(chunksOf(FILE, seed));
      expect(lines.map(textOf)).toEqual(ITEMS.map((item) => JSON.stringify(item)));
      expect(lines.map((line) => line.value)).toEqual(ITEMS);
      expect(lines.every((line) => line.compact)).toBe(true);
    }
  });

  it('serialises each line as its value', () => {
    const [first] = splitAll([FILE]);
    expect(JSON.stringify({ first })).toBe(JSON.stringify({ first: ITEMS[0] }));
  });

  it('takes CRLF, blank lines and a last line without a newline', () => {
    const text = '{"a":1}\r\n\r\n  {"b":2}  \n\n{"c":3}';
    const splitter = new JsonLineSplitter();
    const lines = splitAll(chunksOf(Buffer.from(text), 7, 4), splitter);
    expect(lines.map(textOf)).toEqual(['{"a":1}', '{"b":2}', '{"c":3}']);
    expect(splitter.lines).toBe(3);
  });

  it('keeps a line cut off by the end of a cut stream unseen, and counts only whole lines', () => {
    const cut = FILE.subarray(0, Math.floor(FILE.length / 2));
    const splitter = new JsonLineSplitter();
    const seen: JsonText[] = [];
    for (const chunk of chunksOf(cut, 11)) for (const line of splitter.push(chunk)) seen.push(line);
    const whole = cut.toString('utf8').split('\n').length - 1;
    expect(seen).toHaveLength(whole);
    expect(splitter.lines).toBe(whole);
    expect(seen.map((line) => line.value)).toEqual(ITEMS.slice(0, whole));
  });

  it('resumes after `skip` lines: the two runs together hand out every line exactly once', () => {
    for (const seed of [21, 22, 23]) {
      const random = seededRandom(seed);
      const chunks = chunksOf(FILE, seed);
      const stopAfter = random.int(chunks.length);
      const first = new JsonLineSplitter();
      const earlier: JsonText[] = [];
      for (const chunk of chunks.slice(0, stopAfter))
        for (const line of first.push(chunk)) earlier.push(line);
      const rest = splitAll(
        chunksOf(FILE, seed + 100),
        new JsonLineSplitter({ skip: first.lines }),
      );
      expect([...earlier, ...rest].map((line) => line.value)).toEqual(ITEMS);
    }
  });

  it('refuses a line that is not a JSON object, naming the line and the file', () => {
    const splitter = new JsonLineSplitter({ what: 'part-00001.json.gz' });
    expect(() => splitAll([Buffer.from('{"a":1}\n<Error>nope</Error>\n')], splitter)).toThrow(
      new ServiceError("Line 2 of part-00001.json.gz is not a JSON object: '<Error>nope</Error>'."),
    );
  });

  it('refuses bytes that are not UTF-8, in a line within a chunk or across chunks', () => {
    const bad = Buffer.concat([
      Buffer.from('{"a":"'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}\n'),
    ]);
    expect(() => splitAll([bad])).toThrow(/not UTF-8 \(line 1 or/);
    expect(() => splitAll([bad.subarray(0, 7), bad.subarray(7)])).toThrow(/not UTF-8/);
  });
});
