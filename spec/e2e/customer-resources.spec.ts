/**
 * The per-customer cmdlets in-process against the emulator: their sets, pipelines, paging,
 * failures and the App+User rule; then the cmdlets against the emulator as the documentation
 * describes the services. Each part keeps its own emulator and hooks, in its own describe.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import getPartnerCustomer from '../../cmdlets/Get-PartnerCustomer.js';
import getSubscribedSku from '../../cmdlets/Get-PartnerCustomerSubscribedSku.js';
import getSubscription from '../../cmdlets/Get-PartnerCustomerSubscription.js';
import getUser from '../../cmdlets/Get-PartnerCustomerUser.js';
import getUserLicense from '../../cmdlets/Get-PartnerCustomerUserLicense.js';
import getRelationship from '../../cmdlets/Get-PartnerGdapRelationship.js';
import { runInProcess } from '../fixtures/host/run-in-process.js';
import { emulatedPartner, type EmulatedPartner, idsOf } from '../support/emulated-partner.js';
import { parseNdjson } from '../support/ndjson.js';

/**
 * The per-customer cmdlets against the real emulator, in-process: each cmdlet's sets, the two
 * pipelines of the issue with the binding checked at every level, user paging over a customer with
 * more than 1,000 users, every status value in every format, per-customer failures under
 * -ErrorAction Continue and Stop, and the App+User rule.
 */
