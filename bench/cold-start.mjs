/**
 * Cold start: help, the saved context, and a one-customer listing with a valid cached token, each
 * against `node -e 0` (the floor no Node command can beat), measured in the same rounds, in wall
 * time and in CPU time (user + system, which suffers less from what else the machine does).
 * Targets: help within 1.5x the floor (it writes a page the build rendered), the context within
 * 2x; the first customer within the floor + 150 ms.
 */
import {
  benchArgs,
  bin,
  connectedConfig,
  expectRun,
  fixed,
  heading,
  median,
  ratio,
  runTimed,
  sideBySide,
  startBenchEmulator,
  table,
  verdict,
} from './support/harness.mjs';

export async function coldStart({ rounds = 15 } = {}) {
  const emulator = await startBenchEmulator({ customers: 500 });
  const config = await connectedConfig(emulator);
  try {
    const run = (argv, lines) => async () => {
      const result = await runTimed(argv, { env: config.env, resources: true });
      expectRun(argv.join(' '), result, { lines });
      return result;
    };
    const cases = [
      { name: 'node -e 0', run: run(['node', '-e', '0'], 0) },
      { name: 'Get-PartnerCustomer -?', run: run([bin('Get-PartnerCustomer'), '-?']) },
      { name: 'Get-PartnerContext', run: run([bin('Get-PartnerContext')], 1) },
      {
        name: 'Get-PartnerCustomer -First 1',
        run: run([bin('Get-PartnerCustomer'), '-First', '1'], 1),
      },
    ];
    const measured = await sideBySide(cases, { rounds });
    const floor = measured[0].median;
    const cpu = (m) => median(m.results.map((result) => result.cpuMs));
    const cpuFloor = cpu(measured[0]);
    heading(`Cold start (median of ${rounds} runs, ms, spawn to exit; CPU: user + system)`);
    table([
      ['case', 'median', 'vs node -e 0', 'client time', 'CPU', 'CPU vs node -e 0'],
      ...measured.map((m) => [
        m.name,
        fixed(m.median),
        ratio(m.median, floor),
        fixed(m.median - floor),
        fixed(cpu(m)),
        ratio(cpu(m), cpuFloor),
      ]),
    ]);
    const [, help, context, first] = measured;
    return [
      verdict(
        help.median <= 1.5 * floor,
        `help within 1.5x node -e 0 (${ratio(help.median, floor)} wall, ` +
          `${ratio(cpu(help), cpuFloor)} CPU)`,
      ),
      verdict(
        context.median <= 2 * floor,
        `Get-PartnerContext within 2x node -e 0 (${ratio(context.median, floor)})`,
      ),
      verdict(
        first.median - floor <= 150,
        'first customer (cached token, no page latency) within node -e 0 + 150 ms ' +
          `(+${fixed(first.median - floor)} ms)`,
      ),
    ];
  } finally {
    config.dispose();
    await emulator.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await coldStart(benchArgs({ rounds: 15 }));
