/**
 * Step `decoding`: a 2xx body read whole becomes the caller's value (JSON, or a page with its
 * items kept as bytes). Below the retry step, because a JSON body cut short where only the
 * connection's close marks its end is a failure worth repeating, not an answer. An empty 202 or
 * 204 (an operation accepted, a change with nothing to return) decodes to nothing.
 */
import { ServiceError } from '../../common/errors.js';
import { describeCall } from '../service-errors.js';
import { TransportError } from '../transport.js';
import type { PipelineStep } from './pipeline.js';
import type { StepContext } from './step-context.js';

export function decodingStep(context: StepContext): PipelineStep {
  const { dialect } = context;
  return {
    name: 'decoding',
    async send(request, next) {
      const response = await next(request);
      const { decode } = request;
      if (!decode || response.stream || response.status < 200 || response.status >= 300)
        return response;
      if (response.body.length === 0 && (response.status === 202 || response.status === 204))
        return response;
      const parsed = decode(response.body);
      if (parsed.ok) {
        response.value = parsed.value;
        return response;
      }
      if (response.closeDelimited)
        throw new TransportError(
          'a JSON body cut off when the connection closed',
          'ETRUNCATED',
          true,
        );
      throw new ServiceError(
        `${dialect.wording.service} answered ${describeCall(request)} with a body that is not JSON.`,
        {
          status: response.status,
          requestId: request.requestId,
          correlationId: context.correlationId,
          hint: `Check ${dialect.endpointParameter}; -Debug shows the exchange.`,
        },
      );
    },
  };
}
