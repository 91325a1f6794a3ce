/** The package as a consumer installs it, and the Node API. */
import { runSuite } from '../support/suite.js';

await runSuite(['api/packed-module', 'api/node-api']);
