import { availableParallelism } from 'node:os';

/**
 * Jest runs the ESM TypeScript specs through spec/support/esbuild-transform.cjs (types stripped,
 * no type-check here: `npm test` type-checks spec/ first, with spec/tsconfig.check.json, which sees
 * lib through the declarations the build just emitted instead of checking lib a second time).
 *
 * Workers: jest's default is one per core minus one, which on a 2-core machine means none (every
 * suite in band, one after another). Much of a suite's time is waiting (child processes, emulator
 * latency, a token's expiry), so at least three workers: on 2 cores, measured with a warm cache,
 * the suite took 34 s with two and 28-33 s with three (four was no better).
 *
 * Order: spec/support/sequencer.cjs starts the files that spawn processes first when jest has no
 * timings of an earlier run (a fresh clone), so no long file is left running alone at the end.
 */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  roots: ['<rootDir>/spec'],
  testMatch: ['**/*.spec.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': '<rootDir>/spec/support/esbuild-transform.cjs' },
  testSequencer: '<rootDir>/spec/support/sequencer.cjs',
  maxWorkers: Math.max(3, availableParallelism() - 1),
  testTimeout: 30000,
};
