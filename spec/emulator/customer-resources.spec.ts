/**
 * The Partner Center side of the emulator's per-customer data over real HTTPS, in one file (one
 * module registry: the emulator and its per-customer derivations warm up once, about 0.8 CPU-s less
 * than the three files this was):
 *
 * - per-customer resources: a customer's subscriptions, users, subscribed SKUs and user licenses,
 *   the documented shapes, user paging over more than 1,000 users, the App+User rule, and the
 *   per-customer failures (403 20002, 404) in Partner Center's error shape;
 * - what Partner Center documents and the emulator once did otherwise (docs/partner-center-api.md):
 *   next links in both documented forms by default, one rule for `size`, every documented
 *   subscription property (new commerce's cancellation window and refundable quantity among
 *   them), and a user's directory roles;
 * - the per-customer data as data: the same seed gives the same bytes, the rules hold in every
 *   block of customers (a large directory per 50, customers with none of a resource, customers
 *   without a commerce relationship), and a million customers still cost nothing until read.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  customerContext,
  hasManyUsers,
} from '../../lib/emulator/partner-center/customer-context.js';
import { skusOf, subscribedSkuJson } from '../../lib/emulator/partner-center/customer-licenses.js';
import {
  SUBSCRIPTION_STATUSES,
  subscriptionsOf,
} from '../../lib/emulator/partner-center/customer-subscriptions.js';
import { userAt, userCountsOf } from '../../lib/emulator/partner-center/customer-users.js';
import { CustomerDataset } from '../../lib/emulator/partner-center/dataset.js';
import type { StartedEmulator } from '../../lib/emulator/index.js';
import { startEmulator } from '../support/emulator.js';
import { filterQuery, listAll, request } from './support.js';

describe('per-customer resources', () => {
  const CUSTOMERS = 200;
  const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  const inactive = filterQuery({ Field: 'UserState', Value: 'Inactive', Operator: 'equals' });

  let emulator: StartedEmulator;
  let appToken: string;
  let userToken: string;
  /** A readable customer with more than 1,000 users, one with few, one answering 403 20002. */
  let many: string;
  let few: string;
  let noCommerce: string;

  beforeAll(async () => {
    // The exact next links below are the v1 form; the default mixes it with the relative one.
    emulator = await startEmulator({ customers: CUSTOMERS, seed: 11, nextLinkForm: 'v1' });
    appToken = emulator.issueAccessToken();
    userToken = emulator.issueAccessToken({ delegated: true });
    const { dataset } = emulator;
    many = dataset.idOf(dataset.customersWithManyUsers()[0]);
    noCommerce = dataset.idOf(dataset.customersWithoutCommerceRelationship()[0]);
    const readable = Array.from({ length: CUSTOMERS }, (_, n) => dataset.idOf(n)).filter((id) =>
      dataset.hasCommerceRelationship(id),
    );
    few = readable.find((id) => {
      const { active, deleted } = dataset.userCounts(id);
      return active > 5 && active < 40 && deleted > 0 && dataset.subscribedSkusOf(id).length > 1;
    })!;
  });
  afterAll(() => emulator.close());

  const get = (path: string, token = userToken) => request(emulator, path, { token });

  it('answers from its memo of the seed exactly what deriving afresh gives, read after read', async () => {
    // The seed's derivations, computed here without the emulator's memo (seeded-customers.ts).
    const dataset = new CustomerDataset(11, CUSTOMERS);
    const fresh = (index: number) => {
      const context = customerContext(dataset, index);
      const many = hasManyUsers(dataset, index);
      const counts = userCountsOf(context, many);
      const subscriptions = subscriptionsOf(context, many);
      return {
        subscriptions: subscriptions.map((facts) => facts.json),
        skus: skusOf(context, subscriptions, counts.active).map(subscribedSkuJson),
        users: Array.from({ length: Math.min(counts.active, 60) }, (_, n) =>
          userAt(context, counts, n),
        ),
      };
    };
    const served = (index: number) => {
      const id = emulator.dataset.idOf(index);
      return {
        subscriptions: emulator.dataset.subscriptionsOf(id),
        skus: emulator.dataset.subscribedSkusOf(id),
        users: emulator.dataset.usersOf(id).slice(0, 60),
      };
    };
    // Readable customers with at most a few hundred users (all of them are derived to read 60).
    const readable = Array.from({ length: 60 }, (_, n) => n).filter(
      (n) =>
        emulator.dataset.hasCommerceRelationship(emulator.dataset.idOf(n)) &&
        !hasManyUsers(dataset, n),
    );
    // Twice, the second time in the other order: the memo's answers, first made and then kept.
    // Compared as the JSON the routes send (toEqual over a few thousand objects is slow).
    for (const index of [...readable, ...readable.reverse()])
      expect({ index, json: JSON.stringify(served(index)) }).toEqual({
        index,
        json: JSON.stringify(fresh(index)),
      });
    const index = readable[0]!;
    const response = await get(`/v1/customers/${emulator.dataset.idOf(index)}/subscriptions`);
    expect(response.json.items).toEqual(fresh(index).subscriptions);
  });

  describe('subscriptions', () => {
    it('answers one collection of the seeded subscriptions, app-only or App+User', async () => {
      for (const token of [appToken, userToken]) {
        const response = await get(`/v1/customers/${many}/subscriptions`, token);
        expect(response.status).toBe(200);
        const expected = emulator.dataset.subscriptionsOf(many);
        expect(expected.length).toBeGreaterThan(0);
        expect(response.json).toEqual({
          totalCount: expected.length,
          items: expected,
          attributes: { objectType: 'Collection' },
        });
      }
    });

    it('shows every status, documented or not, in both shapes with every documented field', async () => {
      const seen = new Set<string>();
      const shapes = new Set<string>();
      // Every answer and subscription beside what it must be, compared once at the end (an
      // expect() per field per subscription cost more than the requests).
      const got: unknown[] = [];
      const wanted: unknown[] = [];
      const date = expect.stringMatching(/^\d{4}-\d\d-\d\dT/);
      for (let index = 0; index < CUSTOMERS; index++) {
        const id = emulator.dataset.idOf(index);
        if (!emulator.dataset.hasCommerceRelationship(id)) continue;
        const response = await get(`/v1/customers/${id}/subscriptions`, appToken);
        got.push({ customer: id, status: response.status });
        wanted.push({ customer: id, status: 200 });
        for (const subscription of response.json.items) {
          seen.add(subscription.status);
          shapes.add(subscription.productType?.id ?? subscription.links.offer.uri.split('?')[0]);
          const newCommerce = Boolean(subscription.productType);
          got.push({
            subscription,
            self: subscription.links.self.uri,
            ...(newCommerce
              ? {
                  offerId: subscription.offerId,
                  links: Object.keys(subscription.links),
                  termDuration: subscription.termDuration,
                }
              : {}),
          });
          wanted.push({
            subscription: expect.objectContaining({
              id: expect.stringMatching(GUID),
              offerId: expect.any(String),
              offerName: expect.any(String),
              friendlyName: expect.any(String),
              quantity: expect.any(Number),
              unitType: expect.any(String),
              autoRenewEnabled: expect.any(Boolean),
              billingCycle: expect.any(String),
              creationDate: date,
              effectiveStartDate: date,
              commitmentEndDate: date,
              orderId: expect.any(String),
              attributes: { etag: expect.any(String), objectType: 'Subscription' },
            }),
            self: `/customers/${id}/subscriptions/${subscription.id}`,
            ...(newCommerce
              ? {
                  offerId: expect.stringMatching(/^[A-Z0-9]+:\d{4}:[A-Z0-9]+$/),
                  links: ['product', 'sku', 'availability', 'self'],
                  termDuration: expect.stringMatching(/^P(1M|1Y|3Y)$/),
                }
              : {}),
          });
        }
      }
      expect(got).toEqual(wanted);
      expect([...seen].sort()).toEqual([...SUBSCRIPTION_STATUSES].sort());
      expect(shapes.has('OnlineServicesNCE')).toBe(true);
      expect([...shapes].some((shape) => shape === '/offers/MS-AZR-0145P')).toBe(true);
      expect([...shapes].some((shape) => /^\/offers\/[0-9A-F-]{36}$/.test(shape))).toBe(true);
    });

    it('reads one subscription by id, any case, and answers 404 20003 for an unknown one', async () => {
      const [first] = emulator.dataset.subscriptionsOf(many);
      const one = await get(
        `/v1/customers/${many}/subscriptions/${String(first.id).toUpperCase()}`,
      );
      expect(one.status).toBe(200);
      expect(one.json).toEqual(first);
      const missing = await get(`/v1/customers/${many}/subscriptions/${emulator.dataset.idOf(0)}`);
      expect(missing.status).toBe(404);
      expect(missing.json).toMatchObject({ code: 20003, source: 'PartnerFD', data: [] });
    });

    it('filters by order_id, and an unknown order is an empty collection', async () => {
      const all = emulator.dataset.subscriptionsOf(many);
      const orderId = String(all[0].orderId);
      const response = await get(`/v1/customers/${many}/subscriptions?order_id=${orderId}`);
      expect(response.json.items).toEqual(all.filter((s) => s.orderId === orderId));
      expect(response.json.totalCount).toBe(response.json.items.length);
      const none = await get(`/v1/customers/${many}/subscriptions?order_id=nosuchorder`);
      expect(none.json).toEqual({
        totalCount: 0,
        items: [],
        attributes: { objectType: 'Collection' },
      });
    });
  });

  describe('users', () => {
    it.each([
      ['the default page size (100)', '', 100],
      ['size=0, as the .NET SDK sends (the default)', '?size=0', 100],
      ['size=500', '?size=500', 500],
      ['size=9999, clamped to 500', '?size=9999', 500],
    ])(
      'pages through more than 1,000 users with %s: exact ids, no duplicates',
      async (_, query, size) => {
        const listing = await listAll(emulator, userToken, `/v1/customers/${many}/users${query}`);
        const expected = emulator.dataset.userIdsOf(many);
        expect(expected.length).toBeGreaterThan(1000);
        expect(listing.ids).toEqual(expected);
        expect(new Set(listing.ids).size).toBe(listing.ids.length);
        expect(listing.pages).toHaveLength(Math.ceil(expected.length / size));
        listing.pages.forEach((page, n) => {
          const last = n === listing.pages.length - 1;
          expect(page.totalCount).toBe(page.items.length);
          expect(page.attributes).toEqual({ objectType: 'Collection' });
          expect(page.continuationToken).toBe(last ? undefined : page.links.next.headers[0].value);
          if (!last)
            expect(page.links.next).toEqual({
              uri: `/v1/customers/${many}/users?size=${size}&seekOperation=Next`,
              method: 'GET',
              headers: [{ key: 'MS-ContinuationToken', value: page.continuationToken }],
            });
          else expect(page.links.next).toBeUndefined();
        });
        expect(listing.pages.flatMap((page) => page.items)).toEqual(emulator.dataset.usersOf(many));
      },
    );

    it('writes each user in the documented shape, in the customer domain and script', async () => {
      const users = emulator.dataset.usersOf(many);
      const customer = emulator.customerAt(emulator.dataset.indexOfId(many)) as any;
      for (const user of users.slice(0, 50)) {
        expect(Object.keys(user)).toEqual(
          expect.arrayContaining([
            'usageLocation',
            'id',
            'userPrincipalName',
            'firstName',
            'lastName',
            'displayName',
            'userDomainType',
            'state',
            'links',
            'attributes',
          ]),
        );
        expect(user.state).toBe('active');
        expect(user.attributes).toEqual({ objectType: 'CustomerUser' });
        expect(String(user.displayName)).toContain(String(user.firstName));
        if (user.userDomainType === 'none')
          expect(user.userPrincipalName).toMatch(new RegExp(`@${customer.companyProfile.domain}$`));
      }
      const scripts = new Set<string>();
      for (let index = 0; index < 60; index++) {
        const id = emulator.dataset.idOf(index);
        const [user] = emulator.dataset.usersOf(id);
        if (!user) continue;
        const name = String(user.displayName);
        if (/[\uac00-\ud7a3]/.test(name)) scripts.add('Korean');
        else if (/[\u3040-\u30ff\u4e00-\u9fff]/.test(name)) scripts.add('Japanese');
        else if (/[^\x00-\x7f]/.test(name)) scripts.add('Latin accented');
      }
      expect([...scripts].sort()).toEqual(['Japanese', 'Korean', 'Latin accented']);
    });

    it('lists deleted users only through the UserState Inactive filter', async () => {
      const deleted = emulator.dataset.usersOf(few, { deleted: true });
      expect(deleted.length).toBeGreaterThan(0);
      const listing = await listAll(
        emulator,
        userToken,
        `/v1/customers/${few}/users?size=500&filter=${inactive}`,
      );
      expect(listing.pages.flatMap((page) => page.items)).toEqual(deleted);
      for (const user of deleted) {
        expect(user.state).toBe('inactive');
        expect(user.softDeletionTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      }
      const active = await listAll(emulator, userToken, `/v1/customers/${few}/users`);
      expect(active.ids).toEqual(emulator.dataset.userIdsOf(few));
      expect(active.ids).not.toEqual(expect.arrayContaining([deleted[0].id]));
    });

    it('pages the deleted users of a large directory with the filter kept in the next link', async () => {
      const expected = emulator.dataset.userIdsOf(many, { deleted: true });
      expect(expected.length).toBeGreaterThan(2);
      const listing = await listAll(
        emulator,
        userToken,
        `/v1/customers/${many}/users?size=2&filter=${inactive}`,
      );
      expect(listing.ids).toEqual(expected);
      expect(listing.pages[0].links.next.uri).toBe(
        `/v1/customers/${many}/users?size=2&filter=${inactive}&seekOperation=Next`,
      );
    });

    it('reads one user; a deleted or unknown user is 404 60002', async () => {
      const [, second] = emulator.dataset.usersOf(few);
      const one = await get(`/v1/customers/${few}/users/${second.id}`);
      expect(one.status).toBe(200);
      expect(one.json).toEqual(second);
      const [gone] = emulator.dataset.usersOf(few, { deleted: true });
      for (const userId of [gone.id, emulator.dataset.idOf(1), 'not-a-guid']) {
        const missing = await get(`/v1/customers/${few}/users/${userId}`);
        expect(missing.status).toBe(404);
        expect(missing.json).toMatchObject({ code: 60002, source: 'PartnerFD' });
      }
    });

    it('refuses a bad filter and a token from another listing', async () => {
      const bad = await get(
        `/v1/customers/${few}/users?filter=${filterQuery({ Field: 'Country', Value: 'x', Operator: 'equals' })}`,
      );
      expect(bad.status).toBe(400);
      expect(bad.json).toMatchObject({ code: 3000 });
      const page = await get(`/v1/customers/${many}/users`);
      const token = page.json.continuationToken;
      for (const path of [
        `/v1/customers/${few}/users?seekOperation=Next`,
        '/v1/customers?seekOperation=Next',
      ]) {
        const foreign = await request(emulator, path, {
          token: userToken,
          headers: { 'MS-ContinuationToken': token },
        });
        expect(foreign.status).toBe(400);
        expect(foreign.json.description).toContain('another listing');
      }
    });
  });

  describe('subscribed SKUs and user licenses', () => {
    it('answers the subscribed SKUs with units that add up, by license group', async () => {
      const all = await get(`/v1/customers/${few}/subscribedskus`);
      expect(all.status).toBe(200);
      expect(all.json).toEqual({
        totalCount: all.json.items.length,
        items: emulator.dataset.subscribedSkusOf(few),
        attributes: { objectType: 'Collection' },
      });
      for (const sku of all.json.items) {
        expect(sku.totalUnits).toBe(sku.activeUnits + sku.warningUnits);
        expect(sku.availableUnits).toBe(sku.totalUnits - sku.consumedUnits);
        expect(sku.productSku).toEqual({
          id: expect.stringMatching(GUID),
          name: expect.any(String),
          skuPartNumber: expect.any(String),
          targetType: 'User',
          licenseGroupId: expect.stringMatching(/^group[12]$/),
        });
        expect(sku.attributes).toEqual({ objectType: 'SubscribedSku' });
      }
      const group1 = await get(`/v1/customers/${few}/subscribedskus?licenseGroupIds=Group1`);
      expect(group1.json.items).toEqual(
        all.json.items.filter((s: any) => s.productSku.licenseGroupId === 'group1'),
      );
      const both = await get(
        `/v1/customers/${few}/subscribedskus?licenseGroupIds=Group1&licenseGroupIds=Group2`,
      );
      expect(both.json.items).toEqual(all.json.items);
      const piped = await get(`/v1/customers/${few}/subscribedskus?licenseGroupIds=group2|GROUP1`);
      expect(piped.json.items).toEqual(all.json.items);
      const wrong = await get(`/v1/customers/${few}/subscribedskus?licenseGroupIds=Group3`);
      expect(wrong.status).toBe(400);
    });

    it("answers each user's licenses, as many holders per SKU as its consumed units", async () => {
      const skus = emulator.dataset.subscribedSkusOf(few);
      const holders = new Map<string, number>();
      for (const user of emulator.dataset.usersOf(few)) {
        const response = await get(`/v1/customers/${few}/users/${user.id}/licenses`);
        expect(response.status).toBe(200);
        expect(response.json.items).toEqual(emulator.dataset.licensesOf(few, String(user.id)));
        for (const license of response.json.items) {
          expect(license.attributes).toEqual({ objectType: 'License' });
          expect(license.productSku.targetType).toBeUndefined();
          const skuId = license.productSku.id;
          holders.set(skuId, (holders.get(skuId) ?? 0) + 1);
        }
      }
      for (const sku of skus as any[])
        expect(holders.get(sku.productSku.id) ?? 0).toBe(sku.consumedUnits);
      const [gone] = emulator.dataset.usersOf(few, { deleted: true });
      const missing = await get(`/v1/customers/${few}/users/${gone.id}/licenses`);
      expect(missing.status).toBe(404);
    });
  });

  describe('per-customer failures', () => {
    const routes = (id: string, userId = '00000000-0000-4000-8000-000000000000') => [
      `/v1/customers/${id}/subscriptions`,
      `/v1/customers/${id}/users`,
      `/v1/customers/${id}/users/${userId}`,
      `/v1/customers/${id}/users/${userId}/licenses`,
      `/v1/customers/${id}/subscribedskus`,
    ];

    it('answers 403 code 20002 for a customer without a commerce relationship', async () => {
      for (const path of routes(noCommerce)) {
        const response = await get(path);
        expect(response.status).toBe(403);
        expect(response.json).toEqual({
          code: 20002,
          description:
            `The partner id ${emulator.tenantId} has no commerce relationship` +
            ` with the customer id ${noCommerce}.`,
          data: [],
          source: 'PartnerFD',
        });
      }
    });

    it('answers 404 code 60003 for an unknown customer, 400 for an id that is not a GUID', async () => {
      for (const path of routes('6f2c0e3a-1b7d-4c59-9a3e-0d4b8c7e5f21')) {
        const response = await get(path);
        expect(response.status).toBe(404);
        expect(response.json).toMatchObject({ code: 60003, source: 'PartnerFD', data: [] });
      }
      const bad = await get('/v1/customers/not-a-guid/subscriptions');
      expect(bad.status).toBe(400);
      expect(bad.json).toMatchObject({ code: 900118 });
    });

    it('refuses app-only tokens on users, subscribed SKUs and licenses, as documented', async () => {
      const [user] = emulator.dataset.usersOf(few);
      for (const path of routes(few, String(user.id)).slice(1)) {
        const response = await get(path, appToken);
        expect(response.status).toBe(403);
        expect(response.json).toMatchObject({ code: 2032, source: 'PartnerFD' });
        expect(response.json.description).toContain('App+User');
        expect((await get(path, userToken)).status).toBe(200);
      }
      expect((await get(routes(few)[0], appToken)).status).toBe(200);
    });
  });
});

