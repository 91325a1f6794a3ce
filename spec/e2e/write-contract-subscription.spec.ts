/**
 * A cmdlet of the next issue (issue 21's Set-PartnerCustomerSubscription), written here against
 * the write contract before its real cmdlet exists: it reads the subscription, asks shouldProcess
 * with the quantity before → after, and only then writes: the whole resource with its etag in
 * If-Match (issue 20.1's client), into the emulator's store of changes (20.5), where the next
 * Get-PartnerCustomerSubscription reads it. Run in-process against the emulator, whose request
 * recorder shows what was sent: -WhatIf reads and sends no write; a confirmation nobody can answer
 * sends nothing at all; one answered from Node writes only what was answered Yes.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { defineCmdlet } from '../../lib/cmdlet-support/cmdlet.js';
import { fanOutParameters } from '../../lib/cmdlet-support/fan-out.js';
import { maxRetryParameter } from '../../lib/cmdlet-support/parameters.js';
import {
  CUSTOMERS,
  customerIdParameter,
  forCustomer,
  withOwner,
} from '../../lib/cmdlet-support/per-customer.js';
import { changeResource, etagOf } from '../../lib/partner-center/resource-change.js';
import { loadCmdlet } from '../../lib/host/load-cmdlet.js';
import { streamCmdlet } from '../../lib/host/in-process.js';
import type { RecordedRequest } from '../../lib/emulator/types.js';
import { runInProcess } from '../fixtures/host/run-in-process.js';
import { emulatedPartner, type EmulatedPartner } from '../support/emulated-partner.js';
import { parseNdjson } from '../support/ndjson.js';

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
      const path = `/customers/${p.CustomerId}/subscriptions/${p.SubscriptionId}`;
      const read = await client.exchange<Record<string, unknown>>(path, {
        signal: context.signal,
      });
      const before = read.value ?? {};
      if (p.Quantity === undefined || before.quantity === p.Quantity) {
        context.verbose(`${p.SubscriptionId}: nothing to change.`);
        return;
      }
      const target = `customer ${p.CustomerId}: ${String(before.offerName)} (${p.SubscriptionId})`;
      const change = [{ property: 'quantity', before: before.quantity, after: p.Quantity }];
      if (!(await context.shouldProcess(target, 'Set subscription', change))) return;
      // The whole resource with its etag, one MS-RequestId for the change (issue 20.1's client).
      const changed = await changeResource<Record<string, unknown>>(client, path, {
        resource: { ...before, quantity: p.Quantity },
        etag: etagOf(read),
        signal: context.signal,
      });
      yield withOwner({ customerId: p.CustomerId }, changed.resource ?? {});
    });
  },
});

describe('a cmdlet of issue 21 on the write contract, against the emulator', () => {
  let partner: EmulatedPartner;
  let subscriptions: Record<string, unknown>[];
  /** Requests that change something in the API (a token request changes nothing there). */
  const writesAmong = (requests: readonly RecordedRequest[]) =>
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
  // Each case starts from the seeded data (spec/README.md: writes stay in an emulator).
  beforeEach(() => partner.emulator.resetStore());

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

  it('without -WhatIf (Medium: not asked by default): one PATCH with If-Match each, seen by later reads', async () => {
    const before = partner.emulator.recentRequests(1000).length;
    const result = await runInProcess(setSubscription, ['-Quantity', '77'], {
      env: partner.env,
      stdin: subscriptions.map((subscription) => JSON.stringify(subscription)).join('\n'),
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const written = parseNdjson(result.stdout);
    expect(written.map((s) => [s.id, s.quantity]).sort()).toEqual(
      subscriptions.map((s) => [s.id, 77]).sort(),
    );
    const patches = writesAmong(partner.emulator.recentRequests(1000).slice(before));
    expect(patches).toHaveLength(3);
    for (const patch of patches) {
      expect(patch.method).toBe('PATCH');
      expect(patch.status).toBe(200);
      expect(patch.headers['if-match']).toBeTruthy();
      expect(patch.headers['ms-requestid']).toMatch(/^[0-9a-f-]{36}$/);
    }
    const reread = await runInProcess(await loadCmdlet('Get-PartnerCustomerSubscription'), [], {
      env: partner.env,
      stdin: subscriptions.map((subscription) => JSON.stringify(subscription)).join('\n'),
    });
    const quantities = new Map(parseNdjson(reread.stdout).map((s) => [s.id, s.quantity]));
    expect(subscriptions.map((s) => quantities.get(s.id))).toEqual([77, 77, 77]);
  });

  it('from Node with Confirm: true, only what onConfirm answered Yes is written', async () => {
    const before = partner.emulator.recentRequests(1000).length;
    const asked: string[] = [];
    const written: unknown[] = [];
    for await (const object of streamCmdlet(
      async () => setSubscription,
      { Quantity: 5, Confirm: true },
      {
        env: partner.env,
        input: subscriptions.slice(0, 2),
        onConfirm: (question) => (asked.push(question.detail ?? '') === 1 ? 'Yes' : 'No'),
      },
    ))
      written.push(object);
    expect(asked).toEqual(subscriptions.slice(0, 2).map((s) => `quantity ${s.quantity} → 5`));
    expect(written).toHaveLength(1);
    expect(writesAmong(partner.emulator.recentRequests(1000).slice(before))).toHaveLength(1);
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
