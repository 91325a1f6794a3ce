/** A form POST that returns parsed JSON, for OAuth endpoints that @azure/identity does not cover. */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type Agent } from 'node:https';

export interface JsonResponse {
  status: number;
  body: Record<string, unknown>;
}

export function postForm(url: URL, form: Record<string, string>, agent?: Agent, timeoutMs = 30_000): Promise<JsonResponse> {
  const payload = new URLSearchParams(form).toString();
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      {
        method: 'POST',
        agent: url.protocol === 'https:' ? agent : undefined,
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', 'content-length': Buffer.byteLength(payload) },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8').replace(/^\uFEFF/, '');
          try {
            resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} });
          } catch {
            resolve({ status: res.statusCode ?? 0, body: { error: 'invalid_response', error_description: text.slice(0, 200) } });
          }
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${url.origin} did not answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}
