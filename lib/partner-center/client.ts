/**
 * The HTTP client of the module's APIs: one keep-alive connection pool per client, the API's
 * headers on every request, one retry policy for every call, token renewal on 401, errors mapped
 * to the module's named errors, and paging as an async iterator that stays one page ahead. What
 * differs between Partner Center and Microsoft Graph (headers, error bodies and wording, page
 * shape) is the client's ApiDialect (api-dialect.ts, graph-api.ts); everything else is shared.
 * It knows nothing of the terminal; -Debug and -Verbose lines go to the callbacks it is given.
 */
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import { type Clock, systemClock } from '../common/clock.js';
import { InternalError, ServiceError } from '../common/errors.js';
import { parseJsonBody, type DecodedBody } from '../json/collection-scanner.js';
import type { JsonTextList } from '../json/json-text.js';
import { isLoopbackHost } from '../net/endpoint-url.js';
import { abortReason, linkedSignal, throwIfAborted } from './abortable.js';
import { type ApiDialect, PARTNER_CENTER_API } from './api-dialect.js';
import { ApiRoot } from './api-url.js';
import { followPages, type PageRequest } from './paging.js';
import {
  isRetryableStatus,
  parseRetryAfter,
  resolveRetryOptions,
  retryDelayMs,
  type ResolvedRetryOptions,
  type RetryOptions,
} from './retry-policy.js';
import {
  describeAnswer,
  describeCall,
  type ContinuationTokenSource,
  type ServiceFault,
} from './service-errors.js';
import {
  DEFAULT_MAX_CONCURRENCY,
  RequestLimiter,
  type ThrottlingStats,
} from './request-limiter.js';
import { traceLine } from './trace.js';
import { Connections, formatSeconds, TransportError, type RawResponse } from './transport.js';
import type { ItemList, Page } from './types.js';
import { isCertificateErrorCode } from '../common/certificate-errors.js';

export type { Page } from './types.js';
export type { RetryOptions } from './retry-policy.js';
export type { ThrottlingStats } from './request-limiter.js';

/**
 * Hands out access tokens for the API; the session implements it over @azure/identity or a saved
 * token.
 */
export interface TokenProvider {
  /**
   * `forceRefresh`: the API refused a token, get a new one rather than a cached one. `refused`:
   * the token it refused; when the provider's current token is already another one (a concurrent
   * caller renewed it meanwhile), that one is the answer and nothing is renewed again.
   */
  getToken(options?: {
    forceRefresh?: boolean;
    refused?: string;
    signal?: AbortSignal;
  }): Promise<string>;
}

export interface ClientOptions {
  /**
   * API base without `/v1`, e.g. https://api.partnercenter.microsoft.com or https://127.0.0.1:PORT.
   */
  apiEndpoint: string;
  tokenProvider: TokenProvider;
  /** An extra CA (the emulator's self-signed certificate), trusted in addition to Node's roots. */
  caCertificate?: string | Buffer;
  /** MS-CorrelationId shared by every call of this run. */
  correlationId: string;
  /** X-Locale; default en-US. */
  locale?: string;
  /** MS-PartnerCenter-Application, e.g. `PartnerCenter-Node/0.1.0`. */
  applicationName?: string;
  /** Aborts in-flight requests and every wait. */
  signal?: AbortSignal;
  /** -Debug: one line per HTTP exchange, credentials redacted. */
  debug?: (line: string) => void;
  /** -Verbose: retries, waits, renewals, redirects. */
  verbose?: (line: string) => void;
  retry?: RetryOptions;
  /** What retry waits sleep on and Retry-After dates are read against; default the system's. */
  clock?: Clock;
  /**
   * The most requests in flight at once (the adaptive limit of request-limiter.ts stays between 1
   * and this). Default 64.
   */
  maxConcurrency?: number;
}

export interface CallOptions {
  method?: string;
  headers?: Record<string, string>;
  /**
   * Set when `headers` carry an MS-ContinuationToken, so a 400 can be reported as a rejected token.
   */
  continuationToken?: ContinuationTokenSource;
  signal?: AbortSignal;
}

export interface PagesOptions {
  /**
   * Resume from a page's `continuationToken` of an earlier run: Partner Center's is sent as
   * MS-ContinuationToken with the first request, Microsoft Graph's is the next link to request.
   */
  continuationToken?: string;
  /**
   * No page is requested after the one that brings the item count to this (-First); pages are not
   * trimmed.
   */
  limit?: number;
}

