/**
 * What differs between the services the emulator plays (Partner Center, Microsoft Graph, Entra ID,
 * the emulator's own control levers), said once per service: who may call it, the headers on every
 * answer, the shape of its refusals, and whether it sits behind the gateway. The request handler
 * reads these and never asks which service a route belongs to; a new service (a blob store, a
 * billing API) is one more descriptor and its routes.
 */
import type { JwtClaims } from '../entra/jwt.js';
import type { EmulatorState } from './emulator-state.js';
import type { Exchange, Reply } from './http-exchange.js';

/** Who made a request, as the service's authentication found it. */
export interface Caller {
  /** The verified token's claims (empty for a service that takes no token). */
  readonly claims: JwtClaims;
  /** An App+User token (a user signed in), not app-only. */
  readonly delegated: boolean;
}

/** The caller of a service that takes no token (Entra's own endpoints, the control levers). */
export const ANONYMOUS: Caller = Object.freeze({ claims: Object.freeze({}), delegated: false });

export type Authentication = { ok: true; caller: Caller } | { ok: false; reply: Reply };

export const ANONYMOUS_OK: Authentication = Object.freeze({ ok: true, caller: ANONYMOUS });

/** A service's refusals of one request, each in its error body. */
export interface ServiceErrors {
  /** The request is wrong (a BadRequestError, a body that is not JSON): 400. */
  badRequest(message: string): Reply;
  /** The body is not the JSON the route takes (unparseable, not an object): 400. */
  malformedBody(detail: string): Reply;
  /** The body is larger than the service takes: 413. */
  tooLarge(limitBytes: number): Reply;
  /** The emulator's own failure (a bug): 500, never blamed on the request. */
  internal(message: string): Reply;
  /** No resource at this path: 404 (Graph: 400 naming the segment, as Graph answers). */
  notFound(pathname: string): Reply;
  /** A known path asked with another method: 405 with `Allow` (RFC 9110 §15.5.6). */
  methodNotAllowed(allowed: readonly string[]): Reply;
}

export interface Service {
  /** For messages and traces. */
  readonly name: string;
  /**
   * Behind the gateway: each answer counts toward the partner tenant's rate limit and waits the
   * configured API latency.
   */
  readonly gateway: boolean;
  /** Counted and kept in the recent requests (the control levers are not, so tests see clean counts). */
  readonly recorded: boolean;
  /**
   * The request header that makes a write idempotent (Partner Center's `MS-RequestId`): a repeat
   * of a write with the same value gets the first answer and changes nothing (change-store.ts).
   */
  readonly idempotencyHeader?: string;
  /** Paths under this root belong to the service even when no route matches them. */
  readonly root?: string;
  /** The caller, or the refusal (401, 403) in the service's shape. */
  authenticate(state: EmulatorState, exchange: Exchange): Authentication;
  /** Headers the service puts on every answer, a refusal too; undefined when there are none. */
  headers?(state: EmulatorState, exchange: Exchange): Record<string, string>;
  errors(exchange: Exchange, bom: boolean): ServiceErrors;
  /** A failure the fault script chose (status, Retry-After), reshaped into the service's body. */
  injected?(exchange: Exchange, reply: Reply): Reply;
}
