/**
 * Full enumeration, page size 500: Get-PartnerCustomer against (a) bench/reference-loop.mjs, the
 * smallest honest Node loop, and (b) bench/curl-jq-loop.sh, curl + jq per page. All three first
 * write the same bytes (checked), then are timed side by side; the emulator counts the TCP
 * connections each listing opened.
 * Targets: within 1.10x the reference loop, at least 3x faster than curl + jq, one connection.
 */
import { execFileSync } from 'node:child_process';
import {
  benchArgs,
  benchFile,
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

export async function enumeration({ customers = 100_000, rounds = 5, curlRounds = 3 } = {}) {
  const curlJq = hasCurlAndJq();
  const emulator = await startBenchEmulator({ customers });
  const config = await connectedConfig(emulator);
  const loopEnv = { ...config.env, BENCH_ACCESS_TOKEN: await emulator.call('token') };
  try {
    const listing = async ({ argv, env }, options = {}) => {
      await emulator.call('reset');
      const result = await runTimed(argv, { env, resources: true, ...options });
      expectRun(argv.join(' '), result, { lines: customers });
      const stats = await emulator.call('stats');
      return {
        ...result,
        connections: stats.connections,
        pages: stats.requests['GET /v1/customers'] ?? 0,
        emulatorCpuMs: stats.cpuMs,
      };
    };
    const loopArgs = [emulator.apiEndpoint, emulator.caCertificatePath, '500'];
    const programs = [
      {
        name: 'Get-PartnerCustomer -PageSize 500',
        argv: [bin('Get-PartnerCustomer'), '-PageSize', '500'],
        env: config.env,
      },
      {
        name: 'reference-loop.mjs',
        argv: [benchFile('reference-loop.mjs'), ...loopArgs],
        env: loopEnv,
      },
      ...(curlJq && curlRounds > 0
        ? [
            {
              name: 'curl-jq-loop.sh',
              argv: [benchFile('curl-jq-loop.sh'), ...loopArgs],
              env: loopEnv,
              rounds: curlRounds,
              warmup: false,
            },
          ]
        : []),
    ];

    // Same bytes first: a faster listing that writes something else measures nothing.
    const ours = await listing(programs[0], { hash: true });
    const theirs = await listing(programs[1], { hash: true });
    if (ours.sha256 !== theirs.sha256)
      throw new Error('Get-PartnerCustomer and the reference loop wrote different bytes');

    const cases = programs.map((program) => ({ ...program, run: () => listing(program) }));
    const measured = await sideBySide(cases, { rounds });
    const [cmdlet, reference, curl] = measured;
    heading(
      `Full enumeration of ${customers.toLocaleString('en-US')} customers, page ` +
        'size 500 (median, ms; same bytes checked)',
    );
    table([
      [
        'case',
        'runs',
        'median',
        'customers/s',
        'vs reference',
        'client CPU ms',
        'emulator CPU ms',
        'connections',
        'pages',
      ],
      ...measured.map((m) => [
        m.name,
        m.results.length,
        fixed(m.median),
        fixed((customers / m.median) * 1000),
        ratio(m.median, reference.median),
        fixed(median(m.results.map((r) => r.cpuMs))),
        fixed(median(m.results.map((r) => r.emulatorCpuMs))),
        m.results.at(-1).connections,
        m.results.at(-1).pages,
      ]),
    ]);
    const verdicts = [
      verdict(
        cmdlet.median <= 1.1 * reference.median,
        `full enumeration within 1.10x the reference loop (${ratio(cmdlet.median, reference.median)})`,
      ),
      verdict(
        cmdlet.results.every((r) => r.connections === 1),
        `one TLS connection per listing (${cmdlet.results.map((r) => r.connections).join(', ')})`,
      ),
    ];
    if (curl)
      verdicts.push(
        verdict(
          curl.median >= 3 * cmdlet.median,
          `at least 3x faster than curl + jq (${(curl.median / cmdlet.median).toFixed(1)}x)`,
        ),
      );
    else if (!curlJq)
      process.stdout.write(
        'curl + jq: not measured (curl or jq is missing: apt-get install -y curl jq)\n',
      );
    return verdicts;
  } finally {
    config.dispose();
    await emulator.close();
  }
}

function hasCurlAndJq() {
  try {
    execFileSync('bash', ['-c', 'command -v curl && command -v jq'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

if (import.meta.url === `file://${process.argv[1]}`)
  await enumeration(benchArgs({ customers: 100_000, rounds: 5, curlRounds: 3 }));
