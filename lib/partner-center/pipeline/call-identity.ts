/**
 * Step `call-identity`: the service's headers of every request (Partner Center's MS-CorrelationId
 * of the run, X-Locale, the application's name) and the call's id in the service's header
 * (MS-RequestId, client-request-id), set once above the retry step so every attempt carries the
 * same id, as the idempotency of Partner Center's writes requires.
 */
import type { PipelineStep } from './pipeline.js';
import type { StepContext } from './step-context.js';

export function callIdentityStep(
  context: StepContext,
  commonHeaders: Record<string, string>,
): PipelineStep {
  const idHeader = context.dialect.callIdHeader;
  return {
    name: 'call-identity',
    send(request, next) {
      // Object.assign, not `{ ...a, ...b, [name]: id }`: on Node 20 a spread that adds properties
      // costs microseconds (docs/ARCHITECTURE.md, "Stack facts"), and every request passes here.
      const headers: Record<string, string> = Object.assign({}, commonHeaders, request.headers);
      headers[idHeader] = request.requestId;
      request.headers = headers;
      return next(request);
    },
  };
}
