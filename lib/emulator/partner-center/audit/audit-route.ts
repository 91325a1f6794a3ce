/**
 * `GET /v1/auditrecords?startDate=&endDate=&size=&filter=`: the activity log, seek-paged by the
 * shared protocol (paged-collection.ts: `links.next` with the MS-ContinuationToken header,
 * `seekOperation=Next`). What is particular to the log (docs/partner-center-api.md, "Audit
 * records"):
 * - `startDate` and `endDate` are days (`yyyy-mm-dd`; a date-time is read as its day), both
 *   inclusive; without `startDate` the log starts 30 days before today, without `endDate` it ends
 *   today. A start more than 90 days before today, an end before the start, or a date that is no
 *   date is a 400 in Partner Center's body, before anything is read;
 * - the filter is one of the documented three: `CompanyName` (`substring`), `CustomerId` and
 *   `ResourceType` (`equals`); the case of the value is ignored;
 * - a continuation token belongs to its window (its scope), so it cannot page another.
 */
import { isGuid } from '../../../common/guid.js';
import type { EmulatorState } from '../../server/emulator-state.js';
import type { Exchange, Reply } from '../../server/http-exchange.js';
import type { ListingCursor } from '../continuation-tokens.js';
import { DAY_MS, startOfDay } from '../customer-context.js';
import { parseFilterObject, readFilterProperty } from '../customer-filter.js';
import {
  errorReply,
  queryParam,
  seekPageReply,
  type ApiCaller,
  type FilterParse,
  type SeekCollection,
} from '../paged-collection.js';
import { pcErrors, type PartnerCenterError } from '../partner-center-errors.js';
import type { CachedPage } from '../page-cache.js';
import { recordAt, recordCount, recordTimeAt, type AuditRecordJson } from './audit-records.js';

/** The service keeps the previous 90 days of activity. */
export const AUDIT_WINDOW_DAYS = 90;
/** Without a startDate, the log starts this many days before today (the documented default). */
const DEFAULT_START_DAYS = 30;
/** `size=500` is what the documentation's examples send; the service states no maximum. */
const MAX_PAGE_SIZE = 500;

type AuditFilterField = 'CompanyName' | 'CustomerId' | 'ResourceType';

interface AuditFilter {
  field: AuditFilterField;
  /** Lower-cased (ResourceType: without underscores), so matching ignores case. */
  value: string;
}

/** The operator each documented field takes. */
const OPERATORS: Readonly<Record<AuditFilterField, string>> = {
  CompanyName: 'substring',
  CustomerId: 'equals',
  ResourceType: 'equals',
};

/** `customer_user`, `CustomerUser` and `customeruser` name the same resource type. */
const resourceTypeKey = (value: string) => value.toLowerCase().replace(/_/g, '');

function parseAuditFilter(text: string): FilterParse<AuditFilter> {
  const parsed = parseFilterObject(text);
  if (!parsed.ok) return parsed;
  const fieldText = String(readFilterProperty(parsed.object, 'Field') ?? '');
  const field = (Object.keys(OPERATORS) as AuditFilterField[]).find(
    (candidate) => candidate.toLowerCase() === fieldText.toLowerCase(),
  );
  if (!field)
    return {
      ok: false,
      reason: `the filter's Field must be CompanyName, CustomerId or ResourceType; got '${fieldText}'`,
    };
  const operator = String(readFilterProperty(parsed.object, 'Operator') ?? '');
  if (operator.toLowerCase() !== OPERATORS[field])
    return {
      ok: false,
      reason: `the ${field} filter takes the Operator '${OPERATORS[field]}'; got '${operator}'`,
    };
  const value = readFilterProperty(parsed.object, 'Value');
  if (typeof value !== 'string' || value === '')
    return { ok: false, reason: `the ${field} filter needs a Value` };
  if (field === 'CustomerId' && !isGuid(value))
    return { ok: false, reason: `the CustomerId filter's Value must be a GUID; got '${value}'` };
  return {
    ok: true,
    filter: {
      field,
      value: field === 'ResourceType' ? resourceTypeKey(value) : value.toLowerCase(),
    },
  };
}

