/**
 * How persistent a run is with a failing service: `-MaxRetry` (or PARTNERCENTER_MAX_RETRY, or the
 * context's saved `maxRetry`), a ceiling on the total time one call may spend waiting, and two
 * tuning knobs (per-request timeout, first backoff step) that tests and unusual networks need.
 * Everything here becomes the client's RetryOptions; nothing else reads these variables.
 */
import { UsageError } from '../common/errors.js';
import type { RetryOptions } from '../partner-center/retry-policy.js';

export const MAX_RETRY_LIMIT = 20;

/** Variables read here, documented in the README's tuning section. */
export const RETRY_ENVIRONMENT = {
  maxTotalWaitSeconds: 'PARTNERCENTER_MAX_RETRY_WAIT',
  requestTimeoutMs: 'PARTNERCENTER_REQUEST_TIMEOUT_MS',
  baseDelayMs: 'PARTNERCENTER_RETRY_BASE_DELAY_MS',
} as const;

export interface SavedRetrySettings {
  /** Retries per request saved with a context. */
  maxRetry?: number;
  /** Total wait per request, in seconds, saved with a context. */
  maxRetryWaitSeconds?: number;
}

/**
 * `maxRetry` is the bound -MaxRetry (the binder already fell back to PARTNERCENTER_MAX_RETRY and
 * checked the range); the saved context setting applies when neither was given.
 */
export function retryOptionsFor(
  maxRetry: number | undefined,
  saved: SavedRetrySettings,
  env: NodeJS.ProcessEnv,
): RetryOptions {
  const retries = maxRetry ?? validSaved(saved.maxRetry, 0, MAX_RETRY_LIMIT);
  const waitSeconds =
    numberFromEnv(env, RETRY_ENVIRONMENT.maxTotalWaitSeconds, 0, 86_400) ??
    validSaved(saved.maxRetryWaitSeconds, 0, 86_400);
  return {
    maxAttempts: retries === undefined ? undefined : retries + 1,
    maxTotalWaitMs: waitSeconds === undefined ? undefined : waitSeconds * 1000,
    requestTimeoutMs: numberFromEnv(env, RETRY_ENVIRONMENT.requestTimeoutMs, 1, 3_600_000),
    baseDelayMs: numberFromEnv(env, RETRY_ENVIRONMENT.baseDelayMs, 0, 600_000),
  };
}

function numberFromEnv(
  env: NodeJS.ProcessEnv,
  variable: string,
  low: number,
  high: number,
): number | undefined {
  const text = env[variable]?.trim();
  if (!text) return undefined;
  const value = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || value < low || value > high) {
    throw new UsageError(
      `Environment variable ${variable} is ${JSON.stringify(text.slice(0, 40))}, ` +
        `which is not a number from ${low} to ${high}.`,
      {
        hint: `Set ${variable} to a number from ${low} to ${high}, or unset it.`,
      },
    );
  }
  return value;
}

/**
 * A hand-edited context with a nonsense value falls back to the default rather than failing every
 * command.
 */
function validSaved(value: unknown, low: number, high: number): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= low && value <= high
    ? value
    : undefined;
}
