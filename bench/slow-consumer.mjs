/**
 * A slow consumer: Get-PartnerCustomer's stdout read at 1 MB/s (a throttled reader standing in for
 * `| pv -L 1m`). Backpressure must reach the fetch: the listing may run at most one page ahead of
 * what it is writing, and memory stays where a fast reader leaves it. The emulator's request count
 * is sampled against the lines read so far to see how far ahead the listing ran.
 */
import { benchArgs, bin, connectedConfig, expectRun, heading, mb, runTimed, startBenchEmulator, table, verdict } from './support/harness.mjs';

const PAGE_SIZE = 500;

export async function slowConsumer({ customers = 20_000, bytesPerSecond = 1024 * 1024 } = {}) {
  const emulator = await startBenchEmulator({ customers });
  const config = await connectedConfig(emulator);
  try {
    const argv = [bin('Get-PartnerCustomer'), '-PageSize', String(PAGE_SIZE)];
    const fast = await runTimed(argv, { env: config.env, resources: true });
    expectRun('fast reader', fast, { lines: customers });

    await emulator.call('reset');
    let linesRead = 0;
    let maxLead = 0;
    let sampling = true;
    const sample = async () => {
      while (sampling) {
        const read = linesRead;
        const requested = (await emulator.call('stats')).requests['GET /v1/customers'] ?? 0;
        // Pages requested beyond the one the reader is in; the pipe and the sink hold under a page.
        maxLead = Math.max(maxLead, requested - Math.ceil((read + 1) / PAGE_SIZE));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    const sampler = sample();
    const slow = await runTimed(argv, { env: config.env, resources: true, readBytesPerSecond: bytesPerSecond, onTick: (lines) => (linesRead = lines) });
    sampling = false;
    await sampler;
    expectRun('slow reader', slow, { lines: customers });

    heading(`Slow consumer: ${customers.toLocaleString('en-US')} customers read at ${(bytesPerSecond / 1024 / 1024).toFixed(1)} MB/s`);
    table([
      ['reader', 'seconds', 'peak RSS', 'most pages requested ahead of the reader'],
      ['fast (as fast as the pipe)', (fast.ms / 1000).toFixed(1), mb(fast.peakRssKb), '-'],
      ['throttled', (slow.ms / 1000).toFixed(1), mb(slow.peakRssKb), String(maxLead)],
    ]);
    return [
      verdict(slow.peakRssKb - fast.peakRssKb < 10 * 1024, `memory bounded under a slow reader (${mb(slow.peakRssKb)} vs ${mb(fast.peakRssKb)} with a fast one)`),
      verdict(maxLead <= 2, `at most one page fetched ahead of the page being written (${maxLead} ahead of the reader, who lags the writer by the pipe's buffer)`),
    ];
  } finally {
    config.dispose();
    await emulator.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await slowConsumer(benchArgs({ customers: 20_000, bytesPerSecond: 1024 * 1024 }));
