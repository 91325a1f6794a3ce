/**
 * JsonText and JsonTextList: a page's items as spans of its bytes. The list reads like a small
 * read-only array (length, at, slice, map, iteration, all in order), and each item serialises as
 * its value.
 */
import { describe, expect, it } from '@jest/globals';
import { decodeCollectionBody } from '../../lib/json/collection-scanner.js';
import { JsonText, JsonTextList, plainValue } from '../../lib/json/json-text.js';
import { seededRandom } from '../support/seeded-random.js';

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
