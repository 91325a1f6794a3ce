/** The emulator: its tokens, customers, resources, Graph, control routes, and any HTTP client. */
import { runSuite } from '../support/suite.js';

await runSuite([
  'emulator/tokens',
  'emulator/start-partner-emulator',
  'emulator/customer-resources',
  'emulator/graph',
  'emulator/control-and-faults',
  'emulator/any-client',
  'emulator/subscriptions',
  'emulator/customers',
]);
