/**
 * The HTTP client of the module's services: one keep-alive connection pool per client and one
 * pipeline of small named steps every request goes through (pipeline/steps.ts: the call's id,
 * errors, retries by what is safe, decoding, the token and its renewal, the throttle gate,
 * redirects, traces). What differs between Partner Center, Microsoft Graph and the blob store
 * (headers, error bodies and wording, idempotency, page shape) is the client's dialect
 * (api-dialect.ts, graph-api.ts, blob-api.ts); everything else is shared. `HttpClient` sends any
 * request (`exchange`, with a JSON body and If-Match) and opens streamed answers (`openStream`,
 * for download.ts); `ApiClient` adds paging. Writes that follow a long operation, and streamed
 * downloads, live in modules only their users import (long-operation.ts, resource-change.ts,
 * download.ts). It knows nothing of the terminal; -Debug and -Verbose lines go to the callbacks
 * it is given.
 */
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { type Clock, systemClock } from '../common/clock.js';
import { InternalError } from '../common/errors.js';
import { parseJsonBody, type DecodedBody } from '../json/collection-scanner.js';
import type { JsonTextList } from '../json/json-text.js';
import { linkedSignal } from './abortable.js';
import { type ApiDialect, PARTNER_CENTER_API, type ServiceDialect } from './api-dialect.js';
import { ApiRoot } from './api-url.js';
import { followPages, type PageRequest } from './paging.js';
import { clientPipeline, type ClientPipeline } from './pipeline/steps.js';
import type { PipelineResponse } from './pipeline/pipeline.js';
import { parseRetryAfter, resolveRetryOptions, type RetryOptions } from './retry-policy.js';
import type { ContinuationTokenSource } from './service-errors.js';
import {
  DEFAULT_MAX_CONCURRENCY,
  RequestLimiter,
  type ThrottlingStats,
} from './request-limiter.js';
import { Connections } from './transport.js';
import type { ItemList, Page } from './types.js';

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

export interface ClientOptions extends HttpClientOptions {
  tokenProvider: TokenProvider;
}

/** A client of any service; one whose dialect is `signed` needs a token provider. */
export interface HttpClientOptions {
  /**
   * API base without `/v1`, e.g. https://api.partnercenter.microsoft.com or https://127.0.0.1:PORT;
   * for the blob store, the storage account's origin.
   */
  apiEndpoint: string;
  tokenProvider?: TokenProvider;
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

/** One request of any method (HttpClient.exchange). */
export interface ExchangeOptions extends CallOptions {
  /** Sent as JSON (`Content-Type: application/json`), serialised once for every attempt. */
  json?: unknown;
  /** `If-Match`: the etag the resource had when it was read; a changed resource is refused. */
  ifMatch?: string;
  /**
   * The call's id (MS-RequestId / client-request-id); default a new GUID. A caller that records a
   * write before sending it (a resume journal) passes the recorded id when it sends it again after
   * a kill, so the service sees the same write, not a second one.
   */
  requestId?: string;
  /**
   * The caller knows that sending this write twice does no harm (starting a billing export: a
   * second start only makes a second export), so it is retried as a read is.
   */
  repeatable?: boolean;
}

/** A 2xx answer of `exchange`. */
export interface ExchangeAnswer<T> {
  status: number;
  headers: IncomingHttpHeaders;
  /** The decoded body; undefined for an empty 202 or 204. */
  value: T | undefined;
  /** The answer's ETag header, as sent (quotes included). */
  etag?: string;
  /** The answer's Location, resolved against the request's URL (a 202's operation). */
  location?: URL;
  /** The answer's Retry-After in ms, when it has one. */
  retryAfterMs?: number;
  /** The call's id, as sent on every attempt. */
  requestId: string;
}

/** A 2xx answer whose body is read as it arrives (`openStream`). */
export interface StreamAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body; pause it and the server is paused (TCP backpressure). */
  body: IncomingMessage;
  requestId: string;
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

/** Methods whose repeat is harmless by HTTP's definition and the services' practice. */
const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A client of one service: its pipeline of steps, its connections and its limiter. */
export class HttpClient {
  protected readonly root: ApiRoot;
  private readonly connections: Connections;
  private readonly limiter: RequestLimiter;
  private readonly pipeline: ClientPipeline;
  /** What retry and operation waits sleep on. */
  readonly clock: Clock;

  constructor(
    protected readonly options: HttpClientOptions,
    protected readonly service: ServiceDialect,
  ) {
    if (!options.correlationId)
      throw new InternalError(
        `the ${service.wording.service} client was created without a correlation id.`,
      );
    if (service.signed && !options.tokenProvider)
      throw new InternalError(
        `the ${service.wording.service} client was created without a token provider.`,
      );
    this.root = new ApiRoot(options.apiEndpoint, {
      versionSegment: service.versionSegment,
      service: service.wording.service,
      endpointParameter: service.endpointParameter,
    });
    this.connections = new Connections(options.caCertificate);
    this.clock = options.clock ?? systemClock;
    const maxConcurrency = options.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY;
    this.limiter = new RequestLimiter({ maxConcurrency, clock: this.clock });
    this.pipeline = clientPipeline(
      {
        dialect: service,
        root: this.root,
        correlationId: options.correlationId,
        verbose: options.verbose,
        debug: options.debug,
        clock: this.clock,
        retry: resolveRetryOptions(options.retry),
      },
      {
        commonHeaders: service.commonHeaders(options),
        tokens: service.signed ? options.tokenProvider : undefined,
        limiter: this.limiter,
        connections: this.connections,
      },
    );
    // Each request in flight, its waits and each caller queued for a slot listen to the run's
    // signal: many workers pass Node's warning threshold (10 listeners) without any leak.
    if (options.signal) setMaxListeners(4 * maxConcurrency + 10, options.signal);
  }

