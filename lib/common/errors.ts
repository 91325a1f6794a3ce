/**
 * Every failure the module reports is one of these classes. The host turns each into one line on
 * stderr, `<Cmdlet>: <message> <hint>`, and the exit code it carries; so a message says what went
 * wrong and a hint says what to do, and neither ever holds a secret.
 *
 * What the host does with an error is read from the error itself, never from a list of classes:
 * `exitCode`, `endsRun` (whether the whole run stops whatever -ErrorAction says) and, for a
 * listing, `continuationTokenRefused`.
 */
import { ExitCode } from './exit-codes.js';

export interface ModuleErrorOptions {
  /** What the user can do about it: one sentence, shown after the message. */
  hint?: string;
  cause?: unknown;
  /**
   * True when every later pipeline object would fail the same way (not signed in, a broken
   * context file, a signal), so the run ends even with -ErrorAction Continue. Each class has its
   * default; an error that wraps another keeps the wrapped one's.
   */
  endsRun?: boolean;
  /** Partner Center refused the continuation token the request carried. */
  continuationTokenRefused?: boolean;
  /**
   * The failure in a few plain words, without the object it concerns ("no commerce relationship"),
   * for the one line a failed pipeline object gets on a terminal; the message says it in full.
   */
  reason?: string;
  /** The HTTP status of the service's answer, when the failure is one. */
  status?: number;
  /** The service's own error code (Partner Center's `code`, Graph's `error.code`). */
  serviceCode?: number | string;
}

export class PartnerCenterModuleError extends Error {
  /** A class's default for `endsRun`. */
  static readonly endsRunByDefault: boolean = false;
  readonly exitCode: number = ExitCode.Failure;
  readonly hint?: string;
  readonly endsRun: boolean;
  /**
   * A listing whose token was refused cannot be continued from that token: its resume advice must
   * skip instead, whichever class (usage or service) the refusal was reported as.
   */
  readonly continuationTokenRefused: boolean;
  readonly reason?: string;
  readonly status?: number;
  readonly serviceCode?: number | string;

  constructor(message: string, options: ModuleErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.hint = options.hint;
    this.endsRun =
      options.endsRun ?? (new.target as typeof PartnerCenterModuleError).endsRunByDefault;
    this.continuationTokenRefused = options.continuationTokenRefused ?? false;
    this.reason = options.reason;
    this.status = options.status;
    this.serviceCode = options.serviceCode;
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
  static override readonly endsRunByDefault = true;
  override readonly exitCode = ExitCode.Authentication;
}

/**
 * Sign-in failed, or the API refused the token (401/403). `aadstsCode` keeps Entra's own code.
 */
export class AuthenticationError extends PartnerCenterModuleError {
  static override readonly endsRunByDefault = true;
  override readonly exitCode = ExitCode.Authentication;
  readonly aadstsCode?: string;
  constructor(message: string, options: ModuleErrorOptions & { aadstsCode?: string } = {}) {
    super(message, options);
    this.aadstsCode = options.aadstsCode;
  }
}

/** The thing asked for does not exist (404, or an empty search where one was required). */
export class NotFoundError extends PartnerCenterModuleError {
  override readonly exitCode = ExitCode.NotFound;
}

export interface ServiceErrorOptions extends ModuleErrorOptions {
  requestId?: string;
  correlationId?: string;
}

/**
 * Partner Center answered with an error that retrying will not fix, or retries ran out.
 * Keeps the service's own code and the request ids, which Microsoft support asks for.
 */
export class ServiceError extends PartnerCenterModuleError {
  override readonly exitCode = ExitCode.ServiceFailure;
  readonly requestId?: string;
  readonly correlationId?: string;
  constructor(message: string, options: ServiceErrorOptions = {}) {
    super(message, options);
    this.requestId = options.requestId;
    this.correlationId = options.correlationId;
  }
}

/** A context or token file that cannot be read, is corrupted, or has unsafe permissions. */
export class ConfigFileError extends PartnerCenterModuleError {
  static override readonly endsRunByDefault = true;
  override readonly exitCode = ExitCode.Failure;
}

/** The run was stopped by SIGINT or SIGTERM. */
export class InterruptedError extends PartnerCenterModuleError {
  static override readonly endsRunByDefault = true;
  override readonly exitCode: number;
  constructor(signal: 'SIGINT' | 'SIGTERM') {
    super(`Stopped by ${signal}.`);
    this.exitCode = signal === 'SIGINT' ? ExitCode.Interrupted : ExitCode.Terminated;
  }
}

/**
 * The reason a run's signal carries when stdout's reader went away (`| head`, a consumer that
 * died): not an error of the run by itself, which then stops quietly, unless a resume file
 * expects it to go on (ReaderGoneError).
 */
export class OutputClosedError extends Error {
  constructor() {
    super('The output stream was closed by its reader.');
    this.name = 'OutputClosedError';
  }
}

/**
 * stdout's reader went away while a resume file was kept: the run did not finish, and the stop
 * line says what the file records and that what the reader had not read is not written again.
 */
export class ReaderGoneError extends PartnerCenterModuleError {
  static override readonly endsRunByDefault = true;
  override readonly exitCode = ExitCode.Failure;
}

/**
 * stdout could not take the output (the disk is full, the device failed): the run stops at once,
 * and what was recorded as written is only what reached stdout whole. The message says what
 * happened to the last line (removed again, or where it is cut).
 */
export class OutputFailedError extends PartnerCenterModuleError {
  static override readonly endsRunByDefault = true;
  override readonly exitCode = ExitCode.Failure;
}

/**
 * A bug in the module itself (a caller broke an internal contract), not anything the user did:
 * exit 1 and an "unexpected error" line that asks for a report, never exit 2 ("your parameters
 * are wrong").
 */
export class InternalError extends PartnerCenterModuleError {
  static override readonly endsRunByDefault = true;
  override readonly exitCode = ExitCode.Failure;
  constructor(message: string, options: Omit<ModuleErrorOptions, 'hint'> = {}) {
    super(`Unexpected error: ${message}`, {
      ...options,
      hint:
        'This is a bug in PartnerCenter for Node: run again with -Debug and report it ' +
        'with what that prints.',
    });
  }
}

/**
 * An error that tells more about another (which object failed, what the run had done, how to go
 * on, who says how to continue) and keeps its meaning: exit code, whether it ends the run, the
 * service's status and code. Every wrapping class is one of these and differs only in what it adds
 * (ItemFailure: the pipeline object; IncompleteError: the advice; SharedListingFailure: that the
 * run ends; ContinuedDownstreamError: the reader's name), so none copies the cause's meaning.
 */
export abstract class ErrorAbout extends PartnerCenterModuleError {
  override readonly exitCode: number;
  override readonly cause: PartnerCenterModuleError;

