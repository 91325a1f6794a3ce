/**
 * The client's throttle gate and adaptive limit on requests in flight, with the sends answered by
 * the spec one by one (the limiter's input is "a send that resolves to an answer"; the client's
 * HTTP is proven against the emulator in throttling.spec.ts). Time is a ManualClock or a
 * HeldClock: nothing here waits for real.
 */
import { describe, expect, it } from '@jest/globals';
import {
  DECREASE_FACTOR,
  INITIAL_LIMIT,
  RequestLimiter,
  type LimitedAnswer,
} from '../../lib/partner-center/request-limiter.js';
import { HeldClock } from '../support/held-clock.js';
import { ManualClock } from '../support/manual-clock.js';

interface PendingSend {
  answered: boolean;
  answer(status: number, retryAfterSeconds?: number): void;
  fail(error: Error): void;
}

/** Sends that wait for the spec to answer them, in the order they were sent. */
function service() {
  const sent: PendingSend[] = [];
  const send = () =>
    new Promise<LimitedAnswer>((resolve, reject) => {
      const pending: PendingSend = {
        answered: false,
        answer: (status, retryAfterSeconds) => {
          pending.answered = true;
          const headers =
            retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) };
          resolve({ status, headers });
        },
        fail: (error) => {
          pending.answered = true;
          reject(error);
        },
      };
      sent.push(pending);
    });
  /** Answers every send not answered yet with `status` and lets the limiter react. */
  const answerOpen = async (status: number, retryAfterSeconds?: number) => {
    for (const pending of sent.filter((one) => !one.answered))
      pending.answer(status, retryAfterSeconds);
    await settle();
  };
  /** Answers 200 until nothing is in flight or waiting. */
  const drain = async () => {
    while (sent.some((one) => !one.answered)) await answerOpen(200);
  };
  return { sent, send, answerOpen, drain };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('the adaptive limit on requests in flight', () => {
  it('starts at four and doubles every round trip until the first throttle (slow start)', async () => {
    const limiter = new RequestLimiter({ maxConcurrency: 32, clock: new ManualClock() });
    const { sent, send, answerOpen, drain } = service();
    const runs = Array.from({ length: 60 }, () => limiter.run(send));
    await settle();
    expect(sent).toHaveLength(INITIAL_LIMIT);
    expect(limiter.stats).toEqual({
      throttled: 0,
      waitedMs: 0,
      gateClosedMs: 0,
      limit: 4,
      inFlight: 4,
    });
    await answerOpen(200);
    expect(limiter.stats).toMatchObject({ limit: 8, inFlight: 8 });
    await answerOpen(200);
    expect(limiter.stats).toMatchObject({ limit: 16, inFlight: 16 });
    await answerOpen(200);
    // Never past maxConcurrency.
    expect(limiter.stats).toMatchObject({ limit: 32, inFlight: 32 });
    await drain();
    await Promise.all(runs);
    expect(limiter.stats).toMatchObject({ limit: 32, inFlight: 0 });
  });

  it('does not grow while the callers do not fill it', async () => {
    const limiter = new RequestLimiter({ maxConcurrency: 32, clock: new ManualClock() });
    for (let n = 0; n < 50; n++) await limiter.run(async () => ({ status: 200, headers: {} }));
    expect(limiter.stats.limit).toBe(INITIAL_LIMIT);
  });

  it('decreases once per throttle episode, not once per 429 of it', async () => {
    const limiter = new RequestLimiter({ maxConcurrency: 16, clock: new ManualClock() });
    const { sent, send, answerOpen, drain } = service();
    const runs = Array.from({ length: 40 }, () => limiter.run(send));
    await settle();
    await answerOpen(200);
    expect(limiter.stats).toMatchObject({ limit: 8, inFlight: 8 });
    // The storm: all eight in flight are refused; only the first 429 lowers the limit.
    await answerOpen(429, 0);
    expect(limiter.stats.throttled).toBe(8);
    const lowered = Math.floor(8 * DECREASE_FACTOR);
    expect(limiter.stats).toMatchObject({ limit: lowered, inFlight: lowered });
    // A request sent at the lowered limit and refused again is a new episode.
    sent.find((one) => !one.answered)!.answer(429, 0);
    await settle();
    expect(limiter.stats.limit).toBeLessThan(lowered);
    await drain();
    await Promise.all(runs);
  });

  it('grows again while answers come back clean: about a request per ten round trips', async () => {
    const limiter = new RequestLimiter({ maxConcurrency: 16, clock: new ManualClock() });
    const { send, answerOpen, drain } = service();
    const caller = async () => {
      for (let n = 0; n < 40; n++) await limiter.run(send);
    };
    const callers = Promise.all(Array.from({ length: 16 }, caller));
    await settle();
    await answerOpen(200);
    await answerOpen(200);
    expect(limiter.stats.limit).toBe(16);
    await answerOpen(429, 0);
    const lowered = limiter.stats.limit;
    expect(lowered).toBe(Math.floor(16 * DECREASE_FACTOR));
    // A dozen round trips at the lowered limit: one more request in flight, not slow start's
    // doubling.
    for (let round = 0; round < 12; round++) await answerOpen(200);
    expect(limiter.stats.limit).toBe(lowered + 1);
    await drain();
    await callers;
  });

  it('learns nothing from a broken connection or a 5xx, and frees their slots', async () => {
    const limiter = new RequestLimiter({ maxConcurrency: 32, clock: new ManualClock() });
    const { sent, send, drain } = service();
    const runs = Array.from({ length: 8 }, () => limiter.run(send).catch((error: Error) => error));
    await settle();
    sent[0].fail(new Error('socket hang up'));
    for (const pending of sent.slice(1, 4)) pending.answer(503);
    await settle();
    expect(limiter.stats).toMatchObject({ limit: INITIAL_LIMIT, inFlight: 4, throttled: 0 });
    await drain();
    expect(await runs[0]).toHaveProperty('message', 'socket hang up');
  });

  it('hands the slots of failed sends on, so the callers queued behind them go on', async () => {
    const limiter = new RequestLimiter({ maxConcurrency: 4, clock: new ManualClock() });
    const { sent, send, drain } = service();
    const runs = Array.from({ length: 8 }, () => limiter.run(send).catch((error: Error) => error));
    await settle();
    for (const pending of sent.slice(0, 4)) pending.fail(new Error('socket hang up'));
    await settle();
    expect(sent).toHaveLength(8);
    await drain();
    const outcomes = await Promise.all(runs);
    expect(outcomes.filter((outcome) => outcome instanceof Error)).toHaveLength(4);
  });

  it('refuses a maxConcurrency that is not a whole number from 1', () => {
    for (const bad of [0, 2.5, Number.NaN])
      expect(() => new RequestLimiter({ maxConcurrency: bad, clock: new ManualClock() })).toThrow(
        /maxConcurrency .* whole number from 1/,
      );
  });

  it('lets a caller that stops waiting for a slot leave the queue', async () => {
    const limiter = new RequestLimiter({ maxConcurrency: 4, clock: new ManualClock() });
    const { sent, send, drain } = service();
    const running = Array.from({ length: 4 }, () => limiter.run(send));
    const controller = new AbortController();
    const queued = limiter.run(send, controller.signal);
    await settle();
    controller.abort();
    await expect(queued).rejects.toHaveProperty('name', 'AbortError');
    await drain();
    await Promise.all(running);
    expect(sent).toHaveLength(4);
    expect(limiter.stats.inFlight).toBe(0);
  });
});

