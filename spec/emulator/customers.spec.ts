/**
 * The emulator's customers: the data set's derivation, and customer search and single customer
 * over real HTTPS. Each part keeps its own emulator and hooks, in its own describe.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { StartedEmulator } from '../../lib/emulator/index.js';
import { CustomerDataset, relationshipValues } from '../../lib/emulator/partner-center/dataset.js';
import { startEmulator } from '../support/emulator.js';
import { filterQuery, listAll, request } from './support.js';

describe('the data set', () => {
  describe('the emulated data set', () => {
    const dataset = new CustomerDataset(1, 2500);
    const customers = Array.from({ length: dataset.count }, (_, n) => dataset.listItem(n) as any);

    it('is the same for the same seed and different for another', () => {
      const again = new CustomerDataset(1, 2500);
      const other = new CustomerDataset(2, 2500);
      expect(Array.from({ length: 50 }, (_, n) => again.listJson(n))).toEqual(
        customers.slice(0, 50).map((c) => JSON.stringify(c)),
      );
      expect(other.listItem(0).id).not.toBe(customers[0].id);
      expect(other.partnerTenantId).not.toBe(dataset.partnerTenantId);
    });

    it('has unique ids and unique domains, with id = company tenant id', () => {
      expect(new Set(customers.map((c) => c.id)).size).toBe(2500);
      expect(new Set(customers.map((c) => c.companyProfile.domain)).size).toBe(2500);
      // One comparison for every customer (an expect() per field per customer cost more).
      const id = expect.stringMatching(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
      const domain = expect.stringMatching(/^[a-z]+\d+\.onmicrosoft\.com$/);
      expect(
        customers.map((c) => ({
          id: c.id,
          tenantId: c.companyProfile.tenantId,
          domain: c.companyProfile.domain,
        })),
      ).toEqual(customers.map((c) => ({ id, tenantId: c.id, domain })));
    });

    it('names companies in Latin with accents, Korean and Japanese', () => {
      const names = customers.map((c) => c.companyProfile.companyName as string);
      expect(names.some((name) => /[À-ÿĀ-ž]/.test(name))).toBe(true);
      expect(names.some((name) => /[\uac00-\ud7af]/.test(name))).toBe(true);
      expect(names.some((name) => /[\u3040-\u30ff\u4e00-\u9fff]/.test(name))).toBe(true);
    });

    it('shows every relationshipToPartner value, and some customers of indirect resellers', () => {
      const relationships = new Set(customers.map((c) => c.relationshipToPartner));
      expect([...relationships].sort()).toEqual([...relationshipValues].sort());
      expect(new Set(customers.slice(0, 6).map((c) => c.relationshipToPartner)).size).toBe(6);
      const indirect = customers.filter((c) => c.associatedPartnerId);
      expect(indirect.length).toBeGreaterThan(50);
      expect(indirect.length).toBeLessThan(1500);
      expect(
        indirect.map((c) => ({
          knownReseller: dataset.indirectResellers.includes(c.associatedPartnerId),
          relationshipToPartner: c.relationshipToPartner,
        })),
      ).toEqual(indirect.map(() => ({ knownReseller: true, relationshipToPartner: 'reseller' })));
    });

    it(
      'writes each customer exactly as its summary says (the byte writer and ' +
        'the searches agree)',
      () => {
        expect(
          customers.map((c) => [
            c.id,
            c.companyProfile.domain,
            c.companyProfile.companyName,
            c.relationshipToPartner,
            c.associatedPartnerId,
          ]),
        ).toEqual(
          customers.map((_, n) => {
            const summary = dataset.summary(n);
            return [
              summary.id,
              summary.domain,
              summary.companyName,
              summary.relationshipToPartner,
              summary.associatedPartnerId,
            ];
          }),
        );
      },
    );

    it('has the documented list shape', () => {
      const c = customers[0];
      expect(Object.keys(c).filter((key) => key !== 'associatedPartnerId')).toEqual([
        'id',
        'companyProfile',
        'relationshipToPartner',
        'links',
        'attributes',
      ]);
      expect(c.links).toEqual({ self: { uri: `/customers/${c.id}`, method: 'GET', headers: [] } });
      expect(c.attributes).toEqual({ objectType: 'Customer' });
      expect(c.companyProfile.links.self.uri).toBe(`/customers/${c.id}/profiles/company`);
      expect(c.companyProfile.attributes).toEqual({ objectType: 'CustomerCompanyProfile' });
    });

    it('finds a customer by id (any case) and nothing for ids it does not hold', () => {
      expect(dataset.indexOfId(customers[1234].id)).toBe(1234);
      expect(dataset.indexOfId(customers[1234].id.toUpperCase())).toBe(1234);
      expect(dataset.indexOfId('00000000-0000-0000-0000-000000000000')).toBe(-1);
      expect(dataset.indexOfId(new CustomerDataset(1, 3000).idOf(2999))).toBe(-1);
      expect(dataset.indexOfId('nope')).toBe(-1);
    });

    it('derives any of a million customers on demand, without holding them', () => {
      const large = new CustomerDataset(1, 1_000_000);
      const last = large.listItem(999_999) as any;
      expect(large.indexOfId(last.id)).toBe(999_999);
      expect(large.listItem(0)).toEqual(customers[0]);
    });
  });
});

describe('the customer routes', () => {
  describe('customer search and single customer', () => {
    let emulator: StartedEmulator;
    let appToken: string;
    let userToken: string;
    let all: any[];

    beforeAll(async () => {
      emulator = await startEmulator({ customers: 2345, seed: 3 });
      appToken = emulator.issueAccessToken();
      userToken = emulator.issueAccessToken({ delegated: true });
      all = emulator.customers as any[];
    });
    afterAll(() => emulator.close());

    const search = (field: string, value: string) =>
      `/v1/customers?size=7&filter=${filterQuery({ Field: field, Value: value, Operator: 'starts_with' })}`;

    it.each([
      [
        'CompanyName',
        'fAbRi',
        (c: any) => c.companyProfile.companyName.toLowerCase().startsWith('fabri'),
      ],
      ['CompanyName', '株式会社', (c: any) => c.companyProfile.companyName.startsWith('株式会社')],
      [
        'CompanyName',
        'ÅSTRÖM',
        (c: any) => c.companyProfile.companyName.toLowerCase().startsWith('åström'),
      ],
      ['Domain', 'CONTOSO1', (c: any) => c.companyProfile.domain.startsWith('contoso1')],
    ])(
      '%s starts_with %p ignores case and pages like the list',
      async (field, value, predicate) => {
        const expected = all.filter(predicate).map((c) => c.id);
        expect(expected.length).toBeGreaterThan(7);
        const listing = await listAll(emulator, appToken, search(field, value));
        expect(listing.ids).toEqual(expected);
        expect(listing.pages.at(-1).links.next).toBeUndefined();
        expect(listing.pages[0].links.next.uri).toContain('seekOperation=Next');
        for (const page of listing.pages) expect(page.totalCount).toBe(page.items.length);
      },
    );

    it('answers a search that matches nothing with one empty page', async () => {
      const response = await request(emulator, search('CompanyName', 'zzzz-nothing'), {
        token: appToken,
      });
      expect(response.status).toBe(200);
      expect(response.json).toMatchObject({
        totalCount: 0,
        items: [],
        attributes: { objectType: 'Collection' },
      });
      expect(response.json.links.next).toBeUndefined();
    });

    it.each([
      ['another operator', { Field: 'CompanyName', Value: 'a', Operator: 'equals' }],
      ['another field', { Field: 'Country', Value: 'a', Operator: 'starts_with' }],
      ['an empty value', { Field: 'Domain', Value: '', Operator: 'starts_with' }],
      ['a missing operator', { Field: 'Domain', Value: 'a' }],
      [
        'a reseller id that is not a GUID',
        { Field: 'IndirectReseller', Value: 'abc', Operator: 'starts_with' },
      ],
      ['malformed JSON', '{"Field":"Domain",'],
      ['an array', '[]'],
    ])('refuses %s with 400 and a Partner Center error body', async (_, filter) => {
      const response = await request(
        emulator,
        `/v1/customers?filter=${filterQuery(filter as any)}`,
        {
          token: appToken,
        },
      );
      expect(response.status).toBe(400);
      expect(response.json).toEqual({
        code: 3000,
        description: expect.stringContaining('filter'),
        data: [],
        source: 'PartnerFD',
      });
    });

    it('lists an indirect reseller’s customers for an App+User token', async () => {
      const reseller = emulator.indirectResellers[1];
      const expected = all.filter((c) => c.associatedPartnerId === reseller).map((c) => c.id);
      expect(expected.length).toBeGreaterThan(0);
      const listing = await listAll(
        emulator,
        userToken,
        search('IndirectReseller', reseller.toUpperCase()),
      );
      expect(listing.ids).toEqual(expected);
    });

    it('refuses the IndirectReseller filter to an app-only token with 403', async () => {
      const response = await request(
        emulator,
        search('IndirectReseller', emulator.indirectResellers[0]),
        { token: appToken },
      );
      expect(response.status).toBe(403);
      expect(response.json).toMatchObject({ code: 2032, data: [], source: 'PartnerFD' });
    });

    it('returns one customer with the fuller shape', async () => {
      const listed = all[42];
      const response = await request(emulator, `/v1/customers/${listed.id}`, { token: appToken });
      expect(response.status).toBe(200);
      const customer = response.json;
      expect(customer).toMatchObject({
        id: listed.id,
        commerceId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        relationshipToPartner: listed.relationshipToPartner,
        allowDelegatedAccess: expect.any(Boolean),
        customDomains: expect.any(Array),
        links: listed.links,
        attributes: { objectType: 'Customer' },
        companyProfile: {
          tenantId: listed.id,
          domain: listed.companyProfile.domain,
          companyName: listed.companyProfile.companyName,
          email: expect.stringContaining('@'),
          address: expect.objectContaining({
            country: expect.any(String),
            city: expect.any(String),
          }),
        },
        billingProfile: {
          id: expect.any(String),
          firstName: expect.any(String),
          lastName: expect.any(String),
          email: expect.stringContaining('@'),
          culture: expect.stringMatching(/^[a-z]{2}-[A-Z]{2}$/),
          language: expect.stringMatching(/^[a-z]{2}$/),
          companyName: listed.companyProfile.companyName,
          defaultAddress: expect.objectContaining({
            addressLine1: expect.any(String),
            postalCode: expect.any(String),
          }),
        },
      });
    });

    it('answers 404 for a customer it does not have, and 400 (900118) for a malformed id', async () => {
      const missing = await request(
        emulator,
        '/v1/customers/3f2504e0-4f89-41d3-9a0c-0305e82c3301',
        {
          token: appToken,
        },
      );
      expect(missing.status).toBe(404);
      expect(missing.json).toMatchObject({ code: 60003, data: [], source: 'PartnerFD' });
      const malformed = await request(emulator, '/v1/customers/not-a-guid', { token: appToken });
      expect(malformed.status).toBe(400);
      expect(malformed.json).toEqual({
        code: 900118,
        description: 'Invalid Customer Id',
        data: [],
        source: 'PartnerFD',
      });
    });
  });
});
