/**
 * A clock that only moves when something sleeps on it: a retry that waits a 1 s Retry-After takes
 * no real time, and the spec reads exactly which waits were asked for. Abort is honoured as on the
 * system clock.
 */
import { abortReason, type Clock } from '../../lib/common/clock.js';

export class ManualClock implements Clock {
  /** Every sleep asked for, in ms, in order. */
  readonly sleeps: number[] = [];

  constructor(private time = Date.now()) {}

  now(): number {
    return this.time;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw abortReason(signal);
    this.sleeps.push(ms);
    this.time += ms;
  }
}
