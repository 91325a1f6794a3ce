/**
 * The fastest possible client, to measure the emulator alone: requests every page over one
 * keep-alive connection and throws the bodies away, reading only the continuation token off the
 * end of each body (no JSON parse, no output). It prints one line: pages and items seen.
 *
 * BENCH_ACCESS_TOKEN=... node bench/support/drain-pages.mjs <apiEndpoint> <caCertificate.pem>
 *   m> [pageSize]
 */
import { readFileSync } from 'node:fs';
import https from 'node:https';

const [apiEndpoint, caPath, pageSize = '500'] = process.argv.slice(2);
const agent = new https.Agent({ keepAlive: true, ca: readFileSync(caPath) });
const headers = {
  Accept: 'application/json',
  Authorization: `Bearer ${process.env.BENCH_ACCESS_TOKEN}`,
};
const nextToken = /"key":"MS-ContinuationToken","value":"([^"]+)"/;

function get(uri, extra) {
  return new Promise((resolve, reject) => {
    https
      .get(new URL(uri, apiEndpoint), { agent, headers: { ...headers, ...extra } }, (response) => {
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('end', () =>
          response.statusCode === 200
            ? resolve(Buffer.concat(chunks))
            : reject(new Error(`HTTP ${response.statusCode}`)),
        );
      })
      .on('error', reject);
  });
}

let pages = 0;
let bytes = 0;
let extra = {};
for (
  let uri = `/v1/customers?size=${pageSize}`;
  ;
  uri = `/v1/customers?size=${pageSize}&seekOperation=Next`
) {
  const body = await get(uri, extra);
  pages++;
  bytes += body.length;
  const token = nextToken.exec(body.toString('latin1', Math.max(0, body.length - 4096)));
  if (!token) break;
  extra = { 'MS-ContinuationToken': token[1] };
}
agent.destroy();
process.stdout.write(`${pages} pages ${bytes} bytes\n`);
