/**
 * The billing emulator's memory does not grow with the number of line items: an emulator process
 * with 200,000 and then 2,000,000 lines on its latest invoice serves the whole billed
 * reconciliation export (POST, operation, manifest, every blob) to a hand-written client (Node's
 * https and zlib, four blobs at a time, lines counted and summed as they stream); its peak RSS is
 * read from the process itself. The lines must add up to the invoice's total. Prints; never
 * asserts (`node bench/billing-emulator.mjs --help`).
 */
import { fork } from 'node:child_process';
import https from 'node:https';
import { createGunzip } from 'node:zlib';
import { benchArgs, fixed, heading, table, verdict } from './support/harness.mjs';

const GRAPH = 'https://graph.microsoft.com';
const BILLING = '/v1.0/reports/partners/billing';
const CONCURRENT_BLOBS = 4;

const main = import.meta.url === `file://${process.argv[1]}`;

if (main && process.argv[2] === '--child') {
  const { startEmulator } = await import('../dist/lib/emulator/index.js');
  const emulator = await startEmulator({
    customers: 2500,
    billingLineItems: Number(process.argv[3]),
    now: '2026-11-20',
  });
  const [latest] = emulator.billing.invoices();
  process.send({
    ready: {
      graphEndpoint: emulator.graphEndpoint,
      apiEndpoint: emulator.apiEndpoint,
      ca: emulator.caCertificate,
      graphToken: emulator.issueAccessToken({ audience: GRAPH }),
      pcToken: emulator.issueAccessToken(),
      invoiceId: latest.id,
      lines: latest.lineItemCount,
    },
  });
  process.on('message', async (message) => {
    if (message === 'peak') {
      // What the emulator still holds once garbage is collected: retention, not GC slack.
      globalThis.gc?.();
      const usage = process.memoryUsage();
      process.send({
        peakKb: process.resourceUsage().maxRSS,
        retainedMb: (usage.heapUsed + usage.external) / 1024 / 1024,
      });
    }
    if (message === 'close') {
      await emulator.close();
      process.exit(0);
    }
  });
} else if (main) {
  await billingEmulator(benchArgs({ small: 200_000, large: 2_000_000 }));
}

function startChild(lines) {
  const child = fork(new URL(import.meta.url).pathname, ['--child', String(lines)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: ['--expose-gc'],
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) =>
      reject(new Error(`the emulator exited (${code}) before it was ready`)),
    );
    child.once('message', (message) => resolve({ child, ...message.ready }));
  });
}

function ask(child, message) {
  return new Promise((resolve) => {
    child.once('message', resolve);
    child.send(message);
  });
}

function call(url, { ca, token, method = 'GET', body, sink }) {
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method,
        ca,
        headers: {
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
          ...(body ? { 'Content-Type': 'application/json' } : {}),
        },
      },
      (res) => {
        if (sink) {
          sink(res).then(() => resolve({ status: res.statusCode, headers: res.headers }), reject);
          return;
        }
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          resolve({
            status: res.statusCode,
            headers: res.headers,
            json: text ? JSON.parse(text) : undefined,
          });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Gunzips a blob as it streams, counting lines and summing `Total` in cents. */
function countLines(totals) {
  return (res) =>
    new Promise((resolve, reject) => {
      let rest = '';
      const gunzip = createGunzip();
      gunzip.setEncoding('utf8');
      gunzip.on('data', (text) => {
        const lines = (rest + text).split('\n');
        rest = lines.pop();
        for (const line of lines) {
          totals.lines++;
          totals.cents += Math.round(JSON.parse(line).Total * 100);
        }
      });
      gunzip.on('end', resolve);
      gunzip.on('error', reject);
      res.pipe(gunzip);
    });
}

async function exportOnce(lines) {
  const emulator = await startChild(lines);
  try {
    const { ca, graphToken: token } = emulator;
    const started = performance.now();
    const invoices = await call(`${emulator.apiEndpoint}/v1/invoices`, {
      ca,
      token: emulator.pcToken,
    });
    const invoice = invoices.json.items.find((item) => item.id === emulator.invoiceId);
    const posted = await call(`${emulator.graphEndpoint}${BILLING}/reconciliation/billed/export`, {
      ca,
      token,
      method: 'POST',
      body: JSON.stringify({ invoiceId: emulator.invoiceId, attributeSet: 'full' }),
    });
    let operation;
    for (;;) {
      operation = await call(posted.headers.location, { ca, token });
      if (operation.json.status !== 'running') break;
      await new Promise((resolve) =>
        setTimeout(resolve, Number(operation.headers['retry-after']) * 1000),
      );
    }
    const exported = performance.now();
    const manifest = (
      await call(operation.json['resourceLocation@odata.navigationLink'], { ca, token })
    ).json;
    const totals = { lines: 0, cents: 0 };
    const queue = [...manifest.blobs];
    await Promise.all(
      Array.from({ length: CONCURRENT_BLOBS }, async () => {
        for (let blob = queue.shift(); blob; blob = queue.shift())
          await call(`${manifest.rootDirectory}/${blob.name}?${manifest.sasToken}`, {
            ca,
            sink: countLines(totals),
          });
      }),
    );
    const done = performance.now();
    const { peakKb, retainedMb } = await ask(emulator.child, 'peak');
    return {
      lines,
      blobs: manifest.blobCount,
      exportSeconds: (exported - started) / 1000,
      downloadSeconds: (done - exported) / 1000,
      peakMb: peakKb / 1024,
      retainedMb,
      served: totals.lines,
      addsUp: totals.lines === lines && totals.cents === Math.round(invoice.totalCharges * 100),
    };
  } finally {
    const exited = new Promise((resolve) => emulator.child.once('exit', resolve));
    emulator.child.send('close');
    await exited;
  }
}

export async function billingEmulator({ small = 200_000, large = 2_000_000 } = {}) {
  heading('Billing emulator: memory flat in the number of line items');
  const results = [];
  for (const lines of [small, large]) results.push(await exportOnce(lines));
  table([
    ['lines', 'blobs', 'export s', 'download s', 'lines/s', 'peak RSS', 'held after GC', 'adds up'],
    ...results.map((r) => [
      r.lines.toLocaleString('en-US'),
      String(r.blobs),
      fixed(r.exportSeconds, 1),
      fixed(r.downloadSeconds, 1),
      fixed(r.served / r.downloadSeconds),
      `${fixed(r.peakMb, 1)} MB`,
      `${fixed(r.retainedMb, 1)} MB`,
      r.addsUp ? 'yes' : 'NO',
    ]),
  ]);
  const [few, many] = results;
  return [
    verdict(
      many.retainedMb - few.retainedMb < 5,
      `memory held after GC at ${many.lines} lines within 5 MB of ${few.lines} (nothing kept per line)`,
    ),
    verdict(
      many.peakMb - few.peakMb < 20,
      `peak RSS at ${many.lines} lines within 20 MB of ${few.lines}`,
    ),
    verdict(
      results.every((r) => r.addsUp),
      'every line served once and the lines add up to the invoice total',
    ),
  ];
}
