/**
 * The activity log end to end: the emulator's `GET /v1/auditrecords` (seeded records inside the
 * 90-day window, seek paging with the continuation token, the documented filters, 400s for a bad
 * window or filter, one record per change the change store applies) and Get-PartnerAuditRecord
 * run in-process against it (the whole log as NDJSON, filters, -First/-Skip, the 90-day refusal
 * before any request, -ContinuationToken and -ResumeFile, the table for people); one process run
 * for the exit codes.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { StartedEmulator } from '../../lib/emulator/index.js';
import { request, type Response } from '../emulator/support.js';
import { emulatedPartner, type EmulatedPartner } from '../support/emulated-partner.js';
import { parseNdjson, wholeNdjsonLines } from '../support/ndjson.js';
import { errorLines, FAST_RETRY_DELAY, shellWords } from '../faults/support/listing-runs.js';
import { runInProcess } from '../fixtures/host/run-in-process.js';
import GetPartnerAuditRecord from '../../cmdlets/Get-PartnerAuditRecord.js';

type Json = Record<string, any>;

const DAY_MS = 86_400_000;
const day = (daysBack: number) =>
  new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS - daysBack * DAY_MS).toISOString().slice(0, 10);
const WINDOW = `startDate=${day(90)}&endDate=${day(0)}`;

let partner: EmulatedPartner;
let emulator: StartedEmulator;
let token: string;
/** The whole seeded log over the 90 days, as one request of the largest page returns it. */
let seeded: Json[];

const get = (path: string, headers: Record<string, string> = {}): Promise<Response> =>
  request(emulator, path, { token, headers });
const idsOf = (records: Json[]) => records.map((record) => record.id as string);

async function auditCmdlet(args: readonly string[]) {
  const result = await runInProcess(GetPartnerAuditRecord, [...args], {
    env: { ...partner.env, ...FAST_RETRY_DELAY },
  });
  return { ...result, records: () => wholeNdjsonLines(result.stdout) as Json[] };
}

beforeAll(async () => {
  partner = await emulatedPartner({ customers: 40, seed: 11 });
  emulator = partner.emulator as StartedEmulator;
  token = emulator.issueAccessToken();
  const all = await get(`/v1/auditrecords?size=500&${WINDOW}`);
  expect(all.status).toBe(200);
  seeded = all.json.items;
});
// Each case starts from the seeded log: writes stay in an emulator until its store is reset.
beforeEach(() => emulator.resetStore());
afterEach(() => emulator.setFaults({}));
afterAll(() => partner.dispose());

