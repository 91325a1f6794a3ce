/**
 * The collection scanner: it accepts exactly what JSON.parse accepts, finds each item's own bytes
 * in a collection page (where they begin and end, whether they are one compact line), keeps them
 * lossless, and decodes every other body exactly as the plain JSON.parse path would.
 */
import { describe, expect, it } from '@jest/globals';
import { decodeCollectionBody, scanCollection } from '../../lib/json/collection-scanner.js';
import { JsonTextList } from '../../lib/json/json-text.js';
import { seededRandom, type Random } from '../support/seeded-random.js';

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function scans(bytes: Buffer, from = 0): boolean {
  return scanCollection(bytes, from) !== undefined;
}

/**
 * What the client has always done with a body: BOM dropped, invalid UTF-8 replaced, blank means no
 * value.
 */
function plainDecode(bytes: Buffer): { ok: true; value: unknown } | { ok: false } {
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  if (text.trim() === '') return { ok: true, value: undefined };
  return parses(text) ? { ok: true, value: JSON.parse(text) } : { ok: false };
}

/**
 * A decoded body with its JsonTextList items turned back into plain values, to compare with
 * JSON.parse.
 */
function plainOf(decoded: { ok: boolean; value?: unknown }): unknown {
  if (!decoded.ok) return decoded;
  const value = decoded.value as { items?: unknown } | null | undefined;
  if (value && typeof value === 'object' && value.items instanceof JsonTextList)
    return { ok: true, value: { ...value, items: value.items.map((item) => item.value) } };
  return decoded;
}

function decodedItems(body: Buffer): JsonTextList {
  const decoded = decodeCollectionBody(body);
  if (!decoded.ok) throw new Error(`not decoded: ${body.toString('utf8')}`);
  const items = (decoded.value as { items?: unknown }).items;
  if (!(items instanceof JsonTextList))
    throw new Error(`items are not a JsonTextList: ${body.toString('utf8')}`);
  return items;
}

function itemBytes(items: JsonTextList): string[] {
  return items.map((item) => item.source.toString('utf8', item.start, item.end));
}

/**
 * Collects mismatches rather than failing on the first, so a report shows the inputs themselves.
 */
function expectNoMismatches(mismatches: string[]): void {
  expect(mismatches.slice(0, 8)).toEqual([]);
}

// ---- Generated JSON text, written token by token so the spec knows each item's bytes
// independently.

const NUMBER_TEXTS = [
  '0',
  '-0',
  '7',
  '-12',
  '1.5',
  '1.50',
  '0.001',
  '1e3',
  '1E+3',
  '2e-3',
  '-0.0e0',
  '12345678901234567890',
  '9007199254740993',
  '123456789012345678901234567890.5e-10',
];
const STRING_PIECES = [
  'a',
  'Contoso Ltd',
  ' ',
  'é',
  '\\u00e9',
  '콘토소',
  '😀',
  '\\ud83d\\ude00',
  '\\/',
  '/',
  '\\"',
  '\\\\',
  '\\n',
  '\\t',
  '\\b\\f\\r',
  '\\u0000',
  '[',
  '{',
  ',',
  ':',
  '\u007f',
  '\\ud800',
];
const KEYS = [
  'id',
  'name',
  'companyName',
  'domain',
  'é',
  '콘토소',
  '',
  'a b',
  'items',
  'totalCount',
];
const SPACES = [' ', '\n', '\t', '\r\n', '  ', '\n    '];

/**
 * Writes JSON text with whitespace between tokens at the given rate, noting whether any was
 * written.
 */
class TextWriter {
  spaced = false;
  constructor(
    private readonly rng: Random,
    private readonly spacing: number,
  ) {}

  space(): string {
    if (!this.rng.chance(this.spacing)) return '';
    this.spaced = true;
    return this.rng.pick(SPACES);
  }

  string(): string {
    return `"${Array.from({ length: this.rng.int(4) }, () => this.rng.pick(STRING_PIECES)).join('')}"`;
  }

