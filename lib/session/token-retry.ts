/**
 * The token endpoint retried where a retry is harmless, under the same policy and budget as the
 * API's requests (-MaxRetry, PARTNERCENTER_MAX_RETRY_WAIT, the backoff of retry-policy.ts): a
 * connection reset before or during the answer, no answer in time, 408, 429 (after its
 * Retry-After) and 5xx. Asking for a token again changes nothing at the authority (a rotated
 * refresh token stays redeemable, as Entra ID keeps the old one valid), so one dropped answer
 * costs a retry, not the run. When the retries run out, the failure says it was the network or
 * the authority, not the sign-in parameters.
 */
import { type Clock, systemClock } from '../common/clock.js';
import { ServiceError } from '../common/errors.js';
import {
  resolveRetryOptions,
  retryDelayMs,
  type RetryOptions,
} from '../partner-center/retry-policy.js';
import { formatSeconds } from '../partner-center/transport.js';
import type { TransientTokenFailure } from './token-exchange-watch.js';

/** How persistent a sign-in is; the run's retry settings when it renews a context's token. */
export interface TokenRetrySettings {
  /** The run's retry options (retry-settings.ts); the client's defaults when absent. */
  retry?: RetryOptions;
  /** What the waits between attempts sleep on. */
  clock?: Clock;
  /** -Verbose: one line per retry. */
  verbose?: (line: string) => void;
  /** Stops the waits (the run was stopped). */
  signal?: AbortSignal;
}

/** One attempt's failure that another attempt may cure. */
export class TransientTokenError extends Error {
  constructor(
    readonly failure: TransientTokenFailure,
    options?: { cause?: unknown },
  ) {
    super(`${failure.url}: ${failure.problem}`, options);
    this.name = 'TransientTokenError';
  }
}

/**
 * Runs `attempt` (given the time one exchange may take) until it succeeds, fails for good, or the
 * retry budget ends. Only a TransientTokenError is retried.
 */
export async function withTokenRetries<T>(
  attempt: (requestTimeoutMs: number) => Promise<T>,
  settings: TokenRetrySettings = {},
): Promise<T> {
  const retry = resolveRetryOptions(settings.retry);
  const clock = settings.clock ?? systemClock;
  let failures = 0;
  let waitedMs = 0;
  for (;;) {
    try {
      return await attempt(retry.requestTimeoutMs);
    } catch (error) {
      if (!(error instanceof TransientTokenError) || settings.signal?.aborted) throw error;
      failures++;
      const { failure } = error;
      if (failures >= retry.maxAttempts) throw retriesExhausted(failure, failures, '', error);
      const delay = retryDelayMs(failures, failure.retryAfterMs, retry);
      if (waitedMs + delay > retry.maxTotalWaitMs) {
        throw retriesExhausted(
          failure,
          failures,
          ` and ${formatSeconds(waitedMs)} of waiting (the limit is ` +
            `${formatSeconds(retry.maxTotalWaitMs)})`,
          error,
        );
      }
      settings.verbose?.(
        `${endpointName(failure.url)} ${failure.url} failed (${failure.problem}): retrying in ` +
          `${formatSeconds(delay)}, attempt ${failures + 1} of ${retry.maxAttempts}.`,
      );
      await clock.sleep(delay, settings.signal);
      waitedMs += delay;
    }
  }
}

/** "The token endpoint" for the token request; the authority for its discovery documents. */
function endpointName(url: string): string {
  return /\/token$/.test(url) ? 'The token endpoint' : 'The authority';
}

/**
 * A service failure (exit 5), not a refused sign-in: the parameters may be right, and the same
 * command later may well succeed. Every later pipeline object would fail the same way, so it ends
 * the run.
 */
function retriesExhausted(
  failure: TransientTokenFailure,
  attempts: number,
  waiting: string,
  cause: unknown,
): ServiceError {
  const where = endpointName(failure.url).toLowerCase();
  const what =
    failure.status === undefined
      ? `could not reach ${where} ${failure.url}: ${failure.problem}`
      : `${where} ${failure.url} answered ${failure.problem}`;
  const times = attempts === 1 ? '1 attempt' : `${attempts} attempts`;
  return new ServiceError(`Sign-in failed: ${what} (${times}${waiting}).`, {
    status: failure.status,
    endsRun: true,
    hint:
      'The network or Entra ID failed, not the sign-in parameters: run the command again ' +
      'later, or allow more retries with -MaxRetry (-Verbose shows each one).',
    cause,
  });
}
