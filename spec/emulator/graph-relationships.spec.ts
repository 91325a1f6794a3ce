/**
 * Microsoft Graph's GDAP collections on the emulator over real HTTPS (docs/graph-gdap.md):
 * server-driven paging past 300 relationships with `@odata.nextLink` followed as given, `$top`,
 * `$filter`, `$select`, one relationship by id, access assignments, and every kind of customer
 * the data set promises, checked against `emulator.dataset`.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  GDAP_CUSTOMER_KINDS,
  GLOBAL_ADMINISTRATOR_ROLE_ID,
  RELATIONSHIP_STATUSES,
  type StartedEmulator,
} from '../../lib/emulator/index.js';
import { startEmulator } from '../support/emulator.js';
import { appToken, GRAPH, graph, listGraph, RELATIONSHIPS } from './graph-support.js';

const NOW = '2026-12-01T00:00:00Z';
const DAY_MS = 86_400_000;
let emulator: StartedEmulator;
let token: string;

beforeAll(async () => {
  // 700 customers hold 778 relationships: three pages of 300, every status and every kind of
  // customer; the default 2,500 (2,834 relationships) proved nothing more at four times the cost.
  emulator = await startEmulator({ now: NOW, customers: 700 });
  token = await appToken(emulator, GRAPH);
});
afterAll(() => emulator?.close());

let derived: any[] | undefined;
/**
 * The whole listing as the data set derives it (typed loosely, as JSON read back would be), as
 * plain JSON: derived once, since every case compares against it.
 */
const everyRelationship = (): any[] => {
  derived ??= JSON.parse(JSON.stringify([...emulator.dataset.relationships()]));
  return derived as any[];
};
const relationshipsOf = (customerId: string): any[] => emulator.dataset.relationshipsOf(customerId);

const roleIds = (relationship: any): string[] =>
  relationship.accessDetails.unifiedRoles.map((role: any) => role.roleDefinitionId);

/** What a customer of `kind` shows (first) and what the kind promises (second), fact by fact. */
function promisesOf(
  kind: string,
  relationships: any[],
  statuses: string[],
  ends: number[],
  first: any,
  now: number,
): [Record<string, unknown>, Record<string, unknown>] {
  const hasGlobalAdministrator = first.accessDetails
    ? roleIds(first).includes(GLOBAL_ADMINISTRATOR_ROLE_ID)
    : 'no relationship';
  switch (kind) {
    case 'none':
      return [{ relationships }, { relationships: [] }];
    case 'active':
      return [
        {
          statuses,
          autoExtendDuration: first.autoExtendDuration,
          hasGlobalAdministrator,
          endsPast30Days: ends[0]! - now > 30 * DAY_MS,
        },
        {
          statuses: ['active'],
          autoExtendDuration: 'P180D',
          hasGlobalAdministrator: false,
          endsPast30Days: true,
        },
      ];
    case 'activeGlobalAdministrator':
      return [
        { statuses, hasGlobalAdministrator, autoExtendDuration: first.autoExtendDuration },
        { statuses: ['active'], hasGlobalAdministrator: true, autoExtendDuration: 'PT0S' },
      ];
    case 'expiresSoon':
      return [
        {
          statuses,
          endsWithin30Days: ends[0]! - now > 0 && ends[0]! - now < 30 * DAY_MS,
          autoExtendDuration: first.autoExtendDuration,
        },
        { statuses: ['active'], endsWithin30Days: true, autoExtendDuration: 'PT0S' },
      ];
    case 'several':
      return [
        { atLeastTwo: relationships.length >= 2, oneActive: statuses.includes('active') },
        { atLeastTwo: true, oneActive: true },
      ];
    case 'expired':
      return [
        { any: relationships.length > 0, statuses, allEnded: ends.every((end) => end < now) },
        {
          any: true,
          statuses: statuses.map(() => expect.stringMatching(/^(expired|expiring)$/)),
          allEnded: true,
        },
      ];
    case 'terminated':
      return [{ statuses: new Set(statuses) }, { statuses: new Set(['terminated']) }];
    case 'pending':
      return [
        {
          statuses,
          activatedDateTime: first.activatedDateTime,
          endDateTime: first.endDateTime,
        },
        {
          statuses: [expect.stringMatching(/^(created|approvalPending|approved|activating)$/)],
          activatedDateTime: null,
          endDateTime: null,
        },
      ];
    case 'reseller':
      return [
        {
          count: relationships.length,
          type: first['@odata.type'],
          indirectProviderTenantId: first.indirectProviderTenantId,
          isPartnerConsentPending: first.isPartnerConsentPending,
        },
        {
          count: 1,
          type: '#microsoft.graph.resellerDelegatedAdminRelationship',
          indirectProviderTenantId: expect.stringMatching(/^[0-9a-f-]{36}$/),
          isPartnerConsentPending: first.status === 'approvalPending',
        },
      ];
    default:
      return [{ kind }, { kind: 'a kind this spec knows' }];
  }
}

