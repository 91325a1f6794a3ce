/**
 * lib/json: how the service's bytes become values without losing them. The collection scanner
 * (a page's items found as spans of its bytes), JsonText and JsonTextList over those spans, the
 * owner's ids written first into them, and the JSON-lines splitter of the billing exports. One
 * file because each of these loaded the same json modules afresh; each keeps its own describe.
 */
import { describe, expect, it } from '@jest/globals';
import { decodeCollectionBody, scanCollection } from '../../lib/json/collection-scanner.js';
import {
  JsonTextList,
  JsonText,
  plainValue,
  withLeadingProperties,
  withLeadingPropertiesOf,
} from '../../lib/json/json-text.js';
import { seededRandom, type Random } from '../support/seeded-random.js';
import { ServiceError } from '../../lib/common/errors.js';
import { JsonLineSplitter } from '../../lib/json/json-lines.js';

describe('collection scanner', () => {
  /**
   * The collection scanner: it accepts exactly what JSON.parse accepts, finds each item's own bytes
   * in a collection page (where they begin and end, whether they are one compact line), keeps them
   * lossless, and decodes every other body exactly as the plain JSON.parse path would.
   */
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
          '{"next":{"uri":"/v1/customers?size=5","headers":[' +
            `{"key":"MS-ContinuationToken","value":${writer.string()}}]}}`,
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
          const junk = Buffer.from(
            Array.from({ length: 1 + rng.int(3) }, () => 0x80 + rng.int(128)),
          );
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
          ? {
              id: `c${rng.int(1000)}`,
              companyProfile: randomItem(rng, 1),
              tags: randomItem(rng, 2),
            }
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
      'keeps numbers beyond 2^53 and escapes exactly as sent, while .value is ' +
        'the parsed value',
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
});

