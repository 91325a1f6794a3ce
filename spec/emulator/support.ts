/**
 * Talks to a running emulator over real HTTPS (node:https, trusting the emulator's own
 * certificate).
 */
import https from 'node:https';
import type { StartedEmulator } from '../../lib/emulator/index.js';

export interface Response {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The raw bytes, BOM included. */
  raw: Buffer;
  /** The body as text, a leading BOM removed. */
  text: string;
  json: any;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  /** Sent as `Authorization: Bearer ...`. */
  token?: string;
  body?: string | Record<string, string>;
  /**
   * Leave out the `x-emulator-key` header that a request to a `/_emulator/` control route otherwise
   * carries (the emulator's control key), to see the refusal.
   */
  withoutControlKey?: boolean;
}

const agents = new WeakMap<StartedEmulator, https.Agent>();

export function agentFor(emulator: StartedEmulator): https.Agent {
  let agent = agents.get(emulator);
  if (!agent) {
    agent = new https.Agent({ ca: emulator.caCertificate, keepAlive: true });
    agents.set(emulator, agent);
  }
  return agent;
}

export function request(
  emulator: StartedEmulator,
  path: string,
  options: RequestOptions = {},
): Promise<Response> {
  return requestUrl(emulator, `${emulator.apiEndpoint}${path}`, options);
}

/** A request to an absolute URL on the emulator (a Graph `@odata.nextLink`, exactly as given). */
export function requestUrl(
  emulator: StartedEmulator,
  url: string,
  options: RequestOptions = {},
): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  // The control routes need the key the emulator printed; every spec's lever call passes it here.
  if (new URL(url).pathname.startsWith('/_emulator/') && !options.withoutControlKey)
    headers['x-emulator-key'] = emulator.controlKey;
  Object.assign(headers, options.headers);
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (typeof options.body === 'string') body = options.body;
  else if (options.body) {
    body = new URLSearchParams(options.body).toString();
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
  }
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method: options.method ?? (body === undefined ? 'GET' : 'POST'),
        headers,
        agent: agentFor(emulator),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const raw = Buffer.concat(chunks);
          const text = raw.toString('utf8').replace(/^\ufeff/, '');
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, raw, text, json });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export interface Listing {
  pages: any[];
  ids: string[];
  responses: Response[];
}

/**
 * Follows `links.next` exactly as documented: its uri (either form), its method and every header it
 * lists.
 */
export async function listAll(
  emulator: StartedEmulator,
  token: string,
  firstPath: string,
): Promise<Listing> {
  const listing: Listing = { pages: [], ids: [], responses: [] };
  let response = await request(emulator, firstPath, { token });
  for (;;) {
    if (response.status !== 200)
      throw new Error(`page ${listing.pages.length + 1}: HTTP ${response.status} ${response.text}`);
    listing.responses.push(response);
    listing.pages.push(response.json);
    listing.ids.push(...response.json.items.map((item: { id: string }) => item.id));
    const next = response.json.links.next;
    if (!next) return listing;
    const uri: string = next.uri.startsWith('/v1/') ? next.uri : `/v1${next.uri}`;
    const headers = Object.fromEntries(
      next.headers.map((entry: { key: string; value: string }) => [entry.key, entry.value]),
    );
    response = await request(emulator, uri, { token, method: next.method, headers });
  }
}

export function filterQuery(filter: Record<string, unknown> | string): string {
  return encodeURIComponent(typeof filter === 'string' ? filter : JSON.stringify(filter));
}

export function decodeJwt(token: string): Record<string, any> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}
