/**
 * Waiting that a run's AbortSignal can cut short: every sleep, token fetch and request honours it.
 */

/**
 * The reason the signal carries (the session may abort with an InterruptedError), or a plain
 * AbortError.
 */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortReason(signal);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * One signal that fires when any of the given ones does, for one call; `dispose` detaches it when
 * the call is over. Unlike AbortSignal.any, whose signals stay referenced from their sources until
 * a full garbage collection (in Node 20), this leaves nothing behind: a listing makes one per page.
 */
export function linkedSignal(signals: ReadonlyArray<AbortSignal | undefined>): {
  signal: AbortSignal | undefined;
  dispose: () => void;
} {
  const present = signals.filter((s): s is AbortSignal => s !== undefined);
  if (present.length <= 1) return { signal: present[0], dispose: () => undefined };
  const linked = new AbortController();
  const already = present.find((s) => s.aborted);
  if (already) {
    linked.abort(already.reason);
    return { signal: linked.signal, dispose: () => undefined };
  }
  const forward = (event: Event) => {
    dispose();
    linked.abort((event.target as AbortSignal).reason);
  };
  const dispose = () => {
    for (const source of present) source.removeEventListener('abort', forward);
  };
  for (const source of present) source.addEventListener('abort', forward, { once: true });
  return { signal: linked.signal, dispose };
}
