import { availableParallelism } from 'node:os';

/**
 * Jest runs the ESM TypeScript specs through spec/support/esbuild-transform.cjs (types stripped,
 * no type-check here: the build's one program, tsconfig.json, checks spec/ with lib and cmdlets/,
 * compiled by TypeScript 7's native tsc, `npm run compile`: about 6.5 CPU-seconds, where TypeScript
 * 6 took 25 for the same program, and 29.5 when spec/ was a second program beside the build. Its
 * JavaScript for spec/ lands in dist/spec, unused and left out of the package.)
 *
 * The suite is CPU-bound: on the 2-core machine it is timed on, jest used about 150 CPU-seconds
 * for 80 s of wall time (December 2026), so what a change saves is counted in CPU-seconds (`npm run test:cpu`
 * prints them per suite: scripts/cpu-report.mjs), never in one run's wall time. Jest runs suites
 * (spec/suites/*.suite.ts), each the spec files of a theme in one module registry: jest gives each
 * test file its own, and reloading and re-optimising the emulator, the host and the client per spec
 * file was about a third of the CPU of a file that runs cmdlets in-process (spec/support/suite.ts).
 * The rest is the work itself, mostly HTTP through the client and the emulator's derivations, and
 * the processes specs start: a bin/ process costs 0.25 s of CPU (0.37 s for Connect-Partner),
 * against 0.1 s for `node -e 0`. So: a new case goes in-process, a process only where only a
 * process shows it.
 *
 * Workers: jest's default is one per core minus one, which on a 2-core machine means none (every
 * suite in band, one after another). Much of a suite's time is waiting (child processes, emulator
 * latency, a token's expiry), so at least three workers: on 2 cores, measured with a warm cache,
 * the suite took 34 s with two and 28-33 s with three (four was no better). With the suites
 * (December 2026, cold cache, jest alone): 75-76 s with three, 83-87 s and more CPU with four.
 *
 * Order: spec/support/sequencer.cjs starts the longest suites first (by their measured time) when
 * jest has no timings of an earlier run (a fresh clone), so no long suite runs alone at the end.
 */
export default {
  // Jest's node environment that disables each file's test-context storage when the file ends
  // (spec/support/test-environment.cjs says why). `npm run test:cpu` (scripts/cpu-report.mjs) sets
  // PARTNERCENTER_CPU_REPORT: the same environment, recording each file's CPU, processes and
  // leftover handles.
  testEnvironment: process.env.PARTNERCENTER_CPU_REPORT
    ? '<rootDir>/spec/support/cpu-report-environment.cjs'
    : '<rootDir>/spec/support/test-environment.cjs',
  extensionsToTreatAsEsm: ['.ts'],
  roots: ['<rootDir>/spec'],
  // The suites, each several spec files in one module registry (spec/support/suite.ts says why).
  // `npm run spec -- <pattern>` runs spec files one by one instead (jest.spec-files.config.js).
  testMatch: ['<rootDir>/spec/suites/*.suite.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': '<rootDir>/spec/support/esbuild-transform.cjs' },
  testSequencer: '<rootDir>/spec/support/sequencer.cjs',
  maxWorkers: Math.max(3, availableParallelism() - 1),
  testTimeout: 30000,
};