describe('the relationship listing', () => {
  it('pages past 300 relationships with @odata.nextLink, 300 a page, every one exactly once', async () => {
    const expected = everyRelationship();
    expect(expected.length).toBeGreaterThan(600);
    expect(expected.length).toBe(emulator.dataset.relationshipCount());
    const listing = await listGraph(emulator, token, RELATIONSHIPS);
    expect(listing.items).toEqual(expected);
    const sizes = listing.pages.map((page) => page.json.value.length);
    expect(sizes.slice(0, -1).every((size) => size === 300)).toBe(true);
    expect(listing.pages.length).toBe(Math.ceil(expected.length / 300));
    for (const page of listing.pages)
      expect(page.json['@odata.context']).toBe(
        `${emulator.graphEndpoint}/v1.0/tenantRelationships/$metadata#delegatedAdminRelationships`,
      );
    const last = listing.pages.at(-1)?.json;
    expect(last['@odata.nextLink']).toBeUndefined();
    for (const page of listing.pages.slice(0, -1)) {
      const next = new URL(page.json['@odata.nextLink']);
      expect(next.origin + next.pathname).toBe(`${emulator.graphEndpoint}${RELATIONSHIPS}`);
      expect(next.searchParams.get('$skipToken')).toMatch(/^[\w-]+\.[\w-]+$/);
    }
  });

  it('honours $top from 1 to 300, keeping it in every next link', async () => {
    const expected = everyRelationship().slice(0, 40);
    const first = await graph(emulator, `${RELATIONSHIPS}?$top=7`, { token });
    expect(first.json.value).toEqual(expected.slice(0, 7));
    expect(new URL(first.json['@odata.nextLink']).searchParams.get('$top')).toBe('7');
    const small = await listGraph(
      emulator,
      token,
      `${RELATIONSHIPS}?$filter=${encodeURIComponent(
        `customer/tenantId eq '${emulator.dataset.idOf(4)}'`,
      )}&$top=1`,
    );
    expect(small.items).toEqual(relationshipsOf(emulator.dataset.idOf(4)));
    expect(small.pages.length).toBe(Math.max(1, small.items.length));
  });

  it('refuses $top outside 1..300, in Graph error shape', async () => {
    for (const top of ['0', '301', 'ten', '-1']) {
      const refused = await graph(emulator, `${RELATIONSHIPS}?$top=${top}`, { token });
      expect(refused.status).toBe(400);
      expect(refused.json.error.code).toBe('BadRequest');
      expect(refused.json.error.message).toContain('from 1 to 300');
    }
  });

  it('refuses a damaged, foreign or invalidated $skipToken cleanly', async () => {
    const first = await graph(emulator, `${RELATIONSHIPS}?$top=5`, { token });
    const next = new URL(first.json['@odata.nextLink']);
    const skipToken = next.searchParams.get('$skipToken') ?? '';
    const damaged = `${skipToken.slice(0, -3)}${skipToken.endsWith('AAA') ? 'BBB' : 'AAA'}`;
    for (const bad of [damaged, 'garbage', `${skipToken}x`]) {
      const refused = await graph(
        emulator,
        `${RELATIONSHIPS}?$skipToken=${encodeURIComponent(bad)}`,
        {
          token,
        },
      );
      expect(refused.status).toBe(400);
      expect(refused.json.error.message).toMatch(/^The \$skipToken is not valid/);
    }
    const assignmentsPath = `${RELATIONSHIPS}/${first.json.value[0].id}/accessAssignments`;
    const foreign = await graph(
      emulator,
      `${assignmentsPath}?$skipToken=${encodeURIComponent(skipToken)}`,
      {
        token,
      },
    );
    expect(foreign.status).toBe(400);
    expect(foreign.json.error.message).toContain('another listing');
    const activeOnly = encodeURIComponent("status eq 'active'");
    const otherFilter = await graph(
      emulator,
      `${RELATIONSHIPS}?$filter=${activeOnly}&$skipToken=${encodeURIComponent(skipToken)}`,
      { token },
    );
    expect(otherFilter.status).toBe(400);
    emulator.invalidateContinuationTokens();
    const stale = await graph(emulator, next.pathname + next.search, { token });
    expect(stale.status).toBe(400);
    expect(stale.json.error.message).toContain('no longer valid');
  });
});

