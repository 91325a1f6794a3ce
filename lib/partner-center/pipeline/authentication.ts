/**
 * Step `authentication`: the session's bearer token on every request to the API's own origin,
 * and one renewal when the service refuses it (401): the request is sent again with a new token,
 * which is harmless for a write too, since a refused request was not acted on. A second refusal
 * is renewed only when it is of another token (a concurrent caller renewed just before the
 * service revoked them all); a token refused twice means the service will not take this
 * sign-in's tokens, and the 401 goes up as the answer.
 */
import type { TokenProvider } from '../client.js';
import type { PipelineStep } from './pipeline.js';
import type { StepContext } from './step-context.js';
import { describeCall } from '../service-errors.js';

/** Renewals one call may ask for after 401s (each of a token not refused before). */
const MAX_RENEWALS_PER_CALL = 2;

export function authenticationStep(context: StepContext, tokens: TokenProvider): PipelineStep {
  const { root, dialect } = context;
  return {
    name: 'authentication',
    async send(request, next) {
      // The token goes only to the API's own origin (the redirect step keeps it there too).
      if (!root.isSameOrigin(request.url)) return next(request);
      const refusedTokens = new Set<string>();
      let refused: string | undefined;
      for (;;) {
        const { signal } = request;
        const token = await tokens.getToken(
          refused === undefined ? { signal } : { forceRefresh: true, refused, signal },
        );
        // A copy per attempt (a renewal sends another token); Object.assign, since on Node 20 a
        // spread that adds properties costs microseconds (docs/ARCHITECTURE.md, "Stack facts").
        const headers: Record<string, string> = Object.assign({}, request.headers);
        headers.Authorization = `Bearer ${token}`;
        const response = await next(Object.assign({}, request, { headers }));
        if (
          response.status !== 401 ||
          !response.authorized ||
          refusedTokens.has(token) ||
          refusedTokens.size >= MAX_RENEWALS_PER_CALL
        )
          return response;
        refusedTokens.add(token);
        refused = token;
        request.attempt++;
        context.verbose?.(
          `${dialect.wording.service} refused the access token (HTTP 401) for ` +
            `${describeCall(request)}: renewing it and repeating the call.`,
        );
      }
    },
  };
}
