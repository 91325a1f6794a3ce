/** The fault suites: listings and pipelines under injected faults, signals and full disks. */
import { runSuite } from '../support/suite.js';

await runSuite([
  'faults/pipeline-fault-suite',
  'faults/stdout-faults',
  'faults/write-fault-suite',
  'faults/fault-suite',
]);
