/**
 * The client under throttling and faults: the request limiter alone (sends answered by the spec),
 * one client shared by many callers against the emulator's throttling, and listings that survive
 * the emulator's scripted faults. Each part keeps its own emulator and hooks, in its own describe.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { createCmdletServices } from '../../lib/cmdlet-support/services.js';
import { ServiceError } from '../../lib/common/errors.js';
import type { StartedEmulator } from '../../lib/emulator/index.js';
import type { ClientOptions, PartnerCenterClient } from '../../lib/partner-center/client.js';
import { listCustomers } from '../../lib/partner-center/customers.js';
import {
  DECREASE_FACTOR,
  INITIAL_LIMIT,
  type LimitedAnswer,
  RequestLimiter,
} from '../../lib/partner-center/request-limiter.js';
import { emulatedPartner, type EmulatedPartner } from '../support/emulated-partner.js';
import { startEmulator } from '../support/emulator.js';
import { HeldClock } from '../support/held-clock.js';
import { ManualClock } from '../support/manual-clock.js';
import { emulatorClient } from './fixtures/emulator-client.js';

/**
 * The client's throttle gate and adaptive limit on requests in flight, with the sends answered by
 * the spec one by one (the limiter's input is "a send that resolves to an answer"; the client's
 * HTTP is proven against the emulator below). Time is a ManualClock or a HeldClock: nothing
 * here waits for real.
 */
describe('the request limiter alone', () => {
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
      const runs = Array.from({ length: 8 }, () =>
        limiter.run(send).catch((error: Error) => error),
      );
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
      const runs = Array.from({ length: 8 }, () =>
        limiter.run(send).catch((error: Error) => error),
      );
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
});

/**
 * One client shared by many concurrent callers, against the emulator over HTTPS: a 429's
 * Retry-After holds every caller, the adaptive limit shrinks on a throttle and grows back on clean
 * answers, and an access token refused to many callers at once is renewed once. Waits are on a
 * HeldClock or a ManualClock, so nothing sleeps for real.
 */
