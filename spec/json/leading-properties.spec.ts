/** withLeadingProperties: the owner's ids written first into the service's own bytes. */
import { describe, expect, it } from '@jest/globals';
import { decodeCollectionBody } from '../../lib/json/collection-scanner.js';
import {
  JsonTextList,
  withLeadingProperties,
  withLeadingPropertiesOf,
} from '../../lib/json/json-text.js';

function itemsOf(body: string): JsonTextList {
  const decoded = decodeCollectionBody(Buffer.from(body, 'utf8')) as { value: { items: unknown } };
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
    const owned = withLeadingProperties(itemsOf('{"items":["text",[1],7]}'), { customerId: 'c1' });
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