describe('JsonText and JsonTextList', () => {
  /**
   * JsonText and JsonTextList: a page's items as spans of its bytes. The list reads like a small
   * read-only array (length, at, slice, map, iteration, all in order), and each item serialises as
   * its value.
   */
  const VALUES: unknown[] = [
    { id: 'a', name: '콘토소' },
    2,
    'é 😀',
    [3, [4]],
    null,
    true,
    { nested: { list: [] } },
    -0.5,
  ];

  /**
   * The list the scanner makes for a page holding these values, with the page's own bytes under it.
   */
  function scannedList(values: readonly unknown[], indent?: number): JsonTextList {
    const decoded = decodeCollectionBody(
      Buffer.from(
        JSON.stringify(
          { totalCount: values.length, items: values, continuationToken: 't' },
          null,
          indent,
        ),
        'utf8',
      ),
    );
    if (!decoded.ok) throw new Error('the page did not decode');
    const items = (decoded.value as { items: unknown }).items;
    if (!(items instanceof JsonTextList)) throw new Error('the page items are not a JsonTextList');
    return items;
  }

  function valuesOf(list: JsonTextList): unknown[] {
    return list.map((item) => item.value);
  }

  /**
   * Both ways a list is made: scanned from a page's bytes, and built from values on the fallback
   * path.
   */
  const MAKERS: Array<[string, (values: readonly unknown[]) => JsonTextList]> = [
    ['scanned from a compact page', (values) => scannedList(values)],
    ['scanned from an indented page', (values) => scannedList(values, 2)],
    ['built by fromValues', (values) => JsonTextList.fromValues(values)],
  ];

  describe.each(MAKERS)('a JsonTextList %s', (_, makeList) => {
    it('has one item per value, each at its index', () => {
      const list = makeList(VALUES);
      expect(list.length).toBe(VALUES.length);
      VALUES.forEach((value, index) => {
        expect(list.at(index).value).toEqual(value);
      });
    });

    it('iterates and maps in order, passing map the index', () => {
      const list = makeList(VALUES);
      expect([...list].map((item) => item.value)).toEqual(VALUES);
      const seen: unknown[] = [];
      for (const item of list) seen.push(item.value);
      expect(seen).toEqual(VALUES);
      expect(list.map((item, index) => [index, item.value])).toEqual(
        VALUES.map((value, index) => [index, value]),
      );
    });

    it.each<[string, number, number | undefined]>([
      ['the middle', 2, 5],
      ['from a start to the end', 3, undefined],
      ['everything', 0, undefined],
      ['an end past the length', 6, 100],
      ['a start past the length', 100, undefined],
      ['a start at the length', 8, 9],
      ['an empty range', 4, 4],
      ['an end before the start', 5, 2],
    ])('slices %s like an array', (_, start, end) => {
      const slice = makeList(VALUES).slice(start, end);
      const expected = VALUES.slice(start, end);
      expect(slice.length).toBe(expected.length);
      expect(valuesOf(slice)).toEqual(expected);
      expect([...slice].map((item) => item.value)).toEqual(expected);
      expect(slice.map((_, index) => index)).toEqual(expected.map((_, index) => index));
    });

    it('slices a slice relative to the slice, and at(i) counts from the slice start', () => {
      const inner = makeList(VALUES).slice(2).slice(1, 4);
      expect(valuesOf(inner)).toEqual(VALUES.slice(3, 6));
      expect(inner.at(0).value).toEqual(VALUES[3]);
      expect(inner.slice(1, 100).length).toBe(2);
    });

    it('agrees with Array.prototype.slice on 300 seeded ranges of seeded lists', () => {
      const rng = seededRandom(9001);
      for (let run = 0; run < 300; run++) {
        const values = Array.from({ length: rng.int(12) }, () => rng.pick(VALUES));
        const list = makeList(values);
        const start = rng.int(values.length + 3);
        const end = rng.chance(0.2) ? undefined : rng.int(values.length + 3);
        expect(valuesOf(list.slice(start, end))).toEqual(values.slice(start, end));
      }
    });

    it('serialises each item, and anything holding one, as its value', () => {
      const list = makeList(VALUES);
      for (const item of list) {
        expect(JSON.stringify(item)).toBe(JSON.stringify(item.value));
        expect(JSON.stringify({ wrapped: [item] })).toBe(JSON.stringify({ wrapped: [item.value] }));
      }
      expect(JSON.stringify([...list])).toBe(JSON.stringify(VALUES));
    });

    it('is empty for no values', () => {
      const list = makeList([]);
      expect(list.length).toBe(0);
      expect([...list]).toEqual([]);
      expect(list.map((item) => item)).toEqual([]);
      expect(list.slice(0, 5).length).toBe(0);
    });
  });

  describe('JsonTextList.fromValues', () => {
    it('writes each value compactly, as JSON.stringify does, with byte lengths in UTF-8', () => {
      const list = JsonTextList.fromValues(VALUES);
      expect(list.map((item) => item.source.toString('utf8', item.start, item.end))).toEqual(
        VALUES.map((value) => JSON.stringify(value)),
      );
      expect(list.map((item) => item.byteLength)).toEqual(
        VALUES.map((value) => Buffer.byteLength(JSON.stringify(value), 'utf8')),
      );
      expect(list.map((item) => item.compact)).toEqual(VALUES.map(() => true));
    });

    it('writes values JSON cannot hold as null, as JSON.stringify does inside an array', () => {
      const values = [undefined, () => 1, Symbol('s'), { kept: 1, dropped: undefined }];
      expect(valuesOf(JsonTextList.fromValues(values))).toEqual(JSON.parse(JSON.stringify(values)));
    });
  });

  describe('JsonText', () => {
    it('parses its bytes into .value once and keeps the same value', () => {
      const source = Buffer.from('xx{"a":[1,{"b":"é"}]}yy', 'utf8');
      const text = new JsonText<{ a: unknown[] }>(source, 2, source.length - 2, true);
      expect(text.value).toEqual({ a: [1, { b: 'é' }] });
      expect(text.value).toBe(text.value);
      expect(text.byteLength).toBe(source.length - 4);
    });

    it('parses a null item once too', () => {
      const text = new JsonText(Buffer.from('null'), 0, 4, true);
      expect(text.value).toBeNull();
      expect(JSON.stringify({ item: text })).toBe('{"item":null}');
    });

    it('serialises a lossless item as its parsed value, as JSON.stringify of the value would', () => {
      const body = Buffer.from('{"items":[{"big":12345678901234567890,"s":"\\u00e9\\/"}]}', 'utf8');
      const decoded = decodeCollectionBody(body) as { ok: true; value: { items: JsonTextList } };
      const text = decoded.value.items.at(0);
      expect(text.source.toString('utf8', text.start, text.end)).toBe(
        '{"big":12345678901234567890,"s":"\\u00e9\\/"}',
      );
      expect(JSON.stringify(text)).toBe(
        JSON.stringify({ big: Number('12345678901234567890'), s: 'é/' }),
      );
    });
  });

  describe('plainValue', () => {
    it('unwraps a JsonText and passes anything else through', () => {
      const text = JsonTextList.fromValues([{ a: 1 }]).at(0);
      expect(plainValue(text)).toEqual({ a: 1 });
      const plain = { a: 1 };
      expect(plainValue(plain)).toBe(plain);
      expect(plainValue(undefined)).toBeUndefined();
      expect(plainValue('x')).toBe('x');
    });
  });

  describe('JsonTextList, like an array where it can be', () => {
    const list = scannedList([{ a: 1 }, { b: 2 }, { c: 3 }]);

    it('refuses a position outside the list instead of reading the whole page', () => {
      expect(() => list.at(3)).toThrow(RangeError);
      expect(() => list.at(-1)).toThrow(RangeError);
      expect(() => list.slice(1).at(2)).toThrow(RangeError);
    });

    it('counts negative slice positions from the end', () => {
      expect(list.slice(-1).map((item) => item.value)).toEqual([{ c: 3 }]);
      expect(list.slice(-2, -1).map((item) => item.value)).toEqual([{ b: 2 }]);
      expect(list.slice(0, -5).length).toBe(0);
    });

    it('serialises as the array of its values, alone or inside its page', () => {
      expect(JSON.stringify(list)).toBe('[{"a":1},{"b":2},{"c":3}]');
      const decoded = decodeCollectionBody(Buffer.from('{"totalCount":1,"items":[{"x":"é"}]}'));
      expect(decoded.ok && JSON.stringify(decoded.value)).toBe(
        '{"totalCount":1,"items":[{"x":"é"}]}',
      );
    });
  });
});

