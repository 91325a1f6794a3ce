/**
 * Following a long-running operation to its end, the two ways the services run one:
 *
 * - **202 Accepted with `Location`** (Partner Center's subscription PATCH when it takes longer than
 *   expected): GET the Location, after the answer's `Retry-After`, until it answers 200 with the
 *   resource; each 202 on the way may name a new Location and Retry-After.
 * - **An operation resource with a status** (Graph's billing exports: the POST answers 202 with
 *   the operation's URL, which always answers 200 with `status` `notStarted`/`running`, then
 *   `succeeded` with the manifest's link or `failed` with an `error`): GET it until its status
 *   ends; `statusOf` reads the status (GRAPH_OPERATION_STATUS for Graph's).
 *
 * Waits honour Retry-After (or back off from one second to thirty when there is none), are cut
 * short by the AbortSignal, and end with a clear error past `timeoutMs`. A 429 or 5xx on a poll is
 * the pipeline's retry step's (a poll is a GET). `onProgress` is told before each wait.
 */
import { ServiceError } from '../common/errors.js';
import { untrustedLine } from '../common/text.js';
import { throwIfAborted } from './abortable.js';
import type { ExchangeAnswer, HttpClient } from './client.js';
import { formatSeconds } from './transport.js';

/** Where an operation stands, as its status resource says. */
export type OperationState =
  | { state: 'running'; status: string }
  | { state: 'succeeded'; status: string }
  | { state: 'failed'; status: string; code?: string; message?: string };

export interface OperationProgress {
  /** GETs of the operation so far. */
  polls: number;
  /** Time since the operation was accepted (the clock's). */
  elapsedMs: number;
  /** The last status read (`202` when the service only said "accepted"). */
  status: string;
  /** The wait that starts now. */
  nextPollMs: number;
}

export interface FollowOptions {
  signal?: AbortSignal;
  onProgress?: (progress: OperationProgress) => void;
  /**
   * Reads the status of a 200 answer; without it a 200 ends the operation (its body is the
   * result).
   */
  statusOf?: (body: unknown) => OperationState;
  /** Give up after this long, counted from the start. Default 30 minutes. */
  timeoutMs?: number;
  /** The first wait when an answer has no Retry-After (then doubling up to 30 s). Default 1 s. */
  intervalMs?: number;
  /** What the operation is, for messages: `the billed reconciliation export`. */
  what?: string;
}

const MAX_INTERVAL_MS = 30_000;
const DEFAULT_TIMEOUT_MS = 30 * 60_000;

/** Graph's billing operations: notStarted/running, succeeded (documented also as completed), failed. */
export function GRAPH_OPERATION_STATUS(body: unknown): OperationState {
  const record = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const status = typeof record.status === 'string' ? record.status : 'unknown';
  switch (status.toLowerCase()) {
    case 'succeeded':
    case 'completed':
      return { state: 'succeeded', status };
    case 'failed': {
      const error = (record.error ?? {}) as Record<string, unknown>;
      const text = (value: unknown) =>
        typeof value === 'string' || typeof value === 'number'
          ? untrustedLine(String(value), 300)
          : undefined;
      return { state: 'failed', status, code: text(error.code), message: text(error.message) };
    }
    default:
      // notStarted, running, and any value added later: keep waiting (bounded by timeoutMs).
      return { state: 'running', status };
  }
}

/**
 * Follows `accepted` (the answer that started the operation, or a first read of an operation
 * resource) to its end, and returns the final answer: the resource, or the succeeded operation.
 * An answer that is already final (200 without a running status) is returned as it is.
 */
export async function followOperation<T>(
  client: HttpClient,
  accepted: ExchangeAnswer<unknown>,
  options: FollowOptions = {},
): Promise<ExchangeAnswer<T>> {
  const { signal, statusOf } = options;
  const what = options.what ?? 'the operation';
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const started = client.clock.now();
  let interval = options.intervalMs ?? 1000;
  let answer = accepted;
  let target = accepted.location;
  for (let polls = 0; ; polls++) {
    let status = String(answer.status);
    if (answer.status !== 202) {
      if (!statusOf) return answer as ExchangeAnswer<T>;
      const state = statusOf(answer.value);
      if (state.state === 'succeeded') return answer as ExchangeAnswer<T>;
      if (state.state === 'failed') {
        throw new ServiceError(
          `${client.serviceName} reports that ${what} failed` +
            `${state.message ? `: ${state.message.replace(/[.\s]+$/, '')}` : ''}` +
            `${state.code ? ` (code ${state.code})` : ''}.`,
          {
            reason: `${what} failed`,
            serviceCode: state.code,
            requestId: answer.requestId,
            hint: 'Start it again later; if it keeps failing, the data may not be available yet.',
          },
        );
      }
      status = state.status;
    }
    if (!target) {
      throw new ServiceError(
        `${client.serviceName} accepted ${what} (HTTP ${answer.status}) without saying where to ` +
          'follow it (no Location).',
        { requestId: answer.requestId, hint: 'Report this with the -Debug output.' },
      );
    }
    const elapsedMs = client.clock.now() - started;
    const wait = answer.retryAfterMs ?? interval;
    if (answer.retryAfterMs === undefined) interval = Math.min(MAX_INTERVAL_MS, interval * 2);
    if (elapsedMs + wait > timeoutMs) {
      throw new ServiceError(
        `${what} was still ${status} after ${formatSeconds(elapsedMs)} (${polls} ` +
          `check${polls === 1 ? '' : 's'}); waiting was given up at ${formatSeconds(timeoutMs)}.`,
        {
          reason: `${what} did not end in time`,
          requestId: answer.requestId,
          hint: `It may still end: check later at ${target.origin}${target.pathname}.`,
        },
      );
    }
    options.onProgress?.({ polls, elapsedMs, status, nextPollMs: wait });
    await client.clock.sleep(wait, signal);
    throwIfAborted(signal);
    answer = await client.exchange<unknown>(target, { signal });
    // A 202 may move the operation; a 200 is the resource (or the operation) itself.
    if (answer.status === 202 && answer.location) target = answer.location;
  }
}
