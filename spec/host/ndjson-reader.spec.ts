/** The pipeline reader on its own: lines split across chunks, limits, and line numbers. */
import { describe, expect, it } from '@jest/globals';
import { readNdjson } from '../../lib/host/ndjson-reader.js';

async function read(chunks: Array<string | Buffer>, options = {}) {
  const records = [];
  for await (const record of readNdjson(chunks, options))
    records.push(record.error ? { line: record.line, error: record.error.message } : record);
  return records;
}

/** Every record, and the generator's return value: how the input ended. */
async function readToEnd(chunks: Array<string | Buffer>, options = {}) {
  const records = [];
  const iterator = readNdjson(chunks, options);
  for (;;) {
    const next = await iterator.next();
    if (next.done) return { records, end: next.value };
    records.push(next.value);
  }
}

describe('readNdjson', () => {
  it('never yields a torn last line (no newline, not a whole object): its end names it', async () => {
    expect(await readToEnd(['{"a":1}\n{"b":', '2,"c'])).toEqual({
      records: [{ line: 1, value: { a: 1 } }],
      end: { lines: 2, tornLine: 2 },
    });
    // An undecodable one is the same (a character cut in two).
    expect((await readToEnd(['{"a":1}\n', Buffer.from([0x7b, 0xe2, 0x82])])).end).toEqual({
      lines: 2,
      tornLine: 2,
    });
    // An overlong one or a JSON value that is not an object is the bad line it is, cut or not.
    const long = await readToEnd(['{"a":1}\n{"b":"', 'x'.repeat(64)], { maxLineBytes: 32 });
    expect(long.end).toEqual({ lines: 2 });
    expect(long.records[1]).toMatchObject({ line: 2, error: expect.anything() });
  });

  it('reads a whole last object that only lacks its newline, and ends cleanly', async () => {
    expect(await readToEnd(['{"a":1}\n{"b":2}'])).toEqual({
      records: [
        { line: 1, value: { a: 1 } },
        { line: 2, value: { b: 2 } },
      ],
      end: { lines: 2 },
    });
    expect((await readToEnd(['{"a":1}\n'])).end).toEqual({ lines: 1 });
    expect(await readToEnd([])).toEqual({ records: [], end: { lines: 0 } });
  });

  it('joins a line split across chunks, even inside a multi-byte character', async () => {
    const bytes = Buffer.from('{"name":"콘토소"}\n{"n":2}');
    const chunks = Array.from(bytes).map((byte) => Buffer.from([byte]));
    expect(await read(chunks)).toEqual([
      { line: 1, value: { name: '콘토소' } },
      { line: 2, value: { n: 2 } },
    ]);
  });

  it('strips a byte-order mark and CRLF endings', async () => {
    expect(await read(['\ufeff{"a":1}\r\n{"b":2}\r\n'])).toEqual([
      { line: 1, value: { a: 1 } },
      { line: 2, value: { b: 2 } },
    ]);
  });

  it('counts blank lines in the numbering but yields nothing for them', async () => {
    expect(await read(['\n\n{"a":1}\nnope\n'])).toEqual([
      { line: 3, value: { a: 1 } },
      { line: 4, error: expect.stringMatching(/^Input line 4 is not valid JSON/) },
    ]);
  });

  it('skips an overlong line whole and resumes at the next', async () => {
    expect(await read(['{"a":"', 'x'.repeat(50), '"}\n{"b":1}\n'], { maxLineBytes: 32 })).toEqual([
      { line: 1, error: 'Input line 1 is longer than 32 bytes.' },
      { line: 2, value: { b: 1 } },
    ]);
  });

  it('refuses nesting past the limit but counts brackets inside strings as text', async () => {
    expect(await read(['{"a":[[[1]]]}\n{"s":"[[[[[[["}\n'], { maxDepth: 3 })).toEqual([
      { line: 1, error: 'Input line 1 nests objects or arrays deeper than 3 levels.' },
      { line: 2, value: { s: '[[[[[[[' } },
    ]);
  });
});
