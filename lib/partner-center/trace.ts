/**
 * The -Debug line for one HTTP exchange: enough to reproduce it and to quote to support, and
 * nothing secret. The Authorization header's value is never written (and it comes last, because
 * the host's redaction masks everything after an `Authorization:`); a continuation token only by
 * length.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { redactSecrets } from '../common/redact.js';

const RESPONSE_HEADERS_SHOWN = [
  'ms-cv',
  'ms-serverid',
  'retry-after',
  'location',
  'content-length',
  'date',
];

export interface TraceEntry {
  method: string;
  url: URL;
  /** `200`, or the transport failure's code. */
  outcome: string | number;
  elapsedMs: number;
  attempt: number;
  requestHeaders: Record<string, string>;
  responseHeaders?: IncomingHttpHeaders;
}

export function traceLine(entry: TraceEntry): string {
  const sent = Object.entries(entry.requestHeaders)
    .filter(([name]) => !/^(ms-requestid|ms-correlationid|authorization)$/i.test(name))
    .map(([name, value]) => `${name}: ${shownValue(name, value)}`);
  const received = RESPONSE_HEADERS_SHOWN.flatMap((name) => {
    const value = entry.responseHeaders?.[name];
    return value === undefined ? [] : [`${name}: ${String(value)}`];
  });
  const line =
    `${entry.method} ${entry.url.href} → ${entry.outcome} (${Math.round(entry.elapsedMs)} ` +
    `ms) attempt ${entry.attempt}` +
    ` MS-RequestId=${header(entry.requestHeaders, 'ms-requestid')}` +
    ` MS-CorrelationId=${header(entry.requestHeaders, 'ms-correlationid')}` +
    ` | sent ${sent.join('; ')}` +
    (received.length ? ` | received ${received.join('; ')}` : '') +
    (header(entry.requestHeaders, 'authorization') === '-'
      ? ' | no Authorization (another host)'
      : ' | Authorization: ***');
  return redactSecrets(line);
}

function shownValue(name: string, value: string): string {
  if (name.toLowerCase() === 'ms-continuationtoken') return `<${value.length} chars>`;
  return value;
}

function header(headers: Record<string, string>, lowerName: string): string {
  return Object.entries(headers).find(([name]) => name.toLowerCase() === lowerName)?.[1] ?? '-';
}