  value(depth: number): string {
    const kind = depth > 3 ? this.rng.int(4) : this.rng.int(6);
    if (kind === 0) return this.rng.pick(NUMBER_TEXTS);
    if (kind === 1) return this.string();
    if (kind === 2) return this.rng.pick(['true', 'false', 'null']);
    if (kind === 3) return this.rng.chance(0.5) ? this.rng.pick(NUMBER_TEXTS) : this.string();
    const count = this.rng.int(4);
    if (kind === 4) return this.list('[', count, () => this.value(depth + 1), ']');
    return this.list(
      '{',
      count,
      () => `"${this.rng.pick(KEYS)}"${this.space()}:${this.space()}${this.value(depth + 1)}`,
      '}',
    );
  }

  /**
   * Elements between brackets; whitespace is drawn only where it is written, so `spaced` stays true
   * to the text.
   */
  private list(open: string, count: number, element: () => string, close: string): string {
    let text = open + this.space();
    for (let n = 0; n < count; n++)
      text += (n > 0 ? `${this.space()},${this.space()}` : '') + element();
    return text + this.space() + close;
  }
}

interface WrittenPage {
  body: Buffer;
  items: Array<{ start: number; end: number; text: string; compact: boolean }>;
}

/**
 * A collection page in random key order, with items whose offsets are counted as they are written.
 */
function writePage(rng: Random, bom: boolean): WrittenPage {
  const writer = new TextWriter(rng, rng.chance(0.4) ? 0 : rng.pick([0.05, 0.2, 0.6]));
  const parts: string[] = [];
  let bytes = bom ? BOM.length : 0;
  const write = (text: string) => {
    parts.push(text);
    bytes += Buffer.byteLength(text, 'utf8');
  };
  const items: WrittenPage['items'] = [];
  const itemCount = rng.int(6);
  const members: Record<string, () => void> = {
    totalCount: () => write(String(itemCount)),
    continuationToken: () => write(writer.string()),
    attributes: () => write(`{"objectType":"Customer"}`),
    links: () =>
      write(
        `{"next":{"uri":"/v1/customers?size=5","headers":[{"key":"MS-ContinuationToken","value":${writer.string()}}]}}`,
      ),
    items: () => {
      write(`[${writer.space()}`);
      for (let n = 0; n < itemCount; n++) {
        if (n > 0) write(`${writer.space()},${writer.space()}`);
        writer.spaced = false;
        const text = writer.value(0);
        items.push({
          start: bytes,
          end: bytes + Buffer.byteLength(text, 'utf8'),
          text,
          compact: !writer.spaced,
        });
        write(text);
      }
      write(`${writer.space()}]`);
    },
  };
  const order = Object.keys(members).sort(() => rng.next() - 0.5);
  write(`${writer.space()}{`);
  order.forEach((key, n) => {
    write(`${n > 0 ? ',' : ''}${writer.space()}"${key}"${writer.space()}:${writer.space()}`);
    members[key]!();
  });
  write(`${writer.space()}}${writer.space()}`);
  const text = Buffer.from(parts.join(''), 'utf8');
  return { body: bom ? Buffer.concat([BOM, text]) : text, items };
}

// ---- Malformed variants.

const BAD_FRAGMENTS = [
  ',',
  ',,',
  '"',
  '\\',
  '\\x',
  '\\u12G4',
  '\\u12',
  '\\u',
  '\\ud800',
  '\u0001',
  '\n',
  '\t',
  '\u001f',
  '0',
  '01',
  '-01',
  '1.',
  '-',
  '.5',
  '+1',
  '1e',
  '1e+',
  '0x10',
  'tru',
  'nul',
  'fals',
  'True',
  'NaN',
  'Infinity',
  'undefined',
  '[',
  ']',
  '{',
  '}',
  ':',
  "'a'",
  '\u00a0',
  '\v',
  '\f',
  '\u2028',
  '//',
  '/*x*/',
  '\uFEFF',
  'é',
  '"a":1',
];

function mutate(rng: Random, text: string): string {
  const at = rng.int(text.length + 1);
  switch (rng.int(6)) {
    case 0:
      return text.slice(0, at) + rng.pick(BAD_FRAGMENTS) + text.slice(at);
    case 1:
      return text.slice(0, at) + text.slice(at + 1 + rng.int(4));
    case 2:
      return text.slice(0, at);
    case 3:
      return text + rng.pick(BAD_FRAGMENTS);
    case 4:
      return text.slice(0, at) + text.charAt(at) + text.slice(at);
    default:
      return rng.pick(BAD_FRAGMENTS) + text;
  }
}

