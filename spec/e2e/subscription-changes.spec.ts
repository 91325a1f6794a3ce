/**
 * Subscription changes in-process against the emulator: Set-, Suspend- and
 * Resume-PartnerCustomerSubscription (issue 21), then a cmdlet written against the write contract
 * (-WhatIf, -Confirm, -Force, shouldProcess) before its real cmdlet existed. Each part keeps its
 * own emulator and hooks, in its own describe.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineCmdlet } from '../../lib/cmdlet-support/cmdlet.js';
import { fanOutParameters } from '../../lib/cmdlet-support/fan-out.js';
import { maxRetryParameter } from '../../lib/cmdlet-support/parameters.js';
import {
  customerIdParameter,
  CUSTOMERS,
  forCustomer,
  withOwner,
} from '../../lib/cmdlet-support/per-customer.js';
import type { RecordedRequest } from '../../lib/emulator/types.js';
import { streamCmdlet } from '../../lib/host/in-process.js';
import { loadCmdlet } from '../../lib/host/load-cmdlet.js';
import { changeResource, etagOf } from '../../lib/partner-center/resource-change.js';
import { runInProcess } from '../fixtures/host/run-in-process.js';
import { emulatedPartner, type EmulatedPartner } from '../support/emulated-partner.js';
import { parseNdjson } from '../support/ndjson.js';

/**
 * Set-, Suspend- and Resume-PartnerCustomerSubscription (issue 21) in-process against the
 * emulator, whose request recorder shows what was sent and whose store keeps each write for the
 * later reads (Get-PartnerCustomerSubscription, Get-PartnerAuditRecord).
 */
