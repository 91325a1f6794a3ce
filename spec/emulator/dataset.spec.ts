import { describe, expect, it } from '@jest/globals';
import { CustomerDataset, relationshipValues } from '../../lib/emulator/partner-center/dataset.js';

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