describe('$filter and $select', () => {
  const all = () => everyRelationship();

  it('filters on status with eq, in and or, ignoring case', async () => {
    const active = await listGraph(
      emulator,
      token,
      `${RELATIONSHIPS}?$filter=${encodeURIComponent("status eq 'active'")}`,
    );
    expect(active.items).toEqual(all().filter((r) => r.status === 'active'));
    const pending = all().filter(
      (r) => r.status === 'approvalPending' || r.status === 'activating',
    );
    const viaIn = await listGraph(
      emulator,
      token,
      `${RELATIONSHIPS}?$filter=${encodeURIComponent("status in ('approvalPending', 'ACTIVATING')")}`,
    );
    const viaOr = await listGraph(
      emulator,
      token,
      `${RELATIONSHIPS}?$filter=${encodeURIComponent("status eq 'approvalPending' or status eq 'activating'")}`,
    );
    expect(pending.length).toBeGreaterThan(0);
    expect(viaIn.items).toEqual(pending);
    expect(viaOr.items).toEqual(pending);
  });

  it("filters one customer's relationships by customer/tenantId, alone or with a status", async () => {
    const customerId = all().find((r) => r.status === 'active')?.customer.tenantId;
    const mine = await listGraph(
      emulator,
      token,
      `${RELATIONSHIPS}?$filter=${encodeURIComponent(`customer/tenantId eq '${customerId}'`)}`,
    );
    expect(mine.items).toEqual(relationshipsOf(customerId));
    const activeMine = await listGraph(
      emulator,
      token,
      `${RELATIONSHIPS}?$filter=${encodeURIComponent(`customer/tenantId eq '${customerId}' and status eq 'active'`)}`,
    );
    expect(activeMine.items).toEqual(
      relationshipsOf(customerId).filter((r) => r.status === 'active'),
    );
    const nobody = await listGraph(
      emulator,
      token,
      `${RELATIONSHIPS}?$filter=${encodeURIComponent("customer/tenantId eq '00000000-0000-0000-0000-000000000000'")}`,
    );
    expect(nobody.items).toEqual([]);
  });

  it('keeps $filter and $select in the next links it writes', async () => {
    const filter = "status eq 'expired' or status eq 'terminated'";
    const listing = await listGraph(
      emulator,
      token,
      `${RELATIONSHIPS}?$filter=${encodeURIComponent(filter)}&$select=id,status&$top=50`,
    );
    const expected = all()
      .filter((r) => r.status === 'expired' || r.status === 'terminated')
      .map((r) => ({
        '@odata.type': r['@odata.type'],
        '@odata.etag': r['@odata.etag'],
        id: r.id,
        status: r.status,
      }));
    expect(expected.length).toBeGreaterThan(50);
    expect(listing.items).toEqual(expected);
    expect(listing.pages[0].json['@odata.context']).toMatch(
      /#delegatedAdminRelationships\(id,status\)$/,
    );
  });

  it('refuses what it cannot filter, select or order by, naming what is allowed', async () => {
    const cases: [string, RegExp][] = [
      [
        `$filter=${encodeURIComponent("duration eq 'P730D'")}`,
        /'duration' cannot be filtered on; use status/,
      ],
      [`$filter=${encodeURIComponent("status gt 'a'")}`, /use eq, ne or in/],
      [`$filter=${encodeURIComponent("status eq 'active")}`, /unterminated string/],
      [`$filter=${encodeURIComponent("(status eq 'active'")}`, /missing '\)'/],
      ['$select=id,nonsense', /Could not find a property named 'nonsense'/],
      // $orderby=status is documented and served (graph-documented.spec.ts); other properties are not.
      ['$orderby=displayName', /unsupported property was specified; sort by status/],
      ['$expand=accessAssignments', /'\$expand' is not supported/],
    ];
    for (const [query, message] of cases) {
      const refused = await graph(emulator, `${RELATIONSHIPS}?${query}`, { token });
      expect({ query, status: refused.status, message: refused.json.error.message }).toEqual({
        query,
        status: 400,
        message: expect.stringMatching(message),
      });
    }
  });
});

