/**
 * How many requests one client has in flight, and when it may send at all. Shared by every caller
 * of a client (all the workers of a pipeline run), so the service sees one well-behaved client
 * rather than many impatient ones:
 *
 * - **The throttle gate.** A 429 with Retry-After closes the gate until that moment for every
 *   request of the client, not only the one that was refused: the gateway's limit is per partner
 *   tenant, so any request sent earlier would only be refused too, and each refusal can push the
 *   moment further away.
 * - **An adaptive limit** on requests in flight, between 1 and `maxConcurrency`. It starts small
 *   and doubles every round trip (slow start) until the first throttle; from then on it grows by
 *   a fraction of a request per round trip while answers come back clean, and shrinks by a factor
 *   once per throttle episode: the 429s of requests sent before the last decrease are the same
 *   storm, already answered. The limit grows only while it is what holds the callers back, so a
 *   run with fewer callers than the limit does not inflate it untested.
 *
 * The numbers (start, growth, decrease) were tuned with bench/throttle-driver.mjs against the
 * emulator's gateway limit; see that file for the measurements.
 */
import type { Clock } from '../common/clock.js';
import { abortReason } from '../common/clock.js';
import { InternalError } from '../common/errors.js';
import { parseRetryAfter } from './retry-policy.js';

/** What the host's progress line shows about throttling. */
export interface ThrottlingStats {
  /** 429 answers received. */
  throttled: number;
  /**
   * Time requests spent held at the throttle gate, added up over requests (ten requests held for
   * a second count ten seconds). The request that got the 429 waits in its retry instead.
   */
  waitedMs: number;
  /** Wall-clock time the gate was closed (what a person waited on throttling). */
  gateClosedMs: number;
  /** Requests the client lets be in flight at once now. */
  limit: number;
  /** Requests in flight now. */
  inFlight: number;
}

export interface RequestLimiterOptions {
  /** The ceiling of the adaptive limit (the host's -ThrottleLimit). */
  maxConcurrency: number;
  clock: Clock;
}

/** What the limiter reads of an answer. */
export interface LimitedAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
}

/** The ceiling of the limit when the client is given none. */
export const DEFAULT_MAX_CONCURRENCY = 64;
/** The limit a client starts with, before it knows anything of the service. */
export const INITIAL_LIMIT = 4;
/** Once throttled, the limit grows by this many requests per round trip of clean answers. */
export const GROWTH_PER_ROUND_TRIP = 0.1;
/** A throttle episode multiplies the limit by this. */
export const DECREASE_FACTOR = 0.7;
/**
 * Growth is this much slower once the limit is back within one request of where the last episode
 * began: at a low rate the whole-number limit otherwise flips between two levels every few
 * seconds, and each flip up costs a burst of 429s and a shared Retry-After.
 */
export const CAUTION_NEAR_LAST_EPISODE = 0.25;

interface Waiter {
  resolve(): void;
  reject(reason: unknown): void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

export class RequestLimiter {
  private readonly max: number;
  private readonly clock: Clock;
  private current: number;
  private slowStart = true;
  private running = 0;
  private readonly waiting: Waiter[] = [];
  private gateUntil = 0;
  /** Every send is numbered; a 429 of a send numbered up to this one belongs to the last episode. */
  private sends = 0;
  private lastEpisodeSend = 0;
  /**
   * How often a slot was granted that filled the limit: a request during whose flight this grew
   * was held back by the limit, even if the answers of a round came back all at once.
   */
  private saturations = 0;
  private throttledCount = 0;
  private heldMs = 0;
  private gateClosedMs = 0;
  /** The limit when the last throttle episode began: the level the service refused. */
  private episodeLevel = Number.POSITIVE_INFINITY;

