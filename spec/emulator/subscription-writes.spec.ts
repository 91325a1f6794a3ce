/**
 * The emulator's change store through its first write, `PATCH .../subscriptions/{id}` over real
 * HTTPS: a write is seen by every later read (the subscription, the list, the spec-facing data set
 * and Get-PartnerCustomerSubscription), the etag changes on each write and a stale one is refused
 * with 412 and changes nothing, a repeat of an MS-RequestId gets the first answer and changes
 * nothing, a wrong method on a known path is 405 with Allow, a bad body is answered in Partner
 * Center's shape, and the reset (control route and method) brings the seeded data back.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { type EmulatedPartner, emulatedPartner } from '../support/emulated-partner.js';
import { parseNdjson } from '../support/ndjson.js';
import { request, type Response } from './support.js';

type Json = Record<string, any>;

let partner: EmulatedPartner;
let token: string;
let customerId: string;
let seeded: Json;

beforeAll(async () => {
  partner = await emulatedPartner({ customers: 30, seed: 7 });
  const { emulator } = partner;
  token = emulator.issueAccessToken();
  const { dataset } = emulator;
  for (let index = 0; index < emulator.customerCount && !seeded; index++) {
    const id = dataset.idOf(index);
    if (!dataset.hasCommerceRelationship(id)) continue;
    // A legacy subscription (a GUID offer id): its seats go up and down and it is cancelled at
    // any time, so the rules of new commerce (subscription-rules.spec.ts) stay out of these cases.
    const subscription = dataset
      .subscriptionsOf(id)
      .find(
        (candidate) =>
          candidate.status === 'active' &&
          candidate.unitType === 'Licenses' &&
          !String(candidate.offerId).includes(':') &&
          Number(candidate.quantity) < 200,
      );
    if (subscription) [customerId, seeded] = [id, subscription];
  }
});
afterAll(() => partner.dispose());
beforeEach(() => partner.emulator.resetStore());

const path = () => `/v1/customers/${customerId}/subscriptions/${seeded.id}`;
const get = (uri = path()) => request(partner.emulator, uri, { token });
function patch(body: Json | string, headers: Record<string, string> = {}): Promise<Response> {
  return request(partner.emulator, path(), {
    method: 'PATCH',
    token,
    headers: { 'Content-Type': 'application/json', 'MS-RequestId': randomUUID(), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}
const etagOf = (subscription: Json): string => subscription.attributes.etag;

describe('a subscription write', () => {
  it('is seen by every later read: the subscription, the list, the data set and the cmdlet', async () => {
    const quantity = seeded.quantity + 7;
    const written = await patch({ ...seeded, quantity, friendlyName: 'Renamed seats' });
    expect(written.status).toBe(200);
    expect(written.json).toMatchObject({ id: seeded.id, quantity, friendlyName: 'Renamed seats' });

    expect((await get()).json).toEqual(written.json);
    const list = await get(`/v1/customers/${customerId}/subscriptions`);
    expect(list.json.items.find((item: Json) => item.id === seeded.id)).toEqual(written.json);
    expect(
      partner.emulator.dataset.subscriptionsOf(customerId).find((s) => s.id === seeded.id),
    ).toEqual(written.json);

    const cmdlet = await partner.runInProcess('Get-PartnerCustomerSubscription', [
      '-CustomerId',
      customerId,
      '-SubscriptionId',
      seeded.id,
    ]);
    expect(cmdlet.code).toBe(0);
    expect(parseNdjson(cmdlet.stdout)).toEqual([
      expect.objectContaining({ id: seeded.id, quantity, friendlyName: 'Renamed seats' }),
    ]);
  });

  it('keeps what the service owns and turns auto-renew off when the body leaves it out', async () => {
    const { autoRenewEnabled: _, ...withoutAutoRenew } = seeded;
    const written = await patch({ ...withoutAutoRenew, offerName: 'Not mine to change' });
    expect(written.status).toBe(200);
    expect(written.json.offerName).toBe(seeded.offerName);
    expect(written.json.autoRenewEnabled).toBe(false);
    const back = await patch({ ...written.json, autoRenewEnabled: true });
    expect(back.json.autoRenewEnabled).toBe(true);
  });

  it('changes the etag on each write, and a stale etag is refused with 412 and changes nothing', async () => {
    const first = await patch({ ...seeded, quantity: seeded.quantity + 1 });
    expect(etagOf(first.json)).not.toBe(etagOf(seeded));
    const second = await patch({ ...first.json, quantity: seeded.quantity + 2 });
    expect(etagOf(second.json)).not.toBe(etagOf(first.json));

    // The body's etag of the first write, and the same one in If-Match (quoted, as HTTP writes it).
    for (const stale of [
      patch({ ...first.json, quantity: 99 }),
      patch({ ...second.json, quantity: 99 }, { 'If-Match': `"${etagOf(first.json)}"` }),
    ]) {
      const refused = await stale;
      expect(refused.status).toBe(412);
      expect(refused.json).toEqual({
        code: 2055,
        description: 'Etag is no longer valid',
        data: [],
        source: 'PartnerFD',
      });
    }
    expect((await get()).json).toEqual(second.json);
    // The current etag in If-Match is taken.
    const current = await patch(
      { ...second.json, quantity: 3 },
      { 'If-Match': `"${etagOf(second.json)}"` },
    );
    expect(current.status).toBe(200);
    expect(current.json.quantity).toBe(3);
  });

  it('never hands back an etag of the seeded data, however many writes', async () => {
    // Seeded subscriptions carry one of a few versions; a write that counted from 1 would give a
    // subscription its seeded etag back, and a client holding that etag would pass the check.
    const seen = new Set([etagOf(seeded)]);
    let current = seeded;
    for (let write = 1; write <= 6; write++) {
      current = (await patch({ ...current, quantity: seeded.quantity + write })).json;
      expect(seen.has(etagOf(current))).toBe(false);
      seen.add(etagOf(current));
    }
    const stale = await patch({ ...seeded, quantity: 1 }, { 'If-Match': etagOf(seeded) });
    expect(stale.status).toBe(412);
  });

  it('answers a repeat of an MS-RequestId with the first answer and changes nothing', async () => {
    const requestId = randomUUID();
    const first = await patch(
      { ...seeded, quantity: seeded.quantity + 5 },
      { 'MS-RequestId': requestId },
    );
    expect(first.status).toBe(200);
    // The same id again, even with another body (a client's retry must not apply twice).
    const repeat = await patch({ ...first.json, quantity: 1 }, { 'MS-RequestId': requestId });
    expect(repeat.status).toBe(200);
    expect(repeat.json).toEqual(first.json);
    expect(repeat.headers['ms-requestid']).toBe(requestId);
    expect((await get()).json).toEqual(first.json);
    // Two sent at once with one id: one write, both answered with it.
    const sharedId = randomUUID();
    const [a, b] = await Promise.all([
      patch({ ...first.json, quantity: 40 }, { 'MS-RequestId': sharedId }),
      patch({ ...first.json, quantity: 50 }, { 'MS-RequestId': sharedId }),
    ]);
    expect(a.json).toEqual(b.json);
    expect(etagOf(a.json)).not.toBe(etagOf(first.json));
    expect((await get()).json).toEqual(a.json);
    // A new id is a new write.
    const next = await patch({ ...a.json, quantity: 1 });
    expect(next.json.quantity).toBe(1);
  });

  it('applies a write whose answer was cut once: the retry with the same MS-RequestId gets it', async () => {
    const requestId = randomUUID();
    const body = { ...seeded, quantity: seeded.quantity + 11 };
    // The write is applied, then the connection breaks after the headers: the client saw no body.
    partner.emulator.setFaults({
      rules: [{ at: 1, action: { type: 'reset', when: 'before-body' } }],
    });
    try {
      await expect(patch(body, { 'MS-RequestId': requestId })).rejects.toThrow();
    } finally {
      partner.emulator.setFaults({});
    }
    const retried = await patch(body, { 'MS-RequestId': requestId });
    expect(retried.status).toBe(200);
    expect(retried.json.quantity).toBe(seeded.quantity + 11);
    // Applied once: the retry's answer is the current state, its etag the current one (a second
    // application would have moved the etag on, and this If-Match would be refused with 412).
    expect((await get()).json).toEqual(retried.json);
    const again = await patch(
      { ...retried.json, quantity: seeded.quantity + 12 },
      { 'If-Match': etagOf(retried.json) },
    );
    expect(again.status).toBe(200);
  });

  it('refuses what cannot change and what is not a subscription, in Partner Center shape', async () => {
    const cycle = seeded.billingCycle === 'monthly' ? 'annual' : 'monthly';
    expect((await patch({ ...seeded, billingCycle: cycle })).json).toMatchObject({ code: 2054 });
    const notJson = await patch('{"quantity": ');
    expect(notJson.status).toBe(400);
    expect(notJson.json).toMatchObject({ code: 800002, source: 'PartnerFD' });
    const otherId = await patch({ ...seeded, id: randomUUID() });
    expect(otherId.status).toBe(400);
    expect(otherId.json.code).toBe(800002);
    const badQuantity = await patch({ ...seeded, quantity: 0 });
    expect(badQuantity.status).toBe(400);
    const cancelled = await patch({ ...seeded, status: 'deleted' });
    expect(cancelled.json.status).toBe('deleted');
    const afterCancel = await patch({ ...cancelled.json, status: 'active' });
    expect(afterCancel.json).toMatchObject({ code: 2011 });
    expect((await get()).json).toEqual(cancelled.json);
  });

  it('answers another method on a known path with 405 and Allow', async () => {
    const response = await request(partner.emulator, path(), { method: 'DELETE', token });
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe('GET, PATCH');
    expect(response.json).toMatchObject({ code: 1000, source: 'PartnerFD' });
    const list = await request(partner.emulator, `/v1/customers/${customerId}/subscriptions`, {
      method: 'PATCH',
      token,
    });
    expect(list.status).toBe(405);
    expect(list.headers.allow).toBe('GET');
  });

  it('is forgotten on reset, by the control route as by the method', async () => {
    const written = await patch({ ...seeded, quantity: seeded.quantity + 3 });
    const unauthorised = await request(partner.emulator, '/_emulator/store/reset', {
      method: 'POST',
      withoutControlKey: true,
    });
    expect(unauthorised.status).toBe(401);
    expect((await get()).json).toEqual(written.json);
    const reset = await request(partner.emulator, '/_emulator/store/reset', { method: 'POST' });
    expect(reset.status).toBe(200);
    expect((await get()).json).toEqual(seeded);
    // An etag handed out before the reset never becomes valid again.
    const again = await patch({ ...seeded, quantity: seeded.quantity + 3 });
    expect(etagOf(again.json)).not.toBe(etagOf(written.json));
    partner.emulator.resetStore();
    expect((await get()).json).toEqual(seeded);
  });
});
