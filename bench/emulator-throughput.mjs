/**
 * The emulator alone, so it is never what the other numbers measure: the fastest possible client
 * (bench/support/drain-pages.mjs: no parse, no output) pages through the data set, and the
 * emulator's own CPU time per page is read from its process. Compared with the reference loop in
 * the same rounds: the emulator's share of the loop's time is what no client can win back.
 */
import { benchArgs, benchFile, expectRun, fixed, heading, runTimed, sideBySide, startBenchEmulator, table, verdict } from './support/harness.mjs';

export async function emulatorThroughput({ customers = 100_000, rounds = 5 } = {}) {
  const pages = Math.ceil(customers / 500);
  const emulator = await startBenchEmulator({ customers });
  try {
    const env = { BENCH_ACCESS_TOKEN: await emulator.call('token'), PATH: process.env.PATH };
    const args = [emulator.apiEndpoint, emulator.caCertificatePath, '500'];
    const measure = (argv, lines) => async () => {
      await emulator.call('reset');
      const result = await runTimed(argv, { env });
      expectRun(argv.join(' '), result, { lines });
      return { ...result, emulatorCpuMs: (await emulator.call('stats')).cpuMs };
    };
    const measured = await sideBySide(
      [
        { name: 'drain-pages.mjs (emulator alone)', run: measure([benchFile('support/drain-pages.mjs'), ...args], 1) },
        { name: 'reference-loop.mjs', run: measure([benchFile('reference-loop.mjs'), ...args], customers) },
      ],
      { rounds },
    );
    const [drain, reference] = measured;
    const cpu = (m) => m.results.map((r) => r.emulatorCpuMs).sort((a, b) => a - b)[m.results.length >> 1];
    heading(`Emulator throughput, ${customers.toLocaleString('en-US')} customers in ${pages} pages of 500 (median of ${rounds})`);
    table([
      ['client', 'wall ms', 'customers/s', 'emulator CPU ms', 'emulator CPU ms/page', 'emulator share of wall'],
      ...measured.map((m) => [m.name, fixed(m.median), fixed((customers / m.median) * 1000), fixed(cpu(m)), fixed(cpu(m) / pages, 2), `${fixed((100 * cpu(m)) / m.median)}%`]),
    ]);
    return [verdict(drain.median * 2 <= reference.median, `the emulator serves pages at least 2x as fast as the reference loop consumes them (${(reference.median / drain.median).toFixed(1)}x)`)];
  } finally {
    await emulator.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await emulatorThroughput(benchArgs({ customers: 100_000, rounds: 5 }));