describe('what Partner Center documents', () => {
  const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  const ISO_DATE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
  const CUSTOMERS = 1_200;

  let emulator: StartedEmulator;
  let appToken: string;
  let userToken: string;
  /** A readable customer with more than 1,000 users. */
  let many: string;

  beforeAll(async () => {
    // No nextLinkForm: what is checked here is the default.
    emulator = await startEmulator({ customers: CUSTOMERS, seed: 5 });
    appToken = emulator.issueAccessToken();
    userToken = emulator.issueAccessToken({ delegated: true });
    many = emulator.dataset.idOf(emulator.dataset.customersWithManyUsers()[0]);
  });
  afterAll(() => emulator?.close());

  const get = (path: string, token = userToken, headers: Record<string, string> = {}) =>
    request(emulator, path, { token, headers });

  describe('next links, by default', () => {
    it('come with and without /v1, as the service writes them, and lead through every customer', async () => {
      const listing = await listAll(emulator, appToken, '/v1/customers?size=100');
      expect(listing.ids).toEqual([...emulator.customerIds()]);
      const uris: string[] = listing.pages.slice(0, -1).map((page) => page.links.next.uri);
      expect(uris).toHaveLength(Math.ceil(CUSTOMERS / 100) - 1);
      const withV1 = uris.filter((uri) => uri.startsWith('/v1/customers?'));
      const without = uris.filter((uri) => uri.startsWith('/customers?'));
      expect(withV1.length + without.length).toBe(uris.length);
      expect(withV1.length).toBeGreaterThan(0);
      expect(without.length).toBeGreaterThan(0);
      for (const uri of uris) expect(uri).toMatch(/\?size=100&seekOperation=Next$/);
    });

    it('mix on a customer’s users too, and the same listing gets the same links', async () => {
      const first = await listAll(emulator, userToken, `/v1/customers/${many}/users?size=50`);
      const again = await listAll(emulator, userToken, `/v1/customers/${many}/users?size=50`);
      const forms = (listing: typeof first) =>
        listing.pages.slice(0, -1).map((page) => page.links.next.uri.startsWith('/v1/'));
      expect(new Set(forms(first))).toEqual(new Set([true, false]));
      expect(forms(again)).toEqual(forms(first));
      expect(first.ids).toEqual(emulator.dataset.userIdsOf(many));
    });

    it('keep one form when the emulator is told to', async () => {
      for (const [form, pattern] of [
        ['v1', /^\/v1\/customers\?/],
        ['relative', /^\/customers\?/],
        ['absolute', new RegExp(`^${emulator.apiEndpoint}/v1/customers\\?`)],
      ] as const) {
        emulator.configure({ nextLinkForm: form });
        try {
          const pages = await Promise.all(
            [0, 1, 2].map(async (n) => {
              const first = await get(`/v1/customers?size=${10 + n}`, appToken);
              return first.json.links.next.uri as string;
            }),
          );
          for (const uri of pages) expect(uri).toMatch(pattern);
        } finally {
          emulator.configure({ nextLinkForm: 'mixed' });
        }
      }
    });
  });

  describe('one rule for size', () => {
    const cases: [string, string | undefined, number][] = [
      ['missing', undefined, 500],
      ['0', '0', 500],
      ['1', '1', 1],
      ['500', '500', 500],
      ['above the maximum', '501', 500],
      ['far above the maximum', '100000', 500],
    ];

    it.each(cases)('customers: size %s (%s) gives pages of %i', async (_, size, expected) => {
      const path = size === undefined ? '/v1/customers' : `/v1/customers?size=${size}`;
      const page = await get(path, appToken);
      expect(page.status).toBe(200);
      expect(page.json.items).toHaveLength(expected);
      expect(page.json.totalCount).toBe(expected);
      expect(page.json.links.next.uri).toContain(`size=${expected}&`);
    });

    it.each([
      ['missing', undefined, 100],
      ['0, as the .NET SDK sends it', '0', 100],
      ['7', '7', 7],
      ['above the maximum', '501', 500],
    ])('users: size %s (%s) gives pages of %i', async (_, size, expected) => {
      const base = `/v1/customers/${many}/users`;
      const page = await get(size === undefined ? base : `${base}?size=${size}`);
      expect(page.status).toBe(200);
      expect(page.json.items).toHaveLength(expected);
      expect(page.json.links.next.uri).toContain(`size=${expected}&`);
    });

    it.each(['-1', 'abc', '1.5', '', '5x'])(
      'refuses size=%s with 400 code 3000 naming size and the range, on customers and users',
      async (size) => {
        for (const path of ['/v1/customers', `/v1/customers/${many}/users`]) {
          const refused = await get(`${path}?size=${size}`);
          expect(refused.status).toBe(400);
          expect(refused.json).toMatchObject({ code: 3000, source: 'PartnerFD' });
          expect(refused.json.description).toMatch(/size .*0 to 500/);
        }
      },
    );

    it('applies on a continuation too: without size the listing keeps its own, with one it changes', async () => {
      const first = await get('/v1/customers?size=20', appToken);
      const continuation = first.json.continuationToken;
      const headers = { 'MS-ContinuationToken': continuation };
      const kept = await get('/v1/customers?seekOperation=Next', appToken, headers);
      expect(kept.json.items).toHaveLength(20);
      const changed = await get('/v1/customers?size=7&seekOperation=Next', appToken, headers);
      expect(changed.json.items).toHaveLength(7);
      expect(changed.json.items[0]).toEqual(kept.json.items[0]);
      const clamped = await get('/v1/customers?size=9999&seekOperation=Next', appToken, headers);
      expect(clamped.json.items).toHaveLength(500);
    });

    it('is no parameter of the collections answered whole', async () => {
      const whole = await get(`/v1/customers/${many}/subscriptions`, appToken);
      const sized = await get(`/v1/customers/${many}/subscriptions?size=1`, appToken);
      expect(sized.json).toEqual(whole.json);
    });
  });

  describe('subscription properties', () => {
    /** Every property the Subscription resource documents that applies to every subscription. */
    const EVERY = {
      id: expect.stringMatching(GUID),
      entitlementId: expect.stringMatching(GUID),
      offerId: expect.any(String),
      offerName: expect.any(String),
      friendlyName: expect.any(String),
      quantity: expect.any(Number),
      unitType: expect.stringMatching(/^(Licenses|Usage-based)$/),
      hasPurchasableAddons: expect.any(Boolean),
      creationDate: expect.stringMatching(ISO_DATE),
      effectiveStartDate: expect.stringMatching(ISO_DATE),
      commitmentEndDate: expect.stringMatching(ISO_DATE),
      commitmentEndDateTime: expect.stringMatching(ISO_DATE),
      status: expect.any(String),
      autoRenewEnabled: expect.any(Boolean),
      isTrial: expect.any(Boolean),
      isMicrosoftProduct: expect.any(Boolean),
      publisherName: expect.any(String),
      partnerId: expect.any(String),
      billingType: expect.stringMatching(/^(license|usage)$/),
      billingCycle: expect.stringMatching(/^(monthly|annual|triennial)$/),
      contractType: 'subscription',
      orderId: expect.any(String),
      links: expect.objectContaining({ self: expect.any(Object) }),
      attributes: { etag: expect.any(String), objectType: 'Subscription' },
    };

    function* subscriptions(count: number) {
      for (let index = 0; index < count; index++) {
        const id = emulator.dataset.idOf(index);
        if (!emulator.dataset.hasCommerceRelationship(id)) continue;
        for (const subscription of emulator.dataset.subscriptionsOf(id)) yield { id, subscription };
      }
    }

    it('puts each documented property on every subscription, served as derived', async () => {
      let seen = 0;
      for (const { subscription } of subscriptions(60)) {
        expect(subscription).toEqual(expect.objectContaining(EVERY));
        seen++;
      }
      expect(seen).toBeGreaterThan(100);
      const [sample] = emulator.dataset.subscriptionsOf(many);
      const served = await get(`/v1/customers/${many}/subscriptions/${sample.id}`, appToken);
      expect(served.json).toEqual(sample);
    });

    it('gives terms to licence-based ones, and new commerce its cancellation window and refundable seats', () => {
      const anchor = Date.parse('2026-11-15T00:00:00Z');
      let refundable = 0;
      let closed = 0;
      // Each subscription's facts beside what the documentation promises, compared once (an
      // expect() per fact per subscription cost more than deriving them).
      const got: unknown[] = [];
      const wanted: unknown[] = [];
      for (const { subscription } of subscriptions(400)) {
        const s = subscription as any;
        const term =
          s.unitType === 'Licenses'
            ? { termDuration: s.termDuration }
            : { termDuration: 'not licence-based' };
        const termPromised =
          s.unitType === 'Licenses'
            ? { termDuration: expect.stringMatching(/^P(1M|1Y|3Y)$/) }
            : term;
        if (!s.productType) {
          got.push({
            id: s.id,
            ...term,
            hasCancellationWindow: 'cancellationAllowedUntilDate' in s,
            hasRefundableQuantity: 'refundableQuantity' in s,
          });
          wanted.push({
            id: s.id,
            ...termPromised,
            hasCancellationWindow: false,
            hasRefundableQuantity: false,
          });
          continue;
        }
        const windowEnd = Date.parse(s.cancellationAllowedUntilDate);
        const termStart = windowEnd - 7 * 86_400_000;
        const { totalQuantity, details } = s.refundableQuantity;
        const facts = {
          id: s.id,
          ...term,
          cancellationAllowedUntilDate: s.cancellationAllowedUntilDate,
          termStartsFromEffectiveStart: termStart >= Date.parse(s.effectiveStartDate) - 86_400_000,
          termStartsByAnchor: termStart <= anchor,
          totalQuantity,
        };
        const promised = {
          id: s.id,
          ...termPromised,
          cancellationAllowedUntilDate: expect.stringMatching(ISO_DATE),
          termStartsFromEffectiveStart: true,
          termStartsByAnchor: true,
          totalQuantity: details.reduce((sum: number, d: any) => sum + d.quantity, 0),
        };
        if (windowEnd > anchor) {
          refundable++;
          got.push({
            ...facts,
            refundableOfQuantity: totalQuantity > 0 && totalQuantity <= s.quantity,
            allowedUntil: details.map((detail: any) => Date.parse(detail.allowedUntilDateTime)),
            refundOptions: s.refundOptions,
          });
          wanted.push({
            ...promised,
            refundableOfQuantity: true,
            allowedUntil: details.map(() => windowEnd),
            refundOptions: [{ type: 'Full', expiresAt: s.cancellationAllowedUntilDate }],
          });
        } else {
          closed++;
          got.push({
            ...facts,
            refundableQuantity: s.refundableQuantity,
            refundOptions: s.refundOptions,
          });
          wanted.push({
            ...promised,
            refundableQuantity: { totalQuantity: 0, details: [] },
            refundOptions: [],
          });
        }
      }
      expect(got).toEqual(wanted);
      expect(refundable).toBeGreaterThan(5);
      expect(closed).toBeGreaterThan(refundable);
    });
  });

  describe("a user's directory roles", () => {
    const rolesPath = (customer: string, user: string) =>
      `/v1/customers/${customer}/users/${user}/directoryroles`;

    it('answers one collection of DirectoryRole, the same each time; some users hold roles', async () => {
      const users = emulator.dataset.userIdsOf(many).slice(0, 60);
      let holders = 0;
      const names = new Map<string, string>();
      for (const user of users) {
        const answer = await get(rolesPath(many, user));
        expect(answer.status).toBe(200);
        expect(answer.json).toEqual({
          totalCount: answer.json.items.length,
          items: expect.any(Array),
          attributes: { objectType: 'Collection' },
        });
        expect(answer.json.items).toEqual(emulator.dataset.directoryRolesOf(many, user));
        for (const role of answer.json.items) {
          expect(role).toEqual({
            name: expect.any(String),
            id: expect.stringMatching(GUID),
            attributes: { objectType: 'DirectoryRole' },
          });
          if (names.has(role.id)) expect(names.get(role.id)).toBe(role.name);
          names.set(role.id, role.name);
        }
        if (answer.json.items.length > 0) holders++;
      }
      expect(holders).toBeGreaterThan(0);
      expect(holders).toBeLessThan(users.length / 2);
      const again = await get(rolesPath(many, users[0]));
      expect(again.json).toEqual((await get(rolesPath(many, users[0]))).json);
    });

    it('names the documented example roles as the documentation does', () => {
      const named = new Map<unknown, unknown>();
      for (const user of emulator.dataset.userIdsOf(many))
        for (const role of emulator.dataset.directoryRolesOf(many, user))
          named.set(role.id, role.name);
      // The example's two roles, named as the example names them (a customer of 1,000+ users has both).
      expect(named.get('729827e3-9c14-49f7-bb1b-9608f156bbb8')).toBe('Helpdesk Administrator');
      expect(named.get('fe930be7-5e62-47db-91af-98c3a49a38b1')).toBe('User Account Administrator');
      expect(named.size).toBeGreaterThan(2);
    });

    it('refuses as the other user routes do: app-only 2032, unknown user 60002, no relationship 20002', async () => {
      const [user] = emulator.dataset.userIdsOf(many);
      const appOnly = await get(rolesPath(many, user), appToken);
      expect(appOnly.status).toBe(403);
      expect(appOnly.json).toMatchObject({ code: 2032 });
      const unknown = await get(rolesPath(many, '00000000-0000-0000-0000-000000000000'));
      expect(unknown.status).toBe(404);
      expect(unknown.json).toMatchObject({ code: 60002 });
      const noCommerce = emulator.dataset.idOf(
        emulator.dataset.customersWithoutCommerceRelationship()[0],
      );
      const refused = await get(rolesPath(noCommerce, user));
      expect(refused.status).toBe(403);
      expect(refused.json).toMatchObject({ code: 20002 });
      expect((await get(rolesPath('not-a-guid', user))).status).toBe(400);
    });
  });
});