describe('the emulated activity log', () => {
  it('holds seeded records over the last 89 days, oldest first, with the service fields', () => {
    expect(seeded.length).toBe(356);
    const dates = seeded.map((record) => Date.parse(record.operationDate));
    expect(dates).toEqual([...dates].sort((a, b) => a - b));
    expect(dates[0]).toBeGreaterThanOrEqual(Date.parse(day(89)));
    expect(dates.at(-1)).toBeLessThan(Date.parse(day(0)));
    expect(new Set(seeded.map((record) => record.resourceType))).toEqual(
      new Set(['subscription', 'order', 'customer_user', 'customer']),
    );
    for (const record of seeded)
      expect(Object.keys(record).sort()).toEqual(
        [
          'id',
          'partnerId',
          'customerId',
          'customerName',
          'userPrincipalName',
          'applicationId',
          'resourceType',
          'resourceOldValue',
          'resourceNewValue',
          'operationType',
          'operationDate',
          'operationStatus',
          'originalCorrelationId',
          'sessionId',
          'customizedData',
          'attributes',
        ].sort(),
      );
    const update = seeded.find((record) => record.operationType === 'update_subscription');
    expect(JSON.parse(update!.resourceNewValue).Quantity).toBeGreaterThan(
      JSON.parse(update!.resourceOldValue).Quantity,
    );
  });

  it('pages with links.next and its MS-ContinuationToken, exactly the records of one big page', async () => {
    const pages: Json[] = [];
    let page = await get(`/v1/auditrecords?size=100&${WINDOW}`);
    for (;;) {
      expect(page.status).toBe(200);
      pages.push(page.json);
      const next = page.json.links.next;
      if (!next) break;
      // The service writes next links with and without the version (as the emulator does by
      // default): either resolves under /v1.
      expect(next.uri).toMatch(/^(\/v1)?\/auditrecords\?size=100&startDate=.*&seekOperation=Next$/);
      expect(next.headers[0].value).toBe(page.json.continuationToken);
      const uri = next.uri.startsWith('/v1/') ? next.uri : `/v1${next.uri}`;
      page = await get(uri, { 'MS-ContinuationToken': next.headers[0].value });
    }
    expect(pages.map((p) => p.totalCount)).toEqual([100, 100, 100, 56]);
    expect(idsOf(pages.flatMap((p) => p.items))).toEqual(idsOf(seeded));
  });

  it('filters by CustomerId, ResourceType (any case) and a CompanyName substring', async () => {
    const { customerId, customerName } = seeded[0];
    const filtered = async (filter: Json) =>
      (await get(`/v1/auditrecords?${WINDOW}&filter=${encodeURIComponent(JSON.stringify(filter))}`))
        .json.items as Json[];
    expect(
      idsOf(await filtered({ Field: 'CustomerId', Value: customerId, Operator: 'equals' })),
    ).toEqual(idsOf(seeded.filter((record) => record.customerId === customerId)));
    expect(
      idsOf(await filtered({ Field: 'ResourceType', Value: 'Subscription', Operator: 'equals' })),
    ).toEqual(idsOf(seeded.filter((record) => record.resourceType === 'subscription')));
    const part = customerName.slice(1, 5).toUpperCase();
    const byName = await filtered({ Field: 'CompanyName', Value: part, Operator: 'substring' });
    expect(byName.length).toBeGreaterThan(0);
    expect(idsOf(byName)).toEqual(
      idsOf(
        seeded.filter((record) => record.customerName.toLowerCase().includes(part.toLowerCase())),
      ),
    );
  });

  it('refuses a start over 90 days back, an end before the start and an unknown filter with 400', async () => {
    const refusals = [
      `startDate=${day(91)}`,
      `startDate=${day(3)}&endDate=${day(5)}`,
      'startDate=2026-02-30',
      `${WINDOW}&filter=${encodeURIComponent('{"Field":"OperationType","Value":"x","Operator":"equals"}')}`,
    ];
    for (const query of refusals) {
      const refused = await get(`/v1/auditrecords?${query}`);
      expect(refused.status).toBe(400);
      expect(refused.json).toMatchObject({ code: 3000, data: [], source: 'PartnerFD' });
    }
    expect((await get(`/v1/auditrecords?startDate=${day(91)}`)).json.description).toMatch(
      /more than 90 days before today/,
    );
  });

  it('keeps one record per change: who, old and new values, the correlation id; a repeat adds none', async () => {
    const userToken = await passwordToken();
    const { dataset } = emulator;
    const customerId = [...Array(emulator.customerCount).keys()]
      .map((index) => dataset.idOf(index))
      .find(
        (id) =>
          dataset.hasCommerceRelationship(id) &&
          dataset.subscriptionsOf(id).some((s) => s.status === 'active'),
      )!;
    const subscription = dataset.subscriptionsOf(customerId).find((s) => s.status === 'active')!;
    const correlationId = randomUUID();
    const requestId = randomUUID();
    const quantity = subscription.quantity as number;
    const body = JSON.stringify({ ...subscription, quantity: quantity + 3 });
    let written: Response | undefined;
    for (let attempt = 0; attempt < 2; attempt++) {
      written = await request(
        emulator,
        `/v1/customers/${customerId}/subscriptions/${subscription.id}`,
        {
          method: 'PATCH',
          token: userToken,
          headers: {
            'Content-Type': 'application/json',
            'MS-RequestId': requestId,
            'MS-CorrelationId': correlationId,
          },
          body,
        },
      );
      expect(written.status).toBe(200);
      expect(written.json.quantity).toBe(quantity + 3);
    }

    const listed = await auditCmdlet(['-CustomerId', customerId, '-StartDate', day(0)]);
    expect(listed.stderr).toBe('');
    expect(listed.code).toBe(0);
    const records = listed.records();
    expect(records).toHaveLength(1);
    const [record] = records;
    expect(record).toMatchObject({
      customerId,
      resourceType: 'subscription',
      operationType: 'update_subscription',
      operationStatus: 'succeeded',
      originalCorrelationId: correlationId,
      userPrincipalName: emulator.user.userPrincipalName,
      customizedData: [{ key: 'SubscriptionId', value: subscription.id }],
    });
    expect(JSON.parse(record.resourceOldValue)).toMatchObject({
      Id: subscription.id,
      Quantity: quantity,
    });
    expect(JSON.parse(record.resourceNewValue)).toMatchObject({
      Id: subscription.id,
      Quantity: quantity + 3,
    });
    expect(Date.now() - Date.parse(record.operationDate)).toBeLessThan(DAY_MS);

    // An app-only change names the application and no user.
    const appOnly = await request(
      emulator,
      `/v1/customers/${customerId}/subscriptions/${subscription.id}`,
      {
        method: 'PATCH',
        token,
        headers: { 'Content-Type': 'application/json', 'MS-RequestId': randomUUID() },
        body: JSON.stringify({ ...written!.json, quantity: quantity + 4 }),
      },
    );
    expect(appOnly.status).toBe(200);
    const both = (await auditCmdlet(['-CustomerId', customerId, '-StartDate', day(0)])).records();
    expect(both).toHaveLength(2);
    expect(both[1]).toMatchObject({
      userPrincipalName: null,
      applicationId: emulator.applicationId,
    });
    // A reset of the store forgets the changes and their records; the seeded log stays.
    emulator.resetStore();
    expect((await auditCmdlet(['-CustomerId', customerId, '-StartDate', day(0)])).stdout).toBe('');
    expect(idsOf((await get(`/v1/auditrecords?size=500&${WINDOW}`)).json.items)).toEqual(
      idsOf(seeded),
    );
  });
});

