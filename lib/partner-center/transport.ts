/**
 * One HTTP exchange over node:https (node:http only for loopback), through the client's
 * keep-alive agent: the pipeline's last step (pipeline/steps.ts). A request body is sent whole
 * with its length; an answer is read whole and checked against its framing, or (a download)
 * handed over as a stream as soon as its headers arrive. Global fetch is not used because it
 * ignores `https.Agent`, and the agent is how an extra CA (the emulator's) is trusted without
 * replacing Node's roots and how one connection is reused across pages.
 */
import http from 'node:http';
import https from 'node:https';
import { isCertificateErrorCode } from '../common/certificate-errors.js';
import { trustingExtraCa } from '../net/extra-ca.js';
import { abortReason } from './abortable.js';
import { requestTargetOf } from './exact-url.js';

/**
 * A response whose body was read to the end and matched its framing, or (`stream`) a successful
 * answer whose body is still arriving: then `body` is empty and the consumer reads `stream`.
 */
export interface RawResponse {
  status: number;
  statusMessage: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** A 2xx answer of a request sent with `stream`: its body, read at the consumer's pace. */
  stream?: http.IncomingMessage;
  /**
   * The body's end was marked by the connection closing (no length, not chunked): a cut cannot be
   * detected by framing.
   */
  closeDelimited: boolean;
}

/**
 * A failure below HTTP: no answer, or an answer cut short. `retryable` says whether sending the
 * same request again can help (a reset can; an untrusted certificate cannot).
 */
export class TransportError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TransportError';
  }
}

/** Socket errors that sending the same request again may cure (the session's token requests too). */
export const RETRYABLE_SOCKET_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ECONNABORTED',
  'ENETRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);
/**
 * A body read whole larger than this is not a Partner Center page (500 customers are well under 1
 * MB); what may be larger (a blob) is read as a stream, which has no cap.
 */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** What one exchange sends. */
export interface TransportRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  /** Sent whole, with its Content-Length; a retry sends the same bytes again. */
  body?: Buffer;
  /**
   * Hand a 2xx answer over as soon as its headers arrive, its body unread (backpressure is the
   * consumer's); other answers are still read whole (an error body is small).
   */
  stream?: boolean;
  /** Until the answer is complete (for a stream: until its headers). */
  timeoutMs: number;
  signal?: AbortSignal;
}

export class Connections {
  private https?: https.Agent;
  private http?: http.Agent;
  private readonly seenSockets = new WeakSet<object>();
  /**
   * New TCP connections opened, and requests sent; a listing should open one connection for all its
   * pages.
   */
  readonly stats = { connections: 0, requests: 0 };

  constructor(private readonly extraCa?: string | Buffer) {}

  private agentFor(url: URL): http.Agent {
    if (url.protocol === 'http:') {
      this.http ??= new http.Agent({ keepAlive: true });
      return this.http;
    }
    this.https ??= new https.Agent({ keepAlive: true, ...trustingExtraCa(this.extraCa) });
    return this.https;
  }

