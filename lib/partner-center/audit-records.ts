/**
 * The partner's activity log, `GET /v1/auditrecords` (docs/partner-center-api.md, "Audit
 * records"): a seek-paged collection over a window of days, optionally filtered by one of the
 * service's documented fields. The service keeps the previous 90 days and answers an older start
 * with a 400; the window is checked here first, so a wrong date costs no request and is named in
 * the user's terms.
 */
import { UsageError } from '../common/errors.js';
import type { SeekCollection } from './collections.js';
import type { ResourceAttributes } from './types.js';

/** One entry of the activity log, exactly as Partner Center returns it. */
export interface AuditRecord {
  id?: string;
  partnerId?: string;
  /** The customer the change concerned (a GUID). */
  customerId?: string;
  customerName?: string;
  /** Who made the change; absent or null for an application acting alone. */
  userPrincipalName?: string | null;
  /** The Entra application the change came through. */
  applicationId?: string;
  /** What changed: `subscription`, `order`, `customer`, `customer_user`, ... */
  resourceType?: string;
  /** The resource before the change, as JSON text (PascalCase names); null when it was created. */
  resourceOldValue?: string | null;
  /** The resource after the change, as JSON text (PascalCase names). */
  resourceNewValue?: string | null;
  /** What was done, snake_case: `update_subscription`, `create_order`, ... */
  operationType?: string;
  /** When, in UTC (ISO 8601). */
  operationDate?: string;
  /** `succeeded`, `failed`, `progress`. */
  operationStatus?: string;
  /** The MS-CorrelationId of the request that made the change. */
  originalCorrelationId?: string;
  sessionId?: string;
  /** More about the change as key/value pairs (e.g. `SubscriptionId`). */
  customizedData?: { key: string; value: string }[];
  attributes?: ResourceAttributes;
  [property: string]: unknown;
}

/** The service keeps the previous 90 days of activity; an older start date is refused. */
export const AUDIT_WINDOW_DAYS = 90;
/** Without -StartDate the listing starts 30 days back, as the service does. */
export const DEFAULT_START_DAYS = 30;
/** What the documentation's examples send; no maximum is published. */
export const MAX_PAGE_SIZE = 500;

export const AUDIT_RECORD = {
  item: 'AuditRecord',
  one: 'audit record',
  many: 'audit records',
} as const;

/** The service's filter fields and the operator each takes (documented: one filter a request). */
export const AUDIT_FILTER_OPERATORS = {
  CompanyName: 'substring',
  CustomerId: 'equals',
  ResourceType: 'equals',
} as const;

/** The resource types the documentation lists for audit records (the ResourceType filter). */
export const AUDIT_RESOURCE_TYPES = [
  'customer',
  'customer_user',
  'order',
  'subscription',
  'license',
  'third_party_add_on',
  'mpn_association',
  'transfer',
  'application',
  'application_credential',
  'partner_user',
  'partner_relationship',
  'partner_customer_dap',
  'customer_directory_role',
  'referral',
  'software_key',
  'software_download_link',
  'spending_limit',
  'invoice',
  'agreement',
  'partner_customer_relationship',
  'self_serve_policy',
  'granular_admin_relationship',
  'granular_admin_access_assignment',
  'credit',
  'software_page',
  'device',
  'policy',
] as const;

export type AuditFilterField = keyof typeof AUDIT_FILTER_OPERATORS;

export interface AuditFilter {
  field: AuditFilterField;
  value: string;
}

/** A window of whole days, both given as `yyyy-mm-dd` and both inclusive. */
export interface AuditWindow {
  startDate: string;
  endDate: string;
}

const DAY_MS = 86_400_000;
const dayText = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The start of a `yyyy-mm-dd` day in UTC, or undefined for text that is no such day. */
function dayOf(text: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return undefined;
  const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return dayText(ms) === text ? ms : undefined;
}

/**
 * The window a listing asks for, defaults filled in (start: 30 days back; end: today), or a usage
 * error naming what is wrong and what is allowed: a day that does not exist, a start more than 90
 * days back (the service keeps no more), an end before the start.
 */
export function auditWindow(
  given: { startDate?: string; endDate?: string },
  nowMs: number,
): AuditWindow {
  const today = Math.floor(nowMs / DAY_MS) * DAY_MS;
  const earliest = today - AUDIT_WINDOW_DAYS * DAY_MS;
  const day = (name: string, text: string): number => {
    const ms = dayOf(text);
    if (ms === undefined)
      throw new UsageError(`-${name} '${text}' is not a date.`, {
        hint: 'Give a day as yyyy-mm-dd (UTC), e.g. 2026-11-30.',
      });
    return ms;
  };
  const start =
    given.startDate === undefined
      ? today - DEFAULT_START_DAYS * DAY_MS
      : day('StartDate', given.startDate);
  if (start < earliest)
    throw new UsageError(
      `-StartDate ${dayText(start)} is more than ${AUDIT_WINDOW_DAYS} days ago: Partner Center ` +
        `keeps the activity log for the previous ${AUDIT_WINDOW_DAYS} days only.`,
      { hint: `Give -StartDate ${dayText(earliest)} or later.` },
    );
  const end = given.endDate === undefined ? today : day('EndDate', given.endDate);
  if (end < start)
    throw new UsageError(`-EndDate ${dayText(end)} is before -StartDate ${dayText(start)}.`, {
      hint: 'Give an end date on or after the start date.',
    });
  return { startDate: dayText(start), endDate: dayText(end) };
}

/** The activity log over a window, with at most one of the service's filters. */
export function auditRecordsCollection(window: AuditWindow, filter?: AuditFilter): SeekCollection {
  const query: [string, string][] = [
    ['startDate', window.startDate],
    ['endDate', window.endDate],
  ];
  if (filter) {
    // The service takes the filter as URL-encoded JSON (documented: "must be an encoded string").
    const json = JSON.stringify({
      Field: filter.field,
      Value: filter.value,
      Operator: AUDIT_FILTER_OPERATORS[filter.field],
    });
    query.push(['filter', encodeURIComponent(json)]);
  }
  return {
    noun: AUDIT_RECORD,
    paging: 'seek',
    path: '/auditrecords',
    query,
    maxPageSize: MAX_PAGE_SIZE,
  };
}
