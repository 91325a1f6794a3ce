/** Commands as a user runs them: real processes, pipes, kills, the README pasted into bash. */
import { runSuite } from '../support/suite.js';

await runSuite([
  'e2e/cmdlets-as-processes',
  'e2e/readme-first-session',
  'e2e/kill',
  'e2e/concurrency',
  'e2e/what-stderr-says',
  'e2e/output-for-people',
  'e2e/preferences',
]);