/** Renewals one call may ask for after 401s (each of a token not refused before). */
const MAX_RENEWALS_PER_CALL = 2;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;

/**
 * A redirect or a response, as one attempt ended. `authorized`: the final request carried our
 * token.
 */
type Answer = RawResponse & { url: URL; authorized: boolean };

/** Why an attempt is worth repeating. */
interface TransientFailure {
  problem: string;
  status?: number;
  fault?: ServiceFault;
  retryAfterMs?: number;
}

/** The client of one API; PartnerCenterClient and GraphClient (graph-client.ts) are its kinds. */
export class ApiClient {
  private readonly root: ApiRoot;
  private readonly connections: Connections;
  private readonly retry: ResolvedRetryOptions;
  private readonly clock: Clock;
  private readonly commonHeaders: Record<string, string>;
  private readonly limiter: RequestLimiter;

  constructor(
    private readonly options: ClientOptions,
    private readonly api: ApiDialect,
  ) {
    if (!options.correlationId)
      throw new InternalError(
        `the ${api.wording.service} client was created without a correlation id.`,
      );
    this.root = new ApiRoot(options.apiEndpoint, {
      versionSegment: api.versionSegment,
      service: api.wording.service,
      endpointParameter: api.endpointParameter,
    });
    this.connections = new Connections(options.caCertificate);
    this.retry = resolveRetryOptions(options.retry);
    this.clock = options.clock ?? systemClock;
    this.commonHeaders = api.commonHeaders(options);
    const maxConcurrency = options.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY;
    this.limiter = new RequestLimiter({ maxConcurrency, clock: this.clock });
    // Each request in flight, its waits and each caller queued for a slot listen to the run's
    // signal: many workers pass Node's warning threshold (10 listeners) without any leak.
    if (options.signal) setMaxListeners(4 * maxConcurrency + 10, options.signal);
  }

  /**
   * Connections opened and requests sent so far (a listing should use one connection for all its
   * pages).
   */
  get stats(): { connections: number; requests: number } {
    return { ...this.connections.stats };
  }

  /** 429s received, time held by the throttle gate, and the adaptive limit (request-limiter.ts). */
  get throttling(): ThrottlingStats {
    return this.limiter.stats;
  }

  /**
   * GET one resource. `pathAndQuery` is relative to the version root: `/customers/{id}` (a `/v1`
   * prefix, or Graph's `/v1.0`, is accepted).
   */
  async getJson<T>(pathAndQuery: string, headers?: Record<string, string>): Promise<T> {
    return this.request<T>(pathAndQuery, { headers });
  }

  async request<T>(pathAndQuery: string, options: CallOptions = {}): Promise<T> {
    return (await this.call(
      options.method ?? 'GET',
      this.root.resolve(pathAndQuery),
      options,
    )) as T;
  }

  /**
   * Every page of a collection, following each page's link to the next (Partner Center's
   * `links.next`, Graph's `@odata.nextLink`). With `continuationToken` the listing resumes (for
   * Partner Center the first request carries it as MS-ContinuationToken, e.g. with
   * `/customers?size=500&seekOperation=Next`). The next page is already being fetched while the
   * consumer handles the current one.
   */
  pages<T>(firstPathAndQuery: string, options: PagesOptions = {}): AsyncGenerator<Page<T[]>> {
    return this.followPages<T[]>(firstPathAndQuery, options, parseJsonBody);
  }

  /**
   * The same pages with each item kept as the bytes the service sent (parsed only on demand): what
   * a listing that writes its items out again should use (see JsonText).
   */
  jsonTextPages<T>(
    firstPathAndQuery: string,
    options: PagesOptions = {},
  ): AsyncGenerator<Page<JsonTextList<T>>> {
    return this.followPages<JsonTextList<T>>(firstPathAndQuery, options, (body) =>
      this.api.decodePage(body),
    );
  }

  private followPages<L extends ItemList>(
    firstPathAndQuery: string,
    options: PagesOptions,
    decode: (body: Buffer) => DecodedBody,
  ): AsyncGenerator<Page<L>> {
    const first: PageRequest =
      options.continuationToken === undefined
        ? { method: 'GET', url: this.root.resolve(firstPathAndQuery), headers: {} }
        : this.api.resumeRequest(this.root, firstPathAndQuery, options.continuationToken);
    return followPages<L>(
      first,
      async (request, signal) =>
        this.api.pageOf<L>(
          await this.call(request.method, request.url, { ...request, signal }, decode),
          request,
          this.root,
        ),
      {
        outerSignal: this.options.signal,
        itemLimit: options.limit,
        startPosition: options.continuationToken,
        loopError: () => this.api.loopError(),
      },
    );
  }

