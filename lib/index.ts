/**
 * The package's main export (`import { invoke } from 'partnercenter-node'`): every cmdlet callable
 * in-process, by name through `invoke` or through its typed function (`getPartnerCustomer`), and
 * the errors they reject with.
 */
export * from './cmdlet-functions.js';
export type * from './output-types.js';
export {
  AuthenticationError,
  ConfigFileError,
  InternalError,
  InterruptedError,
  NotConnectedError,
  NotFoundError,
  PartnerCenterModuleError,
  ServiceError,
  UsageError,
} from './common/errors.js';
export { ExitCode } from './common/exit-codes.js';
export {
  type AbortSignalLike,
  type CmdletName,
  type CmdletOutput,
  type InvokeArguments,
  type InvokeOptions,
  invoke,
} from './invoke.js';
