/**
 * Step `retry`: sends the call again when that can help and is safe, waiting between attempts.
 * Helps: 408, 429, 500, 502, 503, 504, a reset or timed-out connection, a body cut short
 * (retry-policy.ts). Safe: a read always; a write only when the service applies it once per call
 * id (the dialect's `idempotentWrites`: Partner Center's MS-RequestId, which the call-identity
 * step keeps the same on every attempt). Any other write is sent again only after a 429, which
 * says it was refused before it was acted on; after a failure that leaves its outcome unknown
 * the call ends with an error saying so, never with a second send. Waits honour Retry-After;
 * the budget is attempts and total waiting.
 */
import { ServiceError } from '../../common/errors.js';
import { abortReason, throwIfAborted } from '../abortable.js';
import { isRetryableStatus, parseRetryAfter, retryDelayMs } from '../retry-policy.js';
import {
  describeAnswer,
  describeCall,
  retriesExhaustedError,
  type ServiceFault,
} from '../service-errors.js';
import { formatSeconds, TransportError } from '../transport.js';
import type { PipelineRequest, PipelineStep } from './pipeline.js';
import { callOf, type StepContext } from './step-context.js';

/** Why an attempt is worth repeating. */
interface TransientFailure {
  problem: string;
  status?: number;
  fault?: ServiceFault;
  retryAfterMs?: number;
}

export function retryStep(context: StepContext): PipelineStep {
  const { dialect, clock, retry } = context;
  return {
    name: 'retry',
    async send(request, next) {
      const { signal } = request;
      let failures = 0;
      let waitedMs = 0;
      for (;;) {
        throwIfAborted(signal);
        request.attempt++;
        let failure: TransientFailure;
        try {
          const response = await next(request);
          const { status } = response;
          if (!isRetryableStatus(status) || (!request.repeatable && status !== 429))
            return response;
          const fault = dialect.readFault(response);
          failure = {
            problem: describeAnswer(status, fault, response.statusMessage),
            status,
            fault,
            retryAfterMs: parseRetryAfter(response.headers['retry-after'], clock.now()),
          };
        } catch (error) {
          if (signal?.aborted) throw abortReason(signal);
          if (!(error instanceof TransportError) || !error.retryable) throw error;
          if (!request.repeatable) throw outcomeUnknown(context, request, error);
          failure = { problem: error.message };
        }
        failures++;
        const sends = request.attempt;
        const exhausted = (reason: string) =>
          retriesExhaustedError(
            { ...callOf(request, context), status: failure.status },
            sends,
            failure.problem,
            failure.fault,
            reason,
            dialect.wording,
          );
        if (failures >= retry.maxAttempts) throw exhausted('');
        const delay = retryDelayMs(failures, failure.retryAfterMs, retry);
        if (waitedMs + delay > retry.maxTotalWaitMs) {
          throw exhausted(
            ` and ${formatSeconds(waitedMs)} of waiting (the next wait, ${formatSeconds(delay)}, ` +
              `would pass the limit of ${formatSeconds(retry.maxTotalWaitMs)})`,
          );
        }
        const attempt = `attempt ${failures + 1} of ${retry.maxAttempts}`;
        const asked =
          failure.retryAfterMs === undefined
            ? ''
            : ` (Retry-After ${formatSeconds(failure.retryAfterMs)})`;
        context.verbose?.(
          failure.status === 429
            ? `Throttled (${failure.problem}) on ${describeCall(request)}: ` +
                `waiting ${formatSeconds(delay)}${asked} before ${attempt}.`
            : `${describeCall(request)} failed (${failure.problem}): ` +
                `retrying in ${formatSeconds(delay)}, ${attempt}.`,
        );
        await clock.sleep(delay, signal);
        waitedMs += delay;
      }
    },
  };
}

/** A write that may or may not have been applied, and that the service does not make safe to repeat. */
function outcomeUnknown(
  context: StepContext,
  request: PipelineRequest,
  error: TransportError,
): ServiceError {
  const service = context.dialect.wording.service;
  return new ServiceError(
    `${describeCall(request)} may or may not have reached ${service} (${error.message}); it was ` +
      'not sent again, because repeating it could apply it twice.',
    {
      reason: 'outcome unknown',
      requestId: request.requestId,
      correlationId: context.correlationId,
      hint:
        'Check with a read whether it took effect before repeating it. ' +
        context.dialect.wording.supportHint(callOf(request, context), undefined),
      cause: error,
    },
  );
}
