/**
 * GDAP: a customer's GDAP status from its relationships' facts, the three GDAP cmdlets in-process
 * against the emulator, and OData paging on the listing layer. Each part keeps its own emulator
 * and hooks, in its own describe.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCmdletServices } from '../../lib/cmdlet-support/services.js';
import { ServiceError } from '../../lib/common/errors.js';
import type { GdapCustomerKind } from '../../lib/emulator/types.js';
import { loadCmdlet } from '../../lib/host/load-cmdlet.js';
import { ApiRoot } from '../../lib/partner-center/api-url.js';
import { ExactUrl, requestTargetOf } from '../../lib/partner-center/exact-url.js';
import {
  type GdapRelationship,
  gdapStatusOf,
  GLOBAL_ADMINISTRATOR_ROLE_ID,
  relationshipFactsOf,
} from '../../lib/partner-center/gdap-status.js';
import { nextLinkRequest } from '../../lib/partner-center/graph-api.js';
import { runInProcess } from '../fixtures/host/run-in-process.js';
import { emulatedPartner, type EmulatedPartner } from '../support/emulated-partner.js';
import { ManualClock } from '../support/manual-clock.js';
import { parseNdjson as parseLines, parseNdjson } from '../support/ndjson.js';
import { listRelationships } from './fixtures/relationship-listing.js';

/** gdapStatusOf: a customer's GDAP standing from its relationships' facts, at a given instant. */
describe('the GDAP status rule', () => {
  const NOW = Date.parse('2026-06-01T00:00:00Z');
  const DAY = 86_400_000;
  const customer = { customerId: 'c1', companyName: 'Contoso' };
  const at = (days: number) => new Date(NOW + days * DAY).toISOString();

  function relationship(id: string, fields: Partial<GdapRelationship> = {}): GdapRelationship {
    return {
      id,
      status: 'active',
      endDateTime: at(100),
      autoExtendDuration: 'PT0S',
      accessDetails: {
        unifiedRoles: [{ roleDefinitionId: '88d8e3e3-8f55-4a1e-953a-9b9898b8876b' }],
      },
      ...fields,
    };
  }

  const statusOf = (relationships: GdapRelationship[], expiringWithinDays = 30) =>
    gdapStatusOf(customer, relationships.map(relationshipFactsOf), {
      now: NOW,
      expiringWithinDays,
    });

  describe('relationshipFactsOf', () => {
    it('keeps the few fields the status needs', () => {
      const facts = relationshipFactsOf(
        relationship('r1', {
          autoExtendDuration: 'P180D',
          accessDetails: {
            unifiedRoles: [{ roleDefinitionId: GLOBAL_ADMINISTRATOR_ROLE_ID.toUpperCase() }],
          },
          customer: { tenantId: 'c1', displayName: 'Contoso' },
        }),
      );
      expect(facts).toEqual({
        id: 'r1',
        status: 'active',
        endDateTime: at(100),
        autoExtends: true,
        grantsGlobalAdministrator: true,
      });
    });

    it('reads PT0S, P0D, null and an absent duration as no auto-extension', () => {
      for (const autoExtendDuration of ['PT0S', 'P0D', null, undefined])
        expect(relationshipFactsOf(relationship('r', { autoExtendDuration })).autoExtends).toBe(
          false,
        );
      expect(
        relationshipFactsOf(relationship('r', { accessDetails: null })).grantsGlobalAdministrator,
      ).toBe(false);
    });
  });

  describe('gdapStatusOf', () => {
    it('is none without relationships', () => {
      expect(statusOf([])).toEqual({
        ...customer,
        status: 'none',
        activeRelationships: 0,
        expiresOn: null,
        autoExtends: false,
        hasGlobalAdministrator: false,
        relationshipIds: [],
      });
    });

    it('is active when the latest active end is beyond the window, expiresSoon within it', () => {
      expect(statusOf([relationship('r1', { endDateTime: at(31) })]).status).toBe('active');
      expect(statusOf([relationship('r1', { endDateTime: at(30) })]).status).toBe('expiresSoon');
      expect(statusOf([relationship('r1', { endDateTime: at(5) })]).status).toBe('expiresSoon');
      // The window is the caller's: 0 days leaves only ends already past; 60 takes in day 31.
      expect(statusOf([relationship('r1', { endDateTime: at(5) })], 0).status).toBe('active');
      expect(statusOf([relationship('r1', { endDateTime: at(31) })], 60).status).toBe(
        'expiresSoon',
      );
    });

    it('takes the latest end of the active relationships, whatever the others', () => {
      const status = statusOf([
        relationship('soon', { endDateTime: at(3) }),
        relationship('ended', { status: 'expired', endDateTime: at(-10) }),
        relationship('later', { endDateTime: at(200) }),
        relationship('waiting', { status: 'approvalPending', endDateTime: null }),
      ]);
      expect(status.status).toBe('active');
      expect(status.activeRelationships).toBe(2);
      expect(status.expiresOn).toBe(at(200));
      expect(status.relationshipIds).toEqual(['later', 'soon', 'ended', 'waiting']);
    });

    it('is active, not expiresSoon, when an active relationship auto-extends', () => {
      const status = statusOf([
        relationship('r1', { endDateTime: at(2), autoExtendDuration: 'P180D' }),
      ]);
      expect(status).toMatchObject({ status: 'active', autoExtends: true, expiresOn: at(2) });
    });

    it('says whether an active relationship grants Global Administrator (an ended one does not count)', () => {
      const global = { unifiedRoles: [{ roleDefinitionId: GLOBAL_ADMINISTRATOR_ROLE_ID }] };
      expect(statusOf([relationship('r1', { accessDetails: global })]).hasGlobalAdministrator).toBe(
        true,
      );
      expect(
        statusOf([
          relationship('r1'),
          relationship('r2', { status: 'expired', accessDetails: global }),
        ]).hasGlobalAdministrator,
      ).toBe(false);
    });

    it('without an active one: pending, then expired (Graph’s expiring too), then terminated', () => {
      const ended = relationship('e', { status: 'expired', endDateTime: at(-3) });
      const gone = relationship('t', { status: 'terminated', endDateTime: at(-3) });
      for (const pending of ['created', 'approvalPending', 'approved', 'activating'])
        expect(
          statusOf([ended, gone, relationship('p', { status: pending, endDateTime: null })]).status,
        ).toBe('pending');
      expect(statusOf([gone, ended]).status).toBe('expired');
      expect(
        statusOf([relationship('x', { status: 'expiring', endDateTime: at(-0.1) })]).status,
      ).toBe('expired');
      for (const terminated of ['terminated', 'terminating', 'terminationRequested'])
        expect(statusOf([relationship('t', { status: terminated })]).status).toBe('terminated');
    });

    it('treats a status Graph may add later as no access at all', () => {
      const status = statusOf([relationship('u', { status: 'unknownFutureValue' })]);
      expect(status.status).toBe('none');
      expect(status.relationshipIds).toEqual(['u']);
    });
  });
});