  constructor(options: RequestLimiterOptions) {
    if (!Number.isInteger(options.maxConcurrency) || options.maxConcurrency < 1)
      throw new InternalError(
        `the Partner Center client was given maxConcurrency ${options.maxConcurrency}; ` +
          'it must be a whole number from 1.',
      );
    this.max = options.maxConcurrency;
    this.clock = options.clock;
    this.current = Math.min(this.max, INITIAL_LIMIT);
  }

  get stats(): ThrottlingStats {
    return {
      throttled: this.throttledCount,
      waitedMs: this.heldMs,
      gateClosedMs: this.gateClosedMs,
      limit: this.limit,
      inFlight: this.running,
    };
  }

  /** The whole number of requests allowed in flight now. */
  get limit(): number {
    return Math.max(1, Math.floor(this.current));
  }

  /**
   * Sends through the gate and within the limit, and learns from the answer. A send that throws
   * (a broken connection) teaches nothing: it is neither clean nor throttled.
   */
  async run<A extends LimitedAnswer>(send: () => Promise<A>, signal?: AbortSignal): Promise<A> {
    for (;;) {
      await this.throughGate(signal);
      await this.slot(signal);
      // The gate may have closed while this request waited for a slot.
      if (this.clock.now() >= this.gateUntil) break;
      this.running--;
      this.dispatch();
    }
    const sendNumber = ++this.sends;
    const fullAtSend = this.running >= this.limit;
    const saturationsAtSend = this.saturations;
    let answer: A;
    try {
      answer = await send();
    } catch (error) {
      this.running--;
      this.dispatch();
      throw error;
    }
    this.running--;
    if (answer.status === 429) this.throttled(sendNumber, answer);
    else if (answer.status < 500) this.clean(fullAtSend || this.saturations > saturationsAtSend);
    this.dispatch();
    return answer;
  }

  private throttled(sendNumber: number, answer: LimitedAnswer): void {
    this.throttledCount++;
    const now = this.clock.now();
    const retryAfterMs = parseRetryAfter(answer.headers['retry-after'], now);
    const until = retryAfterMs === undefined ? 0 : now + retryAfterMs;
    if (until > this.gateUntil) {
      this.gateClosedMs += until - Math.max(now, this.gateUntil);
      this.gateUntil = until;
    }
    if (sendNumber <= this.lastEpisodeSend) return;
    this.lastEpisodeSend = this.sends;
    this.slowStart = false;
    this.episodeLevel = this.current;
    this.current = Math.max(1, Math.min(this.current, this.running + 1) * DECREASE_FACTOR);
  }

  /** `full`: the limit held callers back while this request was in flight (it was what bound). */
  private clean(full: boolean): void {
    if (!full || this.current >= this.max) return;
    const near = this.current + 1 >= this.episodeLevel;
    const step = this.slowStart
      ? 1
      : (GROWTH_PER_ROUND_TRIP / this.current) * (near ? CAUTION_NEAR_LAST_EPISODE : 1);
    this.current = Math.min(this.max, this.current + step);
  }

  private async throughGate(signal: AbortSignal | undefined): Promise<void> {
    for (let now = this.clock.now(); now < this.gateUntil; now = this.clock.now()) {
      const wait = this.gateUntil - now;
      await this.clock.sleep(wait, signal);
      this.heldMs += wait;
    }
  }

  private slot(signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (this.waiting.length === 0 && this.running < this.limit) {
      this.grant();
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal };
      if (signal) {
        waiter.onAbort = () => {
          const index = this.waiting.indexOf(waiter);
          if (index >= 0) this.waiting.splice(index, 1);
          reject(abortReason(signal));
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.waiting.push(waiter);
    });
  }

  /** Hands free slots to the longest waiting callers, in order. */
  private dispatch(): void {
    while (this.waiting.length > 0 && this.running < this.limit) {
      const next = this.waiting.shift()!;
      if (next.onAbort) next.signal?.removeEventListener('abort', next.onAbort);
      this.grant();
      next.resolve();
    }
  }

  private grant(): void {
    this.running++;
    if (this.running >= this.limit) this.saturations++;
  }
}