const SOUP_TOKENS = [
  '{',
  '}',
  '[',
  ']',
  ',',
  ':',
  '"a"',
  '"\\u0041"',
  '1',
  '-0.5e2',
  'true',
  'null',
  ' ',
  '\n',
  '"',
  '01',
  '1.',
  'tru',
  '\\',
];

function soup(rng: Random): string {
  return Array.from({ length: rng.int(10) }, () => rng.pick(SOUP_TOKENS)).join('');
}

/** A seeded corpus of documents: generated values, mutated ones, and token soup. */
function corpus(seed: number, count: number): string[] {
  const rng = seededRandom(seed);
  return Array.from({ length: count }, () => {
    const kind = rng.int(4);
    if (kind === 0) return new TextWriter(rng, 0.3).value(0);
    if (kind === 3) return soup(rng);
    let text = new TextWriter(rng, rng.pick([0, 0.3])).value(0);
    for (let n = 1 + rng.int(2); n > 0; n--) text = mutate(rng, text);
    return text;
  });
}

describe('scanCollection accepts exactly what JSON.parse accepts', () => {
  it.each<[string, string]>([
    ['empty input', ''],
    ['whitespace only', ' \t\r\n '],
    ['a bare number', '42'],
    ['a bare string', '"x"'],
    ['each literal', '[true,false,null]'],
    ['an empty object and array', '{"a":{},"b":[]}'],
    ['surrounding JSON whitespace', '\r\n\t {"a" : [ 1 , 2 ] } \n'],
    ['a stray comma in an array', '[1,]'],
    ['a leading comma in an array', '[,1]'],
    ['a stray comma in an object', '{"a":1,}'],
    ['two commas', '[1,,2]'],
    ['a missing comma', '[1 2]'],
    ['a missing colon', '{"a" 1}'],
    ['a key without a value', '{"a":}'],
    ['a key that is not a string', '{a:1}'],
    ['a number as a key', '{1:1}'],
    ['an unterminated string', '"abc'],
    ['an unterminated string ending in a backslash', '"abc\\'],
    ['an unterminated key', '{"a'],
    ['the escape \\x', '"\\x41"'],
    ['the escape \\u12G4', '"\\u12G4"'],
    ['a short \\u escape', '"\\u12"'],
    ['a \\u escape cut off by the end', '"\\u00'],
    ['a lone surrogate escape', '"\\ud800"'],
    ['every simple escape', '"\\" \\\\ \\/ \\b \\f \\n \\r \\t"'],
    ['upper-case hex in \\u', '"\\u00E9\\uABCD"'],
    ['a raw tab inside a string', '"a\tb"'],
    ['a raw newline inside a string', '"a\nb"'],
    ['a raw NUL inside a string', '"a\u0000b"'],
    ['a raw U+001F inside a string', '"a\u001fb"'],
    ['a raw space inside a string', '"a b"'],
    ['a raw DEL inside a string', '"a\u007fb"'],
    ['a raw U+2028 inside a string', '"a\u2028b"'],
    ['a leading zero', '01'],
    ['a negative leading zero', '-01'],
    ['zero with a fraction', '0.5'],
    ['negative zero', '-0'],
    ['a trailing dot', '1.'],
    ['a leading dot', '.5'],
    ['a lone minus', '-'],
    ['a minus before a dot', '-.5'],
    ['a plus sign', '+1'],
    ['an exponent without digits', '1e'],
    ['an exponent with only a sign', '1e+'],
    ['an exponent with a sign', '1E-7'],
    ['a fraction and exponent', '-12.5e+3'],
    ['hexadecimal', '0x1F'],
    ['Infinity', 'Infinity'],
    ['NaN', 'NaN'],
    ['a number beyond 2^53', '12345678901234567890'],
    ['tru', 'tru'],
    ['True', 'True'],
    ['nul', '[nul]'],
    ['a literal run into a letter', 'truex'],
    ['a literal run into a digit', 'true1'],
    ['a single-quoted string', "'a'"],
    ['trailing garbage after an object', '{"a":1}x'],
    ['a second value after the first', '{} {}'],
    ['a number followed by garbage', '1 2'],
    ['an unclosed array', '[1,2'],
    ['an unclosed object', '{"a":[1]'],
    ['an extra closing bracket', '[1]]'],
    ['a bracket closing the wrong container', '[1}'],
    ['a brace closing an array', '{"a":[1}}'],
    ['a lone closing bracket', ']'],
    ['a byte-order mark', '\uFEFF{}'],
    ['a no-break space between tokens', '[1,\u00a02]'],
    ['a vertical tab between tokens', '[1,\u000b2]'],
    ['a form feed between tokens', '[1,\f2]'],
    ['a comment', '[1/*x*/]'],
    ['deep nesting of arrays', `${'['.repeat(20000)}${']'.repeat(20000)}`],
    ['deep nesting of objects', `${'{"a":'.repeat(20000)}1${'}'.repeat(20000)}`],
    ['deep nesting one bracket short', `${'['.repeat(20000)}${']'.repeat(19999)}`],
    ['unicode outside strings', '[é]'],
    ['unicode keys and values', '{"콘토소":"😀","é":["\\u00e9"]}'],
  ])('%s', (_, text) => {
    expect(scans(Buffer.from(text, 'utf8'))).toBe(parses(text));
  });

  it('agrees with JSON.parse on 3000 seeded documents, valid and malformed', () => {
    const mismatches: string[] = [];
    let accepted = 0;
    for (const text of corpus(20261201, 3000)) {
      const expected = parses(text);
      if (expected) accepted++;
      if (scans(Buffer.from(text, 'utf8')) !== expected)
        mismatches.push(
          `${JSON.stringify(text)}: JSON.parse ${expected ? 'accepts' : 'refuses'} it`,
        );
    }
    expectNoMismatches(mismatches);
    // Both answers must be common, or the comparison proves little.
    expect(accepted).toBeGreaterThan(600);
    expect(accepted).toBeLessThan(2400);
  });

  it(
    'agrees with JSON.parse of the UTF-8 decoding on 500 documents with ' +
      'arbitrary bytes spliced in',
    () => {
      const rng = seededRandom(77);
      const mismatches: string[] = [];
      for (const text of corpus(78, 500)) {
        const valid = Buffer.from(text, 'utf8');
        const at = rng.int(valid.length + 1);
        const junk = Buffer.from(Array.from({ length: 1 + rng.int(3) }, () => 0x80 + rng.int(128)));
        const bytes = Buffer.concat([valid.subarray(0, at), junk, valid.subarray(at)]);
        const expected = parses(bytes.toString('utf8'));
        if (scans(bytes) !== expected)
          mismatches.push(
            `${bytes.toString('hex')}: JSON.parse ${expected ? 'accepts' : 'refuses'} it`,
          );
      }
      expectNoMismatches(mismatches);
    },
  );

  it('starts at `from`: bytes before it are not read', () => {
    const rng = seededRandom(5);
    for (const text of corpus(6, 300)) {
      const prefix = Buffer.from(rng.pick(['\uFEFF', 'garbage', '{"', '']), 'utf8');
      expect(scans(Buffer.concat([prefix, Buffer.from(text, 'utf8')]), prefix.length)).toBe(
        parses(text),
      );
    }
  });
});

