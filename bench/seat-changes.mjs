/**
 * Seat changes from a plan (issue 21): a CSV seat plan (customerId,subscriptionId,quantity, as
 * Excel saves it) of `--rows` rows, through a real shell pipe,
 * `Import-Csv plan.csv | Set-PartnerCustomerSubscription`, against the emulator in its own process
 * with 100 ms API latency and a gateway limit of 3,000 requests a minute.
 *
 * - The plan: active subscriptions of customers with a commerce relationship, each raised by one
 *   seat where the SKU's maximum leaves room (not the Azure offer): increases the rules accept,
 *   so every row costs exactly its read (GET) and its write (PATCH with the etag).
 * - The floor: each row costs 2 requests, so with R = 2 x rows, T = the cmdlet's concurrency
 *   (-ThrottleLimit) and L = the latency,
 *     floor = max(R / rate, R x L / T)
 *   (T rows in flight, each its GET then its PATCH in sequence: at most T requests in flight).
 *   2,000 rows: max(4,000 / 50 per s, 4,000 x 0.1 s / 16) = max(80 s, 25 s) = 80 s. The gateway's
 *   bucket starts full (one second of the rate), so a perfect run can come in a second under it.
 * - 429s: what the emulator answered 429 (from its counters); they spend none of the allowance.
 * - Verified afterwards: every planned subscription at its planned quantity, read back from the
 *   emulator's store (what every later GET serves), and the run's exit code 0.
 * - `--rows` shortens the dev loop, but the two processes' start-up and the sign-in (about a second)
 *   weigh more against a short floor: 200 rows (8 s) measured 1.11-1.21x where 2,000 gave 1.04x.
 * Prints a table and a verdict; never asserts on time.
 *
 *   npm run bench:seats               (builds first; --only seats of bench/run.mjs)
 *   node bench/seat-changes.mjs [--help] [--rows 2000] [--limit 16]
 *   node bench/run.mjs --only seats
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_THROTTLE_LIMIT } from '../dist/lib/cmdlet-support/fan-out.js';
import {
  benchArgs,
  bin,
  connectedConfig,
  fixed,
  heading,
  markdownTable,
  runTimed,
  startBenchEmulator,
  verdict,
} from './support/harness.mjs';

const TARGET_RATIO = 1.15;
const CMDLET = 'Set-PartnerCustomerSubscription';
/** Seats each row adds: an increase stays clear of the refund rules that govern decreases. */
const SEATS_ADDED = 1;

const DEFAULTS = { rows: 2000, latency: 100, rate: 3000, limit: 0, trace: false };

