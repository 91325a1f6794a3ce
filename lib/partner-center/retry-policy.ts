/**
 * One retry policy for every call (issue 5). Throttling (429) waits what the gateway asks for
 * in Retry-After; transient failures back off exponentially with jitter so many clients do not
 * retry in step. Both are bounded by attempts and by total time spent waiting.
 */
import { withoutUndefined } from '../common/objects.js';

export interface RetryOptions {
  /** Sends per call, the first included (a 401 renewal's repeat is not counted). Default 6. */
  maxAttempts?: number;
  /** Total time one call may spend waiting between attempts. Default 5 minutes. */
  maxTotalWaitMs?: number;
  /** Time one attempt may take, from sending to the last byte of the body. Default 100 s. */
  requestTimeoutMs?: number;
  /** First backoff step; later steps double it. Default 500 ms. */
  baseDelayMs?: number;
  /** Ceiling of one backoff step. Default 30 s. */
  maxDelayMs?: number;
}

export type ResolvedRetryOptions = Required<RetryOptions>;

export const DEFAULT_RETRY: ResolvedRetryOptions = {
  maxAttempts: 6,
  maxTotalWaitMs: 5 * 60_000,
  requestTimeoutMs: 100_000,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
};

export function resolveRetryOptions(options: RetryOptions | undefined): ResolvedRetryOptions {
  const merged = { ...DEFAULT_RETRY, ...withoutUndefined(options ?? {}) };
  return { ...merged, maxAttempts: Math.max(1, Math.floor(merged.maxAttempts)) };
}

/**
 * Statuses worth sending again; 400, 401, 403, 404, 409 and the rest are answers, not accidents.
 */
const RETRYABLE_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUSES.has(status);
}

/**
 * Delay before the retry that follows failed attempt number `attempt` (1-based): "equal jitter",
 * half of the exponential step fixed and half random. A Retry-After is honoured in full, with a
 * little jitter on top so throttled clients do not come back in the same millisecond.
 */
export function retryDelayMs(
  attempt: number,
  retryAfterMs: number | undefined,
  options: ResolvedRetryOptions,
  random: () => number = Math.random,
): number {
  const step = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
  const backoff = Math.round(step / 2 + (random() * step) / 2);
  if (retryAfterMs === undefined) return backoff;
  return Math.max(backoff, retryAfterMs + Math.round(random() * options.baseDelayMs));
}

/**
 * Retry-After in delta-seconds or as an HTTP date, in ms from `now`; undefined when absent or
 * unreadable.
 */
export function parseRetryAfter(
  value: string | string[] | undefined,
  now: number = Date.now(),
): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