describe('one relationship and its access assignments', () => {
  it('reads a relationship by id, with $select, and answers 404 for one that does not exist', async () => {
    const relationship = everyRelationship()[3];
    const one = await graph(emulator, `${RELATIONSHIPS}/${relationship.id}`, { token });
    expect(one.status).toBe(200);
    const { '@odata.context': context, ...entity } = one.json;
    expect(entity).toEqual(relationship);
    expect(context).toBe(
      `${emulator.graphEndpoint}/v1.0/tenantRelationships/$metadata#delegatedAdminRelationships/$entity`,
    );
    const selected = await graph(emulator, `${RELATIONSHIPS}/${relationship.id}?$select=status`, {
      token,
    });
    expect(Object.keys(selected.json).filter((key) => !key.startsWith('@'))).toEqual(['status']);
    const missing = `${relationship.id.slice(0, 35)}0${relationship.id.slice(36)}`;
    for (const id of [missing, 'not-a-relationship']) {
      const absent = await graph(emulator, `${RELATIONSHIPS}/${id}`, { token });
      expect(absent.status).toBe(404);
      expect(absent.json.error.code).toBe('Request_ResourceNotFound');
      expect(absent.json.error.message).toContain(id);
    }
  });

  it('lists access assignments: live for active relationships, deleted for ended, none for pending', async () => {
    const relationships = everyRelationship();
    const pick = (status: string) => relationships.find((r) => r.status === status);
    for (const status of ['active', 'expired', 'approvalPending']) {
      const relationship = pick(status);
      const listing = await listGraph(
        emulator,
        token,
        `${RELATIONSHIPS}/${relationship.id}/accessAssignments`,
      );
      const expected = emulator.dataset.accessAssignmentsOf(relationship.id);
      expect(listing.items).toEqual(expected);
      expect(listing.pages[0].json['@odata.context']).toBe(
        `${emulator.graphEndpoint}/v1.0/tenantRelationships/$metadata#accessAssignments`,
      );
      if (status === 'active') expect(expected.length).toBeGreaterThan(0);
      if (status === 'approvalPending') expect(expected).toEqual([]);
      for (const assignment of expected) {
        expect(assignment.accessContainer).toEqual({
          accessContainerId: expect.stringMatching(/^[0-9a-f-]{36}$/),
          accessContainerType: 'securityGroup',
        });
        expect(status === 'active' ? ['active', 'pending'] : ['deleted']).toContain(
          assignment.status,
        );
        // An assignment grants only roles its relationship holds.
        for (const role of roleIds(assignment)) expect(roleIds(relationship)).toContain(role);
      }
    }
    const relationship = pick('active');
    const [assignment] = emulator.dataset.accessAssignmentsOf(relationship.id);
    const one = await graph(
      emulator,
      `${RELATIONSHIPS}/${relationship.id}/accessAssignments/${assignment.id}`,
      {
        token,
      },
    );
    const { '@odata.context': _, ...entity } = one.json;
    expect(entity).toEqual(assignment);
    const paged = await listGraph(
      emulator,
      token,
      `${RELATIONSHIPS}/${relationship.id}/accessAssignments?$top=1`,
    );
    expect(paged.items).toEqual(emulator.dataset.accessAssignmentsOf(relationship.id));
    const absent = await graph(
      emulator,
      `${RELATIONSHIPS}/${relationship.id}/accessAssignments/nope`,
      { token },
    );
    expect(absent.status).toBe(404);
  });
});

