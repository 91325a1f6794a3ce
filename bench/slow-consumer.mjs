/**
 * A slow consumer: Get-PartnerCustomer's stdout is first not read at all for a few seconds (a
 * stalled reader), then read at 1 MB/s (a throttled reader standing in for `| pv -L 1m`).
 * Backpressure must reach the fetch: while stalled, the listing may have requested only the page it
 * is writing and one more; while throttled, it stays that close to the reader; and memory stays
 * where a fast reader leaves it. The emulator's request count is sampled against the lines read.
 */
import {
  benchArgs,
  bin,
  connectedConfig,
  expectRun,
  heading,
  mb,
  runTimed,
  startBenchEmulator,
  table,
  verdict,
} from './support/harness.mjs';

const PAGE_SIZE = 500;

export async function slowConsumer({
  customers = 20_000,
  bytesPerSecond = 1024 * 1024,
  stallMs = 3000,
} = {}) {
  const emulator = await startBenchEmulator({ customers });
  const config = await connectedConfig(emulator);
  try {
    const argv = [bin('Get-PartnerCustomer'), '-PageSize', String(PAGE_SIZE)];
    const fast = await runTimed(argv, { env: config.env, resources: true });
    expectRun('fast reader', fast, { lines: customers });

    await emulator.call('reset');
    let linesRead = 0;
    let maxLead = 0;
    let requestedWhileStalled = 0;
    let sampling = true;
    const started = Date.now();
    const sample = async () => {
      while (sampling) {
        const read = linesRead;
        const requested = (await emulator.call('stats')).requests['GET /v1/customers'] ?? 0;
        if (Date.now() - started < stallMs - 200) requestedWhileStalled = requested;
        // Pages requested beyond the one the reader is in.
        else maxLead = Math.max(maxLead, requested - Math.ceil((read + 1) / PAGE_SIZE));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    const sampler = sample();
    const slow = await runTimed(argv, {
      env: config.env,
      resources: true,
      readBytesPerSecond: bytesPerSecond,
      stallMs,
      onTick: (lines) => (linesRead = lines),
    });
    sampling = false;
    await sampler;
    expectRun('slow reader', slow, { lines: customers });

    heading(
      `Slow consumer: ${customers.toLocaleString('en-US')} customers (pages of ` +
        `${PAGE_SIZE}, ~280 KB), not read for ${stallMs / 1000} s, then read at ` +
        `${(bytesPerSecond / 1024 / 1024).toFixed(1)} MB/s`,
    );
    table([
      ['reader', 'seconds', 'peak RSS', 'pages requested'],
      [
        'fast (as fast as the pipe)',
        (fast.ms / 1000).toFixed(1),
        mb(fast.peakRssKb),
        String(customers / PAGE_SIZE),
      ],
      [
        'stalled, then throttled',
        (slow.ms / 1000).toFixed(1),
        mb(slow.peakRssKb),
        `${requestedWhileStalled} while stalled; then at most ${maxLead} beyond the reader's page`,
      ],
    ]);
    process.stdout.write(
      "Between the listing and the reader sit stdout's own buffer, the pipe (64 " +
        "KB) and the reader's buffer: together most of a page,\n" +
        'so a throttled reader can be a page further behind than what the command is writing.\n',
    );
    return [
      verdict(
        slow.peakRssKb - fast.peakRssKb < 10 * 1024,
        `memory bounded under a slow reader (${mb(slow.peakRssKb)} vs ${mb(fast.peakRssKb)} ` +
          'with a fast one)',
      ),
      verdict(
        requestedWhileStalled <= 2,
        `at most one page ahead: a stalled reader stops the listing after ${requestedWhileStalled} ` +
          'page request(s) (the page being written and the next)',
      ),
    ];
  } finally {
    config.dispose();
    await emulator.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`)
  await slowConsumer(benchArgs({ customers: 20_000, bytesPerSecond: 1024 * 1024, stallMs: 3000 }));
