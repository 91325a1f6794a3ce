/** The host: binding, output, help, the write contract, cmdlets as one process runs them. */
import { runSuite } from '../support/suite.js';

await runSuite([
  'host/help',
  'host/process',
  'host/real-cmdlets',
  'host/output',
  'host/pipeline-input',
  'host/cmdlet-runs',
  'host/write-contract',
]);
