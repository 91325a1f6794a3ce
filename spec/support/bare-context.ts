/**
 * A CmdletContext for running a cmdlet's generator directly (Start-PartnerEmulator, which needs
 * no session): quiet diagnostics, and services that fail the spec if the cmdlet uses them.
 */
import { systemClock } from '../../lib/common/clock.js';
import type { CmdletContext } from '../../lib/cmdlet-support/cmdlet.js';

export function bareCmdletContext(signal: AbortSignal, env: NodeJS.ProcessEnv = {}): CmdletContext {
  const unused = (what: string) => () => Promise.reject(new Error(`the cmdlet used ${what}`));
  return {
    parameterSet: '__AllParameterSets',
    signal,
    correlationId: '00000000-0000-4000-8000-000000000000',
    verbose: () => undefined,
    warn: () => undefined,
    progress: () => undefined,
    inform: () => undefined,
    shouldProcess: unused('the write contract (shouldProcess)'),
    env,
    services: {
      stores: unused('the stores'),
      partnerCenter: unused('a Partner Center client'),
      graph: unused('a Microsoft Graph client'),
      currentContext: unused('the saved context'),
      clock: systemClock,
      shared: unused('work shared by a run'),
    },
  };
}
