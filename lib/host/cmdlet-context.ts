/**
 * The CmdletContext a running cmdlet gets: diagnostics on stderr, the stop signal, the run's ids
 * and its services. Made once per run: every pipeline object of the run shares the correlation id
 * and the services (one client, one token).
 */
import { randomUUID } from 'node:crypto';
import type { CmdletContext, CmdletOutput, ShouldProcess } from '../cmdlet-support/cmdlet.js';
import { type CmdletServicesFactory, createCmdletServices } from '../cmdlet-support/services.js';
import { InternalError } from '../common/errors.js';
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
  /** The real services unless the caller hands others (specs, in-process callers). */
  services?: CmdletServicesFactory;
  /** -ThrottleLimit of a fan-out cmdlet's run: the client's cap on requests in flight. */
  throttleLimit?: number;
  /** What got out to stdout whole, for cmdlets that record it (resume files). */
  output?: CmdletOutput;
  /** Standard input as text for cmdlets that read it themselves (ConvertFrom-Csv). */
  standardInput?: AsyncIterable<Buffer | string>;
  /**
   * The run's one ShouldProcess (confirm.ts' createShouldProcess, made as the run starts) for a
   * cmdlet that declares `changes`; any other cmdlet that calls it has a bug.
   */
  shouldProcess?: ShouldProcess;
}): Omit<CmdletContext, 'parameterSet'> {
  const { common, diagnostics, signal, env, contextName } = options;
  // node:crypto's own, not the global Web Crypto's: the first touch of `globalThis.crypto` loads
  // Node's whole WebCrypto implementation (about 10 ms of CPU at start-up), and every command that
  // calls a service loads node:crypto anyway (the client's request ids).
  const correlationId = randomUUID();
  const verbose = common.verbose
    ? (message: string) => diagnostics.line(message, 'VERBOSE: ')
    : () => {};
  const debug = common.debug
    ? (message: string) => diagnostics.line(message, 'DEBUG: ')
    : undefined;
  const makeServices = options.services ?? createCmdletServices;
  return {
    signal,
    correlationId,
    services: makeServices({
      env,
      contextName,
      correlationId,
      signal,
      verbose,
      debug,
      throttleLimit: options.throttleLimit,
    }),
    verbose,
    warn: (message) => diagnostics.line(message, 'WARNING: '),
    debug,
    progress: (status) => diagnostics.progress(status),
    inform: (message) => diagnostics.line(message),
    contextName,
    env,
    interactive: options.interactive,
    terminalColumns: options.terminalColumns,
    output: options.output,
    standardInput: options.standardInput,
    shouldProcess:
      options.shouldProcess ??
      (() =>
        Promise.reject(
          new InternalError(
            'The cmdlet asked to make a change without declaring that it changes things ' +
              '(`changes: { confirmImpact }` in its definition).',
          ),
        )),
  };
}
