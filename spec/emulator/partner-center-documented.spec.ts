/**
 * What Partner Center documents and the emulator once did otherwise (docs/partner-center-api.md):
 * next links in both documented forms by default, one rule for `size`, every documented
 * subscription property (new commerce's cancellation window and refundable quantity among them),
 * and a user's directory roles.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { StartedEmulator } from '../../lib/emulator/index.js';
import { startEmulator } from '../support/emulator.js';
import { listAll, request } from './support.js';

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
        s.unitType === 'Licenses' ? { termDuration: expect.stringMatching(/^P(1M|1Y|3Y)$/) } : term;
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
