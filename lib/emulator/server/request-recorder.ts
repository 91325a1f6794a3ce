/**
 * What the emulator saw: a count per route template and the most recent requests, with anything
 * secret redacted, so a test can assert "no new token grant" or "this header was sent".
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { RecordedRequest } from '../types.js';

const KEPT_REQUESTS = 1000;
const REDACTED_HEADERS = new Set(['cookie', 'x-identity-header', 'secret']);

function redactHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(', ') : value;
    if (name === 'authorization') result[name] = text.replace(/^(\w+)\s+.*$/s, '$1 <redacted>');
    else if (REDACTED_HEADERS.has(name)) result[name] = '<redacted>';
    else result[name] = text;
  }
  return result;
}

/** Query parameters that can carry a secret (the authorization endpoint is a GET). */
const SECRET_QUERY =
  /([?&](?:code|client_secret|refresh_token|access_token|client_assertion)=)[^&]*/g;

/**
 * A request as it arrived: redacted only when read (`recentRequests`), since a suite reads a few
 * of the thousands it sends and redacting each on arrival was a few percent of the emulator's CPU.
 * Node builds `headers` once per request and never changes it, so keeping it is keeping what was
 * seen.
 */
interface SeenRequest {
  method: string;
  url: string;
  route: string;
  status: number;
  headers: IncomingHttpHeaders;
}

function redacted(request: SeenRequest): RecordedRequest {
  return {
    method: request.method,
    url: request.url.replace(SECRET_QUERY, '$1<redacted>'),
    route: request.route,
    status: request.status,
    headers: redactHeaders(request.headers),
  };
}

export class RequestRecorder {
  private byRoute = new Map<string, number>();
  private recent: SeenRequest[] = [];

  count(route: string): void {
    this.byRoute.set(route, (this.byRoute.get(route) ?? 0) + 1);
  }

  record(
    method: string,
    url: string,
    route: string,
    status: number,
    headers: IncomingHttpHeaders,
  ): void {
    this.recent.push({ method, url, route, status, headers });
    if (this.recent.length > KEPT_REQUESTS * 2) this.recent = this.recent.slice(-KEPT_REQUESTS);
  }

  requestsByRoute(): Record<string, number> {
    return Object.fromEntries(this.byRoute);
  }

  recentRequests(limit = 100): RecordedRequest[] {
    const kept = Math.min(Math.max(0, Math.floor(limit)), KEPT_REQUESTS);
    if (kept === 0) return [];
    return this.recent.slice(-kept).map(redacted);
  }

  reset(): void {
    this.byRoute.clear();
    this.recent = [];
  }
}
