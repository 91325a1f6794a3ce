/**
 * The service's rules on `PATCH .../subscriptions/{id}`, over real HTTPS: each SKU's quantity
 * bounds, new commerce's cancellation window and refundable seats (shown on every new-commerce
 * subscription as `cancellationAllowedUntilDate` and `refundableQuantity`), what each status lets
 * through, auto-renew, the 202 a new-commerce status change gets, each refusal's exact body (and
 * that it changes nothing), a refusal repeated under its MS-RequestId, and the `apply-then-drop`
 * fault: the write is applied, the answer never arrives, the retry with the same id gets it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { DATA_ANCHOR_MS } from '../../lib/emulator/partner-center/customer-context.js';
import { type EmulatedPartner, emulatedPartner } from '../support/emulated-partner.js';
import { request, type Response } from './support.js';

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

  it('new commerce: after the window a decrease is refused with 800090, seats added mid-term may go back', async () => {
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
  });

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
      const found = find('active new commerce renewing', (s) => activeNce(s) && s.autoRenewEnabled);
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
    const accepted = await patch(found, { ...found.subscription, status: 'suspended' }, suspendId);
    const repeat = await patch(found, { ...found.subscription, status: 'active' }, suspendId);
    expect(repeat.status).toBe(202);
    expect(repeat.headers.location).toBe(accepted.headers.location);
    expect((await get(found)).json.status).toBe('suspended');
  });

  it('apply-then-drop: the write is applied, no answer arrives, the retry with the same id gets it once', async () => {
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
  });

  it('refuses an apply-then-drop rule that is not one (the script is checked)', async () => {
    expect(() =>
      partner.emulator.setFaults({ rules: [{ action: { type: 'apply-then-drop' } }] }),
    ).toThrow();
  });
});
