/** What the steps of one client share: its service, its run's ids and streams, time and budget. */
import type { Clock } from '../../common/clock.js';
import type { ServiceDialect } from '../api-dialect.js';
import type { ApiRoot } from '../api-url.js';
import type { ResolvedRetryOptions } from '../retry-policy.js';
import type { PipelineRequest } from './pipeline.js';

export interface StepContext {
  readonly dialect: ServiceDialect;
  readonly root: ApiRoot;
  /** MS-CorrelationId of the run, quoted in errors. */
  readonly correlationId: string;
  /** -Verbose: retries, waits, renewals, redirects. */
  readonly verbose?: (line: string) => void;
  /** -Debug: one line per HTTP exchange. */
  readonly debug?: (line: string) => void;
  readonly clock: Clock;
  readonly retry: ResolvedRetryOptions;
}

/** The call as errors and messages name it. */
export function callOf(request: PipelineRequest, context: StepContext) {
  return {
    method: request.method,
    url: request.url,
    requestId: request.requestId,
    correlationId: context.correlationId,
    continuationToken: request.continuationToken,
  };
}
