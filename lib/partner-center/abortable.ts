/**
 * Waiting that a run's AbortSignal can cut short: every sleep, token fetch and request honours it.
 */

import { abortReason } from '../common/clock.js';

export { abortReason };

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortReason(signal);
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
