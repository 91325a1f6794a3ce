/**
 * New commerce's cancellation window (docs/partner-center-api.md, "Changing a subscription"):
 * seats can be reduced, and a subscription cancelled, only within 7 days of its purchase or
 * renewal; seats added mid-term can be reduced within 7 days of their addition. A subscription
 * shows its window as `cancellationAllowedUntilDate` and what may still be given back as
 * `refundableQuantity` ({totalQuantity, details: [{quantity, allowedUntilDateTime}]}).
 *
 * The seed shows the window of each subscription's current term (customer-subscriptions.ts). The
 * seeded data lives on a fixed day (DATA_ANCHOR_MS) so that a seed gives the same bytes every day;
 * a write is judged at the same time of day on that day (`dataNow`), so a subscription seeded
 * inside its window stays inside it whenever the emulator runs, and one seeded outside stays out.
 */
import { DATA_ANCHOR_MS, isoDate, startOfDay } from './customer-context.js';

/** "within 7 days of purchase or renewal" (change-the-quantity-of-a-subscription). */
export const CANCELLATION_WINDOW_HOURS = 168;
export const CANCELLATION_WINDOW_MS = CANCELLATION_WINDOW_HOURS * 3_600_000;

export interface RefundableBatch {
  readonly quantity: number;
  readonly allowedUntilDateTime: string;
}

export interface RefundableQuantity {
  readonly totalQuantity: number;
  readonly details: readonly RefundableBatch[];
}

/** The instant on the data's day that a request received at `receivedAt` stands for. */
export function dataNow(receivedAt: number): number {
  return DATA_ANCHOR_MS + (receivedAt - startOfDay(receivedAt));
}

function batch(quantity: number, allowedUntilMs: number): RefundableBatch {
  return { quantity, allowedUntilDateTime: isoDate(allowedUntilMs) };
}

function refundable(details: readonly RefundableBatch[]): RefundableQuantity {
  return {
    totalQuantity: details.reduce((sum, each) => sum + each.quantity, 0),
    details,
  };
}

/** What may still be given back at `nowMs`: batches whose time has passed are gone. */
export function refundableAt(shown: unknown, nowMs: number): RefundableQuantity {
  const details = isRefundable(shown) ? shown.details : [];
  return refundable(details.filter((each) => Date.parse(each.allowedUntilDateTime) > nowMs));
}

function isRefundable(value: unknown): value is RefundableQuantity {
  return (
    typeof value === 'object' &&
    value !== null &&
    Array.isArray((value as RefundableQuantity).details)
  );
}

/**
 * The refundable seats after a change of quantity at `nowMs`: an increase is a new batch
 * refundable for 7 days; a decrease gives back the newest seats first (the caller has checked
 * that it does not exceed what is refundable).
 */
export function refundableAfter(
  shown: unknown,
  before: number,
  after: number,
  nowMs: number,
): RefundableQuantity {
  const current = refundableAt(shown, nowMs).details;
  if (after > before)
    return refundable([...current, batch(after - before, nowMs + CANCELLATION_WINDOW_MS)]);
  let toGiveBack = before - after;
  const kept: RefundableBatch[] = [];
  for (const each of [...current].reverse()) {
    const given = Math.min(each.quantity, toGiveBack);
    toGiveBack -= given;
    if (each.quantity > given) kept.unshift({ ...each, quantity: each.quantity - given });
  }
  return refundable(kept);
}

/** Whether a new-commerce subscription may still be cancelled at `nowMs`. */
export function cancellable(json: Readonly<Record<string, unknown>>, nowMs: number): boolean {
  const until = Date.parse(String(json.cancellationAllowedUntilDate));
  return Number.isFinite(until) && nowMs <= until;
}