describe('the customers of the data set', () => {
  it('has every kind of customer, each with the relationships its kind promises', () => {
    const { dataset } = emulator;
    const now = Date.parse(NOW);
    expect(dataset.gdapNow).toBe('2026-12-01T00:00:00Z');
    // Each customer's facts beside what its kind promises, compared once for every customer
    // (asymmetric matchers where a fact is a range): the same checks as an expect() per fact.
    const got: unknown[] = [];
    const wanted: unknown[] = [];
    for (const kind of GDAP_CUSTOMER_KINDS) {
      const customers = dataset.customersOfGdapKind(kind);
      expect({ kind, present: customers.length > 0 }).toEqual({ kind, present: true });
      for (const index of customers) {
        const customer = dataset.idOf(index);
        const relationships = relationshipsOf(customer);
        const statuses = relationships.map((r) => r.status);
        const ends = relationships.map((r) => Date.parse(r.endDateTime));
        const first = relationships[0] ?? {};
        const [facts, promised] = promisesOf(kind, relationships, statuses, ends, first, now);
        got.push({ customer, kind, ...facts });
        wanted.push({ customer, kind, ...promised });
      }
    }
    expect(got).toEqual(wanted);
  });

  it('shows each kind among the first customers, whatever the size of the data set', () => {
    const kinds = GDAP_CUSTOMER_KINDS.map((_, index) =>
      emulator.dataset.gdapKindOf(emulator.dataset.idOf(index)),
    );
    expect(new Set(kinds)).toEqual(new Set(GDAP_CUSTOMER_KINDS));
  });

  it('uses every relationship status, and keeps the rules Graph documents', () => {
    const relationships = everyRelationship();
    expect(new Set(relationships.map((r) => r.status))).toEqual(new Set(RELATIONSHIP_STATUSES));
    const ids = new Set<string>();
    const names = new Set<string>();
    // Each relationship's facts beside what the rules say, compared once (an expect() per fact
    // per relationship cost more than deriving them).
    const got: unknown[] = [];
    const wanted: unknown[] = [];
    for (const r of relationships) {
      ids.add(r.id);
      names.add(r.displayName);
      const days = Number(/^P(\d+)D$/.exec(r.duration)?.[1]);
      // A relationship with Global Administrator cannot auto-extend.
      const globalAdministrator = roleIds(r).includes(GLOBAL_ADMINISTRATOR_ROLE_ID);
      const activeTerm = Boolean(r.activatedDateTime) && ['active', 'expired'].includes(r.status);
      const span = Date.parse(r.endDateTime) - Date.parse(r.activatedDateTime);
      got.push({
        id: r.id,
        displayNameUpTo50: r.displayName.length <= 50,
        daysFrom1To730: days >= 1 && days <= 730,
        autoExtendDuration: r.autoExtendDuration,
        activeTermSpan: activeTerm ? span : 'n/a',
      });
      wanted.push({
        id: r.id,
        displayNameUpTo50: true,
        daysFrom1To730: true,
        autoExtendDuration: globalAdministrator ? 'PT0S' : expect.stringMatching(/^(PT0S|P180D)$/),
        activeTermSpan: activeTerm ? days * DAY_MS : 'n/a',
      });
    }
    expect(got).toEqual(wanted);
    expect(ids.size).toBe(relationships.length);
    expect(names.size).toBe(relationships.length);
  });

  it('derives the same data for the same seed and now, and dates it from now', async () => {
    const again = await startEmulator({ now: Date.parse(NOW), customers: 30 });
    const later = await startEmulator({ now: '2027-01-01T00:00:00Z', customers: 30 });
    try {
      const first30 = (e: StartedEmulator): any[] => [...e.dataset.relationships()];
      expect(first30(again)).toEqual(
        everyRelationship().filter((r) => emulator.dataset.indexOfId(r.customer.tenantId) < 30),
      );
      const shift = Date.parse('2027-01-01T00:00:00Z') - Date.parse(NOW);
      const [a, b] = [first30(again)[0], first30(later)[0]];
      expect(Date.parse(b.endDateTime) - Date.parse(a.endDateTime)).toBe(shift);
    } finally {
      await Promise.all([again.close(), later.close()]);
    }
  });

  it('refuses a now that is not a date', async () => {
    await expect(startEmulator({ now: 'yesterday' })).rejects.toThrow(
      /now must be milliseconds since the epoch/,
    );
  });
});
