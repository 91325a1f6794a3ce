/**
 * A download streamed to its consumer (docs/partner-center-api.md, "Blob downloads"): the body is
 * read only as fast as the consumer reads the returned stream (backpressure reaches the server
 * through TCP), with no size cap, and a body cut short (a reset, a close before Content-Length, no
 * byte for `idleTimeoutMs` while the consumer waits) is asked for again from the byte where it
 * stopped, `Range: bytes=<n>-` with `If-Match` of the first answer's ETag, where the server allows
 * ranges (`Accept-Ranges: bytes`; the blob store does). A resumed answer must be that range (206
 * from byte n): the whole file again, or another version of it (412), ends the download with an
 * error instead of mixing two. Imported only by the commands that download.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { AuthenticationError, ServiceError } from '../common/errors.js';
import { abortReason } from './abortable.js';
import type { HttpClient } from './client.js';
import { describeCall } from './service-errors.js';
import { formatSeconds, TransportError } from './transport.js';

export interface DownloadProgress {
  /** Bytes handed to the consumer so far (from `startAt`). */
  received: number;
  /** The file's length, when the server said. */
  total?: number;
  /** Times the body was cut and resumed. */
  resumes: number;
  /** The file's ETag (the version being read), once known. */
  etag?: string;
}

export interface DownloadOptions {
  signal?: AbortSignal;
  /** Called after each chunk is handed over. */
  onProgress?: (progress: DownloadProgress) => void;
  /** Cuts resumed before giving up. Default 5. */
  maxResumes?: number;
  /** No byte for this long while the consumer waits for one counts as a cut. Default 100 s. */
  idleTimeoutMs?: number;
  /** Start at this byte (a run that kept the first bytes of the file). */
  startAt?: number;
  /** The version to read (an ETag from an earlier run's progress): another one is refused (412). */
  ifMatch?: string;
  /**
   * A new URL for the same file when the server refuses the current one (403, e.g. an expired
   * SAS): the download goes on from where it stopped at the new URL, within `maxResumes`.
   */
  renewUrl?: () => Promise<string | URL>;
  /** -Verbose: each resume. */
  verbose?: (line: string) => void;
}

const DEFAULT_MAX_RESUMES = 5;
const DEFAULT_IDLE_TIMEOUT_MS = 100_000;

/** The file at `target` as a byte stream; destroying it stops the download. */
export function download(
  client: HttpClient,
  target: string | URL,
  options: DownloadOptions = {},
): Readable {
  return Readable.from(chunks(client, client.resolve(target), options), { objectMode: false });
}

async function* chunks(
  client: HttpClient,
  firstUrl: URL,
  options: DownloadOptions,
): AsyncGenerator<Buffer> {
  let url = firstUrl;
  const { signal } = options;
  const maxResumes = options.maxResumes ?? DEFAULT_MAX_RESUMES;
  const idleMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const described = describeCall({ method: 'GET', url });
  let position = options.startAt ?? 0;
  let received = 0;
  let resumes = 0;
  let etag = options.ifMatch;
  let total: number | undefined;
  let rangesAllowed = false;
  for (;;) {
    const headers: Record<string, string> = {};
    if (position > 0) headers.Range = `bytes=${position}-`;
    if (etag) headers['If-Match'] = etag;
    let answer: Awaited<ReturnType<HttpClient['openStream']>>;
    try {
      answer = await client.openStream(url, { headers, signal });
    } catch (error) {
      if (!(error instanceof AuthenticationError && options.renewUrl) || resumes >= maxResumes)
        throw error;
      resumes++;
      options.verbose?.(
        `${described} was refused (${error.message}): asking for a new link and going on from ` +
          `byte ${position}, resume ${resumes} of ${maxResumes}.`,
      );
      url = client.resolve(await options.renewUrl());
      continue;
    }
    const body = answer.body;
    try {
      if (position > 0 && rangeStart(answer.status, answer.headers) !== position) {
        throw new ServiceError(
          `${client.serviceName} answered ${described} from byte ${position} with ` +
            `${answer.status === 200 ? 'the whole file again' : `HTTP ${answer.status}`}, not ` +
            'the rest of it; the download was stopped rather than repeat bytes.',
          { status: answer.status, hint: 'Start the download again.' },
        );
      }
      if (etag === undefined && typeof answer.headers.etag === 'string') etag = answer.headers.etag;
      total ??= totalLength(answer.status, answer.headers, position);
      rangesAllowed ||=
        answer.status === 206 || /\bbytes\b/i.test(String(answer.headers['accept-ranges'] ?? ''));
      for await (const chunk of idleGuarded(body, idleMs)) {
        position += chunk.length;
        received += chunk.length;
        yield chunk;
        options.onProgress?.({ received, total, resumes, etag });
      }
      if (!body.complete || (total !== undefined && position < total))
        throw new TransportError(
          `the body ended after ${position} of ${total ?? '?'} bytes`,
          'ETRUNCATED',
          true,
        );
      return;
    } catch (error) {
      if (signal?.aborted) throw abortReason(signal);
      if (error instanceof ServiceError) throw error;
      const problem = error instanceof Error ? error.message : String(error);
      if (!rangesAllowed || resumes >= maxResumes) {
        throw new ServiceError(
          `${described}${client.serviceName === 'Azure Blob Storage' ? '' : ` to ${client.serviceName}`} ` +
            `was cut off after ${position} bytes (${problem}); ` +
            (rangesAllowed
              ? `it was resumed ${resumes} times, the most allowed.`
              : 'the server does not take ranges, so it cannot be resumed.'),
          { reason: 'download cut off', hint: 'Start the download again.', cause: error },
        );
      }
      resumes++;
      options.verbose?.(
        `${described} was cut off after ${position} bytes (${problem}): asking for the rest ` +
          `from byte ${position}, resume ${resumes} of ${maxResumes}.`,
      );
    } finally {
      body.destroy();
    }
  }
}

/** The first byte of a 206's Content-Range (`bytes 100-199/1000`). */
function rangeStart(status: number, headers: IncomingHttpHeaders): number | undefined {
  if (status !== 206) return undefined;
  const match = /^bytes (\d+)-/.exec(String(headers['content-range'] ?? ''));
  return match ? Number(match[1]) : undefined;
}

function totalLength(
  status: number,
  headers: IncomingHttpHeaders,
  position: number,
): number | undefined {
  if (status === 206) {
    const match = /\/(\d+)$/.exec(String(headers['content-range'] ?? ''));
    if (match) return Number(match[1]);
  }
  const length = Number(headers['content-length']);
  return headers['content-length'] !== undefined && Number.isFinite(length)
    ? position + length
    : undefined;
}

/** The body's chunks; no chunk for `idleMs` while one is awaited destroys it as cut. */
async function* idleGuarded(body: IncomingMessage, idleMs: number): AsyncGenerator<Buffer> {
  const iterator = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  for (;;) {
    const timer = setTimeout(
      () =>
        body.destroy(new TransportError(`no data for ${formatSeconds(idleMs)}`, 'ETIMEDOUT', true)),
      idleMs,
    );
    let step: IteratorResult<Buffer>;
    try {
      step = await iterator.next();
    } finally {
      clearTimeout(timer);
    }
    if (step.done) return;
    yield step.value;
  }
}
