/**
 * An invoice's reconciliation line items through Microsoft Graph's export (issue 22): the real
 * `Get-PartnerInvoiceLineItem -InvoiceId <latest>` beside the floor a hand-made script reaches over
 * the same export, at 2,000,000 and 200,000 line items, against the emulator in its own process.
 *
 * - The floor: the bench itself starts the export (POST), polls the operation after each
 *   Retry-After and reads the manifest (Node's https), then fetches every blob with
 *   `curl | gzip -dc | wc -l`, as many at a time as the cmdlet downloads (`--concurrency`).
 *   Timed from the POST to the last blob's last line, as the cmdlet is from its start to its exit.
 * - The cmdlet: `Get-PartnerInvoiceLineItem -InvoiceId <id> | wc -l` in bash, the real bin/
 *   command signed in by the real Connect-Partner, NDJSON on a pipe; its peak RSS and CPU from
 *   /usr/bin/time. Both sides' lines are counted by wc and must be the invoice's line items.
 * - Serve only: `curl -o /dev/null` of every blob, the emulator's own pace. The emulator keeps each
 *   blob's compressed bytes in a file once measured (billingBlobCacheDirectory) and serves them as
 *   a blob store does: making the lines (about 50,000 a second) is slower than either client and
 *   would otherwise hide what separates them. A floor close to this row means the emulator is
 *   still the bottleneck; the table says so.
 * - A slow reader: the cmdlet at the small size into a pipe read at `--slowBytesPerSecond`: with
 *   backpressure honoured, its peak RSS stays where the full-speed run's is.
 * - CPU: user + system of the cmdlet, and of curl and gzip summed over the floor's blobs (the
 *   measure that suffers least from the other work on a shared machine).
 * `--floorOnly` leaves the cmdlet out (the emulator and the floor alone).
 * Targets (issue 22): within 1.25x of the floor; peak RSS under 150 MB at 2,000,000 and within
 * 10 MB of the figure at 200,000. Prints a table and verdicts; never asserts on time.
 *
 *   npm run bench:export               (builds first; --only export of bench/run.mjs)
 *   node bench/billing-export.mjs [--help] [--small 200000] [--large 2000000] [--rounds 2]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  benchArgs,
  bin,
  connectedConfig,
  fixed,
  heading,
  markdownTable,
  median,
  runTimed,
  startBenchEmulator,
  verdict,
} from './support/harness.mjs';

const CMDLET = 'Get-PartnerInvoiceLineItem';
const BILLING = '/v1.0/reports/partners/billing';
const TARGET_RATIO = 1.25;
const TARGET_PEAK_MB = 150;
const TARGET_GROWTH_MB = 10;

const DEFAULTS = {
  small: 200_000,
  large: 2_000_000,
  rounds: 2,
  concurrency: 0,
  slowBytesPerSecond: 40_000_000,
  floorOnly: false,
  trace: false,
};

/** The cmdlet's default blob concurrency, from its module (4 where it is not built). */
async function cmdletConcurrency() {
  for (const module of [
    '../dist/lib/cmdlet-support/billing-export-run.js',
    '../dist/lib/partner-center/billing-export-blobs.js',
  ]) {
    try {
      const found = await import(module);
      const value = found.DEFAULT_CONCURRENCY;
      if (Number.isInteger(value)) return value;
    } catch {
      // Not built (yet): the default.
    }
  }
  return 4;
}