describe('Get-PartnerAuditRecord', () => {
  it('writes the whole window as NDJSON, and -First/-Skip and -ResourceType as the service filters', async () => {
    const all = await auditCmdlet(['-StartDate', day(90), '-PageSize', '120']);
    expect(all.code).toBe(0);
    expect(all.records()).toEqual(seeded);
    const some = await auditCmdlet(['-StartDate', day(90), '-Skip', '5', '-First', '7']);
    expect(idsOf(some.records())).toEqual(idsOf(seeded.slice(5, 12)));
    const orders = await auditCmdlet(['-StartDate', day(90), '-ResourceType', 'Order']);
    expect(idsOf(orders.records())).toEqual(
      idsOf(seeded.filter((record) => record.resourceType === 'order')),
    );
    // Without -StartDate: the last 30 days, as the service's default.
    const recent = await auditCmdlet([]);
    expect(idsOf(recent.records())).toEqual(
      idsOf(seeded.filter((record) => record.operationDate >= day(30))),
    );
  });

  it('refuses a start over 90 days back or an impossible window in one line, exit 2, before any request', async () => {
    emulator.resetCounters();
    const old = await auditCmdlet(['-StartDate', day(91)]);
    expect(old.code).toBe(2);
    expect(old.stdout).toBe('');
    expect(old.stderr).toBe(
      `Get-PartnerAuditRecord: -StartDate ${day(91)} is more than 90 days ago: Partner Center ` +
        'keeps the activity log for the previous 90 days only. ' +
        `Give -StartDate ${day(90)} or later.\n`,
    );
    const reversed = await auditCmdlet(['-StartDate', day(2), '-EndDate', day(4)]);
    expect(reversed.code).toBe(2);
    expect(errorLines(reversed.stderr)).toEqual([
      `Get-PartnerAuditRecord: -EndDate ${day(4)} is before -StartDate ${day(2)}. ` +
        'Give an end date on or after the start date.',
    ]);
    const noDay = await auditCmdlet(['-StartDate', '2026-02-30']);
    expect(noDay.code).toBe(2);
    expect(errorLines(noDay.stderr)).toHaveLength(1);
    expect(emulator.recentRequests(20).filter((r) => r.url.includes('auditrecords'))).toEqual([]);
  });

  it('stops with the command that continues (-ContinuationToken), which completes the log once', async () => {
    emulator.setFaults({ rules: [{ after: 2, action: { type: 'status', status: 503 } }] });
    const failed = await auditCmdlet(['-StartDate', day(90), '-PageSize', '100', '-MaxRetry', '0']);
    expect(failed.code).toBe(5);
    const [line, ...more] = errorLines(failed.stderr);
    expect(more).toEqual([]);
    expect(line).toMatch(
      new RegExp(
        `200 audit records were written\\. To continue with the next one, run: ` +
          `Get-PartnerAuditRecord -StartDate ${day(90)} -EndDate ${day(0)} -PageSize 100 ` +
          '-ContinuationToken \\S+$',
      ),
    );
    emulator.setFaults({});
    const [, ...args] = shellWords(line!.slice(line!.lastIndexOf(': Get-PartnerAuditRecord') + 2));
    const resumed = await auditCmdlet(args);
    expect(resumed.code).toBe(0);
    expect(idsOf([...failed.records(), ...resumed.records()])).toEqual(idsOf(seeded));
  });

  it('with -ResumeFile: the same command continues after a stop and deletes the file at the end', async () => {
    const file = join(partner.configDir, 'audit.resume');
    const args = ['-StartDate', day(90), '-PageSize', '50', '-MaxRetry', '0', '-ResumeFile', file];
    emulator.setFaults({ rules: [{ after: 3, action: { type: 'status', status: 503 } }] });
    const failed = await auditCmdlet(args);
    expect(failed.code).toBe(5);
    expect(failed.records()).toHaveLength(150);
    expect(existsSync(file)).toBe(true);
    emulator.setFaults({});
    const other = await auditCmdlet(['-StartDate', day(80), ...args.slice(2)]);
    expect(other.code).toBe(2);
    const resumed = await auditCmdlet(args);
    expect(resumed.code).toBe(0);
    expect(idsOf([...failed.records(), ...resumed.records()])).toEqual(idsOf(seeded));
    expect(existsSync(file)).toBe(false);
  });

  it('shows people a table: date, operation, resource, customer, user, status', async () => {
    const shown = await auditCmdlet([
      '-StartDate',
      day(90),
      '-First',
      '3',
      '-OutputFormat',
      'Table',
    ]);
    expect(shown.code).toBe(0);
    const [heading, rule, ...rows] = shown.stdout.trimEnd().split('\n');
    expect(heading.split(/\s+/)).toEqual([
      'Date',
      'Operation',
      'Resource',
      'Customer',
      'User',
      'Status',
    ]);
    expect(rule).toMatch(/^[-\s]+$/);
    expect(rows).toHaveLength(3);
    seeded.slice(0, 3).forEach((record, n) => {
      expect(rows[n]).toContain(record.operationType);
      expect(rows[n]).toContain(record.operationStatus);
      expect(rows[n]).toContain(record.operationDate.slice(0, 10));
    });
    expect(parseNdjson((await auditCmdlet(['-StartDate', day(90), '-First', '1'])).stdout)).toEqual(
      [seeded[0]],
    );
  });
});

describe('Get-PartnerAuditRecord as a process', () => {
  // The refusal of a start over 90 days back (exit 2, one line, nothing on stdout) is the
  // in-process case above, word for word; a real bin/ command's exit 2 is shown once for the
  // suite (spec/e2e/cmdlets-as-processes.spec.ts), so this process shows the records and exit 0.
  it('exits 0 with the records', async () => {
    const listed = await partner.run('Get-PartnerAuditRecord', [
      '-StartDate',
      day(90),
      '-First',
      '2',
    ]);
    expect(listed.stderr).toBe('');
    expect(listed.code).toBe(0);
    expect(parseNdjson(listed.stdout)).toEqual(seeded.slice(0, 2));
  });
});

/** A user's token from the emulator's token endpoint (the password grant), for App+User writes. */
async function passwordToken(): Promise<string> {
  const answer = await request(emulator, `/${emulator.tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'password',
      client_id: emulator.applicationId,
      scope: 'https://api.partnercenter.microsoft.com/user_impersonation',
      username: emulator.user.userPrincipalName,
      password: emulator.user.password,
    }).toString(),
  });
  expect(answer.status).toBe(200);
  return answer.json.access_token as string;
}