/**
 * The three GDAP cmdlets in-process against the emulator over real HTTPS, with an app-only
 * (service principal) and an App+User (refresh token) context: Get-PartnerGdapRelationship (all,
 * -Status, by id, piped customers with one Graph listing for the run), Get-PartnerGdapAccessAssignment
 * (bound from piped relationships, never from a piped customer) and Get-PartnerCustomerGdapStatus
 * (every customer kind of the emulator's data against `emulator.dataset`, one listing for any
 * number of customers, -ExpiringWithinDays, Csv and Table). Tokens refused across audiences and the
 * Graph token's renewal mid-listing are spec/emulator/tokens.spec.ts and
 * spec/graph/graph-tokens.spec.ts.
 */
describe('the GDAP cmdlets', () => {
  const RELATIONSHIPS_ROUTE = 'GET /v1.0/tenantRelationships/delegatedAdminRelationships';
  const ASSIGNMENTS_ROUTE =
    'GET /v1.0/tenantRelationships/delegatedAdminRelationships/{id}/accessAssignments';
  const CUSTOMERS_ROUTE = 'GET /v1/customers';
  const DAY_MS = 86_400_000;
  const GLOBAL_ADMINISTRATOR = '62e90394-69f5-4237-9190-012177145e10';
  const CUSTOMERS = 420;

  type Json = Record<string, any>;
  const parseNdjson = (text: string) => parseLines(text) as Json[];

  let partner: EmulatedPartner;
  let now: number;
  let relationships: Json[];
  let customers: Json[];
  beforeAll(async () => {
    partner = await emulatedPartner({ customers: CUSTOMERS, seed: 14 });
    await partner.connectUser('user');
    now = Date.parse(partner.emulator.dataset.gdapNow);
    relationships = [...partner.emulator.dataset.relationships()];
    const listed = await partner.runInProcess('Get-PartnerCustomer');
    expect(listed.code).toBe(0);
    customers = parseNdjson(listed.stdout);
  });
  afterAll(() => partner.dispose());
  beforeEach(() => partner.emulator.resetCounters());

  /** A cmdlet run in-process; "now" is the emulator's, on a manual clock. */
  async function run(
    cmdlet: string,
    args: string[] = [],
    options: { stdin?: string; context?: string; columns?: number } = {},
  ) {
    const clock = new ManualClock(now);
    const env = {
      ...partner.env,
      ...(options.context ? { PARTNERCENTER_CONTEXT: options.context } : {}),
    };
    return runInProcess(await loadCmdlet(cmdlet), args, {
      env,
      stdin: options.stdin,
      columns: options.columns,
      services: (description) => createCmdletServices({ ...description, clock }),
    });
  }

  const served = (route: string) => partner.emulator.counters().requests[route] ?? 0;
  const ndjson = (objects: readonly unknown[]) =>
    objects.map((o) => `${JSON.stringify(o)}\n`).join('');
  const withCustomerId = (relationship: Json) => ({
    customerId: relationship.customer.tenantId,
    ...relationship,
  });
  const ofKind = (kind: GdapCustomerKind) =>
    partner.emulator.dataset.customersOfGdapKind(kind).map((index) => customers[index]!);
  const pages = (count: number) => Math.ceil(count / 300);

  describe('the data this spec relies on', () => {
    it('has more than 300 relationships and every customer kind', () => {
      expect(relationships.length).toBeGreaterThan(300);
      expect(customers).toHaveLength(CUSTOMERS);
      for (const kind of [
        'none',
        'active',
        'activeGlobalAdministrator',
        'expiresSoon',
        'several',
        'expired',
        'terminated',
        'pending',
        'reseller',
      ] as const)
        expect(ofKind(kind).length).toBeGreaterThan(0);
    });
  });

  describe('Get-PartnerGdapRelationship', () => {
    it("lists every relationship once, Graph's object with customerId first, in 300-item pages", async () => {
      const result = await run('Get-PartnerGdapRelationship');
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const written = parseNdjson(result.stdout);
      expect(written).toEqual(relationships.map(withCustomerId));
      expect(written.every((item) => Object.keys(item)[0] === 'customerId')).toBe(true);
      expect(served(RELATIONSHIPS_ROUTE)).toBe(pages(relationships.length));
    });

    it('-Status filters on the server with status eq ... or ...', async () => {
      const result = await run('Get-PartnerGdapRelationship', ['-Status', 'active,expired']);
      expect(result.code).toBe(0);
      const expected = relationships.filter((r) => ['active', 'expired'].includes(r.status));
      expect(parseNdjson(result.stdout).map((r) => r.id)).toEqual(expected.map((r) => r.id));
      const [first] = partner.emulator
        .recentRequests(50)
        .filter((r) => r.route === RELATIONSHIPS_ROUTE);
      expect(first!.url).toBe(
        '/v1.0/tenantRelationships/delegatedAdminRelationships?$top=300&$filter=' +
          'status%20eq%20%27active%27%20or%20status%20eq%20%27expired%27',
      );
    });

    it('refuses a status Graph does not have, and a page size above 300, before any request', async () => {
      const status = await run('Get-PartnerGdapRelationship', ['-Status', 'expiresSoon']);
      expect(status.code).toBe(2);
      expect(status.stderr).toMatch(
        /^Get-PartnerGdapRelationship: Cannot bind parameter 'Status': "expiresSoon" is not one of activating, active, /,
      );
      const size = await run('Get-PartnerGdapRelationship', ['-PageSize', '301']);
      expect(size.code).toBe(2);
      expect(size.stderr).toMatch(/'PageSize': 301 is outside the allowed range 1..300\./);
      expect(served(RELATIONSHIPS_ROUTE)).toBe(0);
    });

    it('-First stops early: one page of $top=5', async () => {
      const result = await run('Get-PartnerGdapRelationship', ['-First', '5']);
      expect(parseNdjson(result.stdout).map((r) => r.id)).toEqual(
        relationships.slice(0, 5).map((r) => r.id),
      );
      expect(served(RELATIONSHIPS_ROUTE)).toBe(1);
    });

    it('-RelationshipId reads one relationship; an unknown one is exit 4', async () => {
      const wanted = ofKind('reseller')[0]!;
      const relationship: Json = partner.emulator.dataset.relationshipsOf(wanted.id)[0]!;
      const result = await run('Get-PartnerGdapRelationship', ['-RelationshipId', relationship.id]);
      expect(result.stderr).toBe('');
      // Graph's single-entity answer adds its @odata.context; nothing else differs from the list's.
      const [one] = parseNdjson(result.stdout);
      expect(one).toEqual({
        ...withCustomerId(relationship),
        '@odata.context': expect.stringMatching(/\/v1\.0\/tenantRelationships\/\$metadata#/),
      });
      expect(Object.keys(one!)[0]).toBe('customerId');
      expect(one!['@odata.type']).toBe('#microsoft.graph.resellerDelegatedAdminRelationship');
      const missing = await run('Get-PartnerGdapRelationship', ['-RelationshipId', 'no-such-id']);
      expect(missing.code).toBe(4);
      expect(missing.stderr).toMatch(
        /^Get-PartnerGdapRelationship: GDAP relationship no-such-id was not found\. Check the id/,
      );
    });

    it("writes each piped customer's relationships from ONE Graph listing for the whole run", async () => {
      const piped = customers.slice(0, 60);
      const result = await run('Get-PartnerGdapRelationship', [], { stdin: ndjson(piped) });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const expected = piped.flatMap((customer) =>
        partner.emulator.dataset.relationshipsOf(customer.id).map(withCustomerId),
      );
      expect(expected.length).toBeGreaterThan(0);
      expect(parseNdjson(result.stdout)).toEqual(expected);
      expect(served(RELATIONSHIPS_ROUTE)).toBe(pages(relationships.length));
    });

    it('-CustomerId on the command line, and -Status with piped customers (one filtered listing)', async () => {
      const none = ofKind('none')[0]!;
      const nothing = await run('Get-PartnerGdapRelationship', ['-CustomerId', none.id]);
      expect(nothing.code).toBe(0);
      expect(nothing.stdout).toBe('');
      partner.emulator.resetCounters();
      const piped = ofKind('several').slice(0, 10);
      const active = await run('Get-PartnerGdapRelationship', ['-Status', 'active'], {
        stdin: ndjson(piped),
      });
      expect(active.code).toBe(0);
      const expected = piped.flatMap((customer) =>
        partner.emulator.dataset.relationshipsOf(customer.id).filter((r) => r.status === 'active'),
      );
      expect(parseNdjson(active.stdout).map((r) => r.id)).toEqual(expected.map((r) => r.id));
      const activeCount = relationships.filter((r) => r.status === 'active').length;
      expect(served(RELATIONSHIPS_ROUTE)).toBe(pages(activeCount));
    });

    it('shows the view as a table: status, end, auto-extension, id under a line per customer', async () => {
      const result = await run(
        'Get-PartnerGdapRelationship',
        ['-First', '3', '-OutputFormat', 'Table'],
        { columns: 200 },
      );
      const lines = result.stdout.trimEnd().split('\n');
      const first = relationships[0]!;
      expect(lines[0]).toBe(
        `CustomerId: ${first.customer.tenantId}  Customer: ${first.customer.displayName}`,
      );
      expect(lines[1]).toBe('');
      expect(lines[2]!.split(/\s+/)).toEqual(['Status', 'EndDateTime', 'AutoExtend', 'Id']);
      expect(lines[3]).toMatch(/^-+( +-+)+$/);
      expect(lines[4]).toContain(first.status);
      expect(lines[4]).toContain(first.id);
      const rows = lines.filter((line) => relationships.some((r) => line.includes(r.id)));
      expect(rows).toHaveLength(3);
      const groups = lines.filter((line) => line.startsWith('CustomerId: '));
      expect(groups).toEqual([
        ...new Set(
          relationships
            .slice(0, 3)
            .map((r) => `CustomerId: ${r.customer.tenantId}  Customer: ${r.customer.displayName}`),
        ),
      ]);
    });

    it('lists the same for an App+User context (delegated Graph token)', async () => {
      const result = await run('Get-PartnerGdapRelationship', ['-First', '310'], {
        context: 'user',
      });
      expect(result.stderr).toBe('');
      expect(parseNdjson(result.stdout).map((r) => r.id)).toEqual(
        relationships.slice(0, 310).map((r) => r.id),
      );
    });
  });

  describe('Get-PartnerGdapAccessAssignment', () => {
    it("lists each piped relationship's assignments with relationshipId and customerId first", async () => {
      const piped = relationships.filter((r) => r.status === 'active').slice(0, 12);
      const result = await run('Get-PartnerGdapAccessAssignment', [], {
        stdin: ndjson(piped.map(withCustomerId)),
      });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const written = parseNdjson(result.stdout);
      const expected = piped.flatMap((relationship) =>
        partner.emulator.dataset.accessAssignmentsOf(relationship.id).map((assignment) => ({
          relationshipId: relationship.id,
          customerId: relationship.customer.tenantId,
          ...assignment,
        })),
      );
      // The fan-out writes each relationship's output whole, in the order they finish.
      const byId = (a: Json, b: Json) =>
        `${a.relationshipId}${a.id}`.localeCompare(`${b.relationshipId}${b.id}`);
      expect([...written].sort(byId)).toEqual([...expected].sort(byId));
      expect(
        written.every(
          (item) => Object.keys(item).slice(0, 2).join() === 'relationshipId,customerId',
        ),
      ).toBe(true);
      expect(served(ASSIGNMENTS_ROUTE)).toBe(piped.length);
    });

    it('binds a relationship as Graph wrote it (customer from customer.tenantId), app-only and App+User', async () => {
      const relationship = relationships.find((r) => r.status === 'active')!;
      for (const context of [undefined, 'user']) {
        const result = await run('Get-PartnerGdapAccessAssignment', [], {
          stdin: ndjson([relationship]),
          context,
        });
        expect(result.stderr).toBe('');
        expect(
          parseNdjson(result.stdout).map((a) => [a.relationshipId, a.customerId, a.id]),
        ).toEqual(
          partner.emulator.dataset
            .accessAssignmentsOf(relationship.id)
            .map((a) => [relationship.id, relationship.customer.tenantId, a.id]),
        );
      }
    });

    it('-RelationshipId on the command line writes relationshipId only', async () => {
      const relationship = relationships.find((r) => r.status === 'expired')!;
      const result = await run('Get-PartnerGdapAccessAssignment', [
        '-RelationshipId',
        relationship.id,
      ]);
      expect(result.code).toBe(0);
      expect(parseNdjson(result.stdout)).toEqual(
        partner.emulator.dataset
          .accessAssignmentsOf(relationship.id)
          .map((a) => ({ relationshipId: relationship.id, ...a })),
      );
    });

    it("never binds a piped customer's id as a relationship id", async () => {
      const result = await run('Get-PartnerGdapAccessAssignment', ['-ErrorAction', 'Stop'], {
        stdin: ndjson([customers[0]]),
      });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        /^Get-PartnerGdapAccessAssignment: Input line 1: the object cannot be bound to any parameter: it has none of the properties RelationshipId, Id\./,
      );
      // By default the object fails alone: the same line, a summary, exit 1.
      const goOn = await run('Get-PartnerGdapAccessAssignment', [], {
        stdin: ndjson([customers[0]]),
      });
      expect(goOn.code).toBe(1);
      expect(goOn.stderr).toMatch(
        /^Get-PartnerGdapAccessAssignment: Input line 1: the object cannot be bound to any parameter: it has none of the properties RelationshipId, Id\./,
      );
      expect(served(ASSIGNMENTS_ROUTE)).toBe(0);
    });

    it('reports an unknown relationship as not found (exit 4)', async () => {
      const result = await run('Get-PartnerGdapAccessAssignment', ['-RelationshipId', 'nope']);
      expect(result.code).toBe(4);
      expect(result.stderr).toMatch(
        /^Get-PartnerGdapAccessAssignment: Microsoft Graph found nothing at/,
      );
    });
  });

  /** What the status should be, from the rules of the help, read off the dataset's relationships. */
  function expectedStatus(customer: Json, days = 30): Json {
    const all: Json[] = partner.emulator.dataset.relationshipsOf(customer.id);
    const active = all.filter((r) => r.status === 'active');
    const end = (r: Json) => (r.endDateTime ? Date.parse(r.endDateTime) : Number.NEGATIVE_INFINITY);
    const latest = Math.max(...active.map(end));
    const autoExtends = active.some((r) => r.autoExtendDuration === 'P180D');
    const has = (statuses: string[]) => all.some((r) => statuses.includes(r.status));
    let status = 'none';
    if (active.length > 0)
      status = !autoExtends && latest - now <= days * DAY_MS ? 'expiresSoon' : 'active';
    else if (has(['created', 'approvalPending', 'approved', 'activating'])) status = 'pending';
    else if (has(['expired', 'expiring'])) status = 'expired';
    else if (has(['terminated', 'terminating', 'terminationRequested'])) status = 'terminated';
    return {
      customerId: customer.id,
      companyName: customer.companyProfile.companyName,
      status,
      activeRelationships: active.length,
      expiresOn: active.length > 0 ? active.find((r) => end(r) === latest)!.endDateTime : null,
      autoExtends,
      hasGlobalAdministrator: active.some((r) =>
        r.accessDetails.unifiedRoles.some(
          (role: Json) => role.roleDefinitionId === GLOBAL_ADMINISTRATOR,
        ),
      ),
      relationshipIds: [...all].sort((a, b) => end(b) - end(a)).map((r) => r.id),
    };
  }

  describe('Get-PartnerCustomerGdapStatus', () => {
    it('reports every customer of the listing from one customer listing and one relationship listing', async () => {
      const result = await run('Get-PartnerCustomerGdapStatus');
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(parseNdjson(result.stdout)).toEqual(
        customers.map((customer) => expectedStatus(customer)),
      );
      expect(served(RELATIONSHIPS_ROUTE)).toBe(pages(relationships.length));
      expect(served(CUSTOMERS_ROUTE)).toBe(1);
    });

    it.each([
      ['none', ['none']],
      ['active', ['active']],
      ['activeGlobalAdministrator', ['active']],
      ['expiresSoon', ['expiresSoon']],
      ['several', ['active', 'expiresSoon']],
      ['expired', ['expired']],
      ['terminated', ['terminated']],
      ['pending', ['pending']],
      ['reseller', ['active', 'pending']],
    ] as const)('a %s customer is %j', async (kind, statuses) => {
      const piped = ofKind(kind).slice(0, 8);
      const result = await run('Get-PartnerCustomerGdapStatus', [], { stdin: ndjson(piped) });
      expect(result.stderr).toBe('');
      const written = parseNdjson(result.stdout);
      expect(written).toEqual(piped.map((customer) => expectedStatus(customer)));
      for (const status of written) expect(statuses).toContain(status.status);
      if (kind === 'active')
        expect(written.every((s) => s.autoExtends && !s.hasGlobalAdministrator)).toBe(true);
      if (kind === 'activeGlobalAdministrator')
        expect(written.every((s) => s.hasGlobalAdministrator && !s.autoExtends)).toBe(true);
      if (kind === 'expiresSoon')
        for (const s of written)
          expect(Date.parse(s.expiresOn) - now).toBeLessThanOrEqual(30 * DAY_MS);
      if (kind === 'none') expect(written.every((s) => s.relationshipIds.length === 0)).toBe(true);
      if (kind === 'several')
        expect(written.every((s) => s.relationshipIds.length >= 2)).toBe(true);
    });

    it('makes exactly one relationship listing for N piped customers', async () => {
      const piped = customers.slice(100, 400);
      const result = await run('Get-PartnerCustomerGdapStatus', [], { stdin: ndjson(piped) });
      expect(result.code).toBe(0);
      expect(parseNdjson(result.stdout)).toHaveLength(piped.length);
      expect(served(RELATIONSHIPS_ROUTE)).toBe(pages(relationships.length));
      expect(served(CUSTOMERS_ROUTE)).toBe(0);
    });

    it('-ExpiringWithinDays moves the boundary between active and expiresSoon', async () => {
      const piped = [
        ...ofKind('expiresSoon'),
        ...ofKind('activeGlobalAdministrator'),
        ...ofKind('active'),
      ];
      const statusesWithin = async (days: number) => {
        const result = await run(
          'Get-PartnerCustomerGdapStatus',
          ['-ExpiringWithinDays', String(days)],
          {
            stdin: ndjson(piped),
          },
        );
        expect(result.code).toBe(0);
        const written = parseNdjson(result.stdout);
        expect(written).toEqual(piped.map((customer) => expectedStatus(customer, days)));
        return written;
      };
      const none = await statusesWithin(0);
      expect(none.filter((s) => s.status === 'expiresSoon')).toHaveLength(0);
      const year = await statusesWithin(730);
      // Without auto-extension every active customer ends within two years; with it, none expires.
      for (const s of year) expect(s.status).toBe(s.autoExtends ? 'active' : 'expiresSoon');
      expect(year.filter((s) => s.status === 'expiresSoon').length).toBeGreaterThan(
        (await statusesWithin(30)).filter((s) => s.status === 'expiresSoon').length,
      );
    });

    it('-First reports the first customers of the listing only', async () => {
      const result = await run('Get-PartnerCustomerGdapStatus', ['-First', '7']);
      expect(parseNdjson(result.stdout).map((s) => s.customerId)).toEqual(
        customers.slice(0, 7).map((c) => c.id),
      );
    });

    it("writes the account manager's CSV and a table with the view's columns", async () => {
      const csv = await run('Get-PartnerCustomerGdapStatus', [
        '-First',
        '20',
        '-OutputFormat',
        'Csv',
      ]);
      expect(csv.code).toBe(0);
      const lines = csv.stdout.split('\r\n').filter(Boolean);
      expect(lines[0]).toBe(
        'CustomerId,CompanyName,Status,ActiveRelationships,ExpiresOn,AutoExtends,' +
          'HasGlobalAdministrator,RelationshipIds',
      );
      expect(lines).toHaveLength(21);
      const first = expectedStatus(customers[0]!);
      expect(lines[1]!.startsWith(`${first.customerId},`)).toBe(true);
      expect(lines[1]).toContain(`,${first.status},${first.activeRelationships},`);
      const table = await run(
        'Get-PartnerCustomerGdapStatus',
        ['-First', '15', '-OutputFormat', 'Table'],
        {
          columns: 300,
        },
      );
      const [header, , ...rows] = table.stdout.trimEnd().split('\n');
      expect(header!.split(/\s+/)).toEqual([
        'CustomerId',
        'CompanyName',
        'Status',
        'Active',
        'ExpiresOn',
        'AutoExtends',
        'GlobalAdmin',
        'RelationshipIds',
      ]);
      expect(rows).toHaveLength(15);
    });

    it('reports the same for an App+User context', async () => {
      const piped = customers.slice(0, 30);
      const result = await run('Get-PartnerCustomerGdapStatus', [], {
        stdin: ndjson(piped),
        context: 'user',
      });
      expect(result.stderr).toBe('');
      expect(parseNdjson(result.stdout)).toEqual(piped.map((customer) => expectedStatus(customer)));
    });

    it('ends the run once when the one listing fails, whatever -ErrorAction says', async () => {
      partner.emulator.setFaults({
        rules: [{ at: 1, times: 20, action: { type: 'status', status: 503 } }],
      });
      try {
        const result = await run(
          'Get-PartnerCustomerGdapStatus',
          ['-MaxRetry', '0', '-ErrorAction', 'Continue'],
          {
            stdin: ndjson(customers.slice(0, 5)),
          },
        );
        expect(result.code).toBe(5);
        expect(result.stdout).toBe('');
        expect(result.stderr.trim().split('\n')).toHaveLength(1);
        expect(result.stderr).toMatch(
          /^Get-PartnerCustomerGdapStatus: GET \/v1\.0\/tenantRelationships\S* to Microsoft Graph failed/,
        );
        expect(served(RELATIONSHIPS_ROUTE)).toBe(1);
      } finally {
        partner.emulator.setFaults({});
      }
    });
  });
});

