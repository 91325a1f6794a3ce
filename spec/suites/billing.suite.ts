/** Invoices and their line items: the emulator's billing, the cmdlets, the export under faults. */
import { runSuite } from '../support/suite.js';

await runSuite([
  'billing/invoice-line-items',
  'billing/line-items-process',
  'emulator/billing',
  'e2e/invoices',
  'faults/export-fault-suite',
]);