describe('one client, many callers, against the emulator', () => {
  const apiRequests = (emulator: StartedEmulator) => emulator.counters().api.requests;
  const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

  describe('one client, many callers, one throttle', () => {
    let emulator: StartedEmulator;
    let ids: string[];

    beforeAll(async () => {
      emulator = await startEmulator({ customers: 40, seed: 5 });
      ids = [...emulator.customerIds()];
    });
    afterAll(() => emulator.close());

    it("holds every concurrent caller until one 429's Retry-After", async () => {
      const clock = new HeldClock(5_000_000);
      const { client } = emulatorClient(emulator, { clock, maxConcurrency: 16 });
      // The first request is refused for 3 s; the next three answer late, so the 429 is back first.
      emulator.setFaults({
        rules: [
          { at: 1, action: { type: 'throttle', retryAfterSeconds: 3 } },
          { after: 1, times: 3, action: { type: 'delay', ms: 300 } },
        ],
      });
      emulator.resetCounters();
      let done = 0;
      const calls = ids.slice(0, 16).map(async (id) => {
        const customer = await client.getJson<{ id: string }>(`/customers/${id}`);
        done++;
        return customer.id;
      });
      // Wait until every caller has either finished or is asleep: none may still be sending.
      while (done + clock.pending.length < 16 || client.throttling.inFlight > 0) await tick();
      const held = clock.pending.length;
      // Those held are the refused request's retry and every caller that had not sent yet.
      expect(held).toBeGreaterThanOrEqual(2);
      expect(apiRequests(emulator)).toBe(16 - held + 1);
      for (const until of clock.pending) expect(until).toBeGreaterThanOrEqual(5_003_000);
      expect(client.throttling).toMatchObject({ throttled: 1, inFlight: 0 });
      clock.advanceTo(5_004_000);
      expect(await Promise.all(calls)).toEqual(ids.slice(0, 16));
      expect(client.throttling.waitedMs).toBe((held - 1) * 3000);
      expect(apiRequests(emulator)).toBe(17);
      expect(emulator.counters().api.throttled).toBe(1);
      emulator.setFaults({});
      client.close();
    });

    it('shrinks its limit when throttled, then grows it back while answers are clean', async () => {
      const { client } = emulatorClient(emulator, { clock: new ManualClock(), maxConcurrency: 8 });
      const round = (callers: number, each: number) =>
        Promise.all(
          Array.from({ length: callers }, async (_, caller) => {
            for (let n = 0; n < each; n++)
              await client.getJson(`/customers/${ids[(caller + n) % 40]}`);
          }),
        );
      await round(8, 5);
      expect(client.throttling.limit).toBe(8);
      // The next eight requests are refused: one throttle episode, whatever its size.
      emulator.setFaults({
        rules: [{ after: 0, times: 8, action: { type: 'throttle', retryAfterSeconds: 0 } }],
      });
      await round(8, 1);
      emulator.setFaults({});
      const shrunk = client.throttling.limit;
      expect(client.throttling.throttled).toBe(8);
      expect(shrunk).toBeLessThan(8);
      expect(shrunk).toBeGreaterThanOrEqual(4);
      await round(8, 40);
      expect(client.throttling.limit).toBeGreaterThan(shrunk);
      client.close();
    });
  });

  describe('a token refused to many callers at once', () => {
    let partner: EmulatedPartner;
    beforeAll(async () => {
      partner = await emulatedPartner({ customers: 20 });
    });
    afterAll(() => partner.dispose());

    const tokenRequests = () =>
      partner.emulator.counters().requests['POST /{tenant}/oauth2/v2.0/token'] ?? 0;

    it('is renewed once, not once per caller', async () => {
      const services = createCmdletServices({
        env: partner.env,
        correlationId: randomUUID(),
        signal: new AbortController().signal,
        verbose: () => undefined,
        throttleLimit: 16,
      });
      const client = await services.partnerCenter();
      const ids = [...partner.emulator.customerIds()].slice(0, 16);
      await client.getJson(`/customers/${ids[0]}`);
      const before = { grants: tokenRequests(), issued: partner.emulator.counters().tokensIssued };
      // The first of the sixteen expires every token issued so far: all in flight get 401.
      partner.emulator.setFaults({ rules: [{ at: 1, action: { type: 'expire-tokens' } }] });
      const customers = await Promise.all(
        ids.map((id) => client.getJson<{ id: string }>(`/customers/${id}`)),
      );
      partner.emulator.setFaults({});
      expect(customers.map((customer) => customer.id)).toEqual(ids);
      const refused = partner.emulator
        .recentRequests(40)
        .filter((request) => request.status === 401);
      expect(refused.length).toBeGreaterThanOrEqual(1);
      expect(tokenRequests() - before.grants).toBe(1);
      expect(partner.emulator.counters().tokensIssued - before.issued).toBe(1);
      client.close();
    });

    it("passes the run's maxConcurrency to its client", async () => {
      const services = createCmdletServices({
        env: partner.env,
        correlationId: randomUUID(),
        signal: new AbortController().signal,
        verbose: () => undefined,
        throttleLimit: 2,
      });
      const client = await services.partnerCenter();
      expect(client.throttling).toEqual({
        throttled: 0,
        waitedMs: 0,
        gateClosedMs: 0,
        limit: 2,
        inFlight: 0,
      });
      client.close();
    });
  });
});

/**
 * Listings that survive the emulator's scripted faults (issue 5): throttling, resets before and
 * in the middle of a body, 5xx, an answer slower than the timeout, access tokens revoked mid-run.
 * The proof is always the same: the ids written equal the emulator's set, none lost, none twice.
 */
