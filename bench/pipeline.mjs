/**
 * Customers piped into per-customer cmdlets (issue 13): the real bin/Get-PartnerCustomerSubscription
 * reading customers as NDJSON on stdin (`< customers.ndjson`, written by the real
 * Get-PartnerCustomer), against the emulator in its own process with 100 ms API latency and a
 * gateway limit of 3,000 requests a minute, beside the loops people run today.
 *
 * - The input holds only customers with a commerce relationship (the data set's other customers
 *   answer 403, which is not what this measures; the memory part pipes every customer in with
 *   -ErrorAction SilentlyContinue instead).
 * - The floor of a run: max(requests / rate, requests x latency / concurrency), with `requests`
 *   the API requests the emulator answered other than with a 429 (the work the run had to do;
 *   429s spend none of the gateway's allowance). The gateway's bucket starts full (one second's
 *   worth), so a perfect run can come in a little under the floor.
 * - Throttled: the share of API requests the emulator answered 429, over the run and after its
 *   first 10 s, from the emulator's counters (sampled once a second over IPC, and at 10 s exactly).
 * - Lost or repeated: every customer's subscriptions compared with the emulator's data set (each
 *   exactly once), and each customer's lines checked to be contiguous.
 * - Peak RSS: /usr/bin/time's maximum resident set size of the process (of the largest single
 *   process for the loops).
 * The slow loops run over a subset of the customers and their times are scaled to the full count
 * (the output says so). Prints a markdown table with targets; never asserts.
 *
 *   npm run bench:pipeline            (builds first)
 *   node bench/pipeline.mjs [--help] [--only throttle,loops,memory,lowered] [--trace]
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DEFAULT_THROTTLE_LIMIT } from '../dist/lib/cmdlet-support/fan-out.js';
import {
  benchArgs,
  benchFile,
  bin,
  connectedConfig,
  fixed,
  heading,
  markdownTable,
  mb,
  median,
  rateFloor,
  repoRoot,
  runTimed,
  startBenchEmulator,
  verdict,
} from './support/harness.mjs';

const FIRST_SECONDS = 10;
const TARGET_RATIO = 1.15;
const TARGET_LATE_SHARE = 0.05;
const TARGET_RSS_KB = 120 * 1024;
/** Memory "not growing with the input size": the bound bench/memory.mjs uses for listings. */
const TARGET_GROWTH_KB = 10 * 1024;
const CMDLET = 'Get-PartnerCustomerSubscription';

const DEFAULTS = {
  customers: 2000,
  latency: 100,
  rate: 3000,
  limits: '16,32,64',
  rounds: 1,
  sequentialCustomers: 150,
  shellCustomers: 40,
  curlCustomers: 1000,
  curlParallel: 8,
  curlRetries: 5,
  memorySmall: 10_000,
  memoryLarge: 100_000,
  memoryRounds: 1,
  lowerCustomers: 1200,
  lowerTo: 1200,
  lowerAt: 10,
  settle: 5,
  only: '',
  trace: false,
};