async function bodiesOf(emulator: StartedEmulator, customerIndex: number): Promise<string[]> {
  const token = emulator.issueAccessToken({ delegated: true });
  const id = emulator.dataset.idOf(customerIndex);
  const users = emulator.dataset.userIdsOf(id);
  const paths = [
    `/v1/customers/${id}/subscriptions`,
    `/v1/customers/${id}/users?size=3`,
    `/v1/customers/${id}/subscribedskus`,
    ...(users[0] ? [`/v1/customers/${id}/users/${users[0]}/licenses`] : []),
  ];
  const responses = await Promise.all(paths.map((path) => request(emulator, path, { token })));
  // Continuation tokens are signed with a key of each emulator's own: the rest must match.
  return responses.map((response) =>
    response.text.replaceAll(response.json?.continuationToken ?? '\u0000', '<token>'),
  );
}

describe('per-customer data', () => {
  let first: StartedEmulator;
  let again: StartedEmulator;
  let other: StartedEmulator;
  beforeAll(async () => {
    [first, again, other] = await Promise.all([
      startEmulator({ customers: 5000, seed: 4 }),
      startEmulator({ customers: 5000, seed: 4 }),
      startEmulator({ customers: 5000, seed: 5 }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([first.close(), again.close(), other.close()]);
  });

  it('is the same, byte for byte, for the same seed, and differs for another', async () => {
    for (const index of [0, 3, 17, 4999]) {
      expect(await bodiesOf(again, index)).toEqual(await bodiesOf(first, index));
    }
    const id = first.dataset.idOf(3);
    expect(again.dataset.usersOf(id)).toEqual(first.dataset.usersOf(id));
    expect(other.dataset.subscriptionsOf(other.dataset.idOf(3))).not.toEqual(
      first.dataset.subscriptionsOf(id),
    );
  });

  it('has, in every block of 50 customers, one readable customer with more than 1,000 users', () => {
    const { dataset } = first;
    const many = dataset.customersWithManyUsers();
    expect(many).toHaveLength(5000 / 50);
    many.forEach((index, block) => {
      expect(Math.floor(index / 50)).toBe(block);
      const id = dataset.idOf(index);
      expect(dataset.userCounts(id).active).toBeGreaterThan(1000);
      expect(dataset.hasCommerceRelationship(id)).toBe(true);
    });
    const others = Array.from({ length: 500 }, (_, n) => n).filter((n) => !many.includes(n));
    for (const index of others)
      expect(dataset.userCounts(dataset.idOf(index)).active).toBeLessThanOrEqual(300);
  });

  it('has customers with none of each resource and customers that answer 403 20002', () => {
    const { dataset } = first;
    const ids = Array.from({ length: 500 }, (_, n) => dataset.idOf(n));
    const count = (test: (id: string) => boolean) => ids.filter(test).length;
    expect(count((id) => dataset.subscriptionsOf(id).length === 0)).toBeGreaterThan(0);
    expect(count((id) => dataset.userCounts(id).active === 0)).toBeGreaterThan(0);
    expect(count((id) => dataset.subscribedSkusOf(id).length === 0)).toBeGreaterThan(0);
    expect(count((id) => dataset.userCounts(id).deleted === 0)).toBeGreaterThan(0);
    const refused = dataset.customersWithoutCommerceRelationship(500);
    expect(refused.length).toBeGreaterThan(0);
    for (const index of refused)
      expect((first.customerAt(index) as any).relationshipToPartner).toBe('none');
  });

  it('derives ids that are unique within a customer and lead back to it', () => {
    const { dataset } = first;
    const id = dataset.idOf(dataset.customersWithManyUsers()[1]);
    const users = [...dataset.userIdsOf(id), ...dataset.userIdsOf(id, { deleted: true })];
    expect(new Set(users).size).toBe(users.length);
    const subscriptions = dataset.subscriptionsOf(id).map((s) => s.id);
    expect(new Set(subscriptions).size).toBe(subscriptions.length);
    expect(() => dataset.subscriptionsOf('6f2c0e3a-1b7d-4c59-9a3e-0d4b8c7e5f21')).toThrow(
      RangeError,
    );
  });
});

describe('a million customers', () => {
  // How fast they start and answer is measured by bench/emulator-scale.mjs, not asserted here.
  it('start, and answer their last customer from the same derivation (nothing precomputed)', async () => {
    const large = await startEmulator({ customers: 1_000_000, seed: 2 });
    try {
      expect(large.customerCount).toBe(1_000_000);
      const token = large.issueAccessToken({ delegated: true });
      const { dataset } = large;
      const lastBlock = dataset.customersWithManyUsers().at(-1)!;
      expect(lastBlock).toBeGreaterThanOrEqual(999_950);
      const id = dataset.idOf(lastBlock);
      const page = await request(large, `/v1/customers/${id}/users?size=500`, { token });
      const subscriptions = await request(large, `/v1/customers/${id}/subscriptions`, { token });
      expect(page.json.items.map((user: any) => user.id)).toEqual(
        dataset.userIdsOf(id).slice(0, 500),
      );
      expect(subscriptions.json.items).toEqual(dataset.subscriptionsOf(id));
      expect(large.customerAt(999_999).id).toBe(dataset.idOf(999_999));
    } finally {
      await large.close();
    }
  });
});
