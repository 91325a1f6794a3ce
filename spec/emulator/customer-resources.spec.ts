/**
 * A customer's subscriptions, users, subscribed SKUs and user licenses over real HTTPS: the
 * documented shapes, user paging over more than 1,000 users, the App+User rule, and the per-customer
 * failures (403 20002, 404) in Partner Center's error shape. One emulator for the whole file.
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

const CUSTOMERS = 200;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const inactive = filterQuery({ Field: 'UserState', Value: 'Inactive', Operator: 'equals' });

describe('per-customer resources', () => {
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
