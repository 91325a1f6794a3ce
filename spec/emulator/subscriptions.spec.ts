/**
 * Subscription writes on the emulator over real HTTPS: the change store through PATCH, and the
 * service's rules on that PATCH. Each part keeps its own emulator and hooks, in its own describe.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { DATA_ANCHOR_MS } from '../../lib/emulator/partner-center/customer-context.js';
import { emulatedPartner, type EmulatedPartner } from '../support/emulated-partner.js';
import { parseNdjson } from '../support/ndjson.js';
import { request, type Response } from './support.js';

/**
 * The emulator's change store through its first write, `PATCH .../subscriptions/{id}` over real
 * HTTPS: a write is seen by every later read (the subscription, the list, the spec-facing data set
 * and Get-PartnerCustomerSubscription), the etag changes on each write and a stale one is refused
 * with 412 and changes nothing, a repeat of an MS-RequestId gets the first answer and changes
 * nothing, a wrong method on a known path is 405 with Allow, a bad body is answered in Partner
 * Center's shape, and the reset (control route and method) brings the seeded data back.
 */
describe('the change store', () => {
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
      // any time, so the rules of new commerce (below) stay out of these cases.
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
      expect(written.json).toMatchObject({
        id: seeded.id,
        quantity,
        friendlyName: 'Renamed seats',
      });

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
});

/**
 * The service's rules on `PATCH .../subscriptions/{id}`, over real HTTPS: each SKU's quantity
 * bounds, new commerce's cancellation window and refundable seats (shown on every new-commerce
 * subscription as `cancellationAllowedUntilDate` and `refundableQuantity`), what each status lets
 * through, auto-renew, the 202 a new-commerce status change gets, each refusal's exact body (and
 * that it changes nothing), a refusal repeated under its MS-RequestId, and the `apply-then-drop`
 * fault: the write is applied, the answer never arrives, the retry with the same id gets it.
 */
