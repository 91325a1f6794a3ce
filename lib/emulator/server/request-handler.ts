/**
 * The one request listener: route, count, decide faults, authenticate, run the handler, add the
 * service's headers, wait out latency, and send (or break) the reply. What differs by service is
 * the service's descriptor (service.ts), never a branch here.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { BadRequestError, BodyTooLargeError, MalformedBodyError } from './bad-request.js';
import type { EmulatorState } from './emulator-state.js';
import type { FaultDecision, ResetPoint } from './fault-injector.js';
import { header, jsonReply, type Exchange, type Reply } from './http-exchange.js';
import { peekClaims } from '../entra/jwt.js';
import { Query } from './query.js';
import { matchRoute, routeKey } from './routes.js';
import { sendStreamed } from './streamed-reply.js';
import type { Service } from './service.js';

const UNMATCHED_ROUTE = '(unmatched)';

/**
 * The last token's tenant: a client sends the same token with request after request, and reading
 * its claims again each time (base64, JSON) was a visible share of a page's CPU. A pure function of
 * the header, so one entry is enough and never stale.
 */
let lastAuthorization: string | undefined;
let lastTenant = 'anonymous';

function tenantKey(exchange: Exchange): string {
  const authorization = header(exchange, 'authorization') ?? '';
  if (authorization === lastAuthorization) return lastTenant;
  const token = /^Bearer\s+(\S+)/i.exec(authorization)?.[1];
  const tid = token ? peekClaims(token)?.tid : undefined;
  lastAuthorization = authorization;
  lastTenant = typeof tid === 'string' ? tid : 'anonymous';
  return lastTenant;
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
  // Object.assign, not `{ ...headers, name: value }`: the spread costs microseconds on Node 20
  // (docs/ARCHITECTURE.md, "Stack facts"), and every answer passes here.
  const headers: Record<string, string> = Object.assign({}, reply.headers);
  headers['Content-Length'] = String(reply.body.length);
  res.writeHead(reply.status, headers);
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
 * A request the emulator's code refused on purpose (BadRequestError) is the client's fault: 400
 * (413 for a body over the limit). Anything else thrown is the emulator's own failure: 500, so its
 * bugs never pass for bad input. Each in the error body of the route's service.
 */
export function failureReply(
  service: Service,
  exchange: Exchange,
  error: unknown,
  bom: boolean,
): Reply {
  const errors = service.errors(exchange, bom);
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof BodyTooLargeError) return errors.tooLarge(error.limitBytes);
  if (error instanceof MalformedBodyError) return errors.malformedBody(message);
  return error instanceof BadRequestError ? errors.badRequest(message) : errors.internal(message);
}

/** The service's headers added to a reply (a new object: error replies may be shared). */
function withServiceHeaders(
  service: Service,
  state: EmulatorState,
  exchange: Exchange,
  reply: Reply,
): Reply {
  if (!service.headers) return reply;
  reply.headers = Object.assign({}, reply.headers, service.headers(state, exchange));
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
  const key = match.route ? routeKey(match.route) : UNMATCHED_ROUTE;
  const exchange: Exchange = {
    req,
    url,
    query: new Query(url.searchParams),
    params: match.route ? match.params : {},
    route: key,
    receivedAt,
    requestId: randomUUID(),
  };
  if (!match.route) {
    state.recorder.count(`${method} ${UNMATCHED_ROUTE}`);
    res.once('close', () =>
      state.recorder.record(method, req.url ?? '', UNMATCHED_ROUTE, res.statusCode, req.headers),
    );
    const { service, allowedMethods } = match;
    const errors = service.errors(exchange, false);
    const reply =
      allowedMethods.length > 0
        ? errors.methodNotAllowed(allowedMethods)
        : errors.notFound(url.pathname);
    send(res, withServiceHeaders(service, state, exchange, reply), undefined);
    return;
  }
  const { route } = match;
  const { service } = route;
  if (service.recorded) {
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
    if (service.gateway) state.gateway.count(tenantOf(), 0);
    breakConnection(req.socket);
    return;
  }
  let reply: Reply;
  try {
    if (decision?.reply) {
      reply = service.injected ? service.injected(exchange, decision.reply) : decision.reply;
    } else {
      const authentication = service.authenticate(state, exchange);
      if (!authentication.ok) reply = authentication.reply;
      else {
        const { caller } = authentication;
        const requestId =
          service.idempotencyHeader && method !== 'GET' && method !== 'HEAD'
            ? header(exchange, service.idempotencyHeader)
            : undefined;
        reply = requestId
          ? await state.store.once(requestId, async () => route.handle(state, exchange, caller))
          : await route.handle(state, exchange, caller);
      }
    }
  } catch (error) {
    reply = failureReply(service, exchange, error, state.settings.bom);
  }
  withServiceHeaders(service, state, exchange, reply);
  if (service.gateway) state.gateway.count(tenantOf(), reply.status);
  if (decision?.dropAfterServing) {
    // Served and recorded (a write applied, its answer kept for a repeat): the client sees none.
    breakConnection(req.socket);
    return;
  }
  const delayMs = (decision?.delayMs ?? 0) + (service.gateway ? state.settings.apiLatencyMs : 0);
  if (delayMs > 0) await sleep(delayMs, res);
  send(res, reply, decision?.reset, decision?.stallMs, decision?.truncate);
}

export function createRequestListener(
  state: EmulatorState,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    serve(state, req, res).catch((error: unknown) => {
      if (res.headersSent) res.destroy();
      else
        send(
          res,
          jsonReply(500, { error: 'server_error', error_description: String(error) }),
          undefined,
        );
    });
  };
}