describe('the per-customer cmdlets', () => {
  type Json = Record<string, any>;

  let partner: EmulatedPartner;
  /** The App+User context (refresh token, secure application model); 'default' is app-only. */
  const USER = ['-Context', 'user'];

  const lines = (stdout: string) => parseNdjson(stdout) as Json[];
  const ndjson = (objects: readonly unknown[]) => objects.map((o) => JSON.stringify(o)).join('\n');

  const run = (definition: Parameters<typeof runInProcess>[0], argv: string[], stdin?: string) =>
    runInProcess(definition, argv, { env: partner.env, ...(stdin === undefined ? {} : { stdin }) });

  beforeAll(async () => {
    partner = await emulatedPartner({ customers: 60 });
    await partner.connectUser('user');
  });

  afterAll(async () => {
    await partner?.dispose();
  });

  /** The emulator's own data (what its routes serve), its objects typed as the NDJSON lines are. */
  interface JsonDataset {
    idOf(index: number): string;
    hasCommerceRelationship(customerId: string): boolean;
    customersWithManyUsers(limit?: number): number[];
    subscriptionsOf(customerId: string): Json[];
    usersOf(customerId: string, options?: { deleted?: boolean }): Json[];
    userIdsOf(customerId: string, options?: { deleted?: boolean }): string[];
    subscribedSkusOf(customerId: string): Json[];
    licensesOf(customerId: string, userId: string): Json[];
  }
  const data = () => partner.emulator.dataset as unknown as JsonDataset;
  /** The output as runs of one customer's objects: each customer's output is written whole. */
  const byCustomer = (objects: Json[]) => {
    const groups = new Map<string, Json[]>();
    let previous: string | undefined;
    for (const object of objects) {
      if (object.customerId !== previous) {
        expect(groups.has(object.customerId)).toBe(false);
        groups.set(object.customerId, []);
        previous = object.customerId;
      }
      groups.get(object.customerId)!.push(object);
    }
    return groups;
  };

  /** The first `count` customers (of the 60) that `wanted` accepts. */
  function customersWith(wanted: (id: string) => boolean, count: number): string[] {
    const found: string[] = [];
    for (let index = 0; index < 60 && found.length < count; index++)
      if (wanted(idAt(index)) && data().hasCommerceRelationship(idAt(index)))
        found.push(idAt(index));
    return found;
  }

  /** Objects sorted by their customer, each customer's in the order written (a stable sort). */
  const inCustomerOrder = (objects: Json[]) =>
    [...objects].sort((a, b) => String(a.customerId).localeCompare(String(b.customerId)));
  const idAt = (index: number) => data().idOf(index);
  /** The first customer with subscriptions and a commerce relationship. */
  function customerWithSubscriptions(): string {
    for (let index = 0; index < 60; index++) {
      const id = idAt(index);
      if (data().hasCommerceRelationship(id) && data().subscriptionsOf(id).length > 2) return id;
    }
    throw new Error('no customer with subscriptions');
  }

  describe('Get-PartnerCustomerSubscription', () => {
    it("writes each subscription as the service sent it, with the customer's id first", async () => {
      const id = customerWithSubscriptions();
      const result = await run(getSubscription, ['-CustomerId', id]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const expected = data().subscriptionsOf(id);
      // The bytes: `{"customerId":"…",` and then the service's own object, unparsed.
      expect(result.stdout).toBe(
        expected.map((s) => `{"customerId":"${id}",${JSON.stringify(s).slice(1)}\n`).join(''),
      );
      for (const line of lines(result.stdout)) expect(Object.keys(line)[0]).toBe('customerId');
    });

    it('gets one by id, and the subscriptions of one order', async () => {
      const id = customerWithSubscriptions();
      const [first] = data().subscriptionsOf(id);
      const one = await run(getSubscription, ['-CustomerId', id, '-SubscriptionId', first!.id]);
      expect(one.stderr).toBe('');
      expect(lines(one.stdout)).toEqual([{ customerId: id, ...first }]);
      const byOrder = await run(getSubscription, ['-CustomerId', id, '-OrderId', first!.orderId]);
      expect(lines(byOrder.stdout)).toEqual(
        data()
          .subscriptionsOf(id)
          .filter((s) => s.orderId === first!.orderId)
          .map((s) => ({ customerId: id, ...s })),
      );
      const missing = await run(getSubscription, [
        '-CustomerId',
        id,
        '-SubscriptionId',
        '00000000-0000-4000-8000-000000000000',
      ]);
      expect(missing.code).toBe(4);
      expect(missing.stderrLines).toEqual([
        expect.stringMatching(
          new RegExp(
            `^Get-PartnerCustomerSubscription: Customer ${id}: Subscription 0{8}-.* was not found\\.`,
          ),
        ),
      ]);
    });

    it('passes every status through, known or not, in every output format', async () => {
      const statuses = new Set<string>();
      const ids: string[] = [];
      for (let index = 0; index < 60 && ids.length < 12; index++) {
        const id = idAt(index);
        if (!data().hasCommerceRelationship(id)) continue;
        ids.push(id);
        for (const s of data().subscriptionsOf(id)) statuses.add(s.status);
      }
      for (const status of ['active', 'suspended', 'deleted', 'expired', 'disabled', 'pending'])
        expect(statuses).toContain(status);
      const unknown = [...statuses].filter(
        (s) => !['active', 'suspended', 'deleted', 'expired', 'disabled', 'pending'].includes(s),
      );
      expect(unknown.length).toBeGreaterThan(0);
      const input = ndjson(ids.map((id) => ({ id, attributes: { objectType: 'Customer' } })));
      // The table view gives Status room for any status, even one the first rows did not show.
      for (const format of ['Ndjson', 'Json', 'Csv', 'Table']) {
        const result = await run(getSubscription, ['-OutputFormat', format], input);
        expect(result.stderr).toBe('');
        expect(result.code).toBe(0);
        for (const status of statuses) expect(result.stdout).toMatch(new RegExp(`\\b${status}\\b`));
      }
    });
  });

  describe('Get-PartnerCustomer -First 20 | Get-PartnerCustomerSubscription', () => {
    let customers: Json[];
    beforeAll(async () => {
      customers = lines((await run(getPartnerCustomer, ['-First', '20'])).stdout);
      expect(customers).toHaveLength(20);
    });

    const subscriptionsOf = (c: Json) =>
      data()
        .subscriptionsOf(c.id)
        .map((s) => ({ customerId: c.id, ...s }));

    it('binds each customer and names the ones that fail, going on by default (Continue)', async () => {
      const input = ndjson(customers);
      const result = await run(getSubscription, [], input);
      const failing = customers.filter((c) => !data().hasCommerceRelationship(c.id));
      expect(failing.length).toBeGreaterThan(0);
      const served = customers.filter((c) => data().hasCommerceRelationship(c.id));
      // Customers are worked on side by side: each one's subscriptions come out together.
      const groups = byCustomer(lines(result.stdout));
      const withSubscriptions = served.filter((c) => subscriptionsOf(c).length > 0);
      expect([...groups.keys()].sort()).toEqual(withSubscriptions.map((c) => c.id).sort());
      for (const c of withSubscriptions) expect(groups.get(c.id)).toEqual(subscriptionsOf(c));
      expect(result.stderrLines).toHaveLength(failing.length + 1);
      const failures = result.stderrLines.slice(0, -1);
      for (const c of failing) {
        // Not a terminal: the short form, then the full message, on one line.
        const line = failures.find((l) => l.includes(`(${c.id}): `));
        expect(line).toBe(
          `Get-PartnerCustomerSubscription: ${c.companyProfile.companyName} (${c.id}): no commerce ` +
            `relationship (403, 20002). Partner Center denied access to GET ` +
            `/v1/customers/${c.id}/subscriptions (HTTP 403 Forbidden, code 20002: ` +
            `${line!.split('code 20002: ')[1]}`,
        );
        expect(line).toMatch(/\(HTTP 403 Forbidden, code 20002: [^)]+\)\.$/);
      }
      expect(result.stderrLines.at(-1)).toBe(
        `Get-PartnerCustomerSubscription: ${failing.length} of ${customers.length} customers ` +
          `failed: ${failing.length} × no commerce relationship (403, 20002).`,
      );
      expect(result.code).toBe(1);
    });

    it('with -ThrottleLimit 1, writes the customers in input order', async () => {
      const input = ndjson(customers);
      const result = await run(
        getSubscription,
        ['-ErrorAction', 'SilentlyContinue', '-ThrottleLimit', '1'],
        input,
      );
      const served = customers.filter((c) => data().hasCommerceRelationship(c.id));
      expect(lines(result.stdout)).toEqual(served.flatMap(subscriptionsOf));
      expect(result.stderr).toBe('');
      expect(result.code).toBe(1);
    });

    it('stops at the first failing customer with Stop, keeping what was written whole', async () => {
      const result = await run(getSubscription, ['-ErrorAction', 'Stop'], ndjson(customers));
      const groups = byCustomer(lines(result.stdout));
      for (const [id, objects] of groups) {
        expect(data().hasCommerceRelationship(id)).toBe(true);
        expect(objects).toEqual(subscriptionsOf({ id }));
      }
      expect(result.stderrLines).toHaveLength(1);
      const named = customers.find((c) => result.stderrLines[0]!.includes(`Customer ${c.id} (`));
      expect(named && data().hasCommerceRelationship(named.id)).toBe(false);
      expect(result.stderrLines[0]).toMatch(
        // A resume file would not help: a rerun with Stop stops at the same customer again.
        / \d+ customers? of the \d+ read (was|were) done, 1 failed\. A rerun stops at the same customer: without -ErrorAction Stop the run goes on past it\.$/,
      );
      expect(result.code).toBe(3);
    });

    it('names a deleted (unknown) customer: exit 4 with Stop, 1 with the default', async () => {
      const gone = '00000000-0000-4000-8000-0000000000dd';
      const result = await run(getSubscription, ['-ErrorAction', 'Stop'], ndjson([{ id: gone }]));
      expect(result.code).toBe(4);
      expect(result.stderrLines).toEqual([
        expect.stringMatching(
          new RegExp(
            `^Get-PartnerCustomerSubscription: Customer ${gone}: Partner Center found nothing`,
          ),
        ),
      ]);
      // Going on, the run exits 1 (some object failed) with the line and the summary.
      const goOn = await run(getSubscription, [], ndjson([{ id: gone }]));
      expect(goOn.code).toBe(1);
      expect(goOn.stderrLines).toEqual([
        expect.stringMatching(
          new RegExp(
            `^Get-PartnerCustomerSubscription: customer ${gone}: not found \\(404, 60003\\)\\. ` +
              'Partner Center found nothing',
          ),
        ),
        'Get-PartnerCustomerSubscription: 1 of 1 customer failed: 1 × not found (404, 60003).',
      ]);
    });
  });

  describe('Get-PartnerCustomerUser', () => {
    it('pages through a customer with more than 1,000 users: every id once, in order', async () => {
      const id = idAt(data().customersWithManyUsers(60)[0]!);
      const expected = data().userIdsOf(id);
      expect(expected.length).toBeGreaterThan(1000);
      const before = partner.emulator.counters().requests['GET /v1/customers/{id}/users'] ?? 0;
      const result = await run(getUser, [...USER, '-CustomerId', id]);
      expect(result.stderr).toBe('');
      const users = lines(result.stdout);
      expect(users.map((u) => u.id)).toEqual(expected);
      expect(new Set(users.map((u) => u.id)).size).toBe(expected.length);
      expect(users.every((u) => u.customerId === id && Object.keys(u)[0] === 'customerId')).toBe(
        true,
      );
      const requests = partner.emulator.counters().requests['GET /v1/customers/{id}/users'] ?? 0;
      expect(requests - before).toBe(Math.ceil(expected.length / 500));
    });

    it('streams a piped customer with more than 1,000 users instead of holding them, still together', async () => {
      const big = idAt(data().customersWithManyUsers(60)[0]!);
      const expected = data().userIdsOf(big);
      const small = customersWith((id) => id !== big && data().userIdsOf(id).length > 0, 2);
      const usersRoute = 'GET /v1/customers/{id}/users';
      const pagesNow = () => partner.emulator.counters().requests[usersRoute] ?? 0;
      /** Runs the pipeline, noting how many user pages were served when the big one began. */
      const pipeline = async (extra: string[]) => {
        const before = pagesNow();
        let pagesAtBigStart: number | undefined;
        let text = '';
        const stdout = new Writable({
          write(chunk: Buffer, _encoding, done) {
            text += chunk.toString();
            if (pagesAtBigStart === undefined && text.includes(`"customerId":"${big}"`))
              pagesAtBigStart = pagesNow() - before;
            done();
          },
        });
        const input = ndjson([{ id: big }, ...small.map((id) => ({ id }))]);
        const result = await runInProcess(getUser, [...USER, '-PageSize', '20', ...extra], {
          env: partner.env,
          stdin: input,
          stdout,
        });
        expect(result.stderr).toBe('');
        const groups = byCustomer(lines(text));
        expect(groups.get(big)!.map((u) => u.id)).toEqual(expected);
        for (const id of small)
          expect(groups.get(id)!.map((u) => u.id)).toEqual(data().userIdsOf(id));
        return { pagesAtBigStart: pagesAtBigStart!, pages: pagesNow() - before };
      };
      const bigPages = Math.ceil(expected.length / 20);
      // Streamed: its first users are out while most of its pages are still to come.
      const streamed = await pipeline(['-ThrottleLimit', '3']);
      expect(streamed.pagesAtBigStart).toBeLessThan(bigPages);
      // -First still counts a streamed output's objects, and stops there.
      const first = await run(
        getUser,
        [...USER, '-PageSize', '20', '-First', '1100'],
        ndjson([{ id: big }]),
      );
      expect(lines(first.stdout).map((u) => u.id)).toEqual(expected.slice(0, 1100));
      expect(first.code).toBe(0);
      // With -ResumeFile an output is written whole or not at all: held to the end.
      const dir = mkdtempSync(join(tmpdir(), 'users-resume-'));
      try {
        const held = await pipeline([
          '-ThrottleLimit',
          '3',
          '-ResumeFile',
          join(dir, 'users.resume'),
        ]);
        expect(held.pagesAtBigStart).toBeGreaterThanOrEqual(bigPages);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('smaller pages give the same users; -Deleted, -UserId and -UserPrincipalName find theirs', async () => {
      const id = idAt(data().customersWithManyUsers(60)[0]!);
      const paged = await run(getUser, [...USER, '-CustomerId', id, '-PageSize', '333']);
      expect(lines(paged.stdout).map((u) => u.id)).toEqual(data().userIdsOf(id));
      const deleted = await run(getUser, [...USER, '-CustomerId', id, '-Deleted']);
      expect(deleted.stderr).toBe('');
      expect(lines(deleted.stdout).map((u) => u.id)).toEqual(
        data().userIdsOf(id, { deleted: true }),
      );
      const target = data().usersOf(id)[777]!;
      const one = await run(getUser, [...USER, '-CustomerId', id, '-UserId', target.id]);
      expect(lines(one.stdout)).toEqual([{ customerId: id, ...target }]);
      const byName = await run(getUser, [
        ...USER,
        '-CustomerId',
        id,
        '-UserPrincipalName',
        String(target.userPrincipalName).toUpperCase(),
      ]);
      expect(lines(byName.stdout).map((u) => u.id)).toEqual([target.id]);
      const nobody = await run(getUser, [...USER, '-CustomerId', id, '-Upn', 'nobody@example.com']);
      expect(nobody.code).toBe(4);
      expect(nobody.stderrLines).toEqual([
        `Get-PartnerCustomerUser: Customer ${id}: No user has the user principal name ` +
          "'nobody@example.com'. Check the name; Get-PartnerCustomerUser lists the customer's users.",
      ]);
    });

    it('refuses an application sign-in before any request (App+User only)', async () => {
      const id = idAt(0);
      const before = JSON.stringify(partner.emulator.counters().requests);
      for (const definition of [getUser, getSubscribedSku]) {
        const result = await run(definition, ['-CustomerId', id]);
        expect(result.code).toBe(3);
        expect(result.stdout).toBe('');
        expect(result.stderrLines).toEqual([
          expect.stringMatching(
            /^Get-PartnerCustomer\w+: Partner Center serves a customer's \w+( \w+)? only to a user sign-in \(App\+User\), and context 'default' signed in as an application \(ServicePrincipal\)\. Connect as a user/,
          ),
        ]);
      }
      const licenses = await run(getUserLicense, ['-CustomerId', id, '-UserId', id]);
      expect(licenses.code).toBe(3);
      expect(JSON.stringify(partner.emulator.counters().requests)).toBe(before);
    });
  });

  describe('Get-PartnerCustomer -First 5 | Get-PartnerCustomerUser | Get-PartnerCustomerUserLicense', () => {
    it('binds the customer, then the user, at every step', async () => {
      // Five customers with few users (63 in all, where the first ones have hundreds, and a license
      // listing is a request per user), one of them without a commerce relationship: the binding is
      // the point here, paging is proven above.
      const customers = lines(
        (await run(getPartnerCustomer, [...USER, '-Skip', '28', '-First', '5'])).stdout,
      );
      expect(customers).toHaveLength(5);
      const readable = customers.filter((c) => data().hasCommerceRelationship(c.id));
      expect(readable).toHaveLength(4);
      const users = await run(getUser, [...USER, '-ErrorAction', 'Continue'], ndjson(customers));
      const userObjects = lines(users.stdout);
      // Customers are worked on side by side: each one's users whole, customers in any order.
      expect(byCustomer(userObjects).size).toBe(readable.length);
      expect(inCustomerOrder(userObjects).map((u) => [u.customerId, u.id])).toEqual(
        inCustomerOrder(
          readable.flatMap((c) =>
            data()
              .userIdsOf(c.id)
              .map((userId) => ({ customerId: c.id, id: userId })),
          ),
        ).map((u) => [u.customerId, u.id]),
      );
      expect(userObjects.every((u) => u.attributes.objectType === 'CustomerUser')).toBe(true);
      const licenses = await run(getUserLicense, USER, users.stdout);
      expect(licenses.stderr).toBe('');
      expect(licenses.code).toBe(0);
      const expected = userObjects.flatMap((u) =>
        data()
          .licensesOf(u.customerId, u.id)
          .map((license) => ({ customerId: u.customerId, userId: u.id, ...license })),
      );
      expect(expected.length).toBeGreaterThan(0);
      const byUser = (objects: Json[]) =>
        [...objects].sort((a, b) =>
          `${a.customerId}/${a.userId}`.localeCompare(`${b.customerId}/${b.userId}`),
        );
      expect(byUser(lines(licenses.stdout))).toEqual(byUser(expected));
    });
  });

  describe('Get-PartnerCustomerSubscribedSku', () => {
    it("lists a customer's SKUs, by license group, and shows service plans in one cell", async () => {
      const id = customerWithSubscriptions();
      const all = await run(getSubscribedSku, [...USER, '-CustomerId', id]);
      expect(all.stderr).toBe('');
      const skus = data().subscribedSkusOf(id);
      expect(lines(all.stdout)).toEqual(skus.map((sku) => ({ customerId: id, ...sku })));
      const group1 = await run(getSubscribedSku, [
        ...USER,
        '-CustomerId',
        id,
        '-LicenseGroup',
        'group1',
      ]);
      expect(lines(group1.stdout)).toEqual(
        skus
          .filter((sku) => String(sku.productSku.licenseGroupId).toLowerCase() === 'group1')
          .map((sku) => ({ customerId: id, ...sku })),
      );
      const csv = await run(getSubscribedSku, [...USER, '-CustomerId', id, '-OutputFormat', 'Csv']);
      const [header, firstRow] = csv.stdout.split('\r\n');
      expect(header).toBe(
        'CustomerId,Sku,SkuPartNumber,Total,Consumed,Available,Status,ServicePlans',
      );
      const plans = skus[0]!.servicePlans.map((plan: Json) => plan.serviceName);
      expect(firstRow).toContain(`"${JSON.stringify(plans).replace(/"/g, '""')}"`);
    });
  });
});

/**
 * The module against the emulator as the documentation describes the services (next links in both
 * forms by default, the size rule, every subscription property, OData-Version and $count on Graph):
 * the cmdlets still list everything exactly once, send `size` as -PageSize says on the first
 * request only, and pass the documented properties through unchanged.
 */
describe('the cmdlets against the documented emulator', () => {
  type Json = Record<string, any>;
  const CUSTOMERS = 1_234;

  let partner: EmulatedPartner;
  const run = (definition: Parameters<typeof runInProcess>[0], argv: string[]) =>
    runInProcess(definition, argv, { env: partner.env });

  beforeAll(async () => {
    partner = await emulatedPartner({ customers: CUSTOMERS });
    await partner.connectUser('user');
  });
  afterAll(() => partner?.dispose());

  /** The query of each customer listing request the emulator saw since its counters were reset. */
  function listingQueries(): URLSearchParams[] {
    return partner.emulator
      .recentRequests(1000)
      .filter((recorded) => recorded.route === 'GET /v1/customers')
      .map((recorded) => new URL(recorded.url, partner.emulator.apiEndpoint).searchParams);
  }

  describe('Get-PartnerCustomer against the default mix of next-link forms', () => {
    it.each([25, 500])(
      '-PageSize %i: every customer once, size sent on the first request only',
      async (size) => {
        partner.emulator.resetCounters();
        const result = await run(getPartnerCustomer, ['-PageSize', String(size)]);
        expect(result.stderr).toBe('');
        expect(result.code).toBe(0);
        expect(idsOf(parseNdjson(result.stdout))).toEqual([...partner.emulator.customerIds()]);
        const queries = listingQueries();
        expect(queries).toHaveLength(Math.ceil(CUSTOMERS / size));
        expect(queries[0].get('size')).toBe(String(size));
        expect(queries[0].get('seekOperation')).toBeNull();
        for (const query of queries.slice(1)) expect(query.get('seekOperation')).toBe('Next');
      },
    );

    it('follows absolute links on its own origin as well', async () => {
      partner.emulator.configure({ nextLinkForm: 'absolute' });
      try {
        const result = await run(getPartnerCustomer, ['-PageSize', '300']);
        expect(result.code).toBe(0);
        expect(idsOf(parseNdjson(result.stdout))).toEqual([...partner.emulator.customerIds()]);
      } finally {
        partner.emulator.configure({ nextLinkForm: 'mixed' });
      }
    });
  });

  describe('per-customer cmdlets against the documented shapes', () => {
    const data = () =>
      partner.emulator.dataset as unknown as {
        idOf(index: number): string;
        customersWithManyUsers(): number[];
        userIdsOf(customerId: string): string[];
        subscriptionsOf(customerId: string): Json[];
      };

    it('Get-PartnerCustomerUser pages through mixed links, -PageSize 50', async () => {
      const many = data().idOf(data().customersWithManyUsers()[0]);
      const result = await run(getUser, [
        '-Context',
        'user',
        '-CustomerId',
        many,
        '-PageSize',
        '50',
      ]);
      expect(result.code).toBe(0);
      expect(parseNdjson(result.stdout).map((user: Json) => user.id)).toEqual(
        data().userIdsOf(many),
      );
    });

    it('Get-PartnerCustomerSubscription writes every documented property as served', async () => {
      const many = data().idOf(data().customersWithManyUsers()[0]);
      const result = await run(getSubscription, ['-CustomerId', many]);
      expect(result.code).toBe(0);
      const written = parseNdjson(result.stdout) as Json[];
      const served = data().subscriptionsOf(many);
      expect(written).toHaveLength(served.length);
      written.forEach((subscription, n) => {
        expect(subscription).toMatchObject(served[n]);
        expect(subscription.entitlementId).toBe(served[n].entitlementId);
      });
    });
  });

  describe('Get-PartnerGdapRelationship against OData-Version and $count', () => {
    it('lists every relationship once', async () => {
      const result = await run(getRelationship, []);
      expect(result.code).toBe(0);
      const ids = parseNdjson(result.stdout).map((relationship: Json) => relationship.id);
      expect(ids).toHaveLength(partner.emulator.dataset.relationshipCount());
      expect(new Set(ids).size).toBe(ids.length);
    });
  });
});
