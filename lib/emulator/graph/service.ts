/**
 * Microsoft Graph as a service (docs/graph-gdap.md, "Errors" and "Request ids"): an access token
 * whose audience is Graph, `request-id`, `client-request-id` and `OData-Version` on every answer,
 * the `{"error":{"code","message","innerError"}}` body on every refusal, a path under `/v1.0/`
 * that names no resource answered as Graph does, and the same gateway (rate limit, latency) as
 * Partner Center. Which permission a route needs is the route's business (graph-routes.ts).
 */
import { GRAPH_API } from '../entra/access-tokens.js';
import { header } from '../server/http-exchange.js';
import type { Service } from '../server/service.js';
import { graphErrorReply, graphErrors, graphHeaders, injectedGraphError } from './graph-errors.js';

const GRAPH_ROOT = '/v1.0/';
/** Every answer of an OData service names its protocol version (OData 4.01 Part 1, §8.1.5). */
const ODATA_VERSION = '4.0';

export const graphService: Service = {
  name: 'Microsoft Graph',
  gateway: true,
  recorded: true,
  root: GRAPH_ROOT,
  authenticate(state, exchange) {
    const check = state.accessTokens.checkToken(
      header(exchange, 'authorization'),
      exchange.receivedAt,
      GRAPH_API,
    );
    if (check.ok) return { ok: true, caller: check };
    return { ok: false, reply: graphErrorReply(exchange, graphErrors.invalidToken(check.reason)) };
  },
  headers: (_state, exchange) => ({ ...graphHeaders(exchange), 'OData-Version': ODATA_VERSION }),
  errors: (exchange) => ({
    badRequest: (message) => graphErrorReply(exchange, graphErrors.badRequest(message)),
    malformedBody: () => graphErrorReply(exchange, graphErrors.unreadablePayload()),
    tooLarge: (limit) => graphErrorReply(exchange, graphErrors.tooLarge(limit)),
    internal: (message) => graphErrorReply(exchange, graphErrors.internal(message)),
    notFound: (pathname) => {
      const segment = pathname.slice(GRAPH_ROOT.length).split('/').filter(Boolean).pop() ?? '';
      return graphErrorReply(exchange, graphErrors.noSuchSegment(segment));
    },
    methodNotAllowed: (allowed) => graphErrorReply(exchange, graphErrors.methodNotAllowed(allowed)),
  }),
  injected: (exchange, reply) =>
    graphErrorReply(exchange, injectedGraphError(reply.status, reply.headers)),
};
