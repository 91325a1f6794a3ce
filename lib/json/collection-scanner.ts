/**
 * Reads one page of a collection (`{"totalCount":..,"items":[..],"links":{..},..}`) without
 * building its items: one pass over the bytes checks that the whole body is well-formed JSON (as
 * strictly as JSON.parse) and notes where each element of the top-level `items` array begins and
 * ends; only the rest of the page (links, continuation token: a few hundred bytes) is parsed. Each
 * item becomes a JsonText over the body's own bytes.
 *
 * Anything unusual (not UTF-8, not an object at the top, no items array, items given twice) takes
 * the plain path: the whole body through JSON.parse, exactly as before, so the answer never
 * depends on which path read it.
 */
import { isUtf8 } from 'node:buffer';
import { stripBom } from '../common/text.js';
import { JsonTextList } from './json-text.js';

export type DecodedBody = { ok: true; value: unknown } | { ok: false };

/** A body as JSON.parse reads it (BOM dropped, invalid UTF-8 replaced); empty means no value. */
export function parseJsonBody(body: Buffer): DecodedBody {
  const text = stripBom(body.toString('utf8'));
  if (text.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/**
 * A collection body with its items as JsonText; `{ ok: false }` when the body is not well-formed
 * JSON. `itemsKey` names the array: Partner Center's `items`, OData's (Microsoft Graph's) `value`.
 */
export function decodeCollectionBody(body: Buffer, itemsKey = 'items'): DecodedBody {
  const from = body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf ? 3 : 0;
  const scan = isUtf8(body) ? scanCollection(body, from, itemsKey) : undefined;
  if (!scan?.topIsObject || scan.itemsOpen < 0 || scan.itemsKeys > 1)
    return withItemsAsJsonText(parseJsonBody(body), itemsKey);
  let envelope: Record<string, unknown>;
  try {
    envelope = JSON.parse(
      body.toString('utf8', from, scan.itemsOpen + 1) + body.toString('utf8', scan.itemsClose),
    ) as Record<string, unknown>;
  } catch {
    return { ok: false };
  }
  envelope[itemsKey] = new JsonTextList(body, scan.spans.subarray(0, scan.spanCount * 3));
  return { ok: true, value: envelope };
}

function withItemsAsJsonText(decoded: DecodedBody, itemsKey: string): DecodedBody {
  if (!decoded.ok) return decoded;
  const value = decoded.value as Record<string, unknown> | null;
  if (value && typeof value === 'object' && Array.isArray(value[itemsKey]))
    value[itemsKey] = JsonTextList.fromValues(value[itemsKey] as unknown[]);
  return decoded;
}

interface CollectionScan {
  topIsObject: boolean;
  /** Offset of the items array's `[` and of its `]`; -1 when the top-level object has none. */
  itemsOpen: number;
  itemsClose: number;
  /** How many top-level `items` keys there are (JSON.parse would keep the last one's value). */
  itemsKeys: number;
  /**
   * Per item: start, end (exclusive), 1 when it holds no whitespace outside strings; `spanCount`
   * items.
   */
  spans: Int32Array;
  spanCount: number;
}

// Bytes of JSON's grammar.
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const MINUS = 0x2d;
const PLUS = 0x2b;

// What may come next.
const VALUE = 0;
const VALUE_OR_CLOSE_ARRAY = 1;
const KEY = 2;
const KEY_OR_CLOSE_OBJECT = 3;
const KEY_COLON = 4;
const COMMA_OR_CLOSE = 5;
const END = 6;

const IN_OBJECT = 0;
const IN_ARRAY = 1;

/** One strict pass over a JSON document; undefined when it is not well-formed. */
export function scanCollection(
  b: Buffer,
  from = 0,
  itemsKey = 'items',
): CollectionScan | undefined {
  const n = b.length;
  const containers: number[] = [];
  const result: CollectionScan = {
    topIsObject: false,
    itemsOpen: -1,
    itemsClose: -1,
    itemsKeys: 0,
    spans: new Int32Array(3 * 512),
    spanCount: 0,
  };
  let state = VALUE;
  let i = from;
  let keyIsItems = false;
  let inItems = false;
  let itemStart = -1;
  let itemSpaced = false;
  for (;;) {
    // Whitespace between tokens; inside an item it means the item is not one compact line.
    while (i < n) {
      const c = b[i]!;
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      i++;
      if (itemStart >= 0) itemSpaced = true;
    }
    if (i >= n) return state === END ? result : undefined;
    const c = b[i]!;
    if (state === END) return undefined;
    if (state === KEY_COLON) {
      if (c !== COLON) return undefined;
      i++;
      state = VALUE;
      continue;
    }
    if (state === KEY || state === KEY_OR_CLOSE_OBJECT) {
      if (c === CLOSE_OBJECT && state === KEY_OR_CLOSE_OBJECT) {
        containers.pop();
        i++;
      } else {
        if (c !== QUOTE) return undefined;
        const end = stringEnd(b, i);
        if (end < 0) return undefined;
        if (containers.length === 1) {
          keyIsItems = isItemsKey(b, i, end, itemsKey);
          if (keyIsItems) result.itemsKeys++;
        }
        i = end;
        state = KEY_COLON;
        continue;
      }
    } else if (state === COMMA_OR_CLOSE || (state === VALUE_OR_CLOSE_ARRAY && c === CLOSE_ARRAY)) {
      const inArray = containers[containers.length - 1] === IN_ARRAY;
      if (c === COMMA && state === COMMA_OR_CLOSE) {
        i++;
        state = inArray ? VALUE : KEY;
        continue;
      }
      if (c !== (inArray ? CLOSE_ARRAY : CLOSE_OBJECT)) return undefined;
      if (inItems && containers.length === 2) {
        inItems = false;
        result.itemsClose = i;
      }
      containers.pop();
      i++;
    } else {
      // A value begins (VALUE, or VALUE_OR_CLOSE_ARRAY with something other than `]`).
      const depth = containers.length;
      if (depth === 0) result.topIsObject = c === OPEN_OBJECT;
      if (inItems && depth === 2) {
        itemStart = i;
        itemSpaced = false;
      }
      const isItems = depth === 1 && keyIsItems;
      keyIsItems = false;
      if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
        if (c === OPEN_ARRAY && isItems) {
          result.itemsOpen = i;
          result.spanCount = 0;
          inItems = true;
        }
        containers.push(c === OPEN_OBJECT ? IN_OBJECT : IN_ARRAY);
        i++;
        state = c === OPEN_OBJECT ? KEY_OR_CLOSE_OBJECT : VALUE_OR_CLOSE_ARRAY;
        continue;
      }
      const end =
        c === QUOTE
          ? stringEnd(b, i)
          : c === MINUS || isDigit(c)
            ? numberEnd(b, i)
            : literalEnd(b, i);
      if (end < 0) return undefined;
      i = end;
    }
    // A value just ended (a scalar, or the bracket that closed a container).
    if (itemStart >= 0 && containers.length === 2) {
      addSpan(result, itemStart, i, itemSpaced ? 0 : 1);
      itemStart = -1;
    }
    state = containers.length === 0 ? END : COMMA_OR_CLOSE;
  }
}

function addSpan(scan: CollectionScan, start: number, end: number, compact: number): void {
  let k = scan.spanCount * 3;
  if (k + 3 > scan.spans.length) {
    const grown = new Int32Array(scan.spans.length * 2);
    grown.set(scan.spans);
    scan.spans = grown;
  }
  scan.spans[k++] = start;
  scan.spans[k++] = end;
  scan.spans[k] = compact;
  scan.spanCount++;
}

/** The offset after the string that opens at `i` (its quote), or -1 when it is malformed. */
function stringEnd(b: Buffer, i: number): number {
  const n = b.length;
  let j = i + 1;
  for (;;) {
    if (j >= n) return -1;
    const c = b[j]!;
    if (c === QUOTE) return j + 1;
    if (c === BACKSLASH) {
      const e = b[j + 1];
      if (e === 0x75) {
        // \uXXXX
        if (!isHex(b[j + 2]) || !isHex(b[j + 3]) || !isHex(b[j + 4]) || !isHex(b[j + 5])) return -1;
        j += 6;
      } else if (
        e === QUOTE ||
        e === BACKSLASH ||
        e === 0x2f ||
        e === 0x62 ||
        e === 0x66 ||
        e === 0x6e ||
        e === 0x72 ||
        e === 0x74
      ) {
        j += 2;
      } else {
        return -1;
      }
    } else if (c < 0x20) {
      return -1;
    } else {
      j++;
    }
  }
}

function isHex(c: number | undefined): boolean {
  return (
    c !== undefined &&
    ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66))
  );
}

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= 0x30 && c <= 0x39;
}

