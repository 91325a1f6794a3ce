import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { StartedEmulator } from '../../lib/emulator/index.js';
import { startEmulator } from '../support/emulator.js';
import { filterQuery, listAll, request } from './support.js';

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
  ])('%s starts_with %p ignores case and pages like the list', async (field, value, predicate) => {
    const expected = all.filter(predicate).map((c) => c.id);
    expect(expected.length).toBeGreaterThan(7);
    const listing = await listAll(emulator, appToken, search(field, value));
    expect(listing.ids).toEqual(expected);
    expect(listing.pages.at(-1).links.next).toBeUndefined();
    expect(listing.pages[0].links.next.uri).toContain('seekOperation=Next');
    for (const page of listing.pages) expect(page.totalCount).toBe(page.items.length);
  });

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
    const response = await request(emulator, `/v1/customers?filter=${filterQuery(filter as any)}`, {
      token: appToken,
    });
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
        address: expect.objectContaining({ country: expect.any(String), city: expect.any(String) }),
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
    const missing = await request(emulator, '/v1/customers/3f2504e0-4f89-41d3-9a0c-0305e82c3301', {
      token: appToken,
    });
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
