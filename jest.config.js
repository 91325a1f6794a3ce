/**
 * Jest runs the ESM TypeScript specs through ts-jest (no type-check here: `npm test` runs tsc over
 * spec/ first).
 */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  roots: ['<rootDir>/spec'],
  testMatch: ['**/*.spec.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': [
      'ts-jest',
      { useESM: true, isolatedModules: true, tsconfig: 'spec/tsconfig.json' },
    ],
  },
  testTimeout: 30000,
};
