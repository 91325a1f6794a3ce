/**
 * The `filter` query of `GET /v1/customers`:
 * `{"Field":"CompanyName","Value":"cont","Operator":"starts_with"}`. Keys and enum values are read
 * case-insensitively, as the service's .NET JSON reader does; anything else (another operator or
 * field, bad JSON, an empty value) is a 400 with Partner Center's body.
 */
import { isGuid } from '../../common/guid.js';
import { initialDomain } from './customer-json.js';
import type { SearchFields } from './dataset.js';

export type FilterField =
  | 'CompanyName'
  | 'Domain'
  | 'IndirectReseller'
  | 'IndirectCloudSolutionProvider';

export interface CustomerFilter {
  field: FilterField;
  /** Lower-cased, so matching ignores case. */
  value: string;
}

export type FilterParseResult =
  | { ok: true; filter: CustomerFilter }
  | { ok: false; reason: string };

/** CustomerSearchField of the .NET and Java SDKs. */
const FIELDS: readonly FilterField[] = [
  'CompanyName',
  'Domain',
  'IndirectReseller',
  'IndirectCloudSolutionProvider',
];
/** The fields whose value is a partner's tenant id rather than a prefix. */
const TENANT_FIELDS: readonly FilterField[] = ['IndirectReseller', 'IndirectCloudSolutionProvider'];

/** A key of a filter object, matched ignoring case as the service's JSON reader does. */
export function readFilterProperty(object: Record<string, unknown>, name: string): unknown {
  const key = Object.keys(object).find(
    (candidate) => candidate.toLowerCase() === name.toLowerCase(),
  );
  return key === undefined ? undefined : object[key];
}

/** A `filter` query value as the JSON object it must be, or why it is not one. */
export function parseFilterObject(
  text: string,
): { ok: true; object: Record<string, unknown> } | { ok: false; reason: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'filter is not valid JSON' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return { ok: false, reason: 'filter must be a JSON object' };
  return { ok: true, object: parsed as Record<string, unknown> };
}

export function parseCustomerFilter(text: string): FilterParseResult {
  const read = parseFilterObject(text);
  if (!read.ok) return read;
  const { object } = read;
  const field = readFilterProperty(object, 'Field');
  const value = readFilterProperty(object, 'Value');
  const operator = readFilterProperty(object, 'Operator');
  const knownField =
    typeof field === 'string'
      ? FIELDS.find((candidate) => candidate.toLowerCase() === field.toLowerCase())
      : undefined;
  if (!knownField) return { ok: false, reason: `filter Field must be one of ${FIELDS.join(', ')}` };
  if (typeof operator !== 'string' || operator.toLowerCase() !== 'starts_with')
    return { ok: false, reason: 'filter Operator must be starts_with' };
  if (typeof value !== 'string' || value.length === 0)
    return { ok: false, reason: 'filter Value must be a non-empty string' };
  const lowered = value.toLowerCase();
  if (TENANT_FIELDS.includes(knownField) && !isGuid(lowered))
    return {
      ok: false,
      reason: `filter Value of ${knownField} must be a partner tenant id (a GUID)`,
    };
  return { ok: true, filter: { field: knownField, value: lowered } };
}

/**
 * Checked for every customer a filtered page scans past, so it builds no string unless it must.
 * The emulated partner is the indirect provider of every customer an indirect reseller serves, so
 * `IndirectCloudSolutionProvider` with its own tenant id finds those customers.
 */
export function matchesFilter(
  customer: SearchFields,
  filter: CustomerFilter,
  partnerTenantId: string,
): boolean {
  const { value } = filter;
  switch (filter.field) {
    case 'CompanyName':
      return customer.name.lowerShown.startsWith(value);
    case 'Domain': {
      const { slug } = customer.name;
      if (value.length <= slug.length) return slug.startsWith(value);
      return value.startsWith(slug) && initialDomain(slug, customer.index).startsWith(value);
    }
    case 'IndirectReseller':
      return customer.associatedPartnerId === value;
    case 'IndirectCloudSolutionProvider':
      return customer.associatedPartnerId !== undefined && value === partnerTenantId;
  }
}
