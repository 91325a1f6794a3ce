/**
 * The one request listener: route, count, decide faults, run the handler, add Partner Center's
 * response headers, wait out latency, and send (or break) the reply.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { BadRequestError } from './bad-request.js';
import { controlKeyRefusal } from './control-routes.js';
import { errorReply } from '../partner-center/customer-routes.js';
import type { EmulatorState } from './emulator-state.js';
import type { FaultDecision, ResetPoint } from './fault-injector.js';
import {
  graphErrorReply,
  graphErrors,
  graphHeaders,
  injectedGraphError,
} from '../graph/graph-errors.js';
import { header, jsonReply, type Exchange, type Reply } from './http-exchange.js';
import { peekClaims } from '../entra/jwt.js';
import { blobErrorReply, blobErrors, injectedBlobError } from '../blob/blob-errors.js';
import { sendStreamed } from './streamed-reply.js';
import { pcErrors } from '../partner-center/partner-center-errors.js';
import { Query } from './query.js';
import { matchRoute, routeKey, type Route } from './routes.js';

const UNMATCHED_ROUTE = '(unmatched)';
/** Paths under Graph's version root are answered in Graph's shape even when no route matches. */
const GRAPH_ROOT = '/v1.0/';

function firstValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Partner Center's response headers; its front door adds them to every answer, a 404 too. */
function apiHeaders(state: EmulatorState, req: IncomingMessage): Record<string, string> {
  return {
    'MS-RequestId': firstValue(req, 'ms-requestid') ?? randomUUID(),
    'MS-CorrelationId': firstValue(req, 'ms-correlationid') ?? randomUUID(),
    'MS-CV': `${randomBytes(12).toString('base64')}.0`,
    'MS-ServerId': state.serverId,
  };
}

function tenantKey(exchange: Exchange): string {
  const token = /^Bearer\s+(\S+)/i.exec(header(exchange, 'authorization') ?? '')?.[1];
  const tid = token ? peekClaims(token)?.tid : undefined;
  return typeof tid === 'string' ? tid : 'anonymous';
}

/**
 * Waits, unless the client goes away first (close() ends every socket, so no timer outlives it).
 */
function sleep(ms: number, res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    res.once('close', done);
    function done() {
      clearTimeout(timer);
      res.off('close', done);
      resolve();
    }
  });
}

function breakConnection(socket: Socket | null): void {
  socket?.destroy();
}

function send(
  res: ServerResponse,
  reply: Reply,
  reset: ResetPoint | undefined,
  stallMs?: number,
  truncate?: boolean,
): void {
  if (res.destroyed) return;
  if (reply.stream) {
    void sendStreamed(res, reply.status, reply.headers, reply.stream, {
      reset,
      stallMs,
      truncate,
      sleep: (ms) => sleep(ms, res),
    });
    return;
  }
  if (truncate)
    reply = { ...reply, body: reply.body.subarray(0, Math.floor(reply.body.length / 2)) };
  res.writeHead(reply.status, { ...reply.headers, 'Content-Length': String(reply.body.length) });
  const half = Math.floor(reply.body.length / 2);
  if (stallMs !== undefined && reset === undefined) {
    res.write(reply.body.subarray(0, half));
    void sleep(stallMs, res).then(() => {
      if (!res.destroyed) res.end(reply.body.subarray(half));
    });
  } else if (reset === 'before-body') {
    res.flushHeaders();
    setImmediate(() => breakConnection(res.socket));
  } else if (reset === 'mid-body') {
    res.write(reply.body.subarray(0, half), () => breakConnection(res.socket));
  } else {
    res.end(reply.body);
  }
}

/**
 * A request the emulator's code refused on purpose (BadRequestError) is the client's fault: 400.
 * Anything else thrown is the emulator's own failure: 500, so its bugs never pass for bad input.
 * The Partner Center API answers in Partner Center's error shape; Entra routes and the emulator's
 * own /_emulator/ levers in the OAuth shape (`error`, `error_description`) they have always used.
 */
export function failureReply(route: Route, error: unknown, bom: boolean): Reply {
  const badRequest = error instanceof BadRequestError;
  const message = error instanceof Error ? error.message : String(error);
  if (route.kind === 'api')
    return errorReply(
      badRequest ? pcErrors.invalidProperty(message) : pcErrors.internal(message),
      bom,
    );
  return jsonReply(badRequest ? 400 : 500, {
    error: badRequest ? 'invalid_request' : 'server_error',
    error_description: message,
  });
}

