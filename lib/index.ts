/**
 * The package's main export (`import { invoke } from 'partnercenter-node'`): every cmdlet callable
 * in-process, by name through `invoke` or through its typed function (`getPartnerCustomer`), and
 * every error class they reject with or hand to `onError` (spec/api/node-api.spec.ts checks
 * that none is missing).
 */
export * from './cmdlet-functions.js';
export type * from './output-types.js';
export {
  AuthenticationError,
  ConfigFileError,
  ContinuedDownstreamError,
  ErrorAbout,
  IncompleteError,
  type FailedItem,
  IncompleteListingError,
  IncompleteRunError,
  InputIncompleteError,
  InternalError,
  InterruptedError,
  ItemFailure,
  MissingMandatoryError,
  NotConnectedError,
  NotFoundError,
  OutputClosedError,
  OutputFailedError,
  PartnerCenterModuleError,
  ReaderGoneError,
  ServiceError,
  SharedListingFailure,
  UsageError,
} from './common/errors.js';
export type { ErrorAction } from './host/in-process-options.js';
export { ExitCode } from './common/exit-codes.js';
export {
  type AbortSignalLike,
  type CmdletName,
  type CmdletOutput,
  type InvokeArguments,
  type InvokeOptions,
  invoke,
} from './invoke.js';