export async function billingExport(overrides = {}) {
  const options = { ...DEFAULTS, ...overrides };
  const concurrency = options.concurrency || (await cmdletConcurrency());
  const rows = [];
  let slow;
  for (const lines of [options.small, options.large]) {
    const measured = await measure(lines, concurrency, options, lines === options.small);
    rows.push(measured);
    slow ??= measured.slow;
  }
  heading(
    `Invoice line items through the Graph export: ${CMDLET} beside curl | gzip -dc ` +
      `(${concurrency} blobs at a time)`,
  );
  markdownTable([
    [
      'line items',
      'blobs',
      'serve only s',
      'floor s',
      'cmdlet s',
      'cmdlet / floor',
      'line items/s',
      'peak RSS',
      'CPU cmdlet / floor s',
      'load at start',
    ],
    ...rows.map((r) => [
      r.lines.toLocaleString('en-US'),
      String(r.blobs),
      fixed(r.serveSeconds, 1),
      fixed(r.floorSeconds, 1),
      fixed(r.cmdletSeconds, 1),
      `${(r.cmdletSeconds / r.floorSeconds).toFixed(2)}x`,
      fixed(r.lines / r.cmdletSeconds),
      `${fixed(r.peakMb, 1)} MB`,
      `${fixed(r.cmdletCpu, 1)} / ${fixed(r.floorCpu, 1)}`,
      r.load.toFixed(2),
    ]),
  ]);
  process.stdout.write(
    `Medians of ${options.rounds} rounds side by side (the large size: 1) after the export that ` +
      'filled the blob cache. Serve only: curl -o /dev/null of every blob (the emulator alone). ' +
      `Slow reader: ${CMDLET} at ${options.small.toLocaleString('en-US')} into a pipe read at ` +
      `${fixed(options.slowBytesPerSecond / 1e6)} MB/s: ${fixed(slow.seconds, 1)} s, peak RSS ` +
      `${fixed(slow.peakMb, 1)} MB.\n`,
  );
  const [few, many] = rows;
  const ratio = many.cmdletSeconds / many.floorSeconds;
  return [
    verdict(
      ratio <= TARGET_RATIO,
      `billing export: ${many.lines} line items within ${TARGET_RATIO}x of curl | gzip -dc ` +
        `(${ratio.toFixed(2)}x; ${fixed(many.cmdletSeconds, 1)} s vs ${fixed(many.floorSeconds, 1)} s)`,
    ),
    verdict(
      many.peakMb < TARGET_PEAK_MB && many.peakMb - few.peakMb <= TARGET_GROWTH_MB,
      `billing export: peak RSS ${fixed(many.peakMb, 1)} MB at ${many.lines} (under ` +
        `${TARGET_PEAK_MB} MB) and ${fixed(many.peakMb - few.peakMb, 1)} MB above ${few.lines} ` +
        `(at most ${TARGET_GROWTH_MB})`,
    ),
    verdict(
      slow.peakMb - few.peakMb <= TARGET_GROWTH_MB,
      `billing export: a slow reader keeps the peak RSS flat (${fixed(slow.peakMb, 1)} MB vs ` +
        `${fixed(few.peakMb, 1)} MB at full speed)`,
    ),
    verdict(
      rows.every((r) => r.serveSeconds < 0.8 * r.floorSeconds),
      'billing export: the emulator serves faster than the floor reads (serve only < 0.8 x ' +
        `floor: ${rows.map((r) => `${fixed(r.serveSeconds, 1)} vs ${fixed(r.floorSeconds, 1)} s`).join(', ')})`,
    ),
  ];
}

async function measure(lines, concurrency, options, withSlowReader) {
  const cache = mkdtempSync(join(tmpdir(), 'pc-bench-blobs-'));
  const emulator = await startBenchEmulator({
    customers: 2500,
    now: '2026-11-20',
    billingLineItems: lines,
    billingBlobCacheDirectory: cache,
  });
  const config = await connectedConfig(emulator);
  try {
    // Polled at once: the blobs are measured (and cached) by the first export, so later ones are
    // ready when they are posted, and neither side waits a second for nothing.
    await emulator.call('configure', { exportRetryAfterSeconds: 0 });
    const billing = await emulator.call('billing');
    if (billing.lines !== lines) throw new Error(`the invoice has ${billing.lines} line items`);
    const client = {
      ...billing,
      ca: readFileSync(emulator.caCertificatePath, 'utf8'),
      caPath: emulator.caCertificatePath,
    };
    const first = await exportManifest(client);
    const cases = [
      { name: 'serve', run: () => blobsWith(client, concurrency, 'serve') },
      { name: 'floor', run: () => blobsWith(client, concurrency, 'floor') },
      { name: 'cmdlet', run: () => cmdletRun(client, config) },
    ].filter((c) => !(options.floorOnly && c.name === 'cmdlet'));
    const results = new Map(cases.map((c) => [c.name, []]));
    const rounds = lines === options.small ? options.rounds : 1;
    const load = loadavg()[0];
    for (let round = 0; round < rounds; round++)
      for (const c of cases) {
        const result = await c.run();
        if (c.name !== 'serve' && result.lines !== lines)
          throw new Error(
            `${c.name}: ${result.lines} lines, expected ${lines}. ${result.stderr ?? ''}`,
          );
        if (options.trace) process.stdout.write(`  ${c.name} ${JSON.stringify(result)}\n`);
        results.get(c.name).push(result);
      }
    const mid = (name, metric) =>
      results.get(name)?.length ? median(results.get(name).map(metric)) : Number.NaN;
    const slow =
      withSlowReader && !options.floorOnly
        ? await slowReader(client, config, lines, options.slowBytesPerSecond)
        : undefined;
    return {
      lines,
      blobs: first.blobs.length,
      load,
      serveSeconds: mid('serve', (r) => r.seconds),
      floorSeconds: mid('floor', (r) => r.seconds),
      cmdletSeconds: mid('cmdlet', (r) => r.seconds),
      floorCpu: mid('floor', (r) => r.cpu),
      cmdletCpu: mid('cmdlet', (r) => r.cpu),
      peakMb: Math.max(...(results.get('cmdlet') ?? []).map((r) => r.peakMb)),
      slow: slow ?? { seconds: Number.NaN, peakMb: Number.NaN },
    };
  } finally {
    config.dispose();
    await emulator.close();
    rmSync(cache, { recursive: true, force: true });
  }
}