export async function seatChanges(overrides = {}) {
  const options = { ...DEFAULTS, ...overrides };
  const limit = options.limit || DEFAULT_THROTTLE_LIMIT;
  const work = mkdtempSync(join(tmpdir(), 'pc-bench-seats-'));
  // About 60% of subscriptions are active, a few per customer: rows / 1.5 customers is plenty.
  const emulator = await startBenchEmulator({ customers: Math.ceil(options.rows / 1.5) + 100 });
  const config = await connectedConfig(emulator);
  try {
    const plan = await emulator.call('changeableSubscriptions', {
      limit: options.rows,
      add: SEATS_ADDED,
    });
    if (plan.length < options.rows)
      throw new Error(`only ${plan.length} changeable subscriptions for ${options.rows} rows`);
    for (const row of plan) row.planned = row.quantity + SEATS_ADDED;
    const planFile = join(work, 'plan.csv');
    // As Excel writes it: a byte-order mark, CRLF, the header in its own case.
    writeFileSync(
      planFile,
      `\ufeffCustomerId,SubscriptionId,Quantity\r\n${plan
        .map((row) => `${row.customerId},${row.subscriptionId},${row.planned}\r\n`)
        .join('')}`,
    );
    const script =
      `"${process.execPath}" "${bin('Import-Csv')}" "${planFile}" | ` +
      `"${process.execPath}" "${bin(CMDLET)}"${options.limit ? ` -ThrottleLimit ${limit}` : ''}; ` +
      // biome-ignore lint/suspicious/noTemplateCurlyInString: bash's ${PIPESTATUS[n]}, not ours
      'exit $((${PIPESTATUS[0]} * 10 + ${PIPESTATUS[1]}))';
    // The bucket refilled (limit off and on again), the counters from zero.
    await emulator.call('configure', { rateLimitPerMinute: 0 });
    await emulator.call('configure', {
      apiLatencyMs: options.latency,
      rateLimitPerMinute: options.rate,
    });
    await emulator.call('reset');
    const load = loadavg()[0];
    const startedAt = new Date().toISOString();
    const run = await runTimed(['bash', '-c', script], { env: config.env, resources: true });
    const { api } = await emulator.call('stats');
    const quantities = await emulator.call(
      'quantities',
      plan.map((row) => [row.customerId, row.subscriptionId]),
    );
    const wrong = plan.filter((row, n) => quantities[n] !== row.planned).length;
    const audit = await auditCheck(emulator, config, plan, startedAt);
    const seconds = run.ms / 1000;
    const requests = 2 * plan.length;
    const rateFloor = (requests * 60) / options.rate;
    const latencyFloor = (requests * options.latency) / 1000 / limit;
    const floor = Math.max(rateFloor, latencyFloor);
    const admitted = api.requests - api.throttled;
    heading(
      `Seat plan piped into ${CMDLET}: ${plan.length.toLocaleString('en-US')} rows, ` +
        `${options.latency} ms API latency, ${options.rate.toLocaleString('en-US')} requests/min`,
    );
    markdownTable([
      [
        'case',
        'rows',
        'time s',
        'floor s',
        'time / floor',
        'requests (admitted)',
        '429s',
        'not at plan',
        'audit: doubled / missed',
        'exit',
        'peak RSS',
        'CPU s',
        'load (1 min) at start',
      ],
      [
        `-ThrottleLimit ${limit}${options.limit ? '' : ' (default)'}`,
        plan.length.toLocaleString('en-US'),
        fixed(seconds, 1),
        fixed(floor, 1),
        `${(seconds / floor).toFixed(2)}x`,
        `${api.requests} (${admitted})`,
        String(api.throttled),
        String(wrong),
        `${audit.doubled} / ${audit.missed}${audit.strays ? ` (+${audit.strays} others)` : ''}`,
        String(run.code),
        `${(run.peakRssKb / 1024).toFixed(1)} MB`,
        fixed(run.cpuMs / 1000, 1),
        load.toFixed(2),
      ],
    ]);
    process.stdout.write(
      `Floor: max(2 x rows / rate, 2 x rows x latency / ThrottleLimit) = max(${fixed(rateFloor, 1)} ` +
        `s, ${fixed(latencyFloor, 1)} s): each row is one GET and one PATCH. Requests: every ` +
        `Partner Center API request the emulator saw (${requests} needed), 429s included. Not at ` +
        'plan: rows whose subscription the emulator does not show at the planned quantity ' +
        'afterwards. Audit: the real Get-PartnerAuditRecord afterwards (no latency, no limit), ' +
        "the run's subscription records: rows with more than one / none at the planned quantity. " +
        'Peak RSS and CPU: the bash pipeline (/usr/bin/time: its largest process, ' +
        'CPU of both commands).\n',
    );
    if (options.trace || run.code !== 0)
      process.stdout.write(`  exit ${run.code}; stderr: ${run.stderr.slice(0, 600)}\n`);
    const ratio = seconds / floor;
    return [
      verdict(
        ratio <= TARGET_RATIO,
        `seat changes: ${plan.length} rows within ${TARGET_RATIO}x of the floor ` +
          `(${ratio.toFixed(2)}x; ${fixed(seconds, 1)} s vs ${fixed(floor, 1)} s, ` +
          `${api.throttled} 429s)`,
      ),
      verdict(
        wrong === 0 && audit.doubled === 0 && audit.missed === 0 && run.code === 0,
        `seat changes: every subscription at its planned quantity, one audit record each, exit ` +
          `0 (${wrong} not at plan; ${audit.doubled} doubled, ${audit.missed} missed; exit ` +
          `${run.code})`,
      ),
    ];
  } finally {
    config.dispose();
    await emulator.close();
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The audit log's subscription records since the run began, read with the real
 * Get-PartnerAuditRecord: each row's change exactly once, at its planned quantity.
 */
async function auditCheck(emulator, config, plan, since) {
  await emulator.call('configure', { apiLatencyMs: 0, rateLimitPerMinute: 0 });
  const planned = new Map(plan.map((row) => [row.subscriptionId, row.planned]));
  const seen = new Map();
  let strays = 0;
  const today = new Date().toISOString().slice(0, 10);
  const listing = await runTimed(
    [
      bin('Get-PartnerAuditRecord'),
      '-ResourceType',
      'subscription',
      '-StartDate',
      since.slice(0, 10),
      '-EndDate',
      today,
    ],
    {
      env: config.env,
      onLine: (line) => {
        const record = JSON.parse(line);
        if (record.operationDate < since) return;
        const after = JSON.parse(record.resourceNewValue ?? '{}');
        // The service writes the resource's values PascalCased (Id, Quantity).
        if (!planned.has(after.Id) || after.Quantity !== planned.get(after.Id)) strays++;
        else seen.set(after.Id, (seen.get(after.Id) ?? 0) + 1);
      },
    },
  );
  if (listing.code !== 0) throw new Error(`Get-PartnerAuditRecord failed: ${listing.stderr}`);
  let doubled = 0;
  for (const count of seen.values()) if (count > 1) doubled++;
  return { doubled, missed: plan.length - seen.size, strays };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await seatChanges(benchArgs(DEFAULTS));
