/**
 * Small JSON requests to Entra ID endpoints that @azure/identity does not cover (or whose answers
 * it hides).
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type Agent } from 'node:https';
import { stripBom } from '../common/text.js';

export interface JsonResponse {
  status: number;
  body: Record<string, unknown>;
  /** The answer's headers, lower-case names (Retry-After of a 429 or 503). */
  headers: Record<string, string | string[] | undefined>;
}

export function postForm(
  url: URL,
  form: Record<string, string>,
  agent?: Agent,
  timeoutMs = 30_000,
): Promise<JsonResponse> {
  const payload = new URLSearchParams(form).toString();
  return exchange(url, 'POST', payload, agent, timeoutMs);
}

export function getJson(url: URL, agent?: Agent, timeoutMs = 10_000): Promise<JsonResponse> {
  return exchange(url, 'GET', undefined, agent, timeoutMs);
}

function exchange(
  url: URL,
  method: string,
  payload: string | undefined,
  agent: Agent | undefined,
  timeoutMs: number,
): Promise<JsonResponse> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const headers: Record<string, string | number> = { accept: 'application/json' };
  if (payload !== undefined)
    Object.assign(headers, {
      'content-type': 'application/x-www-form-urlencoded',
      'content-length': Buffer.byteLength(payload),
    });
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      { method, agent: url.protocol === 'https:' ? agent : undefined, headers, timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = stripBom(Buffer.concat(chunks).toString('utf8'));
          const status = res.statusCode ?? 0;
          const headers = res.headers;
          try {
            resolve({
              status,
              headers,
              body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
            });
          } catch {
            resolve({
              status,
              headers,
              body: { error: 'invalid_response', error_description: text.slice(0, 200) },
            });
          }
        });
        res.on('error', reject);
      },
    );
    // Idle this long, before the answer or in the middle of it: coded as the socket's own timeout
    // so callers that retry on ETIMEDOUT treat both alike.
    req.on('timeout', () =>
      req.destroy(
        Object.assign(new Error(`${url.origin} sent nothing for ${timeoutMs} ms`), {
          code: 'ETIMEDOUT',
        }),
      ),
    );
    req.on('error', reject);
    req.end(payload);
  });
}
