/**
 * The CmdletContext a running cmdlet gets: diagnostics on stderr, the stop signal, the run's ids.
 */
import type { CmdletContext } from '../cmdlet-support/cmdlet.js';
import type { CommonParameterValues } from './common-parameters.js';
import type { Diagnostics } from './diagnostics.js';

export function createCmdletContext(options: {
  common: CommonParameterValues;
  diagnostics: Diagnostics;
  signal: AbortSignal;
  env: NodeJS.ProcessEnv;
  contextName?: string;
  interactive: boolean;
  terminalColumns?: number;
}): Omit<CmdletContext, 'parameterSet'> {
  const { common, diagnostics } = options;
  return {
    signal: options.signal,
    // The global Web Crypto: importing node:crypto as an ES module costs start-up time for one
    // call.
    correlationId: globalThis.crypto.randomUUID(),
    verbose: common.verbose ? (message) => diagnostics.line(message, 'VERBOSE: ') : () => {},
    warn: (message) => diagnostics.line(message, 'WARNING: '),
    debug: common.debug ? (message) => diagnostics.line(message, 'DEBUG: ') : undefined,
    progress: (status) => diagnostics.progress(status),
    inform: (message) => diagnostics.line(message),
    contextName: options.contextName,
    env: options.env,
    interactive: options.interactive,
    terminalColumns: options.terminalColumns,
  };
}
