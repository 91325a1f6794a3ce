/**
 * The Partner Center HTTP client: one keep-alive connection pool per run, Partner Center's
 * headers on every request, one retry policy for every call, token renewal on 401, errors mapped
 * to the module's named errors, and seek paging as an async iterator that stays one page ahead.
 * It knows nothing of the terminal; -Debug and -Verbose lines go to the callbacks it is given.
 */
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import { type Clock, systemClock } from '../common/clock.js';
import { InternalError, ServiceError } from '../common/errors.js';
import {
  decodeCollectionBody,
  parseJsonBody,
  type DecodedBody,
} from '../json/collection-scanner.js';
import type { JsonTextList } from '../json/json-text.js';
import { isLoopbackHost } from '../net/endpoint-url.js';
import { abortReason, linkedSignal, throwIfAborted } from './abortable.js';
import { ApiRoot } from './api-url.js';
import { asCollection, CONTINUATION_HEADER, followPages, type PageRequest } from './paging.js';
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
  errorForAnswer,
  readServiceFault,
  retriesExhaustedError,
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
  /** Resume: sent as MS-ContinuationToken with the first request. */
  continuationToken?: string;
  /**
   * No page is requested after the one that brings the item count to this (-First); pages are not
   * trimmed.
   */
  limit?: number;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;
const DEFAULT_APPLICATION = 'PartnerCenter-Node';

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

export class PartnerCenterClient {
  private readonly root: ApiRoot;
  private readonly connections: Connections;
  private readonly retry: ResolvedRetryOptions;
  private readonly clock: Clock;
  private readonly commonHeaders: Record<string, string>;
  private readonly limiter: RequestLimiter;

  constructor(private readonly options: ClientOptions) {
    if (!options.correlationId)
      throw new InternalError('the Partner Center client was created without a correlation id.');
    this.root = new ApiRoot(options.apiEndpoint);
    this.connections = new Connections(options.caCertificate);
    this.retry = resolveRetryOptions(options.retry);
    this.clock = options.clock ?? systemClock;
    const maxConcurrency = options.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY;
    this.limiter = new RequestLimiter({ maxConcurrency, clock: this.clock });
    // Each request in flight, its waits and each caller queued for a slot listen to the run's
    // signal: many workers pass Node's warning threshold (10 listeners) without any leak.
    if (options.signal) setMaxListeners(4 * maxConcurrency + 10, options.signal);
    this.commonHeaders = {
      Accept: 'application/json',
      'MS-CorrelationId': options.correlationId,
      'X-Locale': options.locale ?? 'en-US',
      'MS-PartnerCenter-Application': options.applicationName ?? DEFAULT_APPLICATION,
    };
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
   * prefix is accepted).
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
   * Every page of a collection, following `links.next`. With `continuationToken` the first request
   * carries it as MS-ContinuationToken (resume: e.g. `/customers?size=500&seekOperation=Next`).
   * The next page is already being fetched while the consumer handles the current one.
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
    return this.followPages<JsonTextList<T>>(firstPathAndQuery, options, decodeCollectionBody);
  }

  private followPages<L extends ItemList>(
    firstPathAndQuery: string,
    options: PagesOptions,
    decode: (body: Buffer) => DecodedBody,
  ): AsyncGenerator<Page<L>> {
    const first: PageRequest = {
      method: 'GET',
      url: this.root.resolve(firstPathAndQuery),
      headers:
        options.continuationToken === undefined
          ? {}
          : { [CONTINUATION_HEADER]: options.continuationToken },
      continuationToken: options.continuationToken === undefined ? undefined : 'user',
    };
    return followPages<L>(
      this.root,
      first,
      async (request, signal) =>
        asCollection<L>(
          await this.call(request.method, request.url, { ...request, signal }, decode),
          request,
        ),
      this.options.signal,
      options.limit,
    );
  }

  /** Closes the pooled connections; the client cannot be used afterwards. */
  close(): void {
    this.connections.close();
  }

  /**
   * One logical call: the same MS-RequestId on every attempt, until an answer, a final error or the
   * retry budget's end.
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
    const headers = { ...this.commonHeaders, ...options.headers, 'MS-RequestId': requestId };
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
    let renewed = false;
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
              `Partner Center answered ${describeCall(identity)} with a body that is not JSON.`,
              {
                status: answer.status,
                requestId,
                correlationId: this.options.correlationId,
                hint: 'Check -ApiEndpoint; -Debug shows the exchange.',
              },
            );
          }
          failure = {
            problem: 'a JSON body cut off when the connection closed',
            status: answer.status,
          };
        } else if (answer.status === 401 && answer.authorized && !renewed) {
          renewed = true;
          refused = token;
          this.options.verbose?.(
            `Partner Center refused the access token (HTTP 401) for ${describeCall(identity)}: ` +
              'renewing it and repeating the call.',
          );
          continue;
        } else {
          const fault = readServiceFault(answer.body);
          if (!isRetryableStatus(answer.status))
            throw errorForAnswer(
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
        retriesExhaustedError(
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
          hint: 'Check -ApiEndpoint.',
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
            hint: 'Check -ApiEndpoint.',
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
      : 'Check -ApiEndpoint, the network, and that the service (or emulator) is running.';
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