describe("the service's rules on a subscription PATCH", () => {
  type Json = Record<string, any>;
  interface Found {
    customerId: string;
    subscription: Json;
  }

  let partner: EmulatedPartner;
  let token: string;

  beforeAll(async () => {
    partner = await emulatedPartner({ customers: 120, seed: 21 });
    token = partner.emulator.issueAccessToken();
  });
  afterAll(() => partner.dispose());
  beforeEach(() => partner.emulator.resetStore());

  /**
   * The seeded data's day: the emulator judges a write at the request's time of day on it, and
   * windows end at midnight, so a window ending after its start is open whenever the spec runs.
   */
  const DATA_DAY = DATA_ANCHOR_MS;

  function* everySubscription(): Generator<Found> {
    const { dataset, customerCount } = partner.emulator;
    for (let index = 0; index < customerCount; index++) {
      const customerId = dataset.idOf(index);
      if (!dataset.hasCommerceRelationship(customerId)) continue;
      for (const subscription of dataset.subscriptionsOf(customerId))
        yield { customerId, subscription };
    }
  }

  function find(what: string, test: (subscription: Json) => boolean): Found {
    for (const found of everySubscription()) if (test(found.subscription)) return found;
    throw new Error(`no seeded subscription is ${what}`);
  }

  const newCommerce = (s: Json) => s.productType?.id === 'OnlineServicesNCE';
  const isBusiness = (s: Json) => String(s.offerName).startsWith('Microsoft 365 Business');
  const windowOpen = (s: Json) => Date.parse(s.cancellationAllowedUntilDate) > DATA_DAY;
  const activeNce = (s: Json) => s.status === 'active' && newCommerce(s);

  function pathOf({ customerId, subscription }: Found): string {
    return `/v1/customers/${customerId}/subscriptions/${subscription.id}`;
  }
  const get = (found: Found) => request(partner.emulator, pathOf(found), { token });
  function patch(found: Found, body: Json, requestId = randomUUID()): Promise<Response> {
    return request(partner.emulator, pathOf(found), {
      method: 'PATCH',
      token,
      headers: { 'Content-Type': 'application/json', 'MS-RequestId': requestId },
      body: JSON.stringify(body),
    });
  }

  /** The refusal's exact answer, and the subscription unchanged by it. */
  async function expectRefused(
    found: Found,
    answer: Response,
    status: number,
    code: number,
    description: string,
  ): Promise<void> {
    expect({ status: answer.status, body: answer.json }).toEqual({
      status,
      body: { code, description, data: [], source: 'PartnerFD' },
    });
    expect((await get(found)).json).toEqual(found.subscription);
  }

  describe('what a subscription shows', () => {
    it('new commerce shows its window and refundable seats, some open and some passed; legacy shows neither', () => {
      let open = 0;
      let passed = 0;
      for (const { subscription } of everySubscription()) {
        if (!newCommerce(subscription)) {
          expect(subscription).not.toHaveProperty('cancellationAllowedUntilDate');
          expect(subscription).not.toHaveProperty('refundableQuantity');
          continue;
        }
        const { totalQuantity, details } = subscription.refundableQuantity;
        expect(totalQuantity).toBe(details.reduce((sum: number, d: Json) => sum + d.quantity, 0));
        expect(totalQuantity).toBeLessThanOrEqual(subscription.quantity);
        expect(subscription.cancellationAllowedUntilDate).toMatch(/^\d{4}-\d\d-\d\dT[\d:]+Z$/);
        if (windowOpen(subscription)) {
          open++;
          // Bought or renewed this week: every seat may be given back until the window closes.
          expect(details).toHaveLength(1);
          expect(details[0].quantity).toBe(subscription.quantity);
          expect(Date.parse(details[0].allowedUntilDateTime)).toBe(
            Date.parse(subscription.cancellationAllowedUntilDate),
          );
        } else {
          passed++;
          // Past the window of its term: nothing to give back until seats are added.
          expect(subscription.refundableQuantity).toEqual({ totalQuantity: 0, details: [] });
        }
        // Within the SKU's bounds.
        expect(subscription.quantity).toBeLessThanOrEqual(isBusiness(subscription) ? 300 : 10_000);
      }
      expect(open).toBeGreaterThan(5);
      expect(passed).toBeGreaterThan(5);
    });
  });

  describe('quantity', () => {
    it("stays within the SKU's bounds: above the maximum, below the minimum, Azure's one", async () => {
      const business = find(
        'an active Business subscription',
        (s) => s.status === 'active' && isBusiness(s),
      );
      const maximum = 300;
      await expectRefused(
        business,
        await patch(business, { ...business.subscription, quantity: maximum + 1 }),
        400,
        2002,
        "Subscription quantity isn't within minimum and maximum allowed quantity",
      );
      const atMaximum = await patch(business, { ...business.subscription, quantity: maximum });
      expect(atMaximum.status).toBe(200);
      expect(atMaximum.json.quantity).toBe(maximum);

      const enterprise = find(
        'an active subscription of another product',
        (s) => s.status === 'active' && s.unitType === 'Licenses' && !isBusiness(s),
      );
      await expectRefused(
        enterprise,
        await patch(enterprise, { ...enterprise.subscription, quantity: 10_001 }),
        400,
        2002,
        "Subscription quantity isn't within minimum and maximum allowed quantity",
      );
      const azure = find(
        'an active Azure subscription',
        (s) => s.status === 'active' && s.unitType === 'Usage-based',
      );
      await expectRefused(
        azure,
        await patch(azure, { ...azure.subscription, quantity: 2 }),
        400,
        2002,
        "Subscription quantity isn't within minimum and maximum allowed quantity",
      );
    });

    it('new commerce: inside the window, seats go back down to what is refundable, and no further', async () => {
      const found = find(
        'new commerce inside its window with 2 seats or more',
        (s) => activeNce(s) && windowOpen(s) && s.quantity >= 2 && s.quantity < 250,
      );
      const { subscription } = found;
      const lowered = await patch(found, { ...subscription, quantity: 1 });
      expect(lowered.status).toBe(200);
      expect(lowered.json.quantity).toBe(1);
      expect(lowered.json.refundableQuantity).toEqual({
        totalQuantity: 1,
        details: [{ ...subscription.refundableQuantity.details[0], quantity: 1 }],
      });
      expect((await get(found)).json).toEqual(lowered.json);
      // Raised again: the new seats are refundable for 7 days of their own.
      const raised = await patch(found, { ...lowered.json, quantity: 4 });
      expect(raised.json.refundableQuantity.totalQuantity).toBe(4);
      expect(raised.json.refundableQuantity.details).toHaveLength(2);
      expect(raised.json.cancellationAllowedUntilDate).toBe(
        subscription.cancellationAllowedUntilDate,
      );
    });

    it(
      'new commerce: after the window a decrease is refused with ' +
        '800090, seats added mid-term may go back',
      async () => {
        const found = find(
          'new commerce past its window with nothing refundable',
          (s) =>
            activeNce(s) &&
            !windowOpen(s) &&
            s.refundableQuantity.totalQuantity === 0 &&
            s.quantity >= 2 &&
            s.quantity < 250,
        );
        const { subscription } = found;
        await expectRefused(
          found,
          await patch(found, { ...subscription, quantity: subscription.quantity - 1 }),
          400,
          800090,
          'Subscription quantity cannot be decreased.',
        );
        const raised = await patch(found, { ...subscription, quantity: subscription.quantity + 3 });
        expect(raised.status).toBe(200);
        expect(raised.json.refundableQuantity.totalQuantity).toBe(3);
        const back = await patch(found, { ...raised.json, quantity: subscription.quantity });
        expect(back.status).toBe(200);
        expect(back.json.refundableQuantity).toEqual({ totalQuantity: 0, details: [] });
        const below = await patch(found, { ...back.json, quantity: subscription.quantity - 1 });
        expect(below.json).toMatchObject({ code: 800090 });
        expect((await get(found)).json).toEqual(back.json);
      },
    );

    it('legacy: seats go down at any time', async () => {
      const found = find(
        'a legacy licensed subscription of 2 seats or more',
        (s) =>
          s.status === 'active' && s.unitType === 'Licenses' && !newCommerce(s) && s.quantity >= 2,
      );
      const lowered = await patch(found, { ...found.subscription, quantity: 1 });
      expect(lowered.status).toBe(200);
      expect(lowered.json).not.toHaveProperty('refundableQuantity');
    });
  });

  describe('status', () => {
    it(
      'new commerce: suspend and reactivate answer 202 with where to read the result, and ' +
        'suspending turns auto-renew off',
      async () => {
        const found = find(
          'active new commerce renewing',
          (s) => activeNce(s) && s.autoRenewEnabled,
        );
        const suspended = await patch(found, { ...found.subscription, status: 'suspended' });
        expect(suspended.status).toBe(202);
        expect(suspended.text).toBe('');
        expect(suspended.headers.location).toBe(
          `/customers/${found.customerId}/subscriptions/${found.subscription.id}`,
        );
        expect(suspended.headers['retry-after']).toBe('0');
        // The Location is relative to the API's root, as the documentation's example writes it.
        const read = await request(partner.emulator, `/v1${suspended.headers.location}`, { token });
        expect(read.json).toMatchObject({ status: 'suspended', autoRenewEnabled: false });
        expect(read.json.attributes.etag).not.toBe(found.subscription.attributes.etag);

        const resumed = await patch(found, { ...read.json, status: 'active' });
        expect(resumed.status).toBe(202);
        expect((await get(found)).json).toMatchObject({ status: 'active' });
      },
    );

    it('legacy: a status change is answered 200 with the subscription', async () => {
      const found = find(
        'an active legacy licensed subscription',
        (s) => s.status === 'active' && s.unitType === 'Licenses' && !newCommerce(s),
      );
      const suspended = await patch(found, { ...found.subscription, status: 'suspended' });
      expect(suspended.status).toBe(200);
      expect(suspended.json.status).toBe('suspended');
    });

    it('suspended: seats and other fields are refused until it is reactivated', async () => {
      const found = find(
        'a suspended licensed subscription',
        (s) => s.status === 'suspended' && s.unitType === 'Licenses',
      );
      const { subscription } = found;
      await expectRefused(
        found,
        await patch(found, { ...subscription, quantity: subscription.quantity + 1 }),
        400,
        2001,
        "Subscription quantity can't be increased or decreased while subscription is being suspended",
      );
      await expectRefused(
        found,
        await patch(found, { ...subscription, friendlyName: 'Renamed while suspended' }),
        400,
        800091,
        "Can't update a subscription with suspended status",
      );
      await expectRefused(
        found,
        await patch(found, {
          ...subscription,
          status: 'active',
          quantity: subscription.quantity + 1,
        }),
        400,
        2001,
        "Subscription quantity can't be increased or decreased while subscription is being suspended",
      );
      const reactivated = await patch(found, { ...subscription, status: 'active' });
      expect([200, 202]).toContain(reactivated.status);
      expect((await get(found)).json.status).toBe('active');
    });

    it('expired, disabled, pending and an unknown status refuse every change with their codes', async () => {
      const cases: [string, number, number, string][] = [
        ['expired', 400, 900279, 'Update operations are no longer allowed for this subscription.'],
        ['disabled', 400, 900279, 'Update operations are no longer allowed for this subscription.'],
        ['pending', 400, 800081, "Can't update a subscription before activating it"],
        [
          'transferring',
          409,
          800082,
          'Subscription is not ready to be updated. Try again after sometime',
        ],
      ];
      for (const [status, httpStatus, code, description] of cases) {
        const found = find(
          `a ${status} licensed subscription`,
          (s) => s.status === status && s.unitType === 'Licenses',
        );
        await expectRefused(
          found,
          await patch(found, { ...found.subscription, status: 'active', friendlyName: 'Changed' }),
          httpStatus,
          code,
          description,
        );
      }
    });

    it('new commerce: cancelled inside the window (202), refused with 900213 after it', async () => {
      const open = find(
        'active new commerce inside its window',
        (s) => activeNce(s) && windowOpen(s),
      );
      const cancelled = await patch(open, { ...open.subscription, status: 'deleted' });
      expect(cancelled.status).toBe(202);
      expect((await get(open)).json.status).toBe('deleted');

      const passed = find(
        'active new commerce past its window',
        (s) => activeNce(s) && !windowOpen(s),
      );
      await expectRefused(
        passed,
        await patch(passed, { ...passed.subscription, status: 'deleted' }),
        400,
        900213,
        'You have passed your 168-hour cancellation window. We are unable to cancel your purchase',
      );
    });
  });

  describe('auto-renew and name', () => {
    it('turns auto-renew off and on and renames; usage-based Azure cannot renew (800093)', async () => {
      const found = find(
        'an active licensed subscription renewing',
        (s) => s.status === 'active' && s.unitType === 'Licenses' && s.autoRenewEnabled,
      );
      const off = await patch(found, {
        ...found.subscription,
        autoRenewEnabled: false,
        friendlyName: 'Seats for sales',
      });
      expect(off.status).toBe(200);
      expect(off.json).toMatchObject({ autoRenewEnabled: false, friendlyName: 'Seats for sales' });
      const on = await patch(found, { ...off.json, autoRenewEnabled: true });
      expect(on.json.autoRenewEnabled).toBe(true);

      const azure = find(
        'an active Azure subscription',
        (s) => s.status === 'active' && s.unitType === 'Usage-based',
      );
      await expectRefused(
        azure,
        await patch(azure, { ...azure.subscription, autoRenewEnabled: true }),
        400,
        800093,
        "The subscription isn't eligible to be auto-renewed",
      );
    });
  });

  describe('repeats and lost answers', () => {
    it('a refusal repeated under its MS-RequestId is the same refusal, and a 202 the same 202', async () => {
      const found = find(
        'active new commerce past its window',
        (s) => activeNce(s) && !windowOpen(s),
      );
      const requestId = randomUUID();
      const first = await patch(found, { ...found.subscription, status: 'deleted' }, requestId);
      const again = await patch(found, { ...found.subscription, status: 'suspended' }, requestId);
      expect(again.status).toBe(first.status);
      expect(again.json).toEqual(first.json);
      expect((await get(found)).json).toEqual(found.subscription);

      const suspendId = randomUUID();
      const accepted = await patch(
        found,
        { ...found.subscription, status: 'suspended' },
        suspendId,
      );
      const repeat = await patch(found, { ...found.subscription, status: 'active' }, suspendId);
      expect(repeat.status).toBe(202);
      expect(repeat.headers.location).toBe(accepted.headers.location);
      expect((await get(found)).json.status).toBe('suspended');
    });

    it(
      'apply-then-drop: the write is applied, no answer arrives, ' +
        'the retry with the same id gets it once',
      async () => {
        const found = find(
          'active new commerce inside its window',
          (s) => activeNce(s) && windowOpen(s) && s.quantity < 250,
        );
        const requestId = randomUUID();
        const body = { ...found.subscription, quantity: found.subscription.quantity + 2 };
        // Declared over the control route, as a client written elsewhere would.
        const declared = await request(partner.emulator, '/_emulator/faults', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ rules: [{ at: 1, action: { type: 'apply-then-drop' } }] }),
        });
        expect(declared.status).toBe(200);
        try {
          await expect(patch(found, body, requestId)).rejects.toThrow();
        } finally {
          partner.emulator.setFaults({});
        }
        const applied = (await get(found)).json;
        expect(applied.quantity).toBe(body.quantity);
        const retried = await patch(found, body, requestId);
        expect(retried.status).toBe(200);
        expect(retried.json).toEqual(applied);
        // Applied once: a second application would have moved the etag past the one read above.
        expect((await get(found)).json.attributes.etag).toBe(applied.attributes.etag);
      },
    );

    it('refuses an apply-then-drop rule that is not one (the script is checked)', async () => {
      expect(() =>
        partner.emulator.setFaults({ rules: [{ action: { type: 'apply-then-drop' } }] }),
      ).toThrow();
    });
  });
});
