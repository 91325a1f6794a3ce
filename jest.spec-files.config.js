import config from './jest.config.js';

/**
 * The spec files one by one, each in a module registry of its own, instead of the suites that
 * `npm test` runs (spec/support/suite.ts): `npm run spec -- <path pattern>` for a file or a few,
 * and `npm run test:faults`, whose long runs spread better over the workers file by file.
 */
export default { ...config, testMatch: ['<rootDir>/spec/**/*.spec.ts'] };