/** -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
function numberEnd(b: Buffer, i: number): number {
  let j = i;
  if (b[j] === MINUS) j++;
  if (b[j] === 0x30) j++;
  else if (isDigit(b[j])) while (isDigit(b[j])) j++;
  else return -1;
  if (b[j] === 0x2e) {
    j++;
    if (!isDigit(b[j])) return -1;
    while (isDigit(b[j])) j++;
  }
  if (b[j] === 0x65 || b[j] === 0x45) {
    j++;
    if (b[j] === PLUS || b[j] === MINUS) j++;
    if (!isDigit(b[j])) return -1;
    while (isDigit(b[j])) j++;
  }
  return j;
}

const LITERALS = [Buffer.from('true'), Buffer.from('false'), Buffer.from('null')];

function literalEnd(b: Buffer, i: number): number {
  for (const literal of LITERALS) {
    if (
      b[i] === literal[0] &&
      i + literal.length <= b.length &&
      b.compare(literal, 0, literal.length, i, i + literal.length) === 0
    )
      return i + literal.length;
  }
  return -1;
}

/** Whether the key string at [start, end) (quotes included) is `key` (ASCII), escapes decoded. */
function isItemsKey(b: Buffer, start: number, end: number, key: string): boolean {
  if (end - start === key.length + 2) {
    for (let k = 0; k < key.length; k++) if (b[start + 1 + k] !== key.charCodeAt(k)) return false;
    return true;
  }
  // A longer key can still spell the key with escapes (`"it\u0065ms"`): JSON.parse would read it
  // so.
  const backslash = b.indexOf(BACKSLASH, start);
  return backslash !== -1 && backslash < end && JSON.parse(b.toString('utf8', start, end)) === key;
}