describe('decodeCollectionBody on collection pages', () => {
  it(
    'gives JSON.parse of 1000 generated pages, with each item as its exact ' +
      'bytes and compact exactly when unspaced',
    () => {
      const rng = seededRandom(31337);
      // Every page's findings beside what they must be, compared once (the page's text names
      // the one that differs): the same checks as three expects per page.
      const got: unknown[] = [];
      const wanted: unknown[] = [];
      for (let run = 0; run < 1000; run++) {
        const page = writePage(rng, rng.chance(0.2));
        const text = page.body.toString('utf8').replace(/^\uFEFF/, '');
        const items = decodedItems(page.body);
        got.push({
          page: text,
          decoded: plainOf(decodeCollectionBody(page.body)),
          items: items.map((item) => ({
            start: item.start,
            end: item.end,
            text: item.source.toString('utf8', item.start, item.end),
            compact: item.compact,
          })),
          byteLengths: items.map((item) => item.byteLength),
        });
        wanted.push({
          page: text,
          decoded: { ok: true, value: JSON.parse(text) },
          items: page.items,
          byteLengths: page.items.map((item) => item.end - item.start),
        });
      }
      expect(got).toEqual(wanted);
    },
  );

  const ITEM_STRINGS = [
    'Contoso',
    'é',
    '콘토소',
    '😀',
    'quote " and backslash \\',
    'line\nbreak',
    'tab\t',
    '/path/',
    '\u0001',
    ' spaced  out ',
  ];

  function randomItem(rng: Random, depth = 0): unknown {
    const kind = depth > 2 ? rng.int(4) : rng.int(6);
    if (kind === 0) return rng.pick([0, -1, 1.5, 2e-7, 1e21, 123456789, -0.25]);
    if (kind === 1) return rng.pick(ITEM_STRINGS);
    if (kind === 2) return rng.pick([true, false, null]);
    if (kind === 3) return rng.pick(ITEM_STRINGS) + rng.int(100);
    if (kind === 4) return Array.from({ length: rng.int(4) }, () => randomItem(rng, depth + 1));
    return Object.fromEntries(
      Array.from({ length: rng.int(4) }, () => [
        rng.pick(KEYS.filter((key) => key !== 'items')),
        randomItem(rng, depth + 1),
      ]),
    );
  }

  function randomPage(rng: Random): Record<string, unknown> {
    const items = Array.from({ length: rng.int(6) }, () =>
      rng.chance(0.8)
        ? { id: `c${rng.int(1000)}`, companyProfile: randomItem(rng, 1), tags: randomItem(rng, 2) }
        : randomItem(rng),
    );
    const members: Array<[string, unknown]> = [
      ['totalCount', items.length],
      ['items', items],
      [
        'links',
        {
          next: {
            uri: '/v1/customers?size=5',
            headers: [{ key: 'MS-ContinuationToken', value: `tok${rng.int(1e6)}/+=` }],
          },
        },
      ],
      ['continuationToken', `tok${rng.int(1e6)}`],
      ['attributes', { objectType: 'Collection' }],
    ];
    return Object.fromEntries(
      members
        .filter(() => rng.chance(0.85))
        .concat([members[1]!])
        .sort(() => rng.next() - 0.5),
    );
  }

  it.each<[string, number | undefined]>([
    ['JSON.stringify(page)', undefined],
    ['JSON.stringify(page, null, 2)', 2],
  ])('finds each item of 800 pages written by %s', (_, indent) => {
    const rng = seededRandom(indent ?? 1);
    // Compared once for all pages, each beside its text (as in the case above).
    const got: unknown[] = [];
    const wanted: unknown[] = [];
    for (let run = 0; run < 800; run++) {
      const page = randomPage(rng);
      const text = JSON.stringify(page, null, indent);
      const body = Buffer.from(text, 'utf8');
      const pageItems = page.items as unknown[];
      const items = decodedItems(body);
      got.push({
        page: text,
        decoded: plainOf(decodeCollectionBody(body)),
        itemBytes: itemBytes(items),
        compact: items.map((item) => item.compact),
      });
      wanted.push({
        page: text,
        decoded: { ok: true, value: JSON.parse(body.toString('utf8')) },
        // Inside the page each item's lines carry the indentation of its depth (4 spaces for items).
        itemBytes: pageItems.map((item) =>
          JSON.stringify(item, null, indent).replace(/\n/g, '\n    '),
        ),
        compact: pageItems.map(
          (item) => JSON.stringify(item, null, indent) === JSON.stringify(item),
        ),
      });
    }
    expect(got).toEqual(wanted);
  });

  it('finds the items of a page with more items than the first span buffer holds', () => {
    const values = Array.from({ length: 1500 }, (_, n) => ({ n, name: `콘토소 ${n}` }));
    const body = Buffer.from(
      JSON.stringify({ totalCount: 1500, items: values, continuationToken: 'x' }),
      'utf8',
    );
    const items = decodedItems(body);
    expect(items.length).toBe(1500);
    expect(itemBytes(items)).toEqual(values.map((value) => JSON.stringify(value)));
  });

  it('reads an empty items array as an empty list', () => {
    for (const body of ['{"items":[]}', '{"items":[ \n ],"totalCount":0}'])
      expect(decodedItems(Buffer.from(body)).length).toBe(0);
  });

  it('agrees with the plain path on 1500 mutated pages, valid or not', () => {
    const rng = seededRandom(4242);
    // Every page's decoding beside the plain path's, compared once (each beside its text).
    const got: unknown[] = [];
    const wanted: unknown[] = [];
    let refused = 0;
    for (let run = 0; run < 1500; run++) {
      const page = writePage(rng, rng.chance(0.2));
      const body = rng.chance(0.8)
        ? Buffer.from(mutate(rng, page.body.toString('utf8')), 'utf8')
        : page.body;
      const expected = plainOf(plainDecode(body));
      if (!expected || !(expected as { ok: boolean }).ok) refused++;
      const text = body.toString('utf8');
      got.push({ page: text, decoded: plainOf(decodeCollectionBody(body)) });
      wanted.push({ page: text, decoded: expected });
    }
    expect(got).toEqual(wanted);
    expect(refused).toBeGreaterThan(300);
    expect(refused).toBeLessThan(1200);
  });
});

