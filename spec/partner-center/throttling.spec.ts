/**
 * One client shared by many concurrent callers, against the emulator over HTTPS: a 429's
 * Retry-After holds every caller, the adaptive limit shrinks on a throttle and grows back on clean
 * answers, and an access token refused to many callers at once is renewed once. Waits are on a
 * HeldClock or a ManualClock, so nothing sleeps for real.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { createCmdletServices } from '../../lib/cmdlet-support/services.js';
import type { StartedEmulator } from '../../lib/emulator/index.js';
import { startEmulator } from '../support/emulator.js';
import { emulatedPartner, type EmulatedPartner } from '../support/emulated-partner.js';
import { HeldClock } from '../support/held-clock.js';
import { ManualClock } from '../support/manual-clock.js';
import { emulatorClient } from './fixtures/emulator-client.js';

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
    const refused = partner.emulator.recentRequests(40).filter((request) => request.status === 401);
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
