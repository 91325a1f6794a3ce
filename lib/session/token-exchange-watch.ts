/**
 * What became of the HTTP exchanges of one sign-in attempt, seen from inside the credential's own
 * pipeline: whether the last one failed in a way that sending it again may cure (a connection
 * reset before or during the answer, no answer in time, a 408, 429 or 5xx). MSAL turns all of
 * these into one `network_error` or a server error without the status, so the decision to retry
 * is taken from the exchange itself, not from MSAL's wording. The same judgement serves the
 * refresh-token grant, which sends its own request (refresh-token-grant.ts).
 */
import { isRetryableStatus, parseRetryAfter } from '../partner-center/retry-policy.js';
import { formatSeconds, RETRYABLE_SOCKET_CODES } from '../partner-center/transport.js';

/** A failed exchange worth sending again. */
export interface TransientTokenFailure {
  /** The URL of the request that failed (no query), for the message. */
  url: string;
  /** What went wrong, in words: "the connection was reset before the answer (ECONNRESET)". */
  problem: string;
  status?: number;
  /** The authority's Retry-After, when it sent one. */
  retryAfterMs?: number;
}

/**
 * Why a thrown network error is worth a retry, in words; undefined when it is not: a refused
 * connection, an unknown host or an untrusted certificate (the sign-in explains those itself), or
 * anything that is no failure of the network.
 */
export function transientNetworkProblem(error: unknown): string | undefined {
  const chain: { code?: unknown; message?: unknown }[] = [];
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    if (typeof current !== 'object') break;
    chain.push(current as { code?: unknown; message?: unknown });
    current = (current as { cause?: unknown }).cause;
  }
  const codes = chain.map((entry) => entry.code).filter((code) => typeof code === 'string');
  const text = chain.map((entry) => String(entry.message ?? '')).join(' | ');
  const code = codes.find((candidate) => RETRYABLE_SOCKET_CODES.has(candidate));
  // A body cut by a reset: Node says "aborted", the Azure pipeline "Error reading response".
  if (/\baborted\b|Error reading response/i.test(text))
    return 'the connection broke during the answer';
  if (/socket hang up/i.test(text) || code === 'ECONNRESET')
    return `the connection was reset before the answer (${code ?? 'socket hang up'})`;
  if (code === 'ETIMEDOUT') return `it timed out (${firstLine(text)})`;
  return code ? `a network error occurred (${code})` : undefined;
}

function firstLine(text: string): string {
  return (text.split(/\r?\n/)[0] ?? '').slice(0, 120) || 'no detail';
}

/** A request URL without its query, which may hold nothing secret but is of no use in a message. */
export function withoutQuery(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return url;
  }
}

/**
 * The pieces of @azure/core-rest-pipeline's request, response and policy that the watch uses,
 * declared here so this module needs no import of it (the credential takes the policy through
 * `additionalPolicies`).
 */
interface WatchedRequest {
  url: string;
  abortSignal?: { aborted: boolean; addEventListener(type: 'abort', listener: () => void): void };
}
interface WatchedResponse {
  status: number;
  headers: { get(name: string): string | undefined };
}
interface WatchPolicy {
  name: string;
  sendRequest<Request extends WatchedRequest, Response extends WatchedResponse>(
    request: Request,
    next: (request: Request) => Promise<Response>,
  ): Promise<Response>;
}

/**
 * Give `policy` to a credential as `additionalPolicies: [{ policy, position: 'perRetry' }]`: it
 * sees every exchange actually sent. It also bounds each exchange, answer body included, by
 * `timeoutMs` (the pipeline's own timeout stops at the headers, so an answer that stalls half-way
 * would wait for ever).
 */
export class TokenExchangeWatch {
  /** The last exchange's failure, when a retry may cure it; cleared by any other outcome. */
  transient?: TransientTokenFailure;
  /** Exchanges seen: none means the credential did not take the policy (see managedIdentity). */
  sent = 0;

  constructor(
    private readonly timeoutMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  readonly policy: WatchPolicy = {
    name: 'tokenExchangeWatch',
    sendRequest: async <Request extends WatchedRequest, Response extends WatchedResponse>(
      request: Request,
      next: (request: Request) => Promise<Response>,
    ): Promise<Response> => {
      const url = withoutQuery(request.url);
      this.sent++;
      const timeout = new AbortController();
      const caller = request.abortSignal;
      caller?.addEventListener('abort', () => timeout.abort());
      const timer = setTimeout(() => timeout.abort(), this.timeoutMs);
      timer.unref?.();
      request.abortSignal = timeout.signal;
      try {
        const response = await next(request);
        this.transient = isRetryableStatus(response.status)
          ? {
              url,
              problem: `HTTP ${response.status}`,
              status: response.status,
              retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), this.now()),
            }
          : undefined;
        return response;
      } catch (error) {
        const timedOut = timeout.signal.aborted && !caller?.aborted;
        const problem = timedOut
          ? `no whole answer within ${formatSeconds(this.timeoutMs)}`
          : caller?.aborted
            ? undefined
            : transientNetworkProblem(error);
        this.transient = problem ? { url, problem } : undefined;
        throw error;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/**
 * @azure/identity's managed identity credential replaces the pipeline policies it is given with
 * its own, so no watch sees its exchanges; MSAL reports a dropped answer of the identity endpoint
 * as `network_error`. Where the environment names that endpoint (App Service, Functions, Arc,
 * Cloud Shell), such a failure is the retry's cue. Without one the credential probes the VM's
 * IMDS, and a network error there means this machine has no managed identity: not retried.
 */
export function managedIdentityNetworkFailure(
  error: unknown,
  env: NodeJS.ProcessEnv = process.env,
): TransientTokenFailure | undefined {
  const endpoint = env.IDENTITY_ENDPOINT || env.MSI_ENDPOINT;
  if (!endpoint) return undefined;
  const text = [error, (error as { cause?: unknown } | undefined)?.cause]
    .map((part) => (part instanceof Error ? part.message : ''))
    .join(' | ');
  if (!/network_error|Network unreachable|ECONNRESET|socket hang up/i.test(text)) return undefined;
  return { url: withoutQuery(endpoint), problem: 'no whole answer (network_error)' };
}
