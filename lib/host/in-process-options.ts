/**
 * What a caller of the Node API (`invoke` and the typed functions) may pass besides parameters.
 * Declarations only, in types every TypeScript project has: the package's published types must
 * compile without @types/node (an AbortSignal, process.env and any iterable fit them).
 */

/** An AbortSignal as the run uses it (Node's, the DOM's, or any with the same members). */
export interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason?: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

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
}