describe('item bytes are lossless', () => {
  it(
    'keeps numbers beyond 2^53 and escapes exactly as sent, while .value is ' + 'the parsed value',
    () => {
      const item =
        '{"id":12345678901234567890,"name":"\\u00e9t\\u00E9","path":"a\\/b",' +
        '"exact":9007199254740993,"float":1.50,"exp":1E+3,"zero":-0,"emoji":"\\ud83d\\ude00"}';
      const body = Buffer.from(
        `{"totalCount":1,"items":[${item}],"continuationToken":null}`,
        'utf8',
      );
      const [text] = decodedItems(body);
      expect(text!.source.toString('utf8', text!.start, text!.end)).toBe(item);
      expect(text!.value).toEqual({
        id: Number('12345678901234567890'),
        name: 'été',
        path: 'a/b',
        exact: 9007199254740992,
        float: 1.5,
        exp: 1000,
        zero: -0,
        emoji: '😀',
      });
    },
  );

  it('keeps scalar items byte for byte', () => {
    const body = Buffer.from('{"items":[12345678901234567890,"\\/\\u00e9",1e400,-0.0]}', 'utf8');
    const items = decodedItems(body);
    expect(itemBytes(items)).toEqual(['12345678901234567890', '"\\/\\u00e9"', '1e400', '-0.0']);
    expect(items.map((item) => item.value)).toEqual([
      Number('12345678901234567890'),
      '/é',
      Infinity,
      -0,
    ]);
  });
});