  send({
    method,
    url,
    headers,
    body,
    stream,
    timeoutMs,
    signal,
  }: TransportRequest): Promise<RawResponse> {
    return new Promise<RawResponse>((resolve, reject) => {
      if (signal?.aborted) return reject(abortReason(signal));
      const request = (url.protocol === 'http:' ? http : https).request(url, {
        method,
        headers:
          body === undefined ? headers : { ...headers, 'Content-Length': String(body.length) },
        agent: this.agentFor(url),
        // A link the service wrote is sent as written (exact-url.ts), not as the parser re-encoded it.
        path: requestTargetOf(url),
      });
      this.stats.requests++;
      let settled = false;
      const finish = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        outcome();
      };
      const fail = (error: unknown) => finish(() => reject(error));
      const onAbort = () => {
        fail(abortReason(signal!));
        request.destroy();
      };
      const timer = setTimeout(() => {
        fail(
          new TransportError(
            `no complete answer within ${formatSeconds(timeoutMs)}`,
            'EREQUESTTIMEOUT',
            true,
          ),
        );
        request.destroy();
      }, timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });

      request.on('socket', (socket) => {
        if (this.seenSockets.has(socket)) return;
        this.seenSockets.add(socket);
        this.stats.connections++;
      });
      request.on('error', (error) => fail(toTransportError(error)));
      request.on('response', (response) => {
        const status = response.statusCode ?? 0;
        if (stream && status >= 200 && status < 300) {
          // From here the body is the consumer's: its pace, its timeout, its cut detection
          // (download.ts); an abort of the run still ends it.
          finish(() =>
            resolve({
              status,
              statusMessage: response.statusMessage ?? '',
              headers: response.headers,
              body: Buffer.alloc(0),
              stream: response,
              closeDelimited: false,
            }),
          );
          if (signal) {
            const onStreamAbort = () => response.destroy(abortReason(signal) as Error);
            signal.addEventListener('abort', onStreamAbort, { once: true });
            response.once('close', () => signal.removeEventListener('abort', onStreamAbort));
          }
          return;
        }
        const body = new BodyBuffer(response.headers['content-length']);
        let received = 0;
        response.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > MAX_BODY_BYTES) {
            fail(
              new TransportError(
                `the response body exceeded ${MAX_BODY_BYTES} bytes`,
                'EBODYTOOLARGE',
                false,
              ),
            );
            request.destroy();
            return;
          }
          body.append(chunk);
        });
        response.on('error', (error) =>
          fail(toTransportError(error, 'the response body was cut off')),
        );
        response.on('close', () => {
          if (!response.complete)
            fail(
              new TransportError(
                `the response body was cut off after ${received} bytes`,
                'ETRUNCATED',
                true,
              ),
            );
        });
        response.on('end', () => {
          const declared = response.headers['content-length'];
          if (!response.complete || (declared !== undefined && Number(declared) !== received)) {
            fail(
              new TransportError(
                `the response body was cut off after ${received} of ${declared ?? '?'} bytes`,
                'ETRUNCATED',
                true,
              ),
            );
            return;
          }
          const closeDelimited =
            declared === undefined &&
            !/chunked/i.test(String(response.headers['transfer-encoding'] ?? ''));
          finish(() =>
            resolve({
              status,
              statusMessage: response.statusMessage ?? '',
              headers: response.headers,
              body: body.bytes(),
              closeDelimited,
            }),
          );
        });
      });
      request.end(body);
    });
  }

  close(): void {
    this.https?.destroy();
    this.http?.destroy();
  }
}

/**
 * A response body collected as it arrives. With a declared length (Partner Center's pages have
 * one) it is one buffer of that size that each chunk is copied into on arrival, so the network's
 * chunks are garbage at once rather than held until the end and copied again.
 */
class BodyBuffer {
  private readonly whole: Buffer | undefined;
  private readonly chunks: Buffer[] = [];
  private length = 0;

  constructor(declaredLength: string | undefined) {
    const declared = Number(declaredLength);
    if (
      declaredLength !== undefined &&
      Number.isInteger(declared) &&
      declared > 0 &&
      declared <= MAX_BODY_BYTES
    )
      this.whole = Buffer.allocUnsafe(declared);
  }

  append(chunk: Buffer): void {
    if (!this.whole) this.chunks.push(chunk);
    // Beyond the declared length nothing is kept: the framing check refuses such a body anyway.
    else if (this.length + chunk.length <= this.whole.length) chunk.copy(this.whole, this.length);
    this.length += chunk.length;
  }

  /** The body; with a declared length, only called once exactly that many bytes arrived. */
  bytes(): Buffer {
    return this.whole ?? Buffer.concat(this.chunks);
  }
}

function toTransportError(error: NodeJS.ErrnoException, context?: string): TransportError {
  if (error instanceof TransportError) return error;
  const code = error.code ?? 'EUNKNOWN';
  if (isCertificateErrorCode(code)) {
    return new TransportError(
      `the server's TLS certificate is not trusted (${code})`,
      code,
      false,
      { cause: error },
    );
  }
  if (code === 'ECONNREFUSED')
    return new TransportError('the connection was refused', code, false, { cause: error });
  if (code === 'ENOTFOUND')
    return new TransportError('the host name was not found', code, false, { cause: error });
  const what =
    context ??
    (error.message === 'socket hang up'
      ? 'the connection was closed before an answer (socket hang up)'
      : `a network error occurred (${code})`);
  return new TransportError(what, code, RETRYABLE_SOCKET_CODES.has(code), { cause: error });
}

export function formatSeconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}