function matches(record: AuditRecordJson, filter: AuditFilter | null): boolean {
  if (!filter) return true;
  switch (filter.field) {
    case 'CompanyName':
      return record.customerName.toLowerCase().includes(filter.value);
    case 'CustomerId':
      return record.customerId.toLowerCase() === filter.value;
    case 'ResourceType':
      return resourceTypeKey(record.resourceType) === filter.value;
  }
}

/** The days a request asks for: [start, end) in milliseconds, and the days as it named them. */
interface AuditWindow {
  start: number;
  end: number;
  startDay: string;
  endDay: string;
}

const dayText = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** A `yyyy-mm-dd` day (or a date-time, read as its day) at its start, or undefined. */
function dayOf(text: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(
    text.trim(),
  );
  if (!match) return undefined;
  const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  // Date.UTC rolls 2026-02-30 over into March: only a real day reads back the same.
  return dayText(ms) === `${match[1]}-${match[2]}-${match[3]}` ? ms : undefined;
}

function windowOf(state: EmulatorState, exchange: Exchange): AuditWindow | PartnerCenterError {
  const today = startOfDay(state.now);
  const startText = queryParam(exchange, 'startDate');
  const endText = queryParam(exchange, 'endDate');
  const start = startText === null ? today - DEFAULT_START_DAYS * DAY_MS : dayOf(startText);
  if (start === undefined)
    return pcErrors.invalidProperty(`startDate must be a date (yyyy-mm-dd); got '${startText}'`);
  const earliest = today - AUDIT_WINDOW_DAYS * DAY_MS;
  if (start < earliest)
    return pcErrors.invalidProperty(
      `startDate ${dayText(start)} is more than ${AUDIT_WINDOW_DAYS} days before today: ` +
        `the activity log keeps the previous ${AUDIT_WINDOW_DAYS} days (from ${dayText(earliest)})`,
    );
  const end = endText === null || endText === '' ? today : dayOf(endText);
  if (end === undefined)
    return pcErrors.invalidProperty(`endDate must be a date (yyyy-mm-dd); got '${endText}'`);
  if (end < start)
    return pcErrors.invalidProperty(
      `endDate ${dayText(end)} is before startDate ${dayText(start)}`,
    );
  return { start, end: end + DAY_MS, startDay: dayText(start), endDay: dayText(end) };
}

/**
 * Collects one page from the cursor, looking one match ahead so the last page has no next link.
 */
function pageOf(
  state: EmulatorState,
  window: AuditWindow,
  cursor: ListingCursor<AuditFilter>,
): CachedPage {
  const items: string[] = [];
  const count = recordCount(state);
  for (let position = cursor.offset; position < count; position++) {
    const at = recordTimeAt(state, position);
    if (at < window.start || at >= window.end) continue;
    const record = recordAt(state, position);
    if (!matches(record, cursor.filter)) continue;
    if (items.length === cursor.size)
      return {
        items: Buffer.from(items.join(','), 'utf8'),
        count: items.length,
        nextOffset: position,
      };
    items.push(JSON.stringify(record));
  }
  return { items: Buffer.from(items.join(','), 'utf8'), count: items.length };
}

function filterJson(filter: AuditFilter): string {
  return JSON.stringify({
    Field: filter.field,
    Value: filter.value,
    Operator: OPERATORS[filter.field],
  });
}

function auditCollection(state: EmulatorState, window: AuditWindow): SeekCollection<AuditFilter> {
  return {
    // A token pages the window it was issued for, and no other.
    scope: `auditrecords:${window.startDay}:${window.endDay}`,
    defaultPageSize: MAX_PAGE_SIZE,
    maxPageSize: MAX_PAGE_SIZE,
    growing: true,
    parseFilter: parseAuditFilter,
    filterKey: filterJson,
    page: (cursor) => pageOf(state, window, cursor),
    uri: (size, filter, next) =>
      `/auditrecords?size=${size}&startDate=${window.startDay}` +
      `&endDate=${window.endDay}` +
      `${filter ? `&filter=${encodeURIComponent(filterJson(filter))}` : ''}` +
      `${next ? '&seekOperation=Next' : ''}`,
  };
}

export function listAuditRecords(
  state: EmulatorState,
  exchange: Exchange,
  caller: ApiCaller,
): Reply {
  const window = windowOf(state, exchange);
  if ('status' in window) return errorReply(window, state.settings.bom);
  return seekPageReply(state, exchange, caller, auditCollection(state, window));
}
