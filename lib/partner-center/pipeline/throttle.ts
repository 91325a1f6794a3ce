/**
 * Step `throttle`: every request of the client passes one throttle gate (closed by a 429's
 * Retry-After for all callers) and one adaptive limit on requests in flight (request-limiter.ts).
 * It holds the request, not the call: a retry or a renewal queues again.
 */
import type { RequestLimiter } from '../request-limiter.js';
import type { PipelineStep } from './pipeline.js';

export function throttleStep(limiter: RequestLimiter): PipelineStep {
  return {
    name: 'throttle',
    send: (request, next) => limiter.run(() => next(request), request.signal),
  };
}
