/**
 * A clock whose sleeps last until the spec moves time on. Where a ManualClock returns from every
 * sleep at once (so one waiter's jump in time is every later caller's present), this one shows
 * who is waiting, and until when, at a moment the spec chooses: "all sixteen workers are held
 * until 12:00:05" is then a fact to assert, not a guess about timing. No real time passes.
 */
import { abortReason, type Clock } from '../../lib/common/clock.js';

interface Sleeper {
  until: number;
  resolve(): void;
}

export class HeldClock implements Clock {
  /** Every sleep asked for: when it began and how long, in order. */
  readonly sleeps: { from: number; ms: number }[] = [];
  private sleepers: Sleeper[] = [];
  private watchers: (() => void)[] = [];

  constructor(private time = Date.now()) {}

  now(): number {
    return this.time;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    this.sleeps.push({ from: this.time, ms });
    return new Promise((resolve, reject) => {
      const sleeper: Sleeper = {
        until: this.time + ms,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.sleepers = this.sleepers.filter((other) => other !== sleeper);
        reject(abortReason(signal!));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.sleepers.push(sleeper);
      for (const watcher of this.watchers) watcher();
    });
  }

  /** The moments the pending sleeps end at, earliest first. */
  get pending(): number[] {
    return this.sleepers.map((sleeper) => sleeper.until).sort((a, b) => a - b);
  }

  /** Resolves once at least `count` sleeps are pending. */
  untilSleeping(count: number): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (this.sleepers.length < count) return;
        this.watchers = this.watchers.filter((watcher) => watcher !== check);
        resolve();
      };
      this.watchers.push(check);
      check();
    });
  }

  /** Moves time on to `time` and ends every sleep due by then. */
  advanceTo(time: number): void {
    this.time = Math.max(this.time, time);
    const due = this.sleepers.filter((sleeper) => sleeper.until <= this.time);
    this.sleepers = this.sleepers.filter((sleeper) => sleeper.until > this.time);
    for (const sleeper of due) sleeper.resolve();
  }
}
