/**
 * The emulator alone, so it is never what the other numbers measure: the fastest possible client
 * (bench/support/drain-pages.mjs: no parse, no output) pages through the data set, side by side
 * with Get-PartnerCustomer and the reference loop, and the emulator's own CPU time is read from
 * its process. Get-PartnerCustomer fetches one page ahead, so on two or more cores its listing is
 * bound by whichever side is slower per page: the emulator must serve faster than it consumes.
 * (The reference loop waits for each page, so the emulator's time is part of its time.)
 */
import {
  benchArgs,
  benchFile,
  bin,
  connectedConfig,
  expectRun,
  fixed,
  heading,
  median,
  runTimed,
  sideBySide,
  startBenchEmulator,
  table,
  verdict,
} from './support/harness.mjs';

export async function emulatorThroughput({ customers = 100_000, rounds = 5 } = {}) {
  const pages = Math.ceil(customers / 500);
  const emulator = await startBenchEmulator({ customers });
  const config = await connectedConfig(emulator);
  try {
    const env = { ...config.env, BENCH_ACCESS_TOKEN: await emulator.call('token') };
    const args = [emulator.apiEndpoint, emulator.caCertificatePath, '500'];
    const measure = (argv, lines) => async () => {
      await emulator.call('reset');
      const result = await runTimed(argv, { env, resources: true });
      expectRun(argv.join(' '), result, { lines });
      return { ...result, emulatorCpuMs: (await emulator.call('stats')).cpuMs };
    };
    const measured = await sideBySide(
      [
        {
          name: 'drain-pages.mjs (emulator alone)',
          run: measure([benchFile('support/drain-pages.mjs'), ...args], 1),
        },
        {
          name: 'Get-PartnerCustomer -PageSize 500',
          run: measure([bin('Get-PartnerCustomer'), '-PageSize', '500'], customers),
        },
        {
          name: 'reference-loop.mjs',
          run: measure([benchFile('reference-loop.mjs'), ...args], customers),
        },
      ],
      { rounds },
    );
    const [drain, cmdlet] = measured;
    const perPage = (m, key) => median(m.results.map((r) => r[key])) / pages;
    heading(
      `Emulator throughput, ${customers.toLocaleString('en-US')} customers in ` +
        `${pages} pages of 500 (median of ${rounds})`,
    );
    table([
      ['client', 'wall ms', 'customers/s', 'emulator CPU ms/page', 'client CPU ms/page'],
      ...measured.map((m) => [
        m.name,
        fixed(m.median),
        fixed((customers / m.median) * 1000),
        fixed(perPage(m, 'emulatorCpuMs'), 2),
        fixed(perPage(m, 'cpuMs'), 2),
      ]),
    ]);
    return [
      // Both: the emulator alone is faster end to end, and it spends less CPU per page than the
      // client, so on two cores a listing waits on the client, never on the emulator.
      verdict(
        drain.median < cmdlet.median && perPage(cmdlet, 'emulatorCpuMs') < perPage(cmdlet, 'cpuMs'),
        'the emulator alone serves the listing faster than Get-PartnerCustomer consumes ' +
          `it (${(cmdlet.median / drain.median).toFixed(2)}x; ${fixed(perPage(cmdlet, 'emulatorCpuMs'), 1)} ` +
          `vs ${fixed(perPage(cmdlet, 'cpuMs'), 1)} ms of CPU per page)`,
      ),
    ];
  } finally {
    config.dispose();
    await emulator.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`)
  await emulatorThroughput(benchArgs({ customers: 100_000, rounds: 5 }));
