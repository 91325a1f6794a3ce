/**
 * What a caller of the Node API (`invoke` and the typed functions) may pass besides parameters.
 * Declarations only, in types every TypeScript project has: the package's published types must
 * compile without @types/node (an AbortSignal, process.env and any iterable fit them).
 */
import type { PartnerCenterModuleError } from '../common/errors.js';

/** An AbortSignal as the run uses it (Node's, the DOM's, or any with the same members). */
export interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason?: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** -ErrorAction's values, as PowerShell names them. */
export const errorActions = ['Stop', 'Continue', 'SilentlyContinue', 'Ignore'] as const;
export type ErrorAction = (typeof errorActions)[number];

/** The common parameter an in-process call takes beside the cmdlet's own (as `-ErrorAction`). */
export interface InProcessCommonParameters {
  /**
   * What a failed pipeline object does: Continue (default) reports it to `onMessage`/`onError` and
   * goes on; SilentlyContinue only to `onError`; Ignore nowhere; Stop rejects the call with it.
   */
  ErrorAction?: ErrorAction;
}

/** The answers to a confirmation, as PowerShell offers them ([Y] [A] [N] [L]). */
export type ConfirmAnswer = 'Yes' | 'YesToAll' | 'No' | 'NoToAll';

/** One change a cmdlet asks to make (its ShouldProcess), as `onConfirm` receives it. */
export interface ConfirmQuestion {
  /** What changes, e.g. a customer's subscription by name and id. */
  target: string;
  /** What is done to it, e.g. "Set subscription". */
  action: string;
  /** What it becomes, e.g. "quantity 10 → 12", when the cmdlet says. */
  detail?: string;
  /** The whole sentence a terminal shows: `Performing the operation "<action>" on target "<target>".` */
  message: string;
  /** The cmdlet's ConfirmImpact. */
  impact: 'Low' | 'Medium' | 'High';
}

export type { InProcessShouldProcessParameters } from '../cmdlet-support/should-process-parameters.js';

export interface InvokeOptions {
  /** Pipeline objects, bound by property name exactly as NDJSON lines on stdin would be. */
  input?: Iterable<unknown> | AsyncIterable<unknown>;
  /** Stops the run between two objects; the iteration then rejects with the signal's reason. */
  signal?: AbortSignalLike;
  /** The environment the cmdlet reads (PARTNERCENTER_CONFIG_DIR, PARTNERCENTER_CONTEXT, ...). */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * The lines the command would have written to stderr (warnings, a device code to enter),
   * redacted; dropped when absent.
   */
  onMessage?: (line: string) => void;
  /**
   * Each pipeline object's failure that did not end the call (ErrorAction Continue or
   * SilentlyContinue; Ignore drops them): usually an `ItemFailure`, naming the object, with the
   * service's error as its `cause`.
   */
  onError?: (error: PartnerCenterModuleError) => void;
  /**
   * Answers a confirmation of a cmdlet that changes things, where one is due (its impact at least
   * PARTNERCENTER_CONFIRM_PREFERENCE of `env`, or Confirm: true). Asked one question at a time;
   * YesToAll and NoToAll answer the rest of the call. Without it, a call where a confirmation is
   * due is refused before any change (UsageError): give Force or Confirm: false to go ahead.
   */
  onConfirm?: (question: ConfirmQuestion) => ConfirmAnswer | Promise<ConfirmAnswer>;
}
