/**
 * The yardstick: the smallest honest Node program that lists every customer the way the service
 * defines it. Same requests and headers as Get-PartnerCustomer (Partner Center's, a new
 * MS-RequestId per call), follows links.next with its MS-ContinuationToken, one keep-alive
 * connection trusting the emulator's CA, and writes each item as one JSON line, waiting for
 * stdout when it is full. No retries, no error mapping, no prefetch: what a careful script does.
 *
 * BENCH_ACCESS_TOKEN=... node bench/reference-loop.mjs <apiEndpoint> <caCertificate.pem> [pageSize]
 *   e]
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import https from 'node:https';

const [apiEndpoint, caPath, pageSize = '500'] = process.argv.slice(2);
const agent = new https.Agent({ keepAlive: true, ca: readFileSync(caPath) });
const common = {
  Accept: 'application/json',
  Authorization: `Bearer ${process.env.BENCH_ACCESS_TOKEN}`,
  'MS-CorrelationId': randomUUID(),
  'X-Locale': 'en-US',
  'MS-PartnerCenter-Application': 'PartnerCenter-Node/0.1.0',
};

function getJson(uri, headers) {
  return new Promise((resolve, reject) => {
    const request = https.get(
      new URL(uri, apiEndpoint),
      { agent, headers: { ...common, ...headers, 'MS-RequestId': randomUUID() } },
      (response) => {
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('end', () => {
          if (response.statusCode !== 200)
            reject(new Error(`HTTP ${response.statusCode} for ${uri}`));
          else resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        });
        response.on('error', reject);
      },
    );
    request.on('error', reject);
  });
}

let uri = `/v1/customers?size=${pageSize}`;
let headers = {};
for (;;) {
  const page = await getJson(uri, headers);
  let lines = '';
  for (const item of page.items) lines += `${JSON.stringify(item)}\n`;
  if (!process.stdout.write(lines))
    await new Promise((resolve) => process.stdout.once('drain', resolve));
  const next = page.links?.next;
  if (!next) break;
  // The service writes the link with and without /v1 (docs/partner-center-api.md); both are meant.
  uri = next.uri.startsWith('/v1/') ? next.uri : `/v1${next.uri}`;
  headers = Object.fromEntries((next.headers ?? []).map(({ key, value }) => [key, value]));
}
agent.destroy();
