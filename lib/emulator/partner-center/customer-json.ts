/**
 * The list shape of a customer (docs/partner-center-api.md, "The customer resource"), written as bytes
 * straight into a page buffer. This runs for every customer of every page, and here copying ready
 * byte fragments costs a fraction of building strings and encoding them (measured: about 1 µs per
 * customer either way for the strings alone). The one template of the list shape lives here.
 */
import type { CustomerSummary } from './dataset.js';

const INITIAL_DOMAIN_SUFFIX = '.onmicrosoft.com';

/**
 * A customer's initial domain. The slug holds letters only, so no two (slug, index) pairs give the
 * same domain.
 */
export function initialDomain(slug: string, index: number): string {
  return `${slug}${index}${INITIAL_DOMAIN_SUFFIX}`;
}

const bytes = (text: string) => Buffer.from(text, 'latin1');

const ID_OPEN = bytes('{"id":"');
const TENANT_ID = bytes('","companyProfile":{"tenantId":"');
const DOMAIN = bytes('","domain":"');
/** The domain is written as slug bytes, index digits and this suffix: `initialDomain` in pieces. */
const COMPANY_NAME = bytes(`${INITIAL_DOMAIN_SUFFIX}","companyName":`);
const PROFILE_LINK = bytes(',"links":{"self":{"uri":"/customers/');
const PROFILE_TAIL = bytes(
  '/profiles/company","method":"GET","headers":[]}},' +
    '"attributes":{"objectType":"CustomerCompanyProfile"}},"relationshipToPartner":"',
);
const CUSTOMER_LINK = bytes('"links":{"self":{"uri":"/customers/');
const CUSTOMER_TAIL = bytes(
  '","method":"GET","headers":[]}},"attributes":{"objectType":"Customer"}}',
);
const ID_LENGTH = 36;

/**
 * `reseller",` and the like, and `"associatedPartnerId":"...",` per reseller: few distinct values.
 */
const fragments = new Map<string, Buffer>();

function fragment(text: string): Buffer {
  let encoded = fragments.get(text);
  if (!encoded) {
    encoded = bytes(text);
    fragments.set(text, encoded);
  }
  return encoded;
}

/**
 * An upper bound of one customer's bytes: the fixed text, four ids, the longest name and domain.
 */
export const MAX_CUSTOMER_JSON_BYTES = 2048;

function put(buffer: Buffer, offset: number, part: Buffer): number {
  buffer.set(part, offset);
  return offset + part.length;
}

function putAscii(buffer: Buffer, offset: number, text: string): number {
  for (let n = 0; n < text.length; n++) buffer[offset + n] = text.charCodeAt(n);
  return offset + text.length;
}

/** Writes the customer's list shape at `offset`; returns where it ends. */
export function writeCustomerListJson(
  buffer: Buffer,
  offset: number,
  customer: CustomerSummary,
): number {
  let at = put(buffer, offset, ID_OPEN);
  const idAt = at;
  at = putAscii(buffer, at, customer.id);
  at = put(buffer, at, TENANT_ID);
  buffer.copyWithin(at, idAt, idAt + ID_LENGTH);
  at = put(buffer, at + ID_LENGTH, DOMAIN);
  at = put(buffer, at, customer.name.slugBytes);
  at = putAscii(buffer, at, String(customer.index));
  at = put(buffer, at, COMPANY_NAME);
  at = put(buffer, at, customer.name.json);
  at = put(buffer, at, PROFILE_LINK);
  buffer.copyWithin(at, idAt, idAt + ID_LENGTH);
  at = put(buffer, at + ID_LENGTH, PROFILE_TAIL);
  at = put(buffer, at, fragment(`${customer.relationshipToPartner}",`));
  if (customer.associatedPartnerId)
    at = put(buffer, at, fragment(`"associatedPartnerId":"${customer.associatedPartnerId}",`));
  at = put(buffer, at, CUSTOMER_LINK);
  buffer.copyWithin(at, idAt, idAt + ID_LENGTH);
  return put(buffer, at + ID_LENGTH, CUSTOMER_TAIL);
}

/** The same bytes as a string (single customers, `RunningEmulator.customers`, specs). */
export function customerListJson(customer: CustomerSummary): string {
  const buffer = Buffer.allocUnsafe(MAX_CUSTOMER_JSON_BYTES);
  return buffer.toString('utf8', 0, writeCustomerListJson(buffer, 0, customer));
}
