/**
 * The client's throttle gate and adaptive limit (lib/partner-center/request-limiter.ts) against the
 * emulator's gateway limit: `requests` GETs of `/v1/customers/{id}/subscriptions`, one per
 * customer, through ONE client by `concurrency` callers at once (the client's maxConcurrency is the
 * same number, as the host's -ThrottleLimit sets it), with the emulator answering after `latency`
 * ms and allowing `rate` requests a minute per partner tenant.
 *
 * The floor of such a run is max(requests / rate, requests x latency / concurrency): the printed
 * ratio is time / floor. Throttled is the share of sends answered 429, over the whole run and after
 * its first 10 s (the targets of issue 13: within 1.15x of the floor, at most 5% after 10 s).
 * `--lowerTo <rate> --lowerAt <s>` lowers the emulator's limit mid-run (through its live settings)
 * to show the limit following it. Prints medians; never asserts.
 *
 * node bench/throttle-driver.mjs [--requests 2000] [--latency 100] [--rate 3000]
 *   [--concurrency 8,16,32] [--rounds 1] [--lowerTo 0] [--lowerAt 15] [--trace]
 *
 * Measured on the 2-vCPU development machine (2026-12-01), the defaults, median of 3:
 *   concurrency 8: 1.05x the floor, 2.5% throttled after 10 s; 16: 1.04x, 2.4%; 32: 1.07x, 2.5%.
 *   Lowered to 1,500/min at 15 s, concurrency 16: 1.07x the floor, 4.6% after 10 s (the limit
 *   settles at 3-4 in flight, where 2.5 would be exact).
 * With growth 4x slower within one request of the last episode's level (CAUTION_NEAR_LAST_EPISODE,
 * same machine, one round): concurrency 8 / 16 / 32: 1.03x / 1.05x / 1.05x, 1.2% / 1.2% / 1.3%
 * after 10 s (before: 2.5% each); lowered 3,000 to 1,200/min at 10 s, 1,200 requests,
 * concurrency 8 / 16: 1.06x / 1.08x, 3.1% / 3.2% after 10 s (bench/pipeline.mjs had 6.1% before).
 * How the limiter's constants were chosen (one round each, concurrency 8 / 32, before the
 * emulator charged refused requests; time / floor, then throttled after 10 s):
 *   decrease x0.5, growth 0.1:  1.07x / 1.04x,  1.0% / 1.0%
 *   decrease x0.7, growth 0.1:  1.02x / 1.03x,  1.3% / 1.4%   (chosen)
 *   decrease x0.85, growth 0.1: 1.04x / 1.02x,  1.6% / 3.2%
 *   decrease x0.7, growth 0.05: 1.03x / 1.06x,  0.6% / 0.6%
 *   decrease x0.7, growth 0.3:  1.09x / 1.09x,  1.0% / 4.0%
 *   no decrease (the gate alone): 1.03x / 1.06x, 1.8% / 23.1%
 * The time stays near the floor whatever the constants, because a 1 s gate refills the bucket that
 * the wait costs; what they change is how many requests are refused on the way.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { PartnerCenterClient } from '../dist/lib/partner-center/client.js';
import {
  benchArgs,
  fixed,
  heading,
  median,
  rateFloor,
  startBenchEmulator,
  table,
  verdict,
} from './support/harness.mjs';

const FIRST_SECONDS = 10;

async function customerIds(client, count) {
  const ids = [];
  for await (const page of client.pages(`/customers?size=500`)) {
    for (const item of page.items) ids.push(item.id);
    if (ids.length >= count) break;
  }
  return ids.slice(0, count);
}

async function oneRun(emulator, options, ids, concurrency) {
  // Off and on again: every bucket starts full, as for a partner that sent nothing for a while.
  await emulator.call('configure', { rateLimitPerMinute: 0, apiLatencyMs: options.latency });
  await emulator.call('configure', { rateLimitPerMinute: options.rate });
  const token = await emulator.call('token');
  const client = new PartnerCenterClient({
    apiEndpoint: emulator.apiEndpoint,
    caCertificate: readFileSync(emulator.caCertificatePath),
    tokenProvider: { getToken: async () => token },
    correlationId: randomUUID(),
    maxConcurrency: concurrency,
  });
  const started = performance.now();
  let next = 0;
  let early;
  const trace = [];
  const sampler = setInterval(() => {
    const { limit, inFlight, throttled } = client.throttling;
    trace.push(`${limit}/${inFlight}/${throttled}`);
  }, 1000);
  const earlyTimer = setTimeout(() => {
    early = { throttled: client.throttling.throttled, sends: client.stats.requests };
  }, FIRST_SECONDS * 1000);
  const lowerTimer =
    options.lowerTo > 0
      ? setTimeout(
          () => emulator.call('configure', { rateLimitPerMinute: options.lowerTo }),
          options.lowerAt * 1000,
        )
      : undefined;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++];
      try {
        await client.getJson(`/customers/${id}/subscriptions`);
      } catch (error) {
        // Customers without a commerce relationship answer 403, as the data set says; anything
        // else (retries run out) is what this driver is about, so it stops the run.
        if (!/HTTP 403/.test(String(error?.message))) throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  clearTimeout(earlyTimer);
  if (lowerTimer) clearTimeout(lowerTimer);
  const { throttled, waitedMs, limit } = client.throttling;
  const sends = client.stats.requests;
  early ??= { throttled, sends };
  client.close();
  const rates =
    options.lowerTo > 0 && seconds > options.lowerAt
      ? [
          [options.lowerAt, options.rate],
          [seconds - options.lowerAt, options.lowerTo],
        ]
      : [[seconds, options.rate]];
  const floor = Math.max(
    rateFloor(ids.length, rates),
    (ids.length * options.latency) / 1000 / concurrency,
  );
  return {
    seconds,
    floor,
    ratio: seconds / floor,
    throttledShare: throttled / sends,
    lateShare: sends > early.sends ? (throttled - early.throttled) / (sends - early.sends) : 0,
    throttled,
    waitedMs,
    limit,
    trace,
  };
}

export async function throttleDriver(options) {
  const concurrencies = String(options.concurrency).split(',').map(Number);
  const emulator = await startBenchEmulator({ customers: options.requests });
  try {
    const lister = new PartnerCenterClient({
      apiEndpoint: emulator.apiEndpoint,
      caCertificate: readFileSync(emulator.caCertificatePath),
      tokenProvider: { getToken: async () => emulator.call('token') },
      correlationId: randomUUID(),
    });
    const ids = await customerIds(lister, options.requests);
    lister.close();
    const rows = [];
    const verdicts = [];
    for (const concurrency of concurrencies) {
      const runs = [];
      for (let round = 0; round < options.rounds; round++) {
        const run = await oneRun(emulator, options, ids, concurrency);
        runs.push(run);
        if (options.trace)
          process.stdout.write(
            `  c=${concurrency} round ${round + 1}: ${fixed(run.seconds, 1)} s; ` +
              `limit/inFlight/throttled each second: ${run.trace.join(' ')}\n`,
          );
      }
      const m = (key) => median(runs.map((run) => run[key]));
      rows.push([
        concurrency,
        fixed(m('seconds'), 1),
        fixed(m('floor'), 1),
        `${m('ratio').toFixed(2)}x`,
        `${(m('throttledShare') * 100).toFixed(1)}%`,
        `${(m('lateShare') * 100).toFixed(1)}%`,
        fixed(m('throttled')),
        fixed(m('waitedMs') / 1000, 1),
        fixed(m('limit')),
      ]);
      verdicts.push([concurrency, m('ratio'), m('lateShare')]);
    }
    const lowered =
      options.lowerTo > 0 ? `, lowered to ${options.lowerTo}/min at ${options.lowerAt} s` : '';
    heading(
      `Throttling: ${options.requests} GETs through one client, ${options.latency} ms latency, ` +
        `${options.rate} requests/min${lowered} (median of ${options.rounds})`,
    );
    table([
      [
        'concurrency',
        'time s',
        'floor s',
        'time/floor',
        'throttled',
        `throttled after ${FIRST_SECONDS} s`,
        '429s',
        'gate held s (sum)',
        'final limit',
      ],
      ...rows,
    ]);
    return verdicts.flatMap(([concurrency, ratio, late]) => [
      verdict(
        ratio <= 1.15,
        `concurrency ${concurrency}: within 1.15x of the floor (${ratio.toFixed(2)}x)`,
      ),
      verdict(
        late <= 0.05,
        `concurrency ${concurrency}: at most 5% throttled after the first ${FIRST_SECONDS} s ` +
          `(${(late * 100).toFixed(1)}%)`,
      ),
    ]);
  } finally {
    await emulator.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`)
  await throttleDriver(
    benchArgs({
      requests: 2000,
      latency: 100,
      rate: 3000,
      concurrency: '8,16,32',
      rounds: 1,
      lowerTo: 0,
      lowerAt: 15,
      trace: false,
    }),
  );
