/**
 * Which API holds an invoice's billed line items, kept once for the module and its emulator
 * (docs/billing.md, "Which API holds which month", has the line and its sources): Partner Center's
 * v1 line-item pages for billing periods starting before 1 February 2024, Microsoft Graph's v2
 * reconciliation exports from then on.
 */

/** The first day (UTC, yyyy-mm-dd) of the first billing period whose line items only v2 serves. */
export const V2_LINE_ITEMS_FROM = '2024-02-01';

/** The same day as a time in ms (UTC midnight), for code that counts months in numbers. */
export const V2_LINE_ITEMS_FROM_MS = Date.parse(`${V2_LINE_ITEMS_FROM}T00:00:00Z`);

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/**
 * The same day as people read it in help and messages ("1 February 2024"). Not through
 * toLocaleDateString: the first Intl date format in a process loads ICU's calendar data (about
 * 25 ms of CPU), which every process loading this module (the emulator's too) paid at start.
 */
export const V2_LINE_ITEMS_FROM_TEXT = ((day: Date) =>
  `${day.getUTCDate()} ${MONTHS[day.getUTCMonth()]} ${day.getUTCFullYear()}`)(
  new Date(V2_LINE_ITEMS_FROM_MS),
);

export type LineItemsApi = 'v1' | 'v2';

/**
 * The API of an invoice's billed line items, from its `billingPeriodStartDate` (an ISO 8601 date
 * or time as the service writes it, e.g. `2024-01-01T00:00:00Z`). Only the calendar day counts:
 * the service writes period starts at midnight, and a day read through a time zone could move
 * across the line. Undefined for a value that is not such a date (the caller says what it got).
 */
export function lineItemsApiFor(billingPeriodStartDate: unknown): LineItemsApi | undefined {
  if (typeof billingPeriodStartDate !== 'string') return undefined;
  const day = /^(\d{4}-\d{2}-\d{2})(?:$|T)/.exec(billingPeriodStartDate.trim())?.[1];
  if (day === undefined || Number.isNaN(Date.parse(`${day}T00:00:00Z`))) return undefined;
  // yyyy-mm-dd strings order as their days do.
  return day < V2_LINE_ITEMS_FROM ? 'v1' : 'v2';
}