describe('decodeCollectionBody on unusual bodies', () => {
  it('accepts a byte-order mark before the body and keeps offsets into the body as given', () => {
    const body = Buffer.concat([
      BOM,
      Buffer.from('{"items":[{"name":"콘토소"},2],"totalCount":2}', 'utf8'),
    ]);
    expect(plainOf(decodeCollectionBody(body))).toEqual({
      ok: true,
      value: { items: [{ name: '콘토소' }, 2], totalCount: 2 },
    });
    const items = decodedItems(body);
    expect(itemBytes(items)).toEqual(['{"name":"콘토소"}', '2']);
    expect(items.at(0).start).toBe(BOM.length + '{"items":['.length);
  });

  it('decodes invalid UTF-8 inside an item as Buffer.toString does, with U+FFFD', () => {
    const body = Buffer.concat([
      Buffer.from('{"items":[{"name":"a'),
      Buffer.from([0xff, 0xc3]),
      Buffer.from('b"},{"n":1}],"totalCount":2}'),
    ]);
    expect(plainOf(decodeCollectionBody(body))).toEqual({
      ok: true,
      value: JSON.parse(body.toString('utf8')),
    });
    expect(decodedItems(body).map((item) => item.value)).toEqual([
      { name: 'a\ufffd\ufffdb' },
      { n: 1 },
    ]);
  });

  it('decodes invalid UTF-8 in the envelope as Buffer.toString does', () => {
    const body = Buffer.concat([
      Buffer.from('{"continuationToken":"'),
      Buffer.from([0xe2, 0x82]),
      Buffer.from('","items":[1]}'),
    ]);
    expect(plainOf(decodeCollectionBody(body))).toEqual({
      ok: true,
      value: { continuationToken: '\ufffd', items: [1] },
    });
  });

  it('refuses invalid UTF-8 outside strings', () => {
    expect(
      decodeCollectionBody(
        Buffer.concat([Buffer.from('{"items":[1'), Buffer.from([0xff]), Buffer.from(']}')]),
      ),
    ).toEqual({ ok: false });
  });

  it.each<[string, string, unknown]>([
    ['two arrays', '{"items":[1],"totalCount":1,"items":[2,3]}', [2, 3]],
    ['an array then a number', '{"items":[1],"items":5}', 5],
    ['a number then an array', '{"items":5,"items":[{"a":1}]}', [{ a: 1 }]],
    ['an escaped spelling then the plain one', '{"it\\u0065ms":[1],"items":[2]}', [2]],
    ['the plain spelling then an escaped one', '{"items":[1],"\\u0069tems":[3]}', [3]],
  ])(
    'keeps the last of duplicated items keys (%s), as JSON.parse does',
    (_, body, expectedItems) => {
      const decoded = decodeCollectionBody(Buffer.from(body, 'utf8'));
      expect(plainOf(decoded)).toEqual({ ok: true, value: JSON.parse(body) });
      expect(plainOf(decoded)).toEqual({
        ok: true,
        value: expect.objectContaining({ items: expectedItems }),
      });
      expect(Array.isArray(expectedItems)).toBe(
        (decoded as { value: { items: unknown } }).value.items instanceof JsonTextList,
      );
    },
  );

  it('recognises an items key spelled with escapes and keeps its items lossless', () => {
    const body = Buffer.from(
      '{"totalCount":1,"it\\u0065ms":[12345678901234567890,{"a":"\\/"}]}',
      'utf8',
    );
    expect(itemBytes(decodedItems(body))).toEqual(['12345678901234567890', '{"a":"\\/"}']);
    expect(plainOf(decodeCollectionBody(body))).toEqual({
      ok: true,
      value: JSON.parse(body.toString('utf8')),
    });
  });

  it('does not take a nested items key for the page items', () => {
    const body = Buffer.from('{"links":{"items":[1]},"a":[{"items":[9]}],"items":[2]}', 'utf8');
    expect(itemBytes(decodedItems(body))).toEqual(['2']);
    expect(plainOf(decodeCollectionBody(body))).toEqual({
      ok: true,
      value: JSON.parse(body.toString('utf8')),
    });
  });

  it.each<[string, string]>([
    ['a top-level array', '[{"items":[1]},2]'],
    ['an object without items', '{"totalCount":0,"links":{}}'],
    ['items that are null', '{"items":null}'],
    ['items that are an object', '{"items":{"0":1}}'],
    ['a string', '"items"'],
    ['a number', '12345678901234567890'],
    ['null', 'null'],
    ['a __proto__ key', '{"__proto__":{"polluted":1},"items":[1]}'],
  ])('decodes %s as JSON.parse does', (_, body) => {
    const decoded = decodeCollectionBody(Buffer.from(body, 'utf8'));
    expect(plainOf(decoded)).toEqual({ ok: true, value: JSON.parse(body) });
    if (!Array.isArray((JSON.parse(body) as { items?: unknown } | null)?.items))
      expect((decoded as { value: { items?: unknown } | null }).value?.items).not.toBeInstanceOf(
        JsonTextList,
      );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    '{"items":[1,]}',
    '{"items":[1]',
    '{"items":[1]}}',
    '{"items":["\\x"]}',
    '{"items":[01]}',
    '{"items":[1]} x',
    '[1,',
    '\uFEFF\uFEFF{"items":[]}',
    'tru',
    '-',
  ])('refuses the malformed body %j', (body) => {
    expect(decodeCollectionBody(Buffer.from(body, 'utf8'))).toEqual({ ok: false });
  });

  it.each(['', ' ', '\r\n\t ', '\uFEFF', '\uFEFF \n'])(
    'gives no value for the blank body %j',
    (body) => {
      expect(decodeCollectionBody(Buffer.from(body, 'utf8'))).toEqual({
        ok: true,
        value: undefined,
      });
    },
  );
});