  /** Closes the pooled connections; the client cannot be used afterwards. */
  close(): void {
    this.connections.close();
  }

  /**
   * One logical call: the same call id (MS-RequestId, Graph's client-request-id) on every attempt,
   * until an answer, a final error or the retry budget's end.
   */
  private async call(
    method: string,
    url: URL,
    options: CallOptions,
    decode: (body: Buffer) => DecodedBody = parseJsonBody,
  ): Promise<unknown> {
    const { signal, dispose } = linkedSignal([this.options.signal, options.signal]);
    try {
      return await this.attempts(method, url, options, decode, signal);
    } finally {
      dispose();
    }
  }

  private async attempts(
    method: string,
    url: URL,
    options: CallOptions,
    decode: (body: Buffer) => DecodedBody,
    signal: AbortSignal | undefined,
  ): Promise<unknown> {
    const requestId = randomUUID();
    const headers = {
      ...this.commonHeaders,
      ...options.headers,
      [this.api.callIdHeader]: requestId,
    };
    const identity = {
      method,
      url,
      requestId,
      correlationId: this.options.correlationId,
      continuationToken: options.continuationToken,
    };
    let sends = 0;
    let failures = 0;
    let waitedMs = 0;
    // Tokens refused during this call. A second refusal is renewed too when it is of another token:
    // the token a concurrent caller renewed just before the service revoked them all is as dead as
    // ours, and handing it back is not a renewal. A token refused twice means the service will not
    // take this sign-in's tokens at all.
    const refusedTokens = new Set<string>();
    let refused: string | undefined;
    for (;;) {
      throwIfAborted(signal);
      const token = await this.options.tokenProvider.getToken(
        refused === undefined ? { signal } : { forceRefresh: true, refused, signal },
      );
      refused = undefined;
      sends++;
      let failure: TransientFailure;
      try {
        // Every caller of this client passes one throttle gate and one limit on requests in flight.
        const answer = await this.limiter.run(
          () => this.sendFollowingRedirects(method, url, headers, token, sends, signal),
          signal,
        );
        if (answer.status >= 200 && answer.status < 300) {
          const parsed = decode(answer.body);
          if (parsed.ok) return parsed.value;
          if (!answer.closeDelimited) {
            throw new ServiceError(
              `${this.api.wording.service} answered ${describeCall(identity)} with a body that ` +
                'is not JSON.',
              {
                status: answer.status,
                requestId,
                correlationId: this.options.correlationId,
                hint: `Check ${this.api.endpointParameter}; -Debug shows the exchange.`,
              },
            );
          }
          failure = {
            problem: 'a JSON body cut off when the connection closed',
            status: answer.status,
          };
        } else if (
          answer.status === 401 &&
          answer.authorized &&
          !refusedTokens.has(token) &&
          refusedTokens.size < MAX_RENEWALS_PER_CALL
        ) {
          refusedTokens.add(token);
          refused = token;
          this.options.verbose?.(
            `${this.api.wording.service} refused the access token (HTTP 401) for ` +
              `${describeCall(identity)}: renewing it and repeating the call.`,
          );
          continue;
        } else {
          const fault = this.api.readFault(answer);
          if (!isRetryableStatus(answer.status))
            throw this.api.errorForAnswer(
              { ...identity, status: answer.status, statusMessage: answer.statusMessage },
              fault,
            );
          failure = {
            problem: describeAnswer(answer.status, fault, answer.statusMessage),
            status: answer.status,
            fault,
            retryAfterMs: parseRetryAfter(answer.headers['retry-after'], this.clock.now()),
          };
        }
      } catch (error) {
        if (signal?.aborted) throw abortReason(signal);
        if (!(error instanceof TransportError)) throw error;
        if (!error.retryable) throw this.unreachable(identity, error);
        failure = { problem: error.message };
      }
      failures++;
      const exhausted = (reason: string) =>
        this.api.retriesExhaustedError(
          { ...identity, status: failure.status },
          sends,
          failure.problem,
          failure.fault,
          reason,
        );
      if (failures >= this.retry.maxAttempts) throw exhausted('');
      const delay = retryDelayMs(failures, failure.retryAfterMs, this.retry);
      if (waitedMs + delay > this.retry.maxTotalWaitMs) {
        throw exhausted(
          ` and ${formatSeconds(waitedMs)} of waiting (the next wait, ${formatSeconds(delay)}, ` +
            `would pass the limit of ${formatSeconds(this.retry.maxTotalWaitMs)})`,
        );
      }
      const attempt = `attempt ${failures + 1} of ${this.retry.maxAttempts}`;
      const asked =
        failure.retryAfterMs === undefined
          ? ''
          : ` (Retry-After ${formatSeconds(failure.retryAfterMs)})`;
      this.options.verbose?.(
        failure.status === 429
          ? `Throttled (${failure.problem}) on ${describeCall(identity)}: ` +
              `waiting ${formatSeconds(delay)}${asked} before ${attempt}.`
          : `${describeCall(identity)} failed (${failure.problem}): ` +
              `retrying in ${formatSeconds(delay)}, ${attempt}.`,
      );
      await this.clock.sleep(delay, signal);
      waitedMs += delay;
    }
  }

