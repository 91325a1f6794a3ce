/**
 * Step `answer-errors`: what the steps below hand back as final becomes the module's named error,
 * in the service's words (its dialect): an answer other than 2xx (404 → NotFoundError, 403 →
 * AuthenticationError for this object only, ...), or a network failure that no retry can cure
 * (refused connection, untrusted certificate). Above the retry step, so only what retrying did
 * not change gets here.
 */
import { isCertificateErrorCode } from '../../common/certificate-errors.js';
import { ServiceError } from '../../common/errors.js';
import { abortReason } from '../abortable.js';
import { describeCall, errorForAnswer } from '../service-errors.js';
import { TransportError } from '../transport.js';
import type { PipelineResponse, PipelineStep } from './pipeline.js';
import { callOf, type StepContext } from './step-context.js';

export function answerErrorsStep(context: StepContext): PipelineStep {
  const { dialect } = context;
  return {
    name: 'answer-errors',
    async send(request, next) {
      let response: PipelineResponse;
      try {
        response = await next(request);
      } catch (error) {
        if (request.signal?.aborted) throw abortReason(request.signal);
        if (error instanceof TransportError)
          throw unreachable(context, request.method, request.url, request.requestId, error);
        throw error;
      }
      if (response.status >= 200 && response.status < 300) return response;
      throw errorForAnswer(
        {
          ...callOf(request, context),
          status: response.status,
          statusMessage: response.statusMessage,
        },
        dialect.readFault(response),
        dialect.wording,
      );
    },
  };
}

function unreachable(
  context: StepContext,
  method: string,
  url: URL,
  requestId: string,
  error: TransportError,
): ServiceError {
  const parameter = context.dialect.endpointParameter;
  const hint = isCertificateErrorCode(error.code)
    ? 'For the emulator or a private endpoint, pass its CA certificate ' +
      '(-CaCertificatePath); certificate checks cannot be turned off.'
    : `Check ${parameter}, the network, and that the service (or emulator) is running.`;
  return new ServiceError(
    `Could not complete ${describeCall({ method, url })} at ${url.origin}: ${error.message}.`,
    { requestId, correlationId: context.correlationId, hint, cause: error },
  );
}