  protected constructor(
    message: string,
    cause: PartnerCenterModuleError,
    options: { hint?: string; endsRun?: boolean } = {},
  ) {
    super(message, {
      hint: 'hint' in options ? options.hint : cause.hint,
      cause,
      endsRun: options.endsRun ?? cause.endsRun,
      continuationTokenRefused: cause.continuationTokenRefused,
      reason: cause.reason,
      status: cause.status,
      serviceCode: cause.serviceCode,
    });
    this.cause = cause;
    this.exitCode = cause.exitCode;
  }
}

/** The object a failure concerns: its kind, its id and, when known, its name. */
export interface FailedItem {
  /** What the object is, as messages name it: `customer`, `user`. */
  kind: string;
  id: string;
  /** A name people know it by (a customer's company name), when the pipeline object had one. */
  name?: string;
}

/**
 * One pipeline object failed (a customer the partner may not read, a user that does not exist):
 * the object, and the cause. Under -ErrorAction Continue the run reports it and goes on.
 */
export class ItemFailure extends ErrorAbout {
  readonly item: FailedItem;

  constructor(item: FailedItem, cause: PartnerCenterModuleError) {
    const kind = item.kind.charAt(0).toUpperCase() + item.kind.slice(1);
    const named = `${kind} ${item.id}`;
    // A cause that names the object itself ("Invoice G01 was not found") is not named twice.
    super(
      cause.message.startsWith(`${named} `)
        ? cause.message
        : `${named}${item.name ? ` (${item.name})` : ''}: ${cause.message}`,
      cause,
    );
    this.item = item;
  }
}

/**
 * A run that stopped before its end, with how to go on: the cause's message and exit code, and a
 * hint that adds what was done and how to continue (the advice), after the cause's own hint unless
 * the advice replaces it. Under SIGINT/SIGTERM the host still exits with 130/143 (the signal's code
 * wins), and this is the one line it prints.
 */
export abstract class IncompleteError extends ErrorAbout {
  constructor(
    cause: PartnerCenterModuleError,
    advice: string,
    options: { replaceHint?: boolean; endsRun?: boolean } = {},
  ) {
    super(cause.message, cause, {
      hint: [options.replaceHint ? undefined : cause.hint, advice].filter(Boolean).join(' '),
      endsRun: options.endsRun,
    });
  }
}

/** A run over pipeline input (the fan-out) that stopped early: how many objects were done. */
export class IncompleteRunError extends IncompleteError {}

/** A listing that stopped before its end: how many items were written and how to continue. */
export class IncompleteListingError extends IncompleteError {}

/**
 * The listing a whole run shares (every GDAP relationship, listed once for all piped customers)
 * failed: every object of the run needs it, so the run ends, whatever -ErrorAction says.
 */
export class SharedListingFailure extends ErrorAbout {
  constructor(cause: PartnerCenterModuleError) {
    super(cause.message, cause, { endsRun: true });
  }
}

/**
 * Mandatory parameters of the one set that fits are missing: a person at a terminal can be asked
 * for them.
 */
export class MissingMandatoryError extends UsageError {
  constructor(
    message: string,
    options: { hint: string },
    readonly parameterSet: string,
    readonly missing: readonly string[],
  ) {
    super(message, options);
  }
}

/** The input ended before its end: the run did what came, and says so with exit code 6. */
export class InputIncompleteError extends PartnerCenterModuleError {
  static override readonly endsRunByDefault = true;
  override readonly exitCode = ExitCode.InputIncomplete;
}

/** A stop whose instruction to continue is left to the command reading the output. */
export class ContinuedDownstreamError extends ErrorAbout {
  constructor(cause: PartnerCenterModuleError, reader: string) {
    super(cause.message, cause, {
      hint: `${reader}, which reads this output, says how to continue.`,
    });
  }
}