  private async sendFollowingRedirects(
    method: string,
    url: URL,
    headers: Record<string, string>,
    token: string,
    attempt: number,
    signal: AbortSignal | undefined,
  ): Promise<Answer> {
    let target = url;
    for (let hops = 0; ; hops++) {
      // The token goes only to the API's own origin: a redirect elsewhere gets the request without
      // it.
      const authorized = this.root.isSameOrigin(target);
      const sent = authorized ? { ...headers, Authorization: `Bearer ${token}` } : headers;
      const started = performance.now();
      let response: RawResponse;
      try {
        response = await this.connections.send(
          method,
          target,
          sent,
          this.retry.requestTimeoutMs,
          signal,
        );
      } catch (error) {
        const outcome = error instanceof TransportError ? error.code : 'aborted';
        this.trace({
          method,
          url: target,
          outcome,
          elapsedMs: performance.now() - started,
          attempt,
          requestHeaders: sent,
        });
        throw error;
      }
      this.trace({
        method,
        url: target,
        outcome: response.status,
        elapsedMs: performance.now() - started,
        attempt,
        requestHeaders: sent,
        responseHeaders: response.headers,
      });
      const location = response.headers.location;
      if (!REDIRECT_STATUSES.has(response.status) || !location)
        return { ...response, url: target, authorized };
      const next = new URL(location, target);
      const described = describeCall({ method, url });
      if (hops >= MAX_REDIRECTS) {
        throw new ServiceError(`${described} was redirected more than ${MAX_REDIRECTS} times.`, {
          status: response.status,
          hint: `Check ${this.api.endpointParameter}.`,
        });
      }
      if (
        next.protocol !== 'https:' &&
        !(next.protocol === 'http:' && isLoopbackHost(next.hostname))
      ) {
        throw new ServiceError(
          `${described} was redirected to an address that is not HTTPS (${next.origin}); ` +
            'it was not followed.',
          {
            status: response.status,
            hint: `Check ${this.api.endpointParameter}.`,
          },
        );
      }
      if (response.status === 303) method = 'GET';
      const leaves = authorized && !this.root.isSameOrigin(next);
      const tokenNote = leaves ? '; the access token is not sent to another host' : '';
      this.options.verbose?.(
        `${described} redirected (HTTP ${response.status}) to ` +
          `${next.origin}${next.pathname}${tokenNote}.`,
      );
      target = next;
    }
  }

  private unreachable(
    call: { method: string; url: URL; requestId: string },
    error: TransportError,
  ): ServiceError {
    const hint = isCertificateErrorCode(error.code)
      ? 'For the emulator or a private endpoint, pass its CA certificate ' +
        '(-CaCertificatePath); certificate checks cannot be turned off.'
      : `Check ${this.api.endpointParameter}, the network, and that the service (or emulator) ` +
        'is running.';
    return new ServiceError(
      `Could not complete ${describeCall(call)} at ${call.url.origin}: ${error.message}.`,
      {
        requestId: call.requestId,
        correlationId: this.options.correlationId,
        hint,
        cause: error,
      },
    );
  }

  private trace(entry: Parameters<typeof traceLine>[0]): void {
    if (this.options.debug) this.options.debug(traceLine(entry));
  }
}

/** The Partner Center API's client. */
export class PartnerCenterClient extends ApiClient {
  constructor(options: ClientOptions) {
    super(options, PARTNER_CENTER_API);
  }
}