/**
 * OData paging on the listing layer, against the emulator's Graph over real HTTPS: a listing of
 * GDAP relationships through listResumably (the fixture cmdlet in ./fixtures), past 300 items,
 * with -First stopping early, $filter/$select, resume files and resume advice, a refused skip
 * token, client-request-id kept across retries and Graph's errors as one line. (A national cloud's
 * context lists its own Graph: spec/graph/graph-tokens.spec.ts.)
 */
describe('OData listings', () => {
  const LIST_ROUTE = 'GET /v1.0/tenantRelationships/delegatedAdminRelationships';

  let partner: EmulatedPartner;
  let expected: string[];
  let scratch: string;
  beforeAll(async () => {
    partner = await emulatedPartner({ customers: 600, seed: 11 });
    expected = [...partner.emulator.dataset.relationships()].map((r) => r.id as string);
    scratch = mkdtempSync(join(tmpdir(), 'odata-listing-'));
  });
  afterAll(async () => {
    rmSync(scratch, { recursive: true, force: true });
    await partner.dispose();
  });
  beforeEach(() => {
    partner.emulator.setFaults({});
    partner.emulator.resetCounters();
  });

  const list = (args: string[] = [], env: NodeJS.ProcessEnv = {}) =>
    runInProcess(listRelationships, args, { env: { ...partner.env, ...env } });

  /** The Graph listing requests the emulator saw since the counters were reset. */
  function graphRequests() {
    return partner.emulator.recentRequests(1000).filter((request) => request.route === LIST_ROUTE);
  }

  describe('an OData listing', () => {
    it('has more than 300 relationships to page through (the data set this spec relies on)', () => {
      expect(expected.length).toBeGreaterThan(600);
      expect(new Set(expected).size).toBe(expected.length);
    });

    it('lists every relationship once, in order, $top=300 pages, each next link sent exactly as given', async () => {
      const result = await list();
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(parseNdjson(result.stdout).map((r) => r.id)).toEqual(expected);
      const requests = graphRequests();
      expect(requests).toHaveLength(Math.ceil(expected.length / 300));
      expect(requests[0]!.url).toBe(
        '/v1.0/tenantRelationships/delegatedAdminRelationships?$top=300',
      );
      // Every later request is the previous page's @odata.nextLink, byte for byte.
      for (const request of requests.slice(1)) expect(request.url).toMatch(/[?&]\$skipToken=/);
      expect(requests.every((r) => r.headers.accept === 'application/json')).toBe(true);
      expect(requests.every((r) => r.headers['ms-correlationid'] === undefined)).toBe(true);
    });

    it('-First stops early: no page is requested after the limit is reached', async () => {
      const first5 = await list(['-First', '5']);
      expect(parseNdjson(first5.stdout).map((r) => r.id)).toEqual(expected.slice(0, 5));
      expect(graphRequests().map((r) => r.url)).toEqual([
        '/v1.0/tenantRelationships/delegatedAdminRelationships?$top=5',
      ]);
      partner.emulator.resetCounters();
      const first350 = await list(['-First', '350']);
      expect(first350.code).toBe(0);
      expect(parseNdjson(first350.stdout).map((r) => r.id)).toEqual(expected.slice(0, 350));
      expect(graphRequests()).toHaveLength(2);
    });

    it('sends $filter and $select, and the next links keep them', async () => {
      const result = await list([
        '-Filter',
        "status eq 'active'",
        '-Select',
        'id,status',
        '-PageSize',
        '50',
      ]);
      expect(result.stderr).toBe('');
      const items = parseNdjson(result.stdout);
      const active = [...partner.emulator.dataset.relationships()].filter(
        (r) => r.status === 'active',
      );
      expect(items.map((r) => r.id)).toEqual(active.map((r) => r.id));
      expect(items.every((r) => r.status === 'active')).toBe(true);
      expect(
        new Set(items.flatMap((r) => Object.keys(r).filter((key) => !key.startsWith('@')))),
      ).toEqual(new Set(['id', 'status']));
      const [first, ...later] = graphRequests();
      expect(first!.url).toBe(
        '/v1.0/tenantRelationships/delegatedAdminRelationships' +
          '?$top=50&$filter=status%20eq%20%27active%27&$select=id,status',
      );
      expect(later.length).toBeGreaterThan(0);
      // The emulator writes the filter's quotes unencoded in its next links; the URL parser would
      // have sent them as %27. They arrive as written: the link was sent exactly as given.
      for (const request of later) {
        expect(request.url).toContain("$filter=status%20eq%20'active'");
        expect(request.url).toMatch(/[?&]\$skipToken=/);
      }
    });

    it('keeps one client-request-id per call across its retries, a new one per call', async () => {
      partner.emulator.setFaults({
        rules: [{ after: 1, times: 2, action: { type: 'status', status: 503 } }],
      });
      const clock = new ManualClock();
      const result = await runInProcess(listRelationships, ['-First', '600'], {
        env: partner.env,
        services: (run) => createCmdletServices({ ...run, clock }),
      });
      expect(result.stderr).toBe('');
      expect(parseNdjson(result.stdout)).toHaveLength(600);
      const requests = graphRequests();
      expect(requests.map((r) => r.status)).toEqual([200, 503, 503, 200]);
      const ids = requests.map((r) => r.headers['client-request-id']);
      expect(ids.every((id) => /^[0-9a-f-]{36}$/.test(id!))).toBe(true);
      expect(ids[1]).toBe(ids[2]);
      expect(ids[2]).toBe(ids[3]);
      expect(ids[0]).not.toBe(ids[1]);
      // The two waits before the repeats, on the run's clock.
      expect(clock.sleeps).toHaveLength(2);
    });

    it("turns Graph's error body into one line with its code, message and request-id", async () => {
      const result = await list(['-Filter', "nosuchproperty eq 'x'"]);
      expect(result.code).toBe(5);
      const lines = result.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        /^Get-FixtureGdapRelationship: Microsoft Graph rejected GET \/v1\.0\/tenantRelationships\/delegatedAdminRelationships\?\S+ as invalid \(HTTP 400[^,]*, code \w+: .+\)\./,
      );
      expect(lines[0]).toMatch(
        /request-id [0-9a-f-]{36} \(date [^)]+\) and client-request-id [0-9a-f-]{36}\.$/,
      );
      const served = graphRequests()[0]!;
      expect(served.status).toBe(400);
      expect(lines[0]).toContain(`client-request-id ${served.headers['client-request-id']}.`);
      expect(lines[0]).not.toMatch(/Partner Center/);
    });

    it('stops with resume advice, and -ResumeFile continues with the next relationship', async () => {
      const file = join(scratch, 'relationships.resume');
      partner.emulator.setFaults({
        rules: [{ at: 3, times: 10, action: { type: 'status', status: 503 } }],
      });
      const stopped = await list(['-ResumeFile', file, '-MaxRetry', '0']);
      expect(stopped.code).toBe(5);
      expect(stopped.stderr).toMatch(
        /^Get-FixtureGdapRelationship: GET \/v1\.0\/\S+ to Microsoft Graph failed after 1 attempt; /,
      );
      expect(stopped.stderr).toMatch(/600 relationships were written; .* keeps the position/);
      const saved = JSON.parse(readFileSync(file, 'utf8'));
      expect(saved.kind).toBe('PartnerCenter.GdapRelationshipListing.Resume');
      expect(saved.position.continuationToken).toMatch(
        /^https:\/\/127\.0\.0\.1:\d+\/v1\.0\/.*\$skipToken=/,
      );
      partner.emulator.setFaults({});
      const resumed = await list(['-ResumeFile', file]);
      expect(resumed.stderr).toBe('');
      expect(resumed.code).toBe(0);
      expect(
        [...parseNdjson(stopped.stdout), ...parseNdjson(resumed.stdout)].map((r) => r.id),
      ).toEqual(expected);
    });

    it('prints the next link as -ContinuationToken without a resume file, and resumes from it', async () => {
      partner.emulator.setFaults({
        rules: [{ at: 2, times: 10, action: { type: 'status', status: 503 } }],
      });
      const stopped = await list(['-MaxRetry', '0']);
      expect(stopped.code).toBe(5);
      const advice = /-ContinuationToken '([^']+)'/.exec(stopped.stderr);
      expect(advice).not.toBeNull();
      partner.emulator.setFaults({});
      const resumed = await list(['-ContinuationToken', advice![1]!]);
      expect(resumed.stderr).toBe('');
      expect(
        [...parseNdjson(stopped.stdout), ...parseNdjson(resumed.stdout)].map((r) => r.id),
      ).toEqual(expected);
    });

    it('refuses a -ContinuationToken that is not a next link of this Graph', async () => {
      for (const token of ['abc', 'https://graph.example.org/v1.0/x?$skipToken=1']) {
        const result = await list(['-ContinuationToken', token]);
        expect(result.code).toBe(2);
        expect(result.stderr).toMatch(
          /^Get-FixtureGdapRelationship: -ContinuationToken .*next ?link/i,
        );
      }
      expect(graphRequests()).toHaveLength(0);
    });

    it('lists again from the start and skips what was written when the saved skip token is refused', async () => {
      const file = join(scratch, 'refused.resume');
      partner.emulator.setFaults({
        rules: [{ at: 2, times: 10, action: { type: 'status', status: 503 } }],
      });
      const stopped = await list(['-ResumeFile', file, '-MaxRetry', '0']);
      expect(stopped.code).toBe(5);
      partner.emulator.setFaults({
        rules: [{ at: 1, action: { type: 'invalidate-continuation-tokens' } }],
      });
      const resumed = await list(['-ResumeFile', file]);
      expect(resumed.code).toBe(0);
      expect(resumed.stderr).toMatch(
        /Microsoft Graph no longer accepts the next link kept in .*listing again from the start and skipping the 300 relationship/,
      );
      expect(
        [...parseNdjson(stopped.stdout), ...parseNdjson(resumed.stdout)].map((r) => r.id),
      ).toEqual(expected);
    });
  });

  describe('next links', () => {
    const root = new ApiRoot('https://127.0.0.1:8443', {
      versionSegment: '/v1.0',
      service: 'Microsoft Graph',
      endpointParameter: '-GraphEndpoint',
    });

    it('are sent as written, quotes and all, to their own origin', () => {
      const link = "https://127.0.0.1:8443/v1.0/x?$filter=status%20eq%20'active'&$skipToken=a%2Bb";
      const request = nextLinkRequest(root, link, 'service');
      expect(request.url).toBeInstanceOf(ExactUrl);
      expect(requestTargetOf(request.url)).toBe(
        "/v1.0/x?$filter=status%20eq%20'active'&$skipToken=a%2Bb",
      );
      expect(request.continuationToken).toBe('service');
    });

    it('to another host, or relative, are refused (the token never leaves the endpoint)', () => {
      for (const link of [
        'https://graph.example.org/v1.0/x?$skipToken=1',
        '/v1.0/x?$skipToken=1',
      ]) {
        const thrown = (() => {
          try {
            nextLinkRequest(root, link, 'service');
          } catch (error) {
            return error as Error;
          }
          return undefined;
        })();
        expect(thrown).toBeInstanceOf(ServiceError);
        expect(thrown!.message).toMatch(
          /^Microsoft Graph returned a next link that .*; it was not followed\.$/,
        );
      }
    });
  });
});
