/** gdapStatusOf: a customer's GDAP standing from its relationships' facts, at a given instant. */
import { describe, expect, it } from '@jest/globals';
import {
  GLOBAL_ADMINISTRATOR_ROLE_ID,
  type GdapRelationship,
  gdapStatusOf,
  relationshipFactsOf,
} from '../../lib/partner-center/gdap-status.js';

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
    accessDetails: { unifiedRoles: [{ roleDefinitionId: '88d8e3e3-8f55-4a1e-953a-9b9898b8876b' }] },
    ...fields,
  };
}

const statusOf = (relationships: GdapRelationship[], expiringWithinDays = 30) =>
  gdapStatusOf(customer, relationships.map(relationshipFactsOf), { now: NOW, expiringWithinDays });

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
    expect(statusOf([relationship('r1', { endDateTime: at(31) })], 60).status).toBe('expiresSoon');
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
