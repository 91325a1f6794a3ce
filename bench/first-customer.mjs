/**
 * Time to the first customer line of a full listing, with 100 ms of server latency per page, at
 * 500, 50,000 and 500,000 customers: it must not grow with the total (nothing is read ahead of the
 * first page, nothing is counted first). The process is stopped at its first line.
 * Target: within `node -e 0` + 150 ms of client time + one page of latency.
 */
import {
  benchArgs,
  benchFile,
  bin,
  connectedConfig,
  expectRun,
  fixed,
  heading,
  runTimed,
  sideBySide,
  startBenchEmulator,
  table,
  verdict,
} from './support/harness.mjs';

const API_LATENCY_MS = 100;

export async function firstCustomer({ rounds = 9, sizes = [500, 50_000, 500_000] } = {}) {
  const setups = [];
  try {
    for (const customers of sizes) {
      const emulator = await startBenchEmulator({ customers, apiLatencyMs: API_LATENCY_MS });
      setups.push({
        customers,
        emulator,
        config: await connectedConfig(emulator),
        token: await emulator.call('token'),
      });
    }
    const firstLine = (argv, env) => async () => {
      const result = await runTimed(argv, { env, untilFirstLine: true });
      expectRun(argv.join(' '), result, { code: 'killed' });
      return result;
    };
    const largest = setups.at(-1);
    const cases = [
      { name: 'node -e 0 (exit)', run: () => runTimed(['node', '-e', '0']) },
      ...setups.map(({ customers, config }) => ({
        name: `Get-PartnerCustomer, ${customers.toLocaleString('en-US')} customers`,
        run: firstLine([bin('Get-PartnerCustomer')], config.env),
      })),
      {
        name: `reference loop, ${largest.customers.toLocaleString('en-US')} customers`,
        run: firstLine(
          [
            benchFile('reference-loop.mjs'),
            largest.emulator.apiEndpoint,
            largest.emulator.caCertificatePath,
            '500',
          ],
          { ...largest.config.env, BENCH_ACCESS_TOKEN: largest.token },
        ),
      },
    ];
    const measured = await sideBySide(cases, {
      rounds,
      metric: (result) => result.firstLineMs ?? result.ms,
    });
    const floor = measured[0].median;
    heading(
      `Time to first customer line, ${API_LATENCY_MS} ms API latency (median of ${rounds}, ms)`,
    );
    table([
      ['case', 'first line', 'minus node -e 0', 'minus latency too'],
      ...measured.map((m, n) => [
        m.name,
        fixed(m.median),
        n === 0 ? '-' : fixed(m.median - floor),
        n === 0 ? '-' : fixed(m.median - floor - API_LATENCY_MS),
      ]),
    ]);
    const cmdlet = measured.slice(1, 1 + setups.length);
    const worst = Math.max(...cmdlet.map((m) => m.median));
    const spread = worst - Math.min(...cmdlet.map((m) => m.median));
    return [
      verdict(
        worst <= floor + 150 + API_LATENCY_MS,
        'first customer within node -e 0 + 150 ms + one page latency ' +
          `(worst: +${fixed(worst - floor - API_LATENCY_MS)} ms client time)`,
      ),
      verdict(
        spread <= 50,
        `first customer does not grow with the total (spread ${fixed(spread)} ms ` +
          `from ${sizes[0]} to ${sizes.at(-1)} customers)`,
      ),
    ];
  } finally {
    for (const { config, emulator } of setups) {
      config.dispose();
      await emulator.close();
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await firstCustomer(benchArgs({ rounds: 9 }));
