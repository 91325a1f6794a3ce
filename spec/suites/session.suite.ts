/** Sign-in and session state: credentials, token caches, context stores, certificates. */
import { runSuite } from '../support/suite.js';

await runSuite([
  'session/tokens',
  'session/stores',
  'session/pfx-certificates',
  'session/contexts-and-state-files',
  'session/settings-claims-and-errors',
]);
