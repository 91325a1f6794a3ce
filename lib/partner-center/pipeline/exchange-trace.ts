/**
 * Step `trace` (only with -Debug): one line per HTTP exchange, redirects and repeats included, with
 * its outcome and time, credentials redacted (trace.ts writes the line). Left out of the pipeline
 * when nobody reads it, so a listing without -Debug pays nothing for it. `performance` is the
 * global one: Node loads it on first use (about 1.5 ms of CPU), so a run without -Debug does not,
 * whereas importing node:perf_hooks here loaded it for every command that builds a client.
 */
import { traceLine } from '../trace.js';
import { TransportError } from '../transport.js';
import type { PipelineStep } from './pipeline.js';

export function traceStep(debug: (line: string) => void): PipelineStep {
  return {
    name: 'trace',
    async send(request, next) {
      const started = performance.now();
      const entry = {
        method: request.method,
        url: request.url,
        attempt: request.attempt,
        requestHeaders: request.headers,
      };
      try {
        const response = await next(request);
        debug(
          traceLine({
            ...entry,
            outcome: response.status,
            elapsedMs: performance.now() - started,
            responseHeaders: response.headers,
          }),
        );
        return response;
      } catch (error) {
        const outcome = error instanceof TransportError ? error.code : 'aborted';
        debug(traceLine({ ...entry, outcome, elapsedMs: performance.now() - started }));
        throw error;
      }
    },
  };
}
