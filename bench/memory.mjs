/**
 * Peak resident memory (/usr/bin/time's maximum RSS) of a full listing at 10,000 and at 1,000,000
 * customers, with the reference loop beside it. Memory must not depend on the number of customers.
 * Targets: under 100 MB, growing less than 10 MB from 10,000 to 1,000,000.
 */
import { existsSync } from 'node:fs';
import {
  benchArgs,
  benchFile,
  bin,
  connectedConfig,
  expectRun,
  heading,
  mb,
  median,
  runTimed,
  startBenchEmulator,
  table,
  verdict,
} from './support/harness.mjs';

export async function memory({
  small = 10_000,
  large = 1_000_000,
  rounds = 3,
  largeRounds = 1,
} = {}) {
  if (!existsSync('/usr/bin/time')) {
    process.stdout.write(
      '\n## Peak RSS: not measured (/usr/bin/time is missing: apt-get install -y time)\n',
    );
    return [];
  }
  const rows = [
    ['case', ...[small, large].map((n) => `${n.toLocaleString('en-US')} customers`), 'growth'],
  ];
  const peaks = {};
  for (const [name, argvOf] of [
    ['Get-PartnerCustomer', () => [bin('Get-PartnerCustomer')]],
    [
      'reference-loop.mjs',
      (emulator) => [
        benchFile('reference-loop.mjs'),
        emulator.apiEndpoint,
        emulator.caCertificatePath,
        '500',
      ],
    ],
  ]) {
    peaks[name] = [];
    for (const [customers, times] of [
      [small, rounds],
      [large, largeRounds],
    ]) {
      const emulator = await startBenchEmulator({ customers });
      const config = await connectedConfig(emulator);
      try {
        const env = { ...config.env, BENCH_ACCESS_TOKEN: await emulator.call('token') };
        const kb = [];
        for (let n = 0; n < times; n++) {
          const result = await runTimed(argvOf(emulator), { env, resources: true });
          expectRun(name, result, { lines: customers });
          kb.push(result.peakRssKb);
        }
        peaks[name].push(median(kb));
      } finally {
        config.dispose();
        await emulator.close();
      }
    }
    rows.push([name, mb(peaks[name][0]), mb(peaks[name][1]), mb(peaks[name][1] - peaks[name][0])]);
  }
  heading('Peak RSS of a full listing (maximum resident set size)');
  table(rows);
  const [atSmall, atLarge] = peaks['Get-PartnerCustomer'];
  return [
    verdict(
      Math.max(atSmall, atLarge) < 100 * 1024,
      `peak RSS under 100 MB (${mb(Math.max(atSmall, atLarge))})`,
    ),
    verdict(
      atLarge - atSmall < 10 * 1024,
      `growth under 10 MB from ${small.toLocaleString('en-US')} to ${large.toLocaleString('en-US')} ` +
        `customers (${mb(atLarge - atSmall)})`,
    ),
  ];
}

if (import.meta.url === `file://${process.argv[1]}`)
  await memory(benchArgs({ small: 10_000, large: 1_000_000, rounds: 3, largeRounds: 1 }));