  /** The names of the pipeline's steps, outermost first. */
  get steps(): string[] {
    return this.pipeline.steps.map((step) => step.name);
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

  /** The service as messages name it. */
  get serviceName(): string {
    return this.service.wording.service;
  }

  /** `/customers/{id}` (or `/v1/...`) under the version root, or an absolute URL on its origin. */
  resolve(target: string | URL): URL {
    return typeof target === 'string' ? this.root.resolve(target) : target;
  }

  /**
   * Any request: a JSON body, If-Match, the caller's request id. A read is retried whenever that
   * can help; a write only where the service makes a repeat harmless (the dialect's
   * `idempotentWrites`), with the same request id on every attempt. Answers other than 2xx are
   * the module's named errors; a 202 comes back as it is (long-operation.ts follows it).
   */
  async exchange<T>(
    target: string | URL,
    options: ExchangeOptions = {},
  ): Promise<ExchangeAnswer<T>> {
    const requestId = options.requestId ?? randomUUID();
    const response = await this.call(this.resolve(target), options, requestId, parseJsonBody);
    const { headers } = response;
    const location = headers.location;
    return {
      status: response.status,
      headers,
      value: response.value as T | undefined,
      etag: typeof headers.etag === 'string' ? headers.etag : undefined,
      location: location ? this.locationOf(location) : undefined,
      retryAfterMs: parseRetryAfter(headers['retry-after'], this.clock.now()),
      requestId,
    };
  }

  /**
   * A Location as the services write it: absolute, or (Partner Center's 202) a path under the
   * version root with or without `/v1`, resolved like the links of a page.
   */
  private locationOf(location: string): URL {
    return /^[a-z][a-z0-9+.-]*:/i.test(location) ? new URL(location) : this.root.resolve(location);
  }

  /**
   * A GET whose 2xx body is handed over unread, as a stream with backpressure and no size cap
   * (download.ts reads it, resuming a cut body with Range). Retries, redirects and errors are
   * those of any read, until the answer's headers arrive.
   */
  async openStream(target: string | URL, options: ExchangeOptions = {}): Promise<StreamAnswer> {
    const requestId = options.requestId ?? randomUUID();
    const response = await this.call(this.resolve(target), options, requestId, undefined, true);
    if (!response.stream) throw new InternalError('a streamed request was answered unstreamed.');
    return { status: response.status, headers: response.headers, body: response.stream, requestId };
  }

  /** Closes the pooled connections; the client cannot be used afterwards. */
  close(): void {
    this.connections.close();
  }

  /** One logical call through the pipeline. */
  protected async call(
    url: URL,
    options: ExchangeOptions,
    requestId: string = randomUUID(),
    decode: ((body: Buffer) => DecodedBody) | undefined = parseJsonBody,
    stream = false,
  ): Promise<PipelineResponse> {
    const method = (options.method ?? 'GET').toUpperCase();
    let headers = options.headers ?? {};
    let body: Buffer | undefined;
    if (options.json !== undefined) {
      body = Buffer.from(JSON.stringify(options.json), 'utf8');
      headers = { ...headers, 'Content-Type': 'application/json' };
    }
    if (options.ifMatch !== undefined) headers = { ...headers, 'If-Match': options.ifMatch };
    const { signal, dispose } = linkedSignal([this.options.signal, options.signal]);
    let response: PipelineResponse | undefined;
    try {
      response = await this.pipeline.send({
        method,
        url,
        headers,
        body,
        requestId,
        repeatable:
          READ_METHODS.has(method) || this.service.idempotentWrites || options.repeatable === true,
        decode,
        stream,
        continuationToken: options.continuationToken,
        signal,
        attempt: 0,
      });
      return response;
    } finally {
      // A streamed body still listens to the run's signal until it ends.
      if (response?.stream) response.stream.once('close', dispose);
      else dispose();
    }
  }
}

/** The client of one API of collections; PartnerCenterClient and GraphClient are its kinds. */
export class ApiClient extends HttpClient {
  constructor(
    options: ClientOptions,
    private readonly api: ApiDialect,
  ) {
    super(options, api);
  }

  /**
   * GET one resource. `pathAndQuery` is relative to the version root: `/customers/{id}` (a `/v1`
   * prefix, or Graph's `/v1.0`, is accepted).
   */
  async getJson<T>(pathAndQuery: string, headers?: Record<string, string>): Promise<T> {
    return this.request<T>(pathAndQuery, { headers });
  }

  async request<T>(pathAndQuery: string, options: CallOptions = {}): Promise<T> {
    return (await this.call(this.root.resolve(pathAndQuery), options)).value as T;
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
          (await this.call(request.url, { ...request, signal }, undefined, decode)).value,
          request,
          this.root,
        ),
      {
        outerSignal: this.options.signal,
        itemLimit: options.limit,
        startPosition: options.continuationToken,
        loopError: (by) => this.api.loopError(by),
      },
    );
  }
}

/** The Partner Center API's client. */
export class PartnerCenterClient extends ApiClient {
  constructor(options: ClientOptions) {
    super(options, PARTNER_CENTER_API);
  }
}