describe('the subscription cmdlets of issue 21', () => {
  type Json = Record<string, unknown>;

  let partner: EmulatedPartner;
  /** Requests that change something in the API (a token request changes nothing there). */
  const writesAmong = (requests: readonly RecordedRequest[]) =>
    requests.filter((request) => request.method !== 'GET' && !request.route.includes('/oauth2/'));
  /** What the emulator saw from `mark` on. */
  const since = (mark: number) => partner.emulator.recentRequests(10_000).slice(mark);
  const mark = () => partner.emulator.recentRequests(10_000).length;

  /** Seeded subscriptions (with customerId, as Get-PartnerCustomerSubscription writes them). */
  function seeded(): Json[] {
    const { dataset } = partner.emulator;
    return [...Array(partner.emulator.customerCount).keys()]
      .map((index) => dataset.idOf(index))
      .filter((id) => dataset.hasCommerceRelationship(id))
      .flatMap((customerId) =>
        dataset.subscriptionsOf(customerId).map((s) => ({ customerId, ...s }) as Json),
      );
  }
  const isNewCommerce = (s: Json) => s.cancellationAllowedUntilDate !== undefined;
  const refundableOf = (s: Json) =>
    (s.refundableQuantity as { totalQuantity?: number } | undefined)?.totalQuantity ?? 0;
  /** Active, with room for one more seat under the business plans' 300. */
  const activeSeats = () =>
    seeded().filter((s) => s.status === 'active' && (s.quantity as number) < 290);

  async function run(cmdlet: string, args: readonly string[], input?: readonly Json[]) {
    return runInProcess(await loadCmdlet(cmdlet), [...args], {
      env: partner.env,
      stdin: input?.map((object) => JSON.stringify(object)).join('\n'),
    });
  }
  async function current(s: Json): Promise<Json> {
    const read = await run('Get-PartnerCustomerSubscription', [
      '-CustomerId',
      String(s.customerId),
      '-SubscriptionId',
      String(s.id),
    ]);
    expect(read.code).toBe(0);
    return parseNdjson(read.stdout)[0] as Json;
  }
  const ids = (s: Json) => ['-CustomerId', String(s.customerId), '-SubscriptionId', String(s.id)];

  beforeAll(async () => {
    partner = await emulatedPartner({ customers: 12, seed: 21 });
  });
  afterAll(() => partner.dispose());
  // Each case starts from the seeded data (spec/README.md: writes stay in an emulator).
  beforeEach(() => partner.emulator.resetStore());

  describe('Set-PartnerCustomerSubscription', () => {
    it('changes the seats and nothing else: seen by a later read and once in the audit log', async () => {
      const s = activeSeats().find((x) => x.autoRenewEnabled === true)!;
      const before = mark();
      const result = await run('Set-PartnerCustomerSubscription', [
        ...ids(s),
        '-Quantity',
        String((s.quantity as number) + 2),
      ]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toBe('');
      const patches = writesAmong(since(before));
      expect(patches).toHaveLength(1);
      expect(patches[0]).toMatchObject({ method: 'PATCH', status: 200 });
      expect(patches[0].headers['if-match']).toBeTruthy();
      // Only the seats changed: the rest of the resource was sent back as read.
      const after = await current(s);
      expect(after.quantity).toBe((s.quantity as number) + 2);
      expect([after.autoRenewEnabled, after.friendlyName]).toEqual([
        s.autoRenewEnabled,
        s.friendlyName,
      ]);

      const today = new Date().toISOString().slice(0, 10);
      const audit = await run('Get-PartnerAuditRecord', [
        '-CustomerId',
        String(s.customerId),
        '-StartDate',
        today,
      ]);
      const records = parseNdjson(audit.stdout) as Json[];
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({
        resourceType: 'subscription',
        operationType: 'update_subscription',
        customizedData: [{ key: 'SubscriptionId', value: s.id }],
      });
      expect(JSON.parse(String(records[0].resourceNewValue))).toMatchObject({
        Quantity: (s.quantity as number) + 2,
      });
    });

    it(
      'with -ResumeFile: a write whose answer was lost and one refused are finished by the ' +
        'same line, each once',
      async () => {
        const rows = activeSeats()
          .slice(0, 3)
          .map((x) => ({
            customerId: x.customerId,
            subscriptionId: x.id,
            quantity: Number(x.quantity) + 1,
          }));
        const dir = mkdtempSync(join(tmpdir(), 'pc-seats-'));
        const resumeFile = join(dir, 'seats.resume');
        const line = ['-ResumeFile', resumeFile, '-MaxRetry', '0', '-ThrottleLimit', '1'];
        try {
          // One row at a time, each a read then its PATCH: the first PATCH is applied and its answer
          // never arrives, the second is refused (503) before anything happens, the third goes through.
          partner.emulator.setFaults({
            rules: [
              { at: 2, action: { type: 'apply-then-drop' } },
              { at: 4, action: { type: 'status', status: 503 } },
            ],
          });
          const first = mark();
          const stopped = await run('Set-PartnerCustomerSubscription', line, rows);
          partner.emulator.setFaults({});
          expect(stopped.code).toBe(1);
          const firstPatches = writesAmong(since(first));
          expect(firstPatches).toHaveLength(3);
          expect(existsSync(resumeFile)).toBe(true);

          const again = mark();
          const resumed = await run('Set-PartnerCustomerSubscription', line, rows);
          expect(resumed.stderr).toBe('');
          expect(resumed.code).toBe(0);
          // The applied row reads as done and sends nothing; the refused one is sent again under the
          // MS-RequestId recorded before its first attempt; the finished one is not even read.
          const resent = writesAmong(since(again));
          expect(resent).toHaveLength(1);
          expect(resent[0]?.url).toContain(String(rows[1]?.subscriptionId));
          expect(resent[0]?.headers['ms-requestid']).toBe(firstPatches[1]?.headers['ms-requestid']);
          expect(since(again).some((r) => r.url.includes(String(rows[2]?.subscriptionId)))).toBe(
            false,
          );
          expect(existsSync(resumeFile)).toBe(false);

          for (const row of rows) {
            const now = await current({ customerId: row.customerId, id: row.subscriptionId });
            expect(now.quantity).toBe(row.quantity);
          }
          const today = new Date().toISOString().slice(0, 10);
          const audit = parseNdjson(
            (
              await run('Get-PartnerAuditRecord', [
                '-StartDate',
                today,
                '-ResourceType',
                'Subscription',
              ])
            ).stdout,
          ) as Json[];
          const changesOf = (id: unknown) =>
            audit.filter((r) => JSON.stringify(r.customizedData).includes(String(id))).length;
          expect(rows.map((row) => changesOf(row.subscriptionId))).toEqual([1, 1, 1]);
        } finally {
          partner.emulator.setFaults({});
          rmSync(dir, { recursive: true, force: true });
        }
      },
    );

    it('sends nothing when nothing would change, and says so with -Verbose', async () => {
      const [s] = activeSeats();
      const before = mark();
      const result = await run('Set-PartnerCustomerSubscription', [
        ...ids(s),
        '-Quantity',
        String(s.quantity),
        '-FriendlyName',
        String(s.friendlyName),
        '-Verbose',
      ]);
      expect(result.code).toBe(0);
      expect(result.stderr).toContain('already is as asked: nothing sent');
      expect(writesAmong(since(before))).toEqual([]);
    });

    it('-WhatIf on five piped subscriptions: the plan, one line each, and no PATCH', async () => {
      const five = activeSeats().slice(0, 5);
      expect(five).toHaveLength(5);
      const before = mark();
      const result = await run(
        'Set-PartnerCustomerSubscription',
        ['-Quantity', '12', '-AutoRenewEnabled', 'false', '-WhatIf'],
        five,
      );
      expect(result.code).toBe(0);
      expect(result.stdout).toBe('');
      const expected = five.map((s) => {
        const fields = [
          ...(s.quantity === 12 ? [] : [`quantity ${String(s.quantity)} → 12`]),
          ...(s.autoRenewEnabled === false
            ? []
            : [`autoRenewEnabled ${String(s.autoRenewEnabled)} → false`]),
        ];
        return (
          'What if: Performing the operation "Set subscription" on target "customer ' +
          `${String(s.customerId)}: subscription ${String(s.id)} (${String(s.friendlyName ?? s.offerName)})". ` +
          fields.join(', ')
        );
      });
      expect(result.stderrLines.sort()).toEqual(expected.sort());
      const seen = since(before);
      expect(
        seen.filter((r) => r.method === 'GET' && /\/subscriptions\/[^/?]+$/.test(r.url)),
      ).toHaveLength(5);
      expect(writesAmong(seen)).toEqual([]);
    });

    it('-PassThru writes the changed subscription with its customerId first', async () => {
      const [s] = activeSeats();
      const result = await run('Set-PartnerCustomerSubscription', [
        ...ids(s),
        '-FriendlyName',
        'Sales seats',
        '-PassThru',
      ]);
      expect(result.stderr).toBe('');
      const [written] = parseNdjson(result.stdout) as Json[];
      expect(Object.keys(written)[0]).toBe('customerId');
      expect(written).toMatchObject({
        customerId: s.customerId,
        id: s.id,
        friendlyName: 'Sales seats',
      });
    });

    it('binds subscriptions piped from Get-PartnerCustomerSubscription (customerId and id)', async () => {
      const [s] = activeSeats();
      const listed = await run('Get-PartnerCustomerSubscription', [
        '-CustomerId',
        String(s.customerId),
      ]);
      const piped = (parseNdjson(listed.stdout) as Json[]).filter((x) => x.id === s.id);
      const result = await run(
        'Set-PartnerCustomerSubscription',
        ['-Quantity', String((s.quantity as number) + 1), '-PassThru'],
        piped,
      );
      expect(result.stderr).toBe('');
      expect((parseNdjson(result.stdout) as Json[]).map((x) => [x.id, x.quantity])).toEqual([
        [s.id, (s.quantity as number) + 1],
      ]);
    });
  });

  describe('a seat plan kept as CSV', () => {
    it(
      'ConvertFrom-Csv | Set-PartnerCustomerSubscription: -WhatIf ' +
        'plans it, the same line applies it once',
      async () => {
        const rows = activeSeats().slice(0, 3);
        // As Excel writes it: BOM, CRLF, quoted fields, the header in another case.
        const csv =
          '\uFEFFCustomerId,SubscriptionId,"Quantity"\r\n' +
          rows
            .map((s) => `${String(s.customerId)},"${String(s.id)}",${(s.quantity as number) + 5}`)
            .join('\r\n') +
          '\r\n';
        const parsed = await runInProcess(await loadCmdlet('ConvertFrom-Csv'), [], {
          env: partner.env,
          stdin: csv,
        });
        expect(parsed.code).toBe(0);
        const plan = parseNdjson(parsed.stdout) as Json[];
        const before = mark();
        const planned = await run('Set-PartnerCustomerSubscription', ['-WhatIf'], plan);
        expect(planned.code).toBe(0);
        expect(
          planned.stderrLines.map((line) => line.slice(line.lastIndexOf('". ') + 3)).sort(),
        ).toEqual(
          rows.map((s) => `quantity ${String(s.quantity)} → ${(s.quantity as number) + 5}`).sort(),
        );
        expect(writesAmong(since(before))).toEqual([]);
        const applied = await run('Set-PartnerCustomerSubscription', [], plan);
        expect(applied.stderr).toBe('');
        expect(applied.code).toBe(0);
        expect(writesAmong(since(before)).map((r) => r.status)).toEqual([200, 200, 200]);
        for (const s of rows) expect((await current(s)).quantity).toBe((s.quantity as number) + 5);
      },
    );
  });

  describe('the service refusals, one line each with the code and what is allowed', () => {
    it('2002 outside the bounds, 800090 a decrease past the refundable seats; the run goes on, exit 1', async () => {
      const [inBounds] = activeSeats();
      const closed = seeded().find(
        (s) =>
          s.status === 'active' && isNewCommerce(s) && (s.quantity as number) > refundableOf(s) + 1,
      )!;
      expect(closed).toBeDefined();
      const before = mark();
      // Rows of a plan (as Import-Csv writes them): customerId, subscriptionId, quantity as text.
      const plan = [
        { customerId: inBounds.customerId, subscriptionId: inBounds.id, quantity: '20000' },
        {
          customerId: closed.customerId,
          subscriptionId: closed.id,
          quantity: String((closed.quantity as number) - refundableOf(closed) - 1),
        },
      ];
      const result = await run('Set-PartnerCustomerSubscription', ['-ThrottleLimit', '1'], plan);
      expect(result.code).toBe(1);
      const [line2002, line800090, summary] = result.stderrLines;
      expect(result.stderrLines).toHaveLength(3);
      expect(line2002).toContain(
        "refused: the quantity must be within the SKU's minimum and maximum",
      );
      expect(line2002).toContain('code 2002');
      expect(line800090).toContain(
        `refused: at most ${refundableOf(closed)} seat(s) can be removed now, down to ` +
          `${(closed.quantity as number) - refundableOf(closed)}`,
      );
      expect(line800090).toContain('code 800090');
      expect(summary).toContain('2 of 2 subscriptions failed');
      // Neither was applied.
      expect((await current(inBounds)).quantity).toBe(inBounds.quantity);
      expect((await current(closed)).quantity).toBe(closed.quantity);
      expect(writesAmong(since(before)).map((r) => r.status)).toEqual([400, 400]);
    });

    it('2001 seats of a suspended subscription, and the next piped row still applied', async () => {
      const suspended = seeded().find((s) => s.status === 'suspended')!;
      const [active] = activeSeats();
      const result = await run(
        'Set-PartnerCustomerSubscription',
        ['-Quantity', '3', '-ThrottleLimit', '1'],
        [suspended, active],
      );
      expect(result.code).toBe(1);
      const failures = result.stderrLines.filter((line) => line.includes('rejected PATCH'));
      expect(failures).toHaveLength(1);
      expect(failures[0]).toContain('resume it first');
      expect((await current(active)).quantity).toBe(3);
    });

    it('900279 an expired subscription: its status sent back as read, the service refuses the change', async () => {
      const expired = seeded().find((s) => s.status === 'expired')!;
      const result = await run(
        'Set-PartnerCustomerSubscription',
        ['-FriendlyName', 'Old'],
        [expired],
      );
      expect(result.code).toBe(1);
      expect(result.stderrLines[0]).toContain(
        'refused: it is expired; it can no longer be changed (400, 900279)',
      );
      expect((await current(expired)).friendlyName).toBe(expired.friendlyName);
    });

    it('412 when someone changed it between the read and the write: not applied, not retried', async () => {
      const [s] = activeSeats();
      const before = mark();
      const failures: { message: string; reason?: string; serviceCode?: unknown }[] = [];
      const written: unknown[] = [];
      // Asked to confirm, after its read and before its write, the subscription is changed behind
      // the cmdlet's back (another admin's change), then Yes is answered.
      for await (const object of streamCmdlet(
        () => loadCmdlet('Set-PartnerCustomerSubscription'),
        { Quantity: 40, Confirm: true },
        {
          env: partner.env,
          input: [s],
          onError: (error) => failures.push(error as never),
          onConfirm: async () => {
            const other = await run('Set-PartnerCustomerSubscription', [
              ...ids(s),
              '-Quantity',
              '41',
            ]);
            expect(other.code).toBe(0);
            return 'Yes' as const;
          },
        },
      ))
        written.push(object);
      expect(written).toEqual([]);
      expect(failures).toHaveLength(1);
      expect(failures[0].serviceCode).toBe(2055);
      expect(failures[0].reason).toBe('it changed since it was read; read it again and retry');
      expect(failures[0].message).not.toContain('\n');
      expect((await current(s)).quantity).toBe(41);
      expect(writesAmong(since(before)).map((r) => r.status)).toEqual([200, 412]);
    });
  });

  describe('Suspend- and Resume-PartnerCustomerSubscription', () => {
    it('refuse without a terminal and without -Force: exit 2 before any write', async () => {
      const [s] = activeSeats();
      const before = mark();
      const result = await run('Suspend-PartnerCustomerSubscription', ids(s));
      expect(result.code).toBe(2);
      expect(result.stderrLines).toHaveLength(1);
      expect(result.stderrLines[0]).toContain('-Force');
      expect(writesAmong(since(before))).toEqual([]);
      expect((await current(s)).status).toBe('active');
    });

    it('with -Force: suspend and resume a new-commerce subscription, each 202 followed to its end', async () => {
      const s = seeded().find((x) => x.status === 'active' && isNewCommerce(x))!;
      const before = mark();
      const suspended = await run('Suspend-PartnerCustomerSubscription', [
        ...ids(s),
        '-Force',
        '-PassThru',
      ]);
      expect(suspended.stderr).toBe('');
      expect(suspended.code).toBe(0);
      expect((parseNdjson(suspended.stdout)[0] as Json).status).toBe('suspended');
      expect((await current(s)).status).toBe('suspended');
      const resumed = await run('Resume-PartnerCustomerSubscription', [
        ...ids(s),
        '-Force',
        '-PassThru',
      ]);
      expect(resumed.code).toBe(0);
      expect((parseNdjson(resumed.stdout)[0] as Json).status).toBe('active');
      expect(writesAmong(since(before)).map((r) => r.status)).toEqual([202, 202]);
    });

    it('asked first where someone can answer: "Yes to All" once suspends every piped subscription', async () => {
      const three = activeSeats().slice(0, 3);
      const asked: string[] = [];
      const written: Json[] = [];
      for await (const object of streamCmdlet(
        () => loadCmdlet('Suspend-PartnerCustomerSubscription'),
        { PassThru: true, ThrottleLimit: 1 },
        {
          env: partner.env,
          input: three,
          onConfirm: (question) => {
            asked.push(question.detail ?? '');
            return 'YesToAll' as const;
          },
        },
      ))
        written.push(object as Json);
      expect(asked).toEqual(['status "active" → "suspended"']);
      expect(written.map((s) => [s.id, s.status]).sort()).toEqual(
        three.map((s) => [s.id, 'suspended']).sort(),
      );
    });

    it('-WhatIf: status active → suspended, nothing sent, no confirmation needed', async () => {
      const [s] = activeSeats();
      const before = mark();
      const result = await run('Suspend-PartnerCustomerSubscription', [...ids(s), '-WhatIf']);
      expect(result.code).toBe(0);
      expect(result.stderrLines).toEqual([
        'What if: Performing the operation "Suspend subscription" on target "customer ' +
          `${String(s.customerId)}: subscription ${String(s.id)} (${String(s.friendlyName ?? s.offerName)})". ` +
          'status "active" → "suspended"',
      ]);
      expect(writesAmong(since(before))).toEqual([]);
    });
  });
});

/**
 * A cmdlet of the next issue (issue 21's Set-PartnerCustomerSubscription), written here against
 * the write contract before its real cmdlet exists: it reads the subscription, asks shouldProcess
 * with the quantity before → after, and only then writes: the whole resource with its etag in
 * If-Match (issue 20.1's client), into the emulator's store of changes (20.5), where the next
 * Get-PartnerCustomerSubscription reads it. Run in-process against the emulator, whose request
 * recorder shows what was sent: -WhatIf reads and sends no write; a confirmation nobody can answer
 * sends nothing at all; one answered from Node writes only what was answered Yes.
 */
describe('a subscription cmdlet written against the write contract', () => {
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

    it(
      'without -WhatIf (Medium: not asked by default): one PATCH ' +
        'with If-Match each, seen by later reads',
      async () => {
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
      },
    );

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
});
