/** Shared helpers and the repository's own rules. */
import { runSuite } from '../support/suite.js';

await runSuite(['common/common', 'common/lock-file', 'repository-rules']);
