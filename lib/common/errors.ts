/**
 * Every failure the module reports is one of these classes. The host turns each into one line on
 * stderr, `<Cmdlet>: <message> <hint>`, and the exit code it carries; so a message says what went
 * wrong and a hint says what to do, and neither ever holds a secret.
 */
import { ExitCode } from './exit-codes.js';

export class PartnerCenterModuleError extends Error {
  readonly exitCode: number = ExitCode.Failure;
  /** What the user can do about it: one sentence, shown after the message. */
  readonly hint?: string;
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.hint = options.hint;
  }
}

/**
 * Bad parameters, bad input lines, anything the user typed wrong. Raised before any network call.
 */
export class UsageError extends PartnerCenterModuleError {
  override readonly exitCode = ExitCode.Usage;
}

/** No saved context, or the saved one cannot be used (expired access token, missing secret). */
export class NotConnectedError extends PartnerCenterModuleError {
  override readonly exitCode = ExitCode.Authentication;
}

/** Sign-in failed, or the API refused the token (401/403). `aadstsCode` keeps Entra's own code. */
export class AuthenticationError extends PartnerCenterModuleError {
  override readonly exitCode = ExitCode.Authentication;
  readonly aadstsCode?: string;
  constructor(
    message: string,
    options: { hint?: string; cause?: unknown; aadstsCode?: string } = {},
  ) {
    super(message, options);
    this.aadstsCode = options.aadstsCode;
  }
}

/** The thing asked for does not exist (404, or an empty search where one was required). */
export class NotFoundError extends PartnerCenterModuleError {
  override readonly exitCode = ExitCode.NotFound;
}

/**
 * Partner Center answered with an error that retrying will not fix, or retries ran out.
 * Keeps the service's own code and the request ids, which Microsoft support asks for.
 */
export class ServiceError extends PartnerCenterModuleError {
  override readonly exitCode = ExitCode.ServiceFailure;
  readonly status?: number;
  readonly serviceCode?: number | string;
  readonly requestId?: string;
  readonly correlationId?: string;
  constructor(
    message: string,
    options: {
      hint?: string;
      cause?: unknown;
      status?: number;
      serviceCode?: number | string;
      requestId?: string;
      correlationId?: string;
    } = {},
  ) {
    super(message, options);
    this.status = options.status;
    this.serviceCode = options.serviceCode;
    this.requestId = options.requestId;
    this.correlationId = options.correlationId;
  }
}

/** A context or token file that cannot be read, is corrupted, or has unsafe permissions. */
export class ConfigFileError extends PartnerCenterModuleError {
  override readonly exitCode = ExitCode.Failure;
}

/** The run was stopped by SIGINT or SIGTERM. */
export class InterruptedError extends PartnerCenterModuleError {
  override readonly exitCode: number;
  constructor(signal: 'SIGINT' | 'SIGTERM') {
    super(`Stopped by ${signal}.`);
    this.exitCode = signal === 'SIGINT' ? ExitCode.Interrupted : ExitCode.Terminated;
  }
}
