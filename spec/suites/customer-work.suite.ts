/** Per-customer work end to end: listings, resources, changes, failures, resumes, stdin. */
import { runSuite } from '../support/suite.js';

await runSuite([
  'e2e/list-customers',
  'e2e/customer-resources',
  'e2e/pipeline-cut-input',
  'e2e/per-item-failures',
  'e2e/resume',
  'e2e/resume-file-claims',
  'e2e/stdin-runbook',
  'e2e/subscription-changes',
  'e2e/audit-records',
]);
