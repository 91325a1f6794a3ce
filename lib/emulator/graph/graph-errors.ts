/**
 * Microsoft Graph's error body, `{"error":{"code","message","innerError":{"date","request-id",
 * "client-request-id"}}}`, and the request ids Graph puts on every answer (`request-id`, and
 * `client-request-id` echoed, or the request id when the client sent none); docs/graph-gdap.md,
 * "Errors" and "Request ids".
 */
import { GRAPH_APP_ID } from '../entra/access-tokens.js';
import { header, jsonReply, type Exchange, type Reply } from '../server/http-exchange.js';

export interface GraphError {
  status: number;
  code: string;
  message: string;
  headers?: Record<string, string>;
}

function error(
  status: number,
  code: string,
  message: string,
  headers?: Record<string, string>,
): GraphError {
  return { status, code, message, headers };
}

export const graphErrors = {
  invalidToken: (why: string) =>
    error(401, 'InvalidAuthenticationToken', `Access token validation failure: ${why}.`, {
      'WWW-Authenticate': `Bearer realm="", client_id="${GRAPH_APP_ID}"`,
    }),
  forbidden: (why: string) =>
    error(
      403,
      'Authorization_RequestDenied',
      `Insufficient privileges to complete the operation: ${why}.`,
    ),
  badRequest: (message: string) => error(400, 'BadRequest', message),
  /** A query option Graph cannot answer, such as a property it cannot sort by. */
  unsupportedQuery: (message: string) => error(400, 'Request_UnsupportedQuery', message),
  notFound: (what: string) =>
    error(404, 'Request_ResourceNotFound', `Resource '${what}' does not exist.`),
  /** Graph answers a path it has no resource for with a 400 naming the segment. */
  noSuchSegment: (segment: string) =>
    error(400, 'BadRequest', `Resource not found for the segment '${segment}'.`),
  methodNotAllowed: (allowed: readonly string[]) =>
    error(405, 'Request_BadRequest', 'The requested resource does not support this HTTP method.', {
      Allow: allowed.join(', '),
    }),
  /** Graph's words for a body it cannot read as JSON. */
  unreadablePayload: () =>
    error(
      400,
      'BadRequest',
      'Unable to read JSON request payload. ' +
        'Please ensure Content-Type header is set and payload is of valid JSON format.',
    ),
  tooLarge: (limitBytes: number) =>
    error(413, 'RequestEntityTooLarge', `The request body is larger than ${limitBytes} bytes.`),
  /** The emulator's own failure (a bug): never blamed on the request. */
  internal: (detail: string) => error(500, 'InternalServerError', `Internal error: ${detail}`),
} as const;

/** The code Graph uses for an HTTP status, for failures the fault script injects. */
function codeOfStatus(status: number): string {
  if (status === 429) return 'TooManyRequests';
  if (status === 503) return 'ServiceNotAvailable';
  if (status === 504) return 'GatewayTimeout';
  if (status === 401) return 'InvalidAuthenticationToken';
  if (status === 403) return 'Authorization_RequestDenied';
  if (status === 404) return 'Request_ResourceNotFound';
  return status >= 500 ? 'InternalServerError' : 'BadRequest';
}

/** A failure the fault script chose, in Graph's shape, keeping its headers (Retry-After). */
export function injectedGraphError(status: number, headers: Record<string, string>): GraphError {
  const retryAfter = headers['Retry-After'];
  const message =
    status === 429
      ? `Too many requests. Retry after ${retryAfter ?? 1} seconds.`
      : `Injected failure (HTTP ${status}).`;
  const kept: Record<string, string> =
    retryAfter === undefined ? {} : { 'Retry-After': retryAfter };
  return error(status, codeOfStatus(status), message, kept);
}

/** Graph's date in `innerError`: UTC, seconds, no zone letter. */
function innerErrorDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}

/** The ids Graph puts on an answer: its own request id, and the client's echoed (or the same). */
export function graphRequestIds(exchange: Exchange): {
  requestId: string;
  clientRequestId: string;
} {
  return {
    requestId: exchange.requestId,
    clientRequestId: header(exchange, 'client-request-id') ?? exchange.requestId,
  };
}

export function graphHeaders(exchange: Exchange): Record<string, string> {
  const ids = graphRequestIds(exchange);
  return { 'request-id': ids.requestId, 'client-request-id': ids.clientRequestId };
}

export function graphErrorReply(exchange: Exchange, failure: GraphError): Reply {
  const ids = graphRequestIds(exchange);
  return jsonReply(
    failure.status,
    {
      error: {
        code: failure.code,
        message: failure.message,
        innerError: {
          date: innerErrorDate(exchange.receivedAt),
          'request-id': ids.requestId,
          'client-request-id': ids.clientRequestId,
        },
      },
    },
    { headers: failure.headers },
  );
}
