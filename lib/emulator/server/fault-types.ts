/**
 * The fault-injection script: deterministic (faults fire on request numbers, not at random) and
 * settable at start (`EmulatorOptions.faults`), from a test (`RunningEmulator.setFaults`) or over
 * HTTP (`POST /_emulator/faults` with this JSON). Requests are counted per target from the moment
 * the script is set; control routes under `/_emulator/` are never counted nor faulted.
 */

/**
 * Which requests a rule counts and hits: the Partner Center API (Microsoft Graph's routes
 * included), the Entra token endpoints, or any. Three narrower targets pick out the billing
 * exports' steps, each also counted as `api` where it is one: `export` (the POSTs that start an
 * export), `operation` (the polls of an export's operation) and `blob` (the blob store's
 * downloads, which are not `api`: the store is another service).
 */
export type FaultTarget = 'api' | 'token' | 'export' | 'operation' | 'blob' | 'any';

export type FaultAction =
  /**
   * Answer with this status instead of serving (a Partner Center error body; 429 gets the gateway's
   * body and Retry-After).
   */
  | { type: 'status'; status: number; retryAfterSeconds?: number }
  /** The gateway's 429 with `Retry-After` (default 1 s) and `{statusCode, message}`. */
  | { type: 'throttle'; retryAfterSeconds?: number }
  /** Break the connection: before any byte, after the headers, or half-way through the body. */
  | { type: 'reset'; when: 'before-headers' | 'before-body' | 'mid-body' }
  /**
   * Serve the request in full (a write is applied, and its answer kept under its MS-RequestId),
   * then break the connection before any byte of the answer: the timeout after which a client
   * cannot know whether its write happened, and only a retry with the same MS-RequestId finds out.
   */
  | { type: 'apply-then-drop' }
  /** Hold the response this long (past a client's timeout, say), then send it. */
  | { type: 'delay'; ms: number }
  /**
   * Send the headers and half the body, then hold the rest this long: an answer that stalls
   * half-way, which only a timeout over the whole answer (not just its headers) notices.
   */
  | { type: 'stall'; ms: number }
  /**
   * Every access token issued so far stops working; this request then proceeds (and gets 401 if it
   * carried one).
   */
  | { type: 'expire-tokens' }
  /** Every refresh token issued so far is revoked. */
  | { type: 'revoke-refresh-tokens' }
  /** Every continuation token issued so far is refused with a 400. */
  | { type: 'invalidate-continuation-tokens' }
  /**
   * The answer's body is cut to its first half and sent as if whole (Content-Length says the
   * half): on a blob, a truncated gzip file that gunzip reports as ending early.
   */
  | { type: 'truncate' }
  /** Every blob SAS issued so far is answered as expired (403 AuthenticationFailed). */
  | { type: 'expire-sas' }
  /**
   * How the export this request starts behaves (target `export`): it stays `running` for ever;
   * it `failed` (default code 5000, "No data available"); or it is `slow`, running for `seconds`
   * and for its first `polls` polls.
   */
  | {
      type: 'export';
      outcome: 'running' | 'failed' | 'slow';
      seconds?: number;
      polls?: number;
      code?: string;
      message?: string;
    };

export interface FaultRule {
  /** Default `api`. */
  target?: FaultTarget;
  /** Fire on the n-th counted request (1-based). */
  at?: number;
  /** Fire on every counted request after the first k. */
  after?: number;
  /** Fire on every n-th counted request (n, 2n, ...). */
  every?: number;
  /** Fire at most this many times (default: once for `at`, unlimited otherwise). */
  times?: number;
  action: FaultAction;
}

/**
 * The gateway's documented throttle at a rate of `requests` per `windowSeconds` per tenant (the
 * token's `tid`), then 429. Enforced as the `rateLimitPerMinute` setting is (gateway-rate-limit.ts):
 * a bucket refilled continuously holding one second's worth (at least one request), not a fixed
 * window, so `{requests: 500}` lets about 8 through at once, then one every 120 ms. While set, it
 * wins over the setting.
 */
export interface RateLimit {
  requests: number;
  /** Default 60 (Partner Center documents 500 requests per minute per tenant for customers). */
  windowSeconds?: number;
  /** Default `api`. */
  target?: 'api' | 'token' | 'any';
}

export interface FaultScript {
  rules?: FaultRule[];
  rateLimit?: RateLimit;
}