describe('the throttle gate', () => {
  it("holds every caller until a 429's Retry-After, not only the one refused", async () => {
    const clock = new HeldClock(1_000_000);
    const limiter = new RequestLimiter({ maxConcurrency: 8, clock });
    const { sent, send, drain } = service();
    const runs = Array.from({ length: 8 }, () => limiter.run(send));
    await settle();
    expect(sent).toHaveLength(4);
    sent[0].answer(429, 2);
    await settle();
    for (const pending of sent.slice(1)) pending.answer(200);
    // The four callers that were waiting for a slot now wait at the gate, and send nothing.
    await clock.untilSleeping(4);
    await settle();
    expect(sent).toHaveLength(4);
    expect(clock.pending).toEqual([1_002_000, 1_002_000, 1_002_000, 1_002_000]);
    // A caller arriving later waits for the same moment.
    const late = limiter.run(send);
    await clock.untilSleeping(5);
    expect(clock.pending.at(-1)).toBe(1_002_000);
    clock.advanceTo(1_001_999);
    await settle();
    expect(sent).toHaveLength(4);
    clock.advanceTo(1_002_000);
    await settle();
    expect(sent.length).toBeGreaterThan(4);
    expect(limiter.stats.waitedMs).toBe(5 * 2000);
    expect(limiter.stats.throttled).toBe(1);
    await drain();
    const answers = await Promise.all([...runs, late]);
    expect(answers.map((answer) => answer.status)).toEqual([
      429, 200, 200, 200, 200, 200, 200, 200, 200,
    ]);
  });

  it('keeps the later of two Retry-Afters, and does not close for a 429 without one', async () => {
    const clock = new HeldClock(0);
    const limiter = new RequestLimiter({ maxConcurrency: 8, clock });
    const { sent, send } = service();
    const first = Array.from({ length: 3 }, () => limiter.run(send));
    await settle();
    sent[0].answer(429, 5);
    sent[1].answer(429, 1);
    sent[2].answer(429);
    await Promise.all(first);
    const next = limiter.run(send);
    await clock.untilSleeping(1);
    expect(clock.pending).toEqual([5000]);
    clock.advanceTo(5000);
    await settle();
    expect(sent).toHaveLength(4);
    sent[3].answer(200);
    await next;
  });
});
