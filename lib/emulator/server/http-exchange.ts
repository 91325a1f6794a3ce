/**
 * One request as the route handlers see it, and the reply they return. Handlers never write to the
 * socket themselves: the server sends each reply, which is where latency, throttling and broken
 * connections are injected, uniformly for every route.
 */
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { BodyTooLargeError, MalformedBodyError } from './bad-request.js';
import type { FaultDecision } from './fault-injector.js';
import type { Query } from './query.js';

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
/** Token and control requests are small; a cap keeps a misbehaving client from filling memory. */
const MAX_BODY_BYTES = 1024 * 1024;
const JSON_TYPE = 'application/json; charset=utf-8';

export interface Exchange {
  readonly req: IncomingMessage;
  readonly url: URL;
  /** The query, names matched in any case: read it here, never from `url.searchParams`. */
  readonly query: Query;
  /** Values of the `{placeholders}` of the matched route. */
  readonly params: Readonly<Record<string, string>>;
  /** The route template, e.g. `GET /v1/customers/{id}`. */
  readonly route: string;
  /** When the request arrived (ms since the epoch). */
  readonly receivedAt: number;
  /** The server's id of this request (Graph answers it as `request-id`). */
  readonly requestId: string;
  /**
   * The faults that fired for this request, for the few a handler carries out itself (how an
   * export behaves, fault-types.ts `export`).
   */
  fault?: FaultDecision;
}

/**
 * A body too large to hold (a blob of millions of lines): its length, known beforehand, and a
 * stream opened when the server sends it, read with backpressure.
 */
export interface StreamedBody {
  readonly length: number;
  open(): Readable;
}

export interface Reply {
  status: number;
  headers: Record<string, string>;
  /** Empty when `stream` carries the body. */
  body: Buffer;
  stream?: StreamedBody;
}

export function header(exchange: Exchange, name: string): string | undefined {
  const value = exchange.req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The client's correlation id: MSAL.js and msal-node send `client-request-id` in the query of the
 * token request, other clients as a header; Entra reads both and echoes it as `correlation_id`.
 */
export function clientRequestId(exchange: Exchange): string | undefined {
  return (
    header(exchange, 'client-request-id') ?? exchange.query.get('client-request-id') ?? undefined
  );
}

export function bufferReply(
  status: number,
  body: Buffer,
  headers: Record<string, string> = {},
): Reply {
  return { status, headers: { 'Content-Type': JSON_TYPE, ...headers }, body };
}

export function jsonReply(
  status: number,
  body: unknown,
  options: { bom?: boolean; headers?: Record<string, string> } = {},
): Reply {
  return bufferReply(
    status,
    withBom(Buffer.from(JSON.stringify(body), 'utf8'), options.bom ?? false),
    options.headers,
  );
}

export function withBom(body: Buffer, bom: boolean): Buffer {
  return bom ? Buffer.concat([UTF8_BOM, body]) : body;
}

export function redirectReply(location: string): Reply {
  return { status: 302, headers: { Location: location }, body: Buffer.alloc(0) };
}

export function htmlReply(status: number, html: string): Reply {
  return {
    status,
    headers: { 'Content-Type': 'text/html; charset=utf-8' },
    body: Buffer.from(html, 'utf8'),
  };
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLargeError(MAX_BODY_BYTES);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A form-encoded body (the OAuth endpoints) as a plain map; repeated keys keep the last value. */
export async function readForm(req: IncomingMessage): Promise<Record<string, string>> {
  return Object.fromEntries(new URLSearchParams(await readBody(req)));
}

/**
 * A JSON object body (a control route's, a resource a write sends); an empty body is `{}`. A body
 * over the limit, not JSON or not an object is thrown as the error its service answers (413, 400).
 */
export async function readJsonObject(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = (await readBody(req)).trim();
  if (!text) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new MalformedBodyError('the body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new MalformedBodyError('expected a JSON object');
  return parsed as Record<string, unknown>;
}