export async function pipeline(overrides = {}) {
  const options = { ...DEFAULTS, ...overrides };
  const parts = options.only ? options.only.split(',') : ['throttle', 'loops', 'memory', 'lowered'];
  if (!existsSync('/usr/bin/time')) {
    process.stdout.write(
      '\n## Pipeline: not measured (/usr/bin/time is missing: apt-get install -y time)\n',
    );
    return [];
  }
  const work = mkdtempSync(join(tmpdir(), 'pc-bench-pipeline-'));
  const rows = [];
  const verdicts = [];
  try {
    if (parts.some((part) => ['throttle', 'loops', 'lowered'].includes(part))) {
      const needed = Math.max(options.customers, options.lowerCustomers);
      // About 7% of the data set's customers have no commerce relationship.
      const emulator = await startBenchEmulator({ customers: Math.ceil(needed * 1.15) + 100 });
      const config = await connectedConfig(emulator);
      try {
        const input = await customerInput(emulator, config, work, { commerceOnly: true });
        if (input.ids.length < needed)
          throw new Error(`only ${input.ids.length} customers with a commerce relationship`);
        const bench = { emulator, config, input, options, work };
        if (parts.includes('throttle')) await throttleRows(bench, rows, verdicts);
        if (parts.includes('loops')) await loopRows(bench, rows);
        if (parts.includes('lowered')) await loweredRun(bench, verdicts);
      } finally {
        config.dispose();
        await emulator.close();
      }
    }
    if (parts.includes('memory')) await memoryRows(options, work, rows, verdicts);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  if (rows.length) {
    heading(
      `Customers piped into ${CMDLET}: ${options.latency} ms API latency, ` +
        `${options.rate.toLocaleString('en-US')} requests/min (median of ${options.rounds}; memory ` +
        'rows without latency or limit)',
    );
    markdownTable([
      [
        'case',
        'customers run',
        `time s${rows.some((row) => row.scaled) ? ' (scaled*)' : ''}`,
        'floor s',
        'time / floor',
        'vs rate floor',
        '429 share',
        `429 after ${FIRST_SECONDS} s`,
        'peak RSS',
        'lost / repeated / split',
        'target',
      ],
      ...rows.map((row) => [
        row.name,
        row.customersRun.toLocaleString('en-US'),
        `${fixed(row.seconds, 1)}${row.scaled ? '*' : ''}`,
        fixed(row.floor, 1),
        row.floor ? `${(row.seconds / row.floor).toFixed(2)}x` : '-',
        row.rateFloor ? `${(row.seconds / row.rateFloor).toFixed(2)}x` : '-',
        percent(row.share),
        percent(row.lateShare),
        mb(row.peakRssKb),
        row.check,
        row.target,
      ]),
    ]);
    process.stdout.write(
      'Input: the NDJSON Get-PartnerCustomer wrote, customers with a commerce relationship only ' +
        '(memory rows: every customer), as a file on stdin. Floor: max(requests / rate, requests x ' +
        'latency / concurrency) over the requests the emulator answered other than 429. Lost / ' +
        'repeated / split: customers missing some subscription / with one twice / whose lines are ' +
        'not together. The shell loop gives each command </dev/null (a cmdlet reads pipeline ' +
        "input from any other stdin, which would swallow the loop's ids); curl saves each answer " +
        'to a file, and without --retry a 429 loses that customer. The gateway bucket starts ' +
        'full (one second of the rate): a run can beat its floor by up to a second.\n',
    );
    if (rows.some((row) => row.scaled))
      process.stdout.write(
        `* run over the first "customers run" customers and scaled to ` +
          `${options.customers.toLocaleString('en-US')} (time x ${options.customers} / customers run).\n`,
      );
  }
  return verdicts.map(({ ok, text }) => verdict(ok, text));
}

/**
 * Every customer as the real Get-PartnerCustomer lists it (no latency, no limit), written to an
 * NDJSON file, with each customer's subscription ids from the emulator's data set.
 */
async function customerInput(emulator, config, work, { commerceOnly, count = Infinity }) {
  await emulator.call('configure', { apiLatencyMs: 0, rateLimitPerMinute: 0 });
  const lines = [];
  const listing = await runTimed([bin('Get-PartnerCustomer')], {
    env: config.env,
    onLine: (line) => lines.push(line),
  });
  if (listing.code !== 0) throw new Error(`Get-PartnerCustomer failed: ${listing.stderr}`);
  const all = lines.map((line) => JSON.parse(line).id);
  const expected = await expectedSubscriptions(emulator, all);
  const kept = [];
  for (let n = 0; n < all.length && kept.length < count; n++)
    if (!commerceOnly || expected.get(all[n]) !== null) kept.push(n);
  const ids = kept.map((n) => all[n]);
  return {
    ids,
    expected,
    /** The NDJSON of the first `n` customers, and their ids one a line, as files. */
    files(n = ids.length) {
      const ndjson = join(work, `customers-${n}.ndjson`);
      const idList = join(work, `customer-ids-${n}.txt`);
      if (!existsSync(ndjson)) {
        writeFileSync(
          ndjson,
          `${kept
            .slice(0, n)
            .map((k) => lines[k])
            .join('\n')}\n`,
        );
        writeFileSync(idList, `${ids.slice(0, n).join('\n')}\n`);
      }
      return { ndjson, idList, ids: ids.slice(0, n) };
    },
  };
}

/** Each customer's subscription ids (null: no commerce relationship), asked in chunks over IPC. */
async function expectedSubscriptions(emulator, ids) {
  const expected = new Map();
  for (let from = 0; from < ids.length; from += 10_000) {
    const chunk = await emulator.call('subscriptionIds', ids.slice(from, from + 10_000));
    for (const [id, subscriptions] of Object.entries(chunk)) expected.set(id, subscriptions);
  }
  return expected;
}

/**
 * Checks a cmdlet's NDJSON output line by line against the data set: every piped customer's
 * subscriptions exactly once, each customer's lines together.
 */
function outputCheck(ids, expected) {
  const seen = new Map();
  let last;
  let split = 0;
  let strays = 0;
  const lead = /^\{"customerId":"([^"]+)","id":"([^"]+)"/;
  return {
    line(text) {
      const match = lead.exec(text);
      const { customerId, id } = match ? { customerId: match[1], id: match[2] } : JSON.parse(text);
      const got = seen.get(customerId) ?? [];
      if (!seen.has(customerId)) seen.set(customerId, got);
      else if (customerId !== last) split++;
      last = customerId;
      got.push(id);
    },
    files(dir) {
      for (const customerId of ids) {
        let body;
        try {
          body = readFileSync(join(dir, `${customerId}.json`), 'utf8');
        } catch {
          continue;
        }
        if (!body) continue;
        seen.set(
          customerId,
          JSON.parse(body).items.map((item) => item.id),
        );
      }
    },
    result() {
      let lost = 0;
      let repeated = 0;
      const piped = new Set(ids);
      for (const customerId of ids) {
        const want = expected.get(customerId) ?? [];
        const got = seen.get(customerId) ?? [];
        if (new Set(got).size < got.length) repeated++;
        if (want.some((id) => !got.includes(id))) lost++;
        if (got.some((id) => !want.includes(id))) strays++;
      }
      for (const customerId of seen.keys()) if (!piped.has(customerId)) strays++;
      return { lost, repeated, split, strays };
    },
  };
}

const describeCheck = ({ lost, repeated, split, strays }) =>
  `${lost} / ${repeated} / ${split}${strays ? ` (${strays} unexpected)` : ''}`;
const cleanCheck = ({ lost, repeated, split, strays }) =>
  lost === 0 && repeated === 0 && split === 0 && strays === 0;

/**
 * One timed run against the emulator's limit: the bucket refilled (limit off and on again), the
 * counters reset, the emulator's API counters sampled each second and at FIRST_SECONDS exactly.
 * `lower`: { at, to } lowers the limit at `at` seconds through the live settings.
 */
async function measuredRun(bench, argv, { env, stdin, onLine, lower }) {
  const { emulator, options } = bench;
  await emulator.call('configure', { rateLimitPerMinute: 0 });
  await emulator.call('configure', {
    apiLatencyMs: options.latency,
    rateLimitPerMinute: options.rate,
  });
  await emulator.call('reset');
  const samples = [];
  let early;
  let beforeLowering;
  const started = performance.now();
  const sample = async () => {
    const { api } = await emulator.call('stats');
    const taken = {
      seconds: (performance.now() - started) / 1000,
      requests: api.requests,
      throttled: api.throttled,
    };
    samples.push(taken);
    return taken;
  };
  const ticker = setInterval(sample, 1000);
  const earlyTimer = setTimeout(async () => (early = await sample()), FIRST_SECONDS * 1000);
  const lowerTimer =
    lower &&
    setTimeout(async () => {
      beforeLowering = await sample();
      await emulator.call('configure', { rateLimitPerMinute: lower.to });
    }, lower.at * 1000);
  const result = await runTimed(argv, { env, stdin, onLine, resources: true });
  clearInterval(ticker);
  clearTimeout(earlyTimer);
  clearTimeout(lowerTimer);
  const end = await sample();
  samples.sort((a, b) => a.seconds - b.seconds);
  const seconds = result.ms / 1000;
  const admitted = end.requests - end.throttled;
  return {
    ...result,
    seconds,
    samples,
    early,
    beforeLowering,
    requests: end.requests,
    throttled: end.throttled,
    admitted,
    share: end.requests ? end.throttled / end.requests : 0,
    lateShare:
      early && end.requests > early.requests
        ? (end.throttled - early.throttled) / (end.requests - early.requests)
        : undefined,
  };
}

/** max(requests / rate, requests x latency / concurrency), in seconds; rates: [[seconds, per min]]. */
function floorOf(requests, latencyMs, concurrency, rates) {
  return Math.max(rateFloor(requests, rates), (requests * latencyMs) / 1000 / concurrency);
}

/** Admitted requests and 429s in each second of a run: "admitted/429" per second. */
function perSecond(samples) {
  const cells = [];
  let previous = { seconds: 0, requests: 0, throttled: 0 };
  for (const sample of samples) {
    if (sample.seconds - previous.seconds < 0.5) continue;
    const throttled = sample.throttled - previous.throttled;
    cells.push(`${sample.requests - previous.requests - throttled}/${throttled}`);
    previous = sample;
  }
  return cells.join(' ');
}

function trace(bench, name, run) {
  if (bench.options.trace || run.code !== 0)
    process.stdout.write(
      `  ${name}: exit ${run.code}, ${fixed(run.seconds, 1)} s; admitted/429 each second: ` +
        `${perSecond(run.samples)}\n` +
        (run.code !== 0
          ? `  stderr (first line): ${run.stderr.split('\n')[0].slice(0, 300)}\n`
          : ''),
    );
}

/** A pipeline row (one or more rounds), as the table prints it. */
function row(bench, name, runs, { concurrency, customersRun, target }) {
  const { options } = bench;
  const scale = options.customers / customersRun;
  const m = (f) => median(runs.map(f));
  // The floor of the whole count: the run's own requests per customer, scaled.
  const requests = m((run) => run.admitted) * scale;
  const rates = [[Infinity, options.rate]];
  return {
    name,
    customersRun,
    scaled: scale !== 1,
    seconds: m((run) => run.seconds) * scale,
    floor: floorOf(requests, options.latency, concurrency, rates),
    rateFloor: rateFloor(requests, rates),
    share: m((run) => run.share),
    // Only for runs that lasted past FIRST_SECONDS (a subset's run may not).
    lateShare: runs.every((run) => run.lateShare !== undefined)
      ? m((run) => run.lateShare)
      : undefined,
    peakRssKb: m((run) => run.peakRssKb),
    checks: runs.map((run) => run.check),
    check: describeCheck(runs.at(-1).check),
    exitCodes: runs.map((run) => run.code),
    target,
  };
}

/** A target and whether this run met it, printed after the tables. */
const target = (ok, text) => ({ ok, text });

const percent = (share) => (share === undefined ? '-' : `${(share * 100).toFixed(1)}%`);

/** The cmdlet with the default -ThrottleLimit and each of `limits`, over every customer. */
async function throttleRows(bench, rows, verdicts) {
  const { config, input, options } = bench;
  const { ndjson, ids } = input.files(options.customers);
  const cases = [
    [`default (-ThrottleLimit ${DEFAULT_THROTTLE_LIMIT})`, DEFAULT_THROTTLE_LIMIT, []],
    ...String(options.limits)
      .split(',')
      .filter(Boolean)
      .map(Number)
      .map((limit) => [`-ThrottleLimit ${limit}`, limit, ['-ThrottleLimit', String(limit)]]),
  ];
  const results = new Map(cases.map(([name]) => [name, []]));
  // Rounds interleaved (A B C, A B C): drift on a noisy machine hits every case alike.
  for (let round = 0; round < options.rounds; round++) {
    for (const [name, , args] of cases) {
      const check = outputCheck(ids, input.expected);
      const run = await measuredRun(bench, [bin(CMDLET), ...args], {
        env: config.env,
        stdin: ndjson,
        onLine: check.line,
      });
      run.check = check.result();
      trace(bench, name, run);
      results.get(name).push(run);
    }
  }
  for (const [name, concurrency] of cases) {
    const measured = row(bench, name, results.get(name), {
      concurrency,
      customersRun: ids.length,
      target: `<= ${TARGET_RATIO}x floor, <= 5% late 429s, 0 lost`,
    });
    rows.push(measured);
    const ratio = measured.seconds / measured.floor;
    verdicts.push(
      target(
        ratio <= TARGET_RATIO,
        `${name}: within ${TARGET_RATIO}x of the floor (${ratio.toFixed(2)}x; ` +
          `${fixed(measured.seconds, 1)} s vs ${fixed(measured.floor, 1)} s)`,
      ),
      target(
        measured.lateShare <= TARGET_LATE_SHARE,
        `${name}: at most 5% of requests throttled after the first ${FIRST_SECONDS} s ` +
          `(${percent(measured.lateShare)}; ${percent(measured.share)} over the run)`,
      ),
      target(
        measured.checks.every(cleanCheck) && measured.exitCodes.every((code) => code === 0),
        `${name}: 0 customers lost or repeated, exit 0 (lost/repeated/split ${measured.check}; ` +
          `exit ${measured.exitCodes.join(', ')})`,
      ),
    );
  }
}

/** -ThrottleLimit 1, the shell loop and xargs -P (8) over curl, each over a subset, scaled. */
async function loopRows(bench, rows) {
  const { config, emulator, input, options, work } = bench;
  const sequential = input.files(Math.min(options.sequentialCustomers, options.customers));
  {
    const check = outputCheck(sequential.ids, input.expected);
    const run = await measuredRun(bench, [bin(CMDLET), '-ThrottleLimit', '1'], {
      env: config.env,
      stdin: sequential.ndjson,
      onLine: check.line,
    });
    run.check = check.result();
    trace(bench, '-ThrottleLimit 1', run);
    rows.push(
      row(bench, '-ThrottleLimit 1', [run], {
        concurrency: 1,
        customersRun: sequential.ids.length,
        target: '(today: one at a time)',
      }),
    );
  }
  const shell = input.files(Math.min(options.shellCustomers, options.customers));
  {
    const check = outputCheck(shell.ids, input.expected);
    const run = await measuredRun(bench, [benchFile('shell-loop.sh'), join(repoRoot, 'bin')], {
      env: config.env,
      stdin: shell.idList,
      onLine: check.line,
    });
    run.check = check.result();
    trace(bench, 'shell loop', run);
    rows.push(
      row(bench, `while read id; do ${CMDLET} -CustomerId "$id"; done`, [run], {
        concurrency: 1,
        customersRun: shell.ids.length,
        target: '(today: a process per customer)',
      }),
    );
  }
  const curl = input.files(Math.min(options.curlCustomers, options.customers));
  const env = { ...config.env, BENCH_ACCESS_TOKEN: await emulator.call('token') };
  for (const retries of [0, options.curlRetries]) {
    const outdir = mkdtempSync(join(work, 'curl-'));
    const check = outputCheck(curl.ids, input.expected);
    const run = await measuredRun(
      bench,
      [
        benchFile('xargs-curl.sh'),
        emulator.apiEndpoint,
        emulator.caCertificatePath,
        outdir,
        String(options.curlParallel),
        String(retries),
      ],
      { env, stdin: curl.idList },
    );
    check.files(outdir);
    run.check = check.result();
    rmSync(outdir, { recursive: true, force: true });
    const how = retries ? ` --retry ${retries} (waits out Retry-After)` : ' (no retry)';
    const name = `xargs -P ${options.curlParallel} curl${how}`;
    trace(bench, name, { ...run, code: run.code === 123 ? 0 : run.code });
    rows.push(
      row(bench, name, [run], {
        concurrency: options.curlParallel,
        customersRun: curl.ids.length,
        target: '(today: a naive parallel loop)',
      }),
    );
  }
}

/**
 * Peak RSS with many customers piped in, without latency or limit (CPU-bound, so it stays
 * minutes): every customer of the data set, those without a commerce relationship too, with
 * -ErrorAction SilentlyContinue.
 */
async function memoryRows(options, work, rows, verdicts) {
  const emulator = await startBenchEmulator({ customers: options.memoryLarge });
  const config = await connectedConfig(emulator);
  try {
    const input = await customerInput(emulator, config, work, { commerceOnly: false });
    await emulator.call('configure', { apiLatencyMs: 0, rateLimitPerMinute: 0 });
    const peaks = [];
    for (const count of [options.memorySmall, options.memoryLarge]) {
      const { ndjson, ids } = input.files(count);
      const runs = [];
      for (let round = 0; round < options.memoryRounds; round++) {
        await emulator.call('reset');
        const check = outputCheck(ids, input.expected);
        const run = await runTimed([bin(CMDLET), '-ErrorAction', 'SilentlyContinue'], {
          env: config.env,
          stdin: ndjson,
          onLine: check.line,
          resources: true,
        });
        const { api } = await emulator.call('stats');
        run.check = check.result();
        // Exit 1: the customers without a commerce relationship failed (silently), as expected.
        if (run.code !== 0 && run.code !== 1)
          process.stdout.write(
            `  memory ${count}: exit ${run.code}: ${run.stderr.slice(0, 300)}\n`,
          );
        runs.push({ ...run, seconds: run.ms / 1000, requests: api.requests });
      }
      const peak = median(runs.map((run) => run.peakRssKb));
      peaks.push(peak);
      rows.push({
        name: `${count.toLocaleString('en-US')} customers piped in, -ErrorAction SilentlyContinue`,
        customersRun: ids.length,
        seconds: median(runs.map((run) => run.seconds)),
        peakRssKb: peak,
        check: describeCheck(runs.at(-1).check),
        target: count === options.memoryLarge ? '< 120 MB, flat' : '',
        clean: runs.every((run) => cleanCheck(run.check)),
      });
    }
    const [small, large] = peaks;
    verdicts.push(
      target(
        large < TARGET_RSS_KB,
        `peak RSS under 120 MB with ${options.memoryLarge.toLocaleString('en-US')} customers piped ` +
          `in (${mb(large)})`,
      ),
      target(
        large - small < TARGET_GROWTH_KB,
        `memory does not grow with the input: under 10 MB more from ` +
          `${options.memorySmall.toLocaleString('en-US')} to ` +
          `${options.memoryLarge.toLocaleString('en-US')} customers (${mb(large - small)})`,
      ),
      target(
        rows.filter((r) => r.clean !== undefined).every((r) => r.clean),
        `memory runs: 0 customers lost or repeated (${rows
          .filter((r) => r.clean !== undefined)
          .map((r) => r.check)
          .join('; ')})`,
      ),
    );
  } finally {
    config.dispose();
    await emulator.close();
  }
}

/**
 * The limit lowered mid-run (live settings), the default -ThrottleLimit: the achieved rate before
 * and after against the limit, and the 429 share once the change settled.
 */
async function loweredRun(bench, verdicts) {
  const { config, input, options } = bench;
  const { ndjson, ids } = input.files(options.lowerCustomers);
  const check = outputCheck(ids, input.expected);
  const run = await measuredRun(bench, [bin(CMDLET)], {
    env: config.env,
    stdin: ndjson,
    onLine: check.line,
    lower: { at: options.lowerAt, to: options.lowerTo },
  });
  run.check = check.result();
  trace(bench, 'lowered', run);
  const settledAt = options.lowerAt + options.settle;
  const settled = run.samples.find((s) => s.seconds >= settledAt);
  // The last whole second before the end: the tail (the last few in flight) is not a rate.
  const last = run.samples.filter((s) => s.seconds <= run.seconds - 1).at(-1);
  const before = run.beforeLowering;
  // The bucket starts with one second's worth, which a run spends within its first seconds on top
  // of the rate: the window before the change starts once it is spent.
  const windowFrom = Math.min(3, options.lowerAt / 2);
  const firstSecond = run.samples.find((s) => s.seconds >= windowFrom);
  const rateOf = (from, to) =>
    from && to && to.seconds > from.seconds
      ? ((to.requests - to.throttled - (from.requests - from.throttled)) /
          (to.seconds - from.seconds)) *
        60
      : undefined;
  const shareOf = (from, to) =>
    from && to && to.requests > from.requests
      ? (to.throttled - from.throttled) / (to.requests - from.requests)
      : undefined;
  const rateBefore = rateOf(firstSecond, before);
  const rateAfter = rateOf(settled, last);
  const shareAfter = shareOf(settled, last);
  const floor = floorOf(run.admitted, options.latency, DEFAULT_THROTTLE_LIMIT, [
    [options.lowerAt, options.rate],
    [Infinity, options.lowerTo],
  ]);
  heading(
    `Rate limit lowered mid-run: ${ids.length.toLocaleString('en-US')} customers, default ` +
      `-ThrottleLimit, ${options.rate.toLocaleString('en-US')} -> ` +
      `${options.lowerTo.toLocaleString('en-US')} requests/min at ${options.lowerAt} s`,
  );
  markdownTable([
    ['window', 'limit /min', 'achieved /min', 'achieved / limit', '429 share'],
    [
      `${fixed(firstSecond?.seconds, 0)} s to ${options.lowerAt} s`,
      options.rate.toLocaleString('en-US'),
      fixed(rateBefore),
      rateBefore ? `${(rateBefore / options.rate).toFixed(2)}` : '-',
      percent(shareOf(firstSecond, before)),
    ],
    [
      `${options.lowerAt} s to ${settledAt} s (settling)`,
      options.lowerTo.toLocaleString('en-US'),
      fixed(rateOf(before, settled)),
      '-',
      percent(shareOf(before, settled)),
    ],
    [
      `${settledAt} s to ${fixed(last?.seconds, 0)} s`,
      options.lowerTo.toLocaleString('en-US'),
      fixed(rateAfter),
      rateAfter ? `${(rateAfter / options.lowerTo).toFixed(2)}` : '-',
      percent(shareAfter),
    ],
  ]);
  process.stdout.write(
    `whole run: ${fixed(run.seconds, 1)} s, floor ${fixed(floor, 1)} s ` +
      `(${(run.seconds / floor).toFixed(2)}x), exit ${run.code}, lost/repeated/split ` +
      `${describeCheck(run.check)}; admitted/429 each second: ${perSecond(run.samples)}\n`,
  );
  verdicts.push(
    target(
      shareAfter !== undefined && shareAfter <= TARGET_LATE_SHARE,
      `limit lowered to ${options.lowerTo}/min: at most 5% throttled once settled ` +
        `(${percent(shareAfter)}, from ${settledAt} s)`,
    ),
    target(
      rateAfter !== undefined && rateAfter >= options.lowerTo / TARGET_RATIO,
      `limit lowered: achieved rate follows it (${fixed(rateAfter)}/min of ${options.lowerTo})`,
    ),
    target(
      cleanCheck(run.check) && run.code === 0,
      `limit lowered: 0 customers lost or repeated, exit 0 (${describeCheck(run.check)}, exit ${run.code})`,
    ),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const verdicts = await pipeline(benchArgs(DEFAULTS));
  process.stdout.write(
    `\n## Targets: ${verdicts.filter((v) => v.ok).length} of ${verdicts.length} met\n`,
  );
}
