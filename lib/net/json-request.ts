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
          try {
            resolve({
              status: res.statusCode ?? 0,
              body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
            });
          } catch {
            resolve({
              status: res.statusCode ?? 0,
              body: { error: 'invalid_response', error_description: text.slice(0, 200) },
            });
          }
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () =>
      req.destroy(new Error(`${url.origin} did not answer within ${timeoutMs} ms`)),
    );
    req.on('error', reject);
    req.end(payload);
  });
}