function call(client, url, { method = 'GET', body } = {}) {
  return new Promise((resolve, reject) => {
    const request = https.request(
      url,
      {
        method,
        ca: client.ca,
        headers: {
          Authorization: `Bearer ${client.graphToken}`,
          ...(body ? { 'Content-Type': 'application/json' } : {}),
        },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () =>
          resolve({ headers: response.headers, json: text ? JSON.parse(text) : undefined }),
        );
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** POST, poll after each Retry-After, manifest: what every hand-made client does first. */
async function exportManifest(client) {
  const posted = await call(
    client,
    `${client.graphEndpoint}${BILLING}/reconciliation/billed/export`,
    {
      method: 'POST',
      body: JSON.stringify({ invoiceId: client.invoiceId, attributeSet: 'full' }),
    },
  );
  for (;;) {
    const operation = await call(client, posted.headers.location);
    if (operation.json.status === 'failed') throw new Error(JSON.stringify(operation.json));
    if (operation.json.status !== 'running')
      return (await call(client, operation.json['resourceLocation@odata.navigationLink'])).json;
    const seconds = Number(operation.headers['retry-after'] ?? 1);
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  }
}

/**
 * One export by hand: the manifest, then every blob through `curl | gzip -dc | wc -l` (floor) or
 * `curl -o /dev/null` (serve), `concurrency` at a time. Lines counted, CPU of curl and gzip summed.
 */
async function blobsWith(client, concurrency, mode) {
  const started = performance.now();
  const manifest = await exportManifest(client);
  const queue = [...manifest.blobs];
  const usage = mkdtempSync(join(tmpdir(), 'pc-bench-usage-'));
  let lines = 0;
  let cpu = 0;
  let next = 0;
  const time = (file) => `/usr/bin/time -f '%U %S' -o ${usage}/${file}`;
  const curl = `curl -sS --fail --cacert "$CA" "$URL"`;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let blob = queue.shift(); blob; blob = queue.shift()) {
        const n = next++;
        const script =
          mode === 'serve'
            ? `${time(`c${n}`)} ${curl} -o /dev/null`
            : `set -o pipefail; ${time(`c${n}`)} ${curl} | ${time(`g${n}`)} gzip -dc | wc -l`;
        const out = await runScript(script, {
          CA: client.caPath,
          URL: `${manifest.rootDirectory}/${blob.name}?${manifest.sasToken}`,
        });
        lines += Number(out.trim() || 0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  for (let n = 0; n < next; n++)
    for (const file of mode === 'serve' ? [`c${n}`] : [`c${n}`, `g${n}`])
      cpu += cpuOf(join(usage, file));
  rmSync(usage, { recursive: true, force: true });
  return { seconds, lines, cpu };
}

function runScript(script, env) {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (err += chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${script}: exit ${code}: ${err}`)),
    );
  });
}

/** user + system seconds from a `/usr/bin/time -f '[%M ]%U %S'` file (its last line). */
function cpuOf(file) {
  const fields = readFileSync(file, 'utf8').trim().split('\n').pop().split(' ').map(Number);
  return fields.at(-2) + fields.at(-1);
}

/** The cmdlet into `wc -l`, as a user pipes it: lines, wall time, its peak RSS and CPU. */
async function cmdletRun(client, config) {
  const usage = mkdtempSync(join(tmpdir(), 'pc-bench-usage-'));
  const file = join(usage, 'cmdlet');
  const started = performance.now();
  try {
    const out = await runScript(
      `set -o pipefail; /usr/bin/time -f '%M %U %S' -o ${file} "$NODE" "$BIN" -InvoiceId "$ID" | wc -l`,
      { ...config.env, NODE: process.execPath, BIN: bin(CMDLET), ID: client.invoiceId },
    );
    const seconds = (performance.now() - started) / 1000;
    const [peakKb] = readFileSync(file, 'utf8').trim().split('\n').pop().split(' ').map(Number);
    return { seconds, lines: Number(out.trim()), peakMb: peakKb / 1024, cpu: cpuOf(file) };
  } finally {
    rmSync(usage, { recursive: true, force: true });
  }
}

/** The cmdlet into a pipe read at `bytesPerSecond`: backpressure keeps its memory flat. */
async function slowReader(client, config, lines, bytesPerSecond) {
  const run = await runTimed([bin(CMDLET), '-InvoiceId', client.invoiceId], {
    env: config.env,
    resources: true,
    readBytesPerSecond: bytesPerSecond,
  });
  if (run.code !== 0 || run.lines !== lines)
    throw new Error(`slow reader: exit ${run.code}, ${run.lines} lines: ${run.stderr}`);
  return { seconds: run.ms / 1000, peakMb: run.peakRssKb / 1024 };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await billingExport(benchArgs(DEFAULTS));
