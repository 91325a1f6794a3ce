/**
 * The module against the emulator as the documentation describes the services (next links in both
 * forms by default, the size rule, every subscription property, OData-Version and $count on Graph):
 * the cmdlets still list everything exactly once, send `size` as -PageSize says on the first
 * request only, and pass the documented properties through unchanged.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import getPartnerCustomer from '../../cmdlets/Get-PartnerCustomer.js';
import getSubscription from '../../cmdlets/Get-PartnerCustomerSubscription.js';
import getUser from '../../cmdlets/Get-PartnerCustomerUser.js';
import getRelationship from '../../cmdlets/Get-PartnerGdapRelationship.js';
import { runInProcess } from '../fixtures/host/run-in-process.js';
import { parseNdjson } from '../support/ndjson.js';
import { type EmulatedPartner, emulatedPartner, idsOf } from '../support/emulated-partner.js';

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
    const result = await run(getUser, ['-Context', 'user', '-CustomerId', many, '-PageSize', '50']);
    expect(result.code).toBe(0);
    expect(parseNdjson(result.stdout).map((user: Json) => user.id)).toEqual(data().userIdsOf(many));
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
