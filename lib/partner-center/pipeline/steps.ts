/**
 * The order of the client's steps, outermost first (docs/ARCHITECTURE.md, "The client's
 * pipeline"). Each is small and tested alone (spec/partner-center/pipeline.spec.ts):
 *
 * 1. `call-identity`  the service's headers and the call's id, the same on every attempt
 * 2. `answer-errors`  a final non-2xx answer or unrecoverable network failure → a named error
 * 3. `retry`          again when it helps and is safe (reads; writes the service makes idempotent)
 * 4. `decoding`       a 2xx body → the caller's value; a cut JSON body → a retryable failure
 * 5. `authentication` the bearer token, one renewal after a 401 (signed services only)
 * 6. `throttle`       the throttle gate and the adaptive limit on requests in flight
 * 7. `redirects`      3xx followed, HTTPS only, the token kept to the API's origin
 * 8. `trace`          one -Debug line per exchange (only with -Debug)
 * then the transport (transport.ts): one exchange on the client's keep-alive connections.
 */
import type { TokenProvider } from '../client.js';
import type { RequestLimiter } from '../request-limiter.js';
import type { Connections } from '../transport.js';
import { answerErrorsStep } from './answer-errors.js';
import { authenticationStep } from './authentication.js';
import { callIdentityStep } from './call-identity.js';
import { decodingStep } from './decoding.js';
import { traceStep } from './exchange-trace.js';
import {
  composeSteps,
  type PipelineResponse,
  type PipelineStep,
  type SendRequest,
} from './pipeline.js';
import { redirectsStep } from './redirects.js';
import { retryStep } from './retry.js';
import type { StepContext } from './step-context.js';
import { throttleStep } from './throttle.js';

export interface ClientPipeline {
  /** The steps in order (names for docs and specs). */
  readonly steps: readonly PipelineStep[];
  readonly send: SendRequest;
}

export function clientPipeline(
  context: StepContext,
  parts: {
    commonHeaders: Record<string, string>;
    tokens?: TokenProvider;
    limiter: RequestLimiter;
    connections: Connections;
  },
): ClientPipeline {
  const steps: PipelineStep[] = [
    callIdentityStep(context, parts.commonHeaders),
    answerErrorsStep(context),
    retryStep(context),
    decodingStep(context),
  ];
  if (parts.tokens) steps.push(authenticationStep(context, parts.tokens));
  steps.push(throttleStep(parts.limiter), redirectsStep(context));
  if (context.debug) steps.push(traceStep(context.debug));
  return { steps, send: composeSteps(steps, transportOf(parts.connections, context)) };
}

/** The last step: one exchange, its answer in the pipeline's shape. */
export function transportOf(connections: Connections, context: StepContext): SendRequest {
  const timeoutMs = context.retry.requestTimeoutMs;
  return async (request): Promise<PipelineResponse> => {
    const raw = await connections.send({
      method: request.method,
      url: request.url,
      headers: request.headers,
      body: request.body,
      stream: request.stream,
      timeoutMs,
      signal: request.signal,
    });
    // The transport's answer object becomes the pipeline's, without a copy per request.
    const response = raw as PipelineResponse;
    response.url = request.url;
    // Only the authentication step sets it, under this name.
    response.authorized = request.headers.Authorization !== undefined;
    return response;
  };
}
