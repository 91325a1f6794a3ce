#!/usr/bin/env node
/**
 * `npm run test:cpu [-- <jest arguments>]`: runs jest (the whole suite, or the files named) with
 * spec/support/cpu-report-environment.cjs and prints where the CPU went: totals, the files that
 * cost most (the worker's own CPU and that of the processes they started), and any file that left
 * a server, socket or timer open. The suite is CPU-bound on the 2-core machine it is timed on, so
 * this, not wall time, is what a change to the suite's speed is measured by (jest.config.js).
 * Assumes a build (`npm test` or `npm run build` first), as the specs of bin/ processes do.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const TOP =
  process.env.PARTNERCENTER_CPU_TOP === 'all'
    ? Infinity
    : Number(process.env.PARTNERCENTER_CPU_TOP ?? 15);
const scratch = mkdtempSync(join(tmpdir(), 'pc-cpu-report-'));
const report = join(scratch, 'files.ndjson');
const jest = spawnSync(
  process.execPath,
  ['--experimental-vm-modules', 'node_modules/jest/bin/jest.js', ...process.argv.slice(2)],
  { stdio: 'inherit', env: { ...process.env, PARTNERCENTER_CPU_REPORT: report } },
);
let files = [];
try {
  files = readFileSync(report, 'utf8').trim().split('\n').filter(Boolean).map(JSON.parse);
} catch {
  // No file ran to the end: jest said why above.
}
rmSync(scratch, { recursive: true, force: true });

const seconds = (ms) => (ms / 1000).toFixed(1).padStart(6);
const sum = (pick) => files.reduce((total, file) => total + pick(file), 0);
const self = sum((file) => file.self);
const children = sum((file) => file.children);
const out = [
  '',
  `CPU of ${files.length} spec files: ${seconds(self + children)} s = ${seconds(self)} s in the` +
    ` jest workers + ${seconds(children)} s in ${sum((file) => file.processes)} processes they` +
    ' started (jest itself and the build before it not counted)',
  '',
  `   cpu s  worker  started  procs  wall s  file (top ${TOP} by CPU)`,
];
const byCpu = [...files].sort((a, b) => b.self + b.children - (a.self + a.children));
for (const file of byCpu.slice(0, TOP))
  out.push(
    `  ${seconds(file.self + file.children)}  ${seconds(file.self)}  ${seconds(file.children)}` +
      `  ${String(file.processes).padStart(5)}  ${seconds(file.wallMs)}  ${file.file}`,
  );
const leaking = files.filter((file) => file.handles.length > 0);
if (leaking.length > 0) {
  out.push('', 'Left open after the file ended (a leak keeps a jest worker from exiting):');
  for (const file of leaking) out.push(`  ${file.file}: ${file.handles.join(', ')}`);
}
process.stdout.write(`${out.join('\n')}\n`);
process.exit(jest.status ?? 1);