/** A 404 or 405 in the shape of the API the path belongs to. */
function unmatchedReply(
  state: EmulatorState,
  req: IncomingMessage,
  url: URL,
  receivedAt: number,
  allowedMethods: string[],
): Reply {
  if (url.pathname.startsWith(GRAPH_ROOT)) {
    const exchange: Exchange = {
      req,
      url,
      query: new Query(url.searchParams),
      params: {},
      route: UNMATCHED_ROUTE,
      receivedAt,
      requestId: randomUUID(),
    };
    const segment = url.pathname.slice(GRAPH_ROOT.length).split('/').filter(Boolean).pop() ?? '';
    const failure =
      allowedMethods.length > 0
        ? graphErrors.methodNotAllowed(allowedMethods)
        : graphErrors.noSuchSegment(segment);
    const reply = graphErrorReply(exchange, failure);
    reply.headers = { ...reply.headers, ...graphHeaders(exchange) };
    return reply;
  }
  const failure =
    allowedMethods.length > 0
      ? pcErrors.methodNotAllowed(allowedMethods)
      : pcErrors.notFound(url.pathname);
  const reply = errorReply(failure, false);
  reply.headers = { ...reply.headers, ...apiHeaders(state, req) };
  return reply;
}

async function serve(
  state: EmulatorState,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const receivedAt = Date.now();
  const method = req.method ?? 'GET';
  const url = new URL(req.url ?? '/', state.baseUrl);
  const match = matchRoute(method, url.pathname);
  if (!match.route) {
    state.recorder.count(`${method} ${UNMATCHED_ROUTE}`);
    res.once('close', () =>
      state.recorder.record(method, req.url ?? '', UNMATCHED_ROUTE, res.statusCode, req.headers),
    );
    send(res, unmatchedReply(state, req, url, receivedAt, match.allowedMethods), undefined);
    return;
  }
  const { route } = match;
  const key = routeKey(route);
  const exchange: Exchange = {
    req,
    url,
    query: new Query(url.searchParams),
    params: match.params,
    route: key,
    receivedAt,
    requestId: randomUUID(),
  };
  if (route.kind !== 'control') {
    state.recorder.count(key);
    res.once('close', () =>
      state.recorder.record(
        method,
        req.url ?? '',
        key,
        res.headersSent ? res.statusCode : 0,
        req.headers,
      ),
    );
  }
  let tenant: string | undefined;
  const tenantOf = () => (tenant ??= tenantKey(exchange));
  const decision: FaultDecision | undefined = route.faultTarget
    ? state.faults.decide(route.faultTarget, tenantOf, receivedAt)
    : undefined;
  exchange.fault = decision;
  if (decision?.reset === 'before-headers') {
    if (route.kind === 'api' || route.kind === 'graph') state.gateway.count(tenantOf(), 0);
    breakConnection(req.socket);
    return;
  }
  let reply: Reply;
  try {
    reply = decision?.reply
      ? route.kind === 'graph'
        ? graphErrorReply(
            exchange,
            injectedGraphError(decision.reply.status, decision.reply.headers),
          )
        : route.kind === 'blob'
          ? injectedBlobError(decision.reply, exchange.requestId)
          : decision.reply
      : ((route.kind === 'control' ? controlKeyRefusal(state, exchange) : undefined) ??
        (await route.handle(state, exchange)));
  } catch (error) {
    // Graph's handlers answer their own refusals; anything that still escapes is the emulator's bug.
    reply =
      route.kind === 'graph'
        ? graphErrorReply(exchange, graphErrors.internal(String(error)))
        : route.kind === 'blob'
          ? blobErrorReply(blobErrors.injected(500), exchange.requestId)
          : failureReply(route, error, state.settings.bom);
  }
  if (route.kind === 'api') reply.headers = { ...reply.headers, ...apiHeaders(state, req) };
  if (route.kind === 'graph') reply.headers = { ...reply.headers, ...graphHeaders(exchange) };
  // Graph's requests share the fault script's `api` target, so the same limit and counters.
  const serviceApi = route.kind === 'api' || route.kind === 'graph';
  if (serviceApi) state.gateway.count(tenantOf(), reply.status);
  const delayMs = (decision?.delayMs ?? 0) + (serviceApi ? state.settings.apiLatencyMs : 0);
  if (delayMs > 0) await sleep(delayMs, res);
  send(res, reply, decision?.reset, decision?.stallMs, decision?.truncate);
}

export function createRequestListener(
  state: EmulatorState,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    serve(state, req, res).catch((error: unknown) => {
      if (res.headersSent) res.destroy();
      else send(res, errorReply(pcErrors.internal(String(error)), false), undefined);
    });
  };
}
