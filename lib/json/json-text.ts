/**
 * One JSON value kept as the UTF-8 bytes it arrived as, parsed only if something needs its
 * properties. A listing of a million customers mostly just writes each one out again: keeping the
 * service's bytes skips a parse and a re-serialisation per customer (most of a listing's CPU time)
 * and the objects that would otherwise fill V8's young generation, and it is lossless (numbers
 * beyond 2^53 and escapes stay exactly as sent).
 */
export class JsonText<T = unknown> {
  private parsed: T | undefined;
  private isParsed = false;

  /**
   * `compact`: the bytes are already one NDJSON line as they stand (no whitespace outside strings,
   * or a line of a JSON-lines file, which holds no newline by definition). The bytes must be
   * valid UTF-8 and well-formed JSON (the scanner checked them; json-lines.ts trusts a gzip
   * file's lines past their UTF-8 and braces).
   */
  constructor(
    readonly source: Buffer,
    readonly start: number,
    readonly end: number,
    readonly compact: boolean,
  ) {}

  /** The parsed value (parsed once, on first use). */
  get value(): T {
    if (!this.isParsed) {
      this.parsed = JSON.parse(this.source.toString('utf8', this.start, this.end)) as T;
      this.isParsed = true;
    }
    return this.parsed as T;
  }

  get byteLength(): number {
    return this.end - this.start;
  }

  /** So JSON.stringify of anything holding a JsonText writes the value, not this wrapper. */
  toJSON(): T {
    return this.value;
  }
}

/** The plain value of something that may be a JsonText. */
export function plainValue(value: unknown): unknown {
  return value instanceof JsonText ? value.value : value;
}

/**
 * The items of one page as spans of the page's bytes: (start, end, compact) triples in a typed
 * array. A page of 500 customers is then a handful of heap objects rather than 500 wrappers kept
 * alive while it is written: what survives V8's minor collections is what makes its young
 * generation (and the process's memory) grow over a long listing. JsonText wrappers are made one
 * at a time as the list is read, and die young.
 */
export class JsonTextList<T = unknown> implements Iterable<JsonText<T>> {
  constructor(
    private readonly source: Buffer,
    private readonly spans: Int32Array,
    private readonly first = 0,
    readonly length = spans.length / 3 - first,
  ) {}

  /**
   * Values that did not arrive as bytes (a fallback path), serialised compactly into one buffer.
   */
  static fromValues<T>(values: readonly T[]): JsonTextList<T> {
    const texts = values.map((value) => JSON.stringify(value) ?? 'null');
    const spans = new Int32Array(texts.length * 3);
    let offset = 0;
    texts.forEach((text, index) => {
      const length = Buffer.byteLength(text, 'utf8');
      spans.set([offset, offset + length, 1], index * 3);
      offset += length;
    });
    return new JsonTextList<T>(Buffer.from(texts.join(''), 'utf8'), spans);
  }

  at(index: number): JsonText<T> {
    if (!Number.isInteger(index) || index < 0 || index >= this.length)
      throw new RangeError(`No item ${index} in a list of ${this.length}.`);
    const k = (this.first + index) * 3;
    return new JsonText<T>(
      this.source,
      this.spans[k]!,
      this.spans[k + 1]!,
      this.spans[k + 2] === 1,
    );
  }

  /**
   * Items [start, end) as a list over the same bytes; negative positions count from the end, as
   * Array.slice's do.
   */
  slice(start = 0, end = this.length): JsonTextList<T> {
    const position = (n: number) => Math.max(0, Math.min(n < 0 ? this.length + n : n, this.length));
    const from = position(start);
    const to = Math.max(from, position(end));
    return new JsonTextList<T>(this.source, this.spans, this.first + from, to - from);
  }

  map<U>(mapping: (item: JsonText<T>, index: number) => U): U[] {
    const mapped: U[] = [];
    for (let index = 0; index < this.length; index++) mapped.push(mapping(this.at(index), index));
    return mapped;
  }

  /**
   * JSON.stringify of a list (or of a page holding one) writes the items' values, as for an array.
   */
  toJSON(): T[] {
    return this.map((item) => item.value);
  }

  *[Symbol.iterator](): Iterator<JsonText<T>> {
    for (let index = 0; index < this.length; index++) yield this.at(index);
  }
}

/**
 * The items of `list` with `properties` written first in each (string values): the service's
 * bytes otherwise unchanged, copied once per page into one buffer, so a listing that adds (say)
 * the customer's id still writes NDJSON without a parse. An item that is not an object is kept
 * as it is.
 */
export function withLeadingProperties<T, P extends Record<string, string>>(
  list: JsonTextList<T>,
  properties: P,
): JsonTextList<P & T> {
  const head = leadingText(properties);
  return withLeadingPropertiesOf(list, () => head) as JsonTextList<P & T>;
}

/**
 * The same with each item's own properties (e.g. the id of the customer a relationship names):
 * `propertiesOf` sees the item and may read its value; an empty object adds nothing.
 */
export function withLeadingPropertiesOf<T>(
  list: JsonTextList<T>,
  propertiesOf: (item: JsonText<T>) => Readonly<Record<string, string | undefined>> | Buffer,
): JsonTextList<T> {
  const items = [...list];
  const heads = items.map((item) => {
    const properties = propertiesOf(item);
    return Buffer.isBuffer(properties) ? properties : leadingText(properties);
  });
  let size = 0;
  items.forEach((item, index) => {
    size += item.byteLength + heads[index]!.length + 1;
  });
  const target = Buffer.allocUnsafe(size);
  const spans = new Int32Array(items.length * 3);
  let offset = 0;
  items.forEach((item, index) => {
    const start = offset;
    const { source } = item;
    const head = heads[index]!;
    if (source[item.start] === 0x7b /* { */ && head.length > 0) {
      target[offset++] = 0x7b;
      offset += head.copy(target, offset);
      // An empty object takes no comma: `{}` becomes `{"customerId":"..."}`.
      const rest = firstNonSpace(source, item.start + 1, item.end);
      if (source[rest] !== 0x7d /* } */) target[offset++] = 0x2c /* , */;
      offset += source.copy(target, offset, item.start + 1, item.end);
    } else {
      offset += source.copy(target, offset, item.start, item.end);
    }
    spans.set([start, offset, item.compact ? 1 : 0], index * 3);
  });
  return new JsonTextList<T>(target.subarray(0, offset), spans);
}

/**
 * `"name":"value",...` of string properties, as the bytes an object's text starts with; undefined
 * ones are left out.
 */
function leadingText(properties: Readonly<Record<string, string | undefined>>): Buffer {
  return Buffer.from(
    Object.entries(properties)
      .filter(([, value]) => value !== undefined)
      .map(([name, value]) => `${JSON.stringify(name)}:${JSON.stringify(value)}`)
      .join(','),
    'utf8',
  );
}

function firstNonSpace(bytes: Buffer, from: number, end: number): number {
  let index = from;
  while (
    index < end &&
    (bytes[index] === 0x20 ||
      bytes[index] === 0x0a ||
      bytes[index] === 0x0d ||
      bytes[index] === 0x09)
  )
    index++;
  return index;
}
