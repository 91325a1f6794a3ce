/**
 * Step `redirects`: follows 301, 302, 303, 307 and 308 up to five hops, to HTTPS only (plain HTTP
 * only on loopback), and never carries the access token to another host. 303 turns the request
 * into a GET without its body; the others repeat it as it was.
 */
import { ServiceError } from '../../common/errors.js';
import { isLoopbackHost } from '../../net/endpoint-url.js';
import { describeCall } from '../service-errors.js';
import { headerOf, type PipelineRequest, type PipelineStep } from './pipeline.js';
import type { StepContext } from './step-context.js';

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;

export function redirectsStep(context: StepContext): PipelineStep {
  const { root, dialect } = context;
  return {
    name: 'redirects',
    async send(first, next) {
      let request = first;
      for (let hops = 0; ; hops++) {
        const response = await next(request);
        const location = response.headers.location;
        if (!REDIRECT_STATUSES.has(response.status) || !location) return response;
        const target = new URL(location, request.url);
        const described = describeCall(first);
        const hint = `Check ${dialect.endpointParameter}.`;
        if (hops >= MAX_REDIRECTS) {
          throw new ServiceError(`${described} was redirected more than ${MAX_REDIRECTS} times.`, {
            status: response.status,
            hint,
          });
        }
        if (
          target.protocol !== 'https:' &&
          !(target.protocol === 'http:' && isLoopbackHost(target.hostname))
        ) {
          throw new ServiceError(
            `${described} was redirected to an address that is not HTTPS (${target.origin}); ` +
              'it was not followed.',
            { status: response.status, hint },
          );
        }
        const authorized = headerOf(request.headers, 'authorization') !== undefined;
        const leaves = authorized && !root.isSameOrigin(target);
        context.verbose?.(
          `${described} redirected (HTTP ${response.status}) to ` +
            `${target.origin}${target.pathname}` +
            `${leaves ? '; the access token is not sent to another host' : ''}.`,
        );
        request = hop(request, target, response.status, leaves);
      }
    },
  };
}

function hop(
  request: PipelineRequest,
  url: URL,
  status: number,
  dropToken: boolean,
): PipelineRequest {
  const headers = { ...request.headers };
  if (dropToken)
    for (const name of Object.keys(headers))
      if (name.toLowerCase() === 'authorization') delete headers[name];
  if (status !== 303) return { ...request, url, headers };
  for (const name of Object.keys(headers))
    if (name.toLowerCase() === 'content-type') delete headers[name];
  return { ...request, url, headers, method: 'GET', body: undefined };
}
