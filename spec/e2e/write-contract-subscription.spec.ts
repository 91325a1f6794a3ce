/**
 * A cmdlet of the next issue (issue 21's Set-PartnerCustomerSubscription), written here against
 * the write contract before its real cmdlet exists: it reads the subscription, asks shouldProcess
 * with the quantity before → after, and only then writes. Run in-process against the emulator,
 * whose request recorder shows what was sent: -WhatIf reads and sends no write; a confirmation
 * nobody can answer sends nothing at all.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { defineCmdlet } from '../../lib/cmdlet-support/cmdlet.js';
import { fanOutParameters } from '../../lib/cmdlet-support/fan-out.js';
import { maxRetryParameter } from '../../lib/cmdlet-support/parameters.js';
import {
  CUSTOMERS,
  customerIdParameter,
  forCustomer,
  withOwner,
} from '../../lib/cmdlet-support/per-customer.js';
import { getSubscription } from '../../lib/partner-center/customer-resources.js';
import { loadCmdlet } from '../../lib/host/load-cmdlet.js';
import { runInProcess } from '../fixtures/host/run-in-process.js';
import { emulatedPartner, type EmulatedPartner } from '../support/emulated-partner.js';
import { parseNdjson } from '../support/ndjson.js';

/**
 * The write itself comes with the client's bodies and the emulator's store (issue 20.1, 20.5):
 * until then no case of this spec lets the cmdlet get here.
 */
async function patchSubscription(
  subscription: Record<string, unknown>,
  quantity: number,
): Promise<Record<string, unknown>> {
  throw new Error(
    `a write was about to be sent: quantity ${quantity} for ${String(subscription.id)}`,
  );
}

/** As issue 21 describes it: impact Medium, the ids from a piped subscription, -Quantity. */
const setSubscription = defineCmdlet({
  name: 'Set-PartnerCustomerSubscription',
  synopsis: "Changes a customer's subscription.",
  description: 'Issue 21, written against the write contract in a spec.',
  changes: { confirmImpact: 'Medium' },
  parameters: {
    CustomerId: customerIdParameter,
    SubscriptionId: {
      type: 'guid',
      mandatory: true,
      idOf: ['Subscription'],
      pipeline: 'byPropertyName',
      description: 'The subscription.',
    },
    Quantity: { type: 'int', range: [1, 1_000_000], description: 'The new seat count.' },
    MaxRetry: maxRetryParameter,
    ...fanOutParameters,
  },
  concurrentInput: CUSTOMERS,
  examples: [],
  async *run(p, context) {
    yield* forCustomer(p.CustomerId, context, async function* () {
      const client = await context.services.partnerCenter({ maxRetry: p.MaxRetry });
      const before = await getSubscription(client, p.CustomerId, p.SubscriptionId);
      if (p.Quantity === undefined || before.quantity === p.Quantity) {
        context.verbose(`${p.SubscriptionId}: nothing to change.`);
        return;
      }
      const target = `customer ${p.CustomerId}: ${String(before.offerName)} (${p.SubscriptionId})`;
      const change = [{ property: 'quantity', before: before.quantity, after: p.Quantity }];
      if (!(await context.shouldProcess(target, 'Set subscription', change))) return;
      yield withOwner({ customerId: p.CustomerId }, await patchSubscription(before, p.Quantity));
    });
  },
});

describe('a cmdlet of issue 21 on the write contract, against the emulator', () => {
  let partner: EmulatedPartner;
  let subscriptions: Record<string, unknown>[];
  /** Requests that change something in the API (a token request changes nothing there). */
  const writesAmong = (requests: readonly { method: string; route: string }[]) =>
    requests.filter((request) => request.method !== 'GET' && !request.route.includes('/oauth2/'));
  const subscriptionReads = (requests: readonly { method: string; url: string }[]) =>
    requests.filter(
      (request) => request.method === 'GET' && /\/subscriptions\/[^/?]+$/.test(request.url),
    );

  beforeAll(async () => {
    partner = await emulatedPartner({ customers: 3 });
  });
  afterAll(async () => {
    await partner.dispose();
  });

  it('reads what Get-PartnerCustomerSubscription writes', async () => {
    const customers = parseNdjson(
      (await runInProcess(await loadCmdlet('Get-PartnerCustomer'), [], { env: partner.env }))
        .stdout,
    );
    const listed = await runInProcess(await loadCmdlet('Get-PartnerCustomerSubscription'), [], {
      env: partner.env,
      stdin: customers.map((customer) => JSON.stringify(customer)).join('\n'),
    });
    subscriptions = parseNdjson(listed.stdout).slice(0, 3);
    expect(subscriptions.length).toBe(3);
  });

  it('-WhatIf: reads each subscription, sends no write, one line each with quantity before → after', async () => {
    const before = partner.emulator.recentRequests(1000).length;
    const result = await runInProcess(setSubscription, ['-Quantity', '77', '-WhatIf'], {
      env: partner.env,
      stdin: subscriptions.map((subscription) => JSON.stringify(subscription)).join('\n'),
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderrLines.sort()).toEqual(
      subscriptions
        .map(
          (s) =>
            `What if: Performing the operation "Set subscription" on target "customer ` +
            `${String(s.customerId)}: ${String(s.offerName)} (${String(s.id)})". quantity ` +
            `${String(s.quantity)} → 77`,
        )
        .sort(),
    );
    const seen = partner.emulator.recentRequests(1000).slice(before);
    expect(subscriptionReads(seen)).toHaveLength(3);
    expect(writesAmong(seen)).toEqual([]);
  });

  it('a confirmation nobody can answer (preference Medium, no terminal): nothing is sent at all', async () => {
    const before = partner.emulator.recentRequests(1000).length;
    const result = await runInProcess(setSubscription, ['-Quantity', '77'], {
      env: { ...partner.env, PARTNERCENTER_CONFIRM_PREFERENCE: 'Medium' },
      stdin: JSON.stringify(subscriptions[0]),
    });
    expect(result.code).toBe(2);
    expect(result.stderrLines).toHaveLength(1);
    expect(result.stderrLines[0]).toContain('Add -Force or -Confirm:$false');
    expect(partner.emulator.recentRequests(1000).length).toBe(before);
  });
});
