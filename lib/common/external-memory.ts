/**
 * A stream of millions of line items (a billing export: gigabytes gunzipped) is held in Buffers
 * outside V8's heap, each freed only when the last JavaScript object over it is collected. Most die
 * young, in the next minor collection; but a chunk that was still waiting for stdout (or for its
 * turn among the files read at once) when two minor collections ran is promoted, and promoted
 * objects wait for a major collection, which V8 schedules by the growth of its own heap (a few MB
 * here, hardly growing) and by external memory only past tens of megabytes. The process's peak
 * RSS then grew with the length of the run: 2,000,000 line items peaked 13 MB above 200,000
 * (bench/billing-export.mjs).
 *
 * `externalBytesPassed(n)` counts the bytes such a stream has handed on, and after every
 * `interval` of them runs a major collection: what was promoted and is garbage is freed, so the
 * peak stays near where a short run's is. Such a forced collection costs far more than its small
 * heap suggests (about 50 ms here, measured as CPU time over a run), so the interval is long: 128
 * MB, or twice the heap in use after the last collection if that is more (a caller from Node with
 * a large heap gets proportionally fewer). Measured over 2,000,000 line items (3 GB gunzipped;
 * bench/billing-export.mjs and by hand, 2 vCPUs under load): peak RSS 92-95 MB without, 83-90 MB
 * with 128 MB (200,000 line items: 79-88 MB), for about 1.3 s more CPU (6.3-6.8 s user);
 * every 16 MB held it at 79-90 MB but cost 5 s.
 *
 * V8 offers the collector to scripts only behind --expose-gc, which (like young-generation.ts's
 * flag) can be set while running: setting it makes `gc` available to contexts created afterwards,
 * here one made for the purpose. Where that does not work, nothing is done.
 */
import { setFlagsFromString, getHeapStatistics } from 'node:v8';
import { runInNewContext } from 'node:vm';

const MIN_INTERVAL = 128 * 1024 * 1024;

let collect: (() => void) | null | undefined;
let passed = 0;
let interval = MIN_INTERVAL;

function collector(): (() => void) | null {
  if (collect !== undefined) return collect;
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    collect = typeof gc === 'function' ? () => (gc as () => void)() : null;
  } catch {
    collect = null;
  }
  return collect;
}

/** Counts `bytes` handed on by a long stream; a major collection after every interval of them. */
export function externalBytesPassed(bytes: number): void {
  passed += bytes;
  if (passed < interval) return;
  passed = 0;
  const gc = collector();
  if (!gc) return;
  gc();
  interval = Math.max(MIN_INTERVAL, 2 * getHeapStatistics().used_heap_size);
}