describe("listings under the emulator's faults", () => {
  let emulator: StartedEmulator;
  const clients: PartnerCenterClient[] = [];

  beforeAll(async () => {
    emulator = await startEmulator({ customers: 1234, seed: 3 });
  });
  afterEach(() => {
    while (clients.length) clients.pop()!.close();
    emulator.setFaults({});
    emulator.resetCounters();
  });
  afterAll(() => emulator.close());

  function newClient(overrides: Partial<ClientOptions> = {}) {
    const made = emulatorClient(emulator, overrides);
    clients.push(made.client);
    return made;
  }

  async function allIds(client: PartnerCenterClient, pageSize: number) {
    const ids: string[] = [];
    for await (const page of listCustomers(client, { pageSize }))
      ids.push(...page.items.map((c) => c.value.id));
    return ids;
  }

  const expectedIds = () => emulator.customers.map((c) => c.id as string);
  const listingRequests = () => emulator.counters().requests['GET /v1/customers'] ?? 0;

  describe('a listing under a mixed fault schedule', () => {
    it('writes every customer exactly once', async () => {
      emulator.setFaults({
        rules: [
          { every: 5, action: { type: 'throttle', retryAfterSeconds: 0 } },
          { at: 3, action: { type: 'reset', when: 'mid-body' } },
          { at: 7, action: { type: 'reset', when: 'before-headers' } },
          { at: 8, action: { type: 'reset', when: 'before-body' } },
          { at: 9, action: { type: 'status', status: 503 } },
          { at: 11, action: { type: 'delay', ms: 1_500 } },
          { at: 13, action: { type: 'expire-tokens' } },
          { at: 17, action: { type: 'status', status: 502 } },
        ],
      });
      const correlationId = randomUUID();
      const { client, verbose, tokens } = newClient({
        correlationId,
        retry: { requestTimeoutMs: 300 },
      });
      const ids = await allIds(client, 100);
      expect(ids).toEqual(expectedIds());
      expect(emulator.counters().faultsInjected).toBeGreaterThanOrEqual(10);
      expect(tokens.forcedRefreshes).toBe(1);
      expect(verbose.some((line) => /Throttled/.test(line))).toBe(true);
      expect(verbose.some((line) => /renewing it/.test(line))).toBe(true);
      // Each page (one logical call) kept its MS-RequestId across its retries: as many ids as pages.
      const seen = emulator
        .recentRequests(100)
        .filter((r) => r.headers['ms-correlationid'] === correlationId);
      expect(new Set(seen.map((r) => r.headers['ms-requestid'])).size).toBe(Math.ceil(1234 / 100));
    });

    it(
      'gives up on a page that keeps failing, saying how many attempts and the ' + 'last status',
      async () => {
        emulator.setFaults({ rules: [{ after: 2, action: { type: 'status', status: 503 } }] });
        const { client } = newClient({ retry: { maxAttempts: 4 } });
        const written: string[] = [];
        let resumeToken: string | undefined;
        const error = await (async () => {
          for await (const page of listCustomers(client, { pageSize: 100 })) {
            written.push(...page.items.map((c) => c.value.id));
            resumeToken = page.continuationToken;
          }
        })().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ServiceError);
        expect((error as ServiceError).message).toMatch(
          /^GET \/v1\/customers\?size=100&seekOperation=Next failed after 4 attempts; last problem: HTTP 503 Service Unavailable, code \d+: [^.]+\.$/,
        );
        expect((error as ServiceError).status).toBe(503);
        expect(written).toEqual(expectedIds().slice(0, 200));

        // The run that resumes from the last written page's token completes the set.
        emulator.setFaults({});
        const { client: resumed } = newClient();
        const rest: string[] = [];
        for await (const page of listCustomers(resumed, {
          pageSize: 100,
          continuationToken: resumeToken,
        }))
          rest.push(...page.items.map((c) => c.value.id));
        expect([...written, ...rest]).toEqual(expectedIds());
      },
    );

    it(
      'reports continuation tokens invalidated mid-listing as no longer ' +
        'accepted, after the pages already handed out',
      async () => {
        emulator.setFaults({
          rules: [{ at: 3, action: { type: 'invalidate-continuation-tokens' } }],
        });
        const { client } = newClient();
        const written: string[] = [];
        const error = await (async () => {
          for await (const page of listCustomers(client, { pageSize: 100 }))
            written.push(...page.items.map((c) => c.value.id));
        })().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ServiceError);
        expect((error as ServiceError).message).toMatch(
          /^Partner Center no longer accepts the continuation token \(HTTP 400/,
        );
        expect(written).toEqual(expectedIds().slice(0, 200));
      },
    );
  });

  describe('pacing', () => {
    it(
      'keeps exactly one page in flight ahead of a slow consumer (emulator ' + 'request counter)',
      async () => {
        const { client } = newClient();
        for await (const page of listCustomers(client, { pageSize: 100 })) {
          const total = Math.ceil(1234 / 100);
          const ahead = Math.min(page.pageNumber + 1, total);
          while (listingRequests() < ahead) await new Promise((resolve) => setTimeout(resolve, 2));
          await new Promise((resolve) => setTimeout(resolve, 20));
          expect(listingRequests()).toBe(ahead);
        }
        expect(client.stats.connections).toBe(1);
      },
    );
  });
});
