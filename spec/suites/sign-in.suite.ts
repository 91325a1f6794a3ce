/** Signing in and being asked: sign-in ways, sessions, token renewal, prompts and confirmations. */
import { runSuite } from '../support/suite.js';

await runSuite([
  'e2e/sign-in-ways',
  'e2e/session',
  'e2e/token-renewal',
  'e2e/prompt',
  'e2e/confirm-terminal',
]);