describe('leading properties', () => {
  /** withLeadingProperties: the owner's ids written first into the service's own bytes. */
  function itemsOf(body: string): JsonTextList {
    const decoded = decodeCollectionBody(Buffer.from(body, 'utf8')) as {
      value: { items: unknown };
    };
    const items = decoded.value.items;
    if (!(items instanceof JsonTextList)) throw new Error('the page was not scanned as bytes');
    return items;
  }

  const text = (list: JsonTextList) =>
    [...list].map((item) => item.source.toString('utf8', item.start, item.end));

  describe('withLeadingProperties', () => {
    it('puts the properties first and keeps every other byte as the service sent it', () => {
      const items = itemsOf(
        '{"totalCount":3,"items":[{"id":"s1","quantity":12345678901234567890,"name":"\\u00e9t\\u00e9"},' +
          '{},{ "id" : "s3" }]}',
      );
      const owned = withLeadingProperties(items, { customerId: 'c1', userId: 'u"1' });
      expect(text(owned)).toEqual([
        '{"customerId":"c1","userId":"u\\"1","id":"s1","quantity":12345678901234567890,"name":"\\u00e9t\\u00e9"}',
        '{"customerId":"c1","userId":"u\\"1"}',
        '{"customerId":"c1","userId":"u\\"1", "id" : "s3" }',
      ]);
      expect([...owned].map((item) => item.compact)).toEqual([true, true, false]);
      expect(owned.at(0).value).toEqual({
        customerId: 'c1',
        userId: 'u"1',
        id: 's1',
        quantity: Number('12345678901234567890'),
        name: 'été',
      });
      expect(owned.at(2).value).toEqual({ customerId: 'c1', userId: 'u"1', id: 's3' });
      expect(owned).toHaveLength(3);
    });

    it('leaves an item that is not an object as it is', () => {
      const owned = withLeadingProperties(itemsOf('{"items":["text",[1],7]}'), {
        customerId: 'c1',
      });
      expect(text(owned)).toEqual(['"text"', '[1]', '7']);
    });

    it('keeps a slice of a page to the slice', () => {
      const items = itemsOf('{"items":[{"id":1},{"id":2},{"id":3}]}').slice(1);
      expect(text(withLeadingProperties(items, { customerId: 'c' }))).toEqual([
        '{"customerId":"c","id":2}',
        '{"customerId":"c","id":3}',
      ]);
    });
  });

  describe('withLeadingPropertiesOf', () => {
    it("writes each item's own properties first, and nothing for an empty set", () => {
      const items = itemsOf(
        '{"items":[{"id":"r1","customer":{"tenantId":"t1"}},{"id":"r2","customer":null},{}]}',
      );
      const owned = withLeadingPropertiesOf(items, (item) => {
        const tenantId = (item.value as { customer?: { tenantId?: string } | null }).customer
          ?.tenantId;
        return tenantId ? { customerId: tenantId } : {};
      });
      expect(text(owned)).toEqual([
        '{"customerId":"t1","id":"r1","customer":{"tenantId":"t1"}}',
        '{"id":"r2","customer":null}',
        '{}',
      ]);
    });
  });
});

describe('JSON lines', () => {
  /**
   * JsonLineSplitter: a gunzipped export file's bytes, in chunks cut anywhere (mid-line, mid
   * character), become the file's lines exactly once, in order, as JsonText over the bytes; a line
   * is handed out only once it is whole, `lines` says where the stream stands, and `skip` starts a
   * resumed run exactly after it. What is not JSON lines is refused.
   */
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
      for (const chunk of chunksOf(cut, 11))
        for (const line of splitter.push(chunk)) seen.push(line);
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
        new ServiceError(
          "Line 2 of part-00001.json.gz is not a JSON object: '<Error>nope</Error>'.",
        ),
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
});
