/**
 * `invoke`: runs a cmdlet of the module inside the calling process and hands back its output
 * objects as an async iterable, the way the .NET and Java SDKs are used from code. The cmdlet is
 * loaded on the first call; parameters are checked exactly as on the command line.
 */
import type { CmdletOutputs, CmdletParameters } from './cmdlet-functions.js';
import { streamCmdlet } from './host/in-process.js';
import type { InProcessCommonParameters, InvokeOptions } from './host/in-process-options.js';
import { loadCmdlet } from './host/load-cmdlet.js';

export type {
  AbortSignalLike,
  ErrorAction,
  ConfirmAnswer,
  ConfirmQuestion,
  InProcessCommonParameters,
  InProcessShouldProcessParameters,
  InvokeOptions,
} from './host/in-process-options.js';

export type CmdletName = keyof CmdletParameters;

/** What the cmdlet `N` writes, each object as its NDJSON line would hold it. */
export type CmdletOutput<N extends CmdletName> = CmdletOutputs[N];

/** The parameters may be left out when the cmdlet needs none of them from the caller. */
export type InvokeArguments<P> =
  Record<never, never> extends P
    ? [parameters?: P & InProcessCommonParameters, options?: InvokeOptions]
    : [parameters: P & InProcessCommonParameters, options?: InvokeOptions];

/**
 * Runs the cmdlet `name` with `parameters` (named as on the command line: `{ PageSize: 100 }`,
 * and `ErrorAction`). Each output object arrives as the plain JSON value its NDJSON line would
 * hold; the cmdlet goes on only as the caller consumes. A failed pipeline object goes to
 * `onError` and the run goes on (ErrorAction Continue, the default); what ends the run rejects
 * with the module's errors (UsageError, NotConnectedError, ServiceError, IncompleteRunError, ...),
 * each with its `exitCode` and `hint`.
 */
export function invoke<N extends CmdletName, T = CmdletOutputs[N]>(
  name: N,
  ...args: InvokeArguments<CmdletParameters[N]>
): AsyncIterable<T> {
  const [parameters = {}, options = {}] = args;
  return streamCmdlet(
    () => loadCmdlet(name),
    parameters as Readonly<Record<string, unknown>>,
    options,
  ) as AsyncIterable<T>;
}
