/**
 * `npm run bench` runs every benchmark; `npm run bench:large` (`--large`) lists 1,000,000 customers
 * in the enumeration too; `npm run bench:pipeline` (`--only pipeline`) runs only the pipeline part
 * (customers piped into a per-customer cmdlet under a rate limit); `--only seats` the seat plan
 * piped into Set-PartnerCustomerSubscription (bench/seat-changes.mjs); `--only export` an invoice's
 * line items through the Graph export beside curl | gzip -dc (bench/billing-export.mjs). Each part
 * can also run alone (`node bench/<part>.mjs --help` lists its options). Only ratios measured in the same run travel
 * between machines; the verdicts at the end say which targets this run met. Nothing here fails on
 * time: benchmarks print, they never assert.
 */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { billingEmulator } from './billing-emulator.mjs';
import { billingExport } from './billing-export.mjs';
import { coldStart } from './cold-start.mjs';
import { emulatorScale } from './emulator-scale.mjs';
import { emulatorThroughput } from './emulator-throughput.mjs';
import { enumeration } from './enumeration.mjs';
import { firstCustomer } from './first-customer.mjs';
import { memory } from './memory.mjs';
import { pipeline } from './pipeline.mjs';
import { seatChanges } from './seat-changes.mjs';
import { slowConsumer } from './slow-consumer.mjs';
import { benchArgs, repoRoot } from './support/harness.mjs';

const options = benchArgs({ large: false, only: '' });
const parts = {
  'cold-start': () => coldStart(),
  'first-customer': () => firstCustomer(),
  enumeration: () =>
    options.large ? enumeration({ customers: 1_000_000, rounds: 3, curlRounds: 1 }) : enumeration(),
  memory: () => memory(),
  'slow-consumer': () => slowConsumer(),
  'emulator-throughput': () => emulatorThroughput(),
  'emulator-scale': () => emulatorScale(),
  pipeline: () => pipeline(),
  seats: () => seatChanges(),
  'billing-emulator': () => billingEmulator(),
  export: () => billingExport(),
};

const commit = (() => {
  try {
    return execFileSync('git', ['-C', repoRoot, 'rev-parse', '--short', 'HEAD'], {
      encoding: 'utf8',
    }).trim();
  } catch {
    return 'unknown';
  }
})();
process.stdout.write(
  `# PartnerCenter for Node benchmarks${options.large ? ' (large)' : ''}\n` +
    `node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model.trim()}), load average ${loadavg()
      .map((n) => n.toFixed(2))
      .join(' ')}, commit ${commit}\n`,
);

const verdicts = [];
for (const [name, run] of Object.entries(parts)) {
  if (options.only && !options.only.split(',').includes(name)) continue;
  verdicts.push(...(await run()));
}
process.stdout.write(
  `\n## Targets: ${verdicts.filter((v) => v.ok).length} of ${verdicts.length} met\n`,
);
for (const { ok, text } of verdicts) process.stdout.write(`${ok ? 'meets ' : 'MISSES'}  ${text}\n`);
