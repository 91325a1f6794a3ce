/**
 * Each customer's granular delegated admin (GDAP) relationships and their access assignments, as
 * Microsoft Graph serves them (docs/graph-gdap.md), derived on demand from (seed, customer index)
 * like every other per-customer resource. Dates are relative to the emulator's `now` (fixed when it
 * starts, or given), so "ends within 30 days" means the same thing to the routes and to a spec.
 *
 * Every customer has one kind, which decides its relationships: the first customers show each kind
 * once (seed-dependent order), the rest are drawn with fixed weights.
 */
import { DAY_MS, isoDate } from '../partner-center/customer-context.js';
import type { CustomerDataset } from '../partner-center/dataset.js';
import { GLOBAL_ADMINISTRATOR_ROLE_ID, LEAST_PRIVILEGE_ROLE_IDS } from './gdap-roles.js';
import { guidFromWords, hash32, Rng, seededGuid } from '../server/random.js';

/** What a customer's relationships look like, for specs that check each kind. */
export const GDAP_CUSTOMER_KINDS = [
  /** No relationship at all. */
  'none',
  /** One active relationship without Global Administrator that auto-extends (P180D). */
  'active',
  /** One active relationship holding Global Administrator: it cannot auto-extend (PT0S). */
  'activeGlobalAdministrator',
  /** One active relationship that does not auto-extend and ends within 30 days of `now`. */
  'expiresSoon',
  /** Two to four relationships, at least one active, the others in any status. */
  'several',
  /** Only relationships that ended (`expired`, sometimes one still `expiring`). */
  'expired',
  /** Only `terminated` relationships. */
  'terminated',
  /** One relationship not active yet: `created`, `approvalPending`, `approved` or `activating`. */
  'pending',
  /** One reseller relationship (an indirect provider's), active or awaiting the partner's consent. */
  'reseller',
] as const;
export type GdapCustomerKind = (typeof GDAP_CUSTOMER_KINDS)[number];
const KIND_WEIGHTS = [15, 27, 10, 8, 12, 8, 6, 9, 5];
const KIND_WEIGHT_TOTAL = KIND_WEIGHTS.reduce((sum, weight) => sum + weight, 0);

import { RELATIONSHIP_STATUSES, type RelationshipStatus } from '../../common/gdap-facts.js';

export { RELATIONSHIP_STATUSES, type RelationshipStatus };

/** Statuses whose relationship grants access now, so its access assignments are live. */
const LIVE_STATUSES: ReadonlySet<string> = new Set([
  'active',
  'expiring',
  'terminationRequested',
  'terminating',
]);
/** Statuses of relationships that ended; their assignments are deleted. */
const ENDED_STATUSES: ReadonlySet<string> = new Set(['expired', 'terminated']);

/** The most relationships one customer has; an offset is `customer index * this + position`. */
export const MAX_RELATIONSHIPS_PER_CUSTOMER = 8;
/** Graph's documented maximum relationship duration is two years. */
const DURATIONS_DAYS = [730, 365, 180, 90];
const HOUR_MS = 3_600_000;
const SECURITY_GROUP_COUNT = 6;
/** Company names kept for repeated listings; deriving one costs far more than the rest of a row. */
const NAME_CACHE_LIMIT = 50_000;
const SALT_KIND = 81;
const SALT_RELATIONSHIPS = 82;
const SALT_RELATIONSHIP_ID = 83;
const SALT_ASSIGNMENTS = 84;
const SALT_REQUESTS = 85;

export const RELATIONSHIP_TYPE = '#microsoft.graph.delegatedAdminRelationship';
export const RESELLER_RELATIONSHIP_TYPE = '#microsoft.graph.resellerDelegatedAdminRelationship';
const ASSIGNMENT_TYPE = '#microsoft.graph.delegatedAdminAccessAssignment';
const REQUEST_TYPE = '#microsoft.graph.delegatedAdminRelationshipRequest';
/** Statuses a relationship reaches only after the partner locked it for approval. */
const LOCKED_STATUSES: ReadonlySet<string> = new Set(
  RELATIONSHIP_STATUSES.filter((status) => status !== 'created'),
);
/** Statuses whose termination was asked for and is not finished. */
const TERMINATING_STATUSES: ReadonlySet<string> = new Set(['terminationRequested', 'terminating']);

/** One relationship: its JSON as Graph lists it, and where it sits in the listing. */
export interface RelationshipFacts {
  readonly offset: number;
  readonly customerIndex: number;
  readonly id: string;
  readonly status: RelationshipStatus;
  readonly json: Record<string, unknown>;
}

/** What one relationship is made of before it becomes JSON. */
interface RelationshipPlan {
  status: RelationshipStatus;
  globalAdministrator: boolean;
  reseller?: { consentPending: boolean };
  /** Only when active: the relationship ends within 30 days of `now`. */
  endsSoon?: boolean;
}

function weightedKind(rng: Rng): GdapCustomerKind {
  let remaining = rng.below(KIND_WEIGHT_TOTAL);
  for (let n = 0; n < GDAP_CUSTOMER_KINDS.length; n++) {
    remaining -= KIND_WEIGHTS[n];
    if (remaining < 0) return GDAP_CUSTOMER_KINDS[n];
  }
  return 'active';
}

const dayStrings = new Map<number, string>();
const pad = (value: number, width: number) => String(value).padStart(width, '0');

/**
 * `isoDate`'s text, built from a cached date part: Date#toISOString was a third of the cost of a
 * relationship, and a listing writes five dates per row.
 */
function iso(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  let date = dayStrings.get(day);
  if (date === undefined) {
    date = isoDate(day * DAY_MS).slice(0, 10);
    if (dayStrings.size > 20_000) dayStrings.clear();
    dayStrings.set(day, date);
  }
  const rest = ms - day * DAY_MS;
  const seconds = Math.floor(rest / 1000);
  const fraction = rest % 1000;
  const time = `${pad(Math.floor(seconds / 3600), 2)}:${pad(Math.floor(seconds / 60) % 60, 2)}:${pad(seconds % 60, 2)}`;
  return `${date}T${time}${fraction === 0 ? '' : `.${pad(fraction, 3)}`}Z`;
}

const ISO = (ms: number | null) => (ms === null ? null : iso(ms));
const durationOf = (days: number) => `P${days}D`;

function etag(id: string, version: number): string {
  return `W/"${Buffer.from(JSON.stringify({ id, version })).toString('base64')}"`;
}

function plansOf(kind: GdapCustomerKind, rng: Rng): RelationshipPlan[] {
  switch (kind) {
    case 'none':
      return [];
    case 'active':
      return [{ status: 'active', globalAdministrator: false }];
    case 'activeGlobalAdministrator':
      return [{ status: 'active', globalAdministrator: true }];
    case 'expiresSoon':
      return [{ status: 'active', globalAdministrator: rng.below(2) === 0, endsSoon: true }];
    case 'expired':
      return Array.from({ length: 1 + rng.below(2) }, (_, n) => ({
        status: n === 0 && rng.below(4) === 0 ? 'expiring' : 'expired',
        globalAdministrator: rng.below(3) === 0,
      }));
    case 'terminated':
      return Array.from({ length: 1 + rng.below(2) }, () => ({
        status: 'terminated',
        globalAdministrator: rng.below(3) === 0,
      }));
    case 'pending':
      return [
        {
          status: rng.pick([
            'approvalPending',
            'approvalPending',
            'activating',
            'approved',
            'created',
          ]),
          globalAdministrator: rng.below(3) === 0,
        },
      ];
    case 'reseller': {
      const consentPending = rng.below(3) === 0;
      return [
        {
          status: consentPending ? 'approvalPending' : 'active',
          globalAdministrator: false,
          reseller: { consentPending },
        },
      ];
    }
    case 'several': {
      const others = rng.below(3) + 1;
      const plans: RelationshipPlan[] = [
        { status: 'active', globalAdministrator: rng.below(2) === 0, endsSoon: rng.below(4) === 0 },
      ];
      for (let n = 0; n < others; n++)
        plans.push({
          status: rng.pick(RELATIONSHIP_STATUSES),
          globalAdministrator: rng.below(3) === 0,
        });
      return plans;
    }
  }
}

/** The dates of a relationship in one status, relative to `now`. */
function datesOf(plan: RelationshipPlan, durationDays: number, now: number, rng: Rng) {
  const duration = durationDays * DAY_MS;
  const jitter = () => rng.below(DAY_MS);
  let activated: number | null = null;
  let end: number | null = null;
  let modified: number;
  switch (plan.status) {
    case 'active': {
      // Ends 1 to 29 days from now when it ends soon; otherwise more than 31 days from now.
      const endIn = plan.endsSoon
        ? DAY_MS + rng.below(28 * DAY_MS)
        : 31 * DAY_MS + rng.below(Math.max(1, duration - 32 * DAY_MS));
      end = now + endIn;
      activated = end - duration;
      modified = activated + rng.below(Math.max(1, now - activated));
      break;
    }
    case 'terminationRequested':
    case 'terminating':
      end = now + DAY_MS + rng.below(Math.max(1, duration - 2 * DAY_MS));
      activated = end - duration;
      modified = now - rng.below(2 * HOUR_MS) - 1;
      break;
    case 'expiring':
      end = now - 1 - rng.below(12 * HOUR_MS);
      activated = end - duration;
      modified = end;
      break;
    case 'expired':
      end = now - DAY_MS - rng.below(500 * DAY_MS);
      activated = end - duration;
      modified = end;
      break;
    case 'terminated':
      activated = now - 30 * DAY_MS - rng.below(800 * DAY_MS);
      end = Math.min(now - DAY_MS, activated + DAY_MS + rng.below(duration));
      modified = end;
      break;
    default: {
      // Not active yet: no activation, no end.
      const created = now - jitter() - rng.below(25) * DAY_MS;
      return { created, activated, end, modified: created + rng.below(Math.max(1, now - created)) };
    }
  }
  const created = activated - HOUR_MS - rng.below(5 * DAY_MS);
  return { created, activated, end, modified };
}

export class GdapDataset {
  private readonly names = new Map<number, string>();
  /** Where the indirect providers of reseller relationships live. */
  readonly indirectProviderTenantIds: readonly string[];
  /** The partner's security groups that access assignments give roles to. */
  readonly securityGroupIds: readonly string[];

  constructor(
    readonly customers: CustomerDataset,
    /** The instant relationship dates are relative to (ms since the epoch). */
    readonly now: number,
  ) {
    const { seed } = customers;
    this.indirectProviderTenantIds = Array.from({ length: 2 }, (_, n) =>
      seededGuid(seed, `indirect-provider-${n}`),
    );
    this.securityGroupIds = Array.from({ length: SECURITY_GROUP_COUNT }, (_, n) =>
      seededGuid(seed, `gdap-security-group-${n}`),
    );
  }

  kindOf(index: number): GdapCustomerKind {
    const kinds = GDAP_CUSTOMER_KINDS.length;
    const { seed } = this.customers;
    if (index < kinds) return GDAP_CUSTOMER_KINDS[(((index + seed) % kinds) + kinds) % kinds];
    return weightedKind(new Rng(hash32(seed, index, SALT_KIND)));
  }

  /** The customer's relationships in listing order. */
  relationshipsOf(index: number): RelationshipFacts[] {
    const { seed } = this.customers;
    const rng = new Rng(hash32(seed, index, SALT_RELATIONSHIPS));
    const plans = plansOf(this.kindOf(index), rng);
    if (plans.length === 0) return [];
    const customer = {
      id: this.customers.idOf(index),
      companyName: () => this.companyNameOf(index),
    };
    return plans.map((plan, position) => this.relationshipAt(index, position, plan, customer, rng));
  }

  /** The customer's company name, derived once while the cache has room. */
  private companyNameOf(index: number): string {
    let name = this.names.get(index);
    if (name === undefined) {
      name = this.customers.summary(index).companyName;
      if (this.names.size >= NAME_CACHE_LIMIT) this.names.clear();
      this.names.set(index, name);
    }
    return name;
  }

  /** The relationship with this id, or undefined: the id ends with the customer's tenant id. */
  relationshipById(id: string): RelationshipFacts | undefined {
    const index = this.customers.indexOfId(id.slice(-36));
    if (index < 0) return undefined;
    return this.relationshipsOf(index).find((relationship) => relationship.id === id.toLowerCase());
  }

  /** A relationship's access assignments, in listing order. */
  accessAssignmentsOf(relationship: RelationshipFacts): Record<string, unknown>[] {
    const live = LIVE_STATUSES.has(relationship.status);
    if (!live && !ENDED_STATUSES.has(relationship.status)) return [];
    const { seed } = this.customers;
    const rng = new Rng(
      hash32(hash32(seed, relationship.customerIndex, SALT_ASSIGNMENTS), relationship.offset),
    );
    const count = live ? 1 + rng.below(3) : rng.below(3);
    const roles = (
      relationship.json.accessDetails as { unifiedRoles: { roleDefinitionId: string }[] }
    ).unifiedRoles;
    const activated = Date.parse(String(relationship.json.activatedDateTime));
    const ended = Date.parse(String(relationship.json.endDateTime));
    return Array.from({ length: count }, (_, n) => {
      const id = guidFromWords(rng.next32(), rng.next32(), rng.next32(), rng.next32());
      const created = activated + HOUR_MS + rng.below(10 * DAY_MS);
      const pending = live && n > 0 && rng.below(5) === 0;
      const assigned = roles.filter((_, r) => r === n % roles.length || rng.below(2) === 0);
      return {
        '@odata.type': ASSIGNMENT_TYPE,
        '@odata.etag': etag(id, 1 + rng.below(4)),
        id,
        status: live ? (pending ? 'pending' : 'active') : 'deleted',
        createdDateTime: iso(created),
        lastModifiedDateTime: iso(live ? created + rng.below(DAY_MS) : ended),
        accessContainer: {
          accessContainerId:
            this.securityGroupIds[(n + rng.below(SECURITY_GROUP_COUNT)) % SECURITY_GROUP_COUNT],
          accessContainerType: 'securityGroup',
        },
        accessDetails: { unifiedRoles: assigned.map((role) => ({ ...role })) },
      };
    });
  }

  /**
   * A relationship's requests (docs/graph-gdap.md, "Requests" in the emulator section): the
   * `lockForApproval` that took it past `created`, a reseller's `approve` once it is active, and a
   * `terminate`, pending until the relationship is terminated; all between its creation and its
   * last change.
   */
  requestsOf(relationship: RelationshipFacts): Record<string, unknown>[] {
    if (!LOCKED_STATUSES.has(relationship.status)) return [];
    const { json } = relationship;
    const created = Date.parse(String(json.createdDateTime));
    const modified = Date.parse(String(json.lastModifiedDateTime));
    const activated =
      json.activatedDateTime === null ? modified : Date.parse(String(json.activatedDateTime));
    const lockedBy = Math.min(activated, modified);
    const at = (fraction: number) => created + Math.floor((lockedBy - created) * fraction);
    const plans: { action: string; status: string; from: number; to: number }[] = [
      { action: 'lockForApproval', status: 'succeeded', from: at(0.25), to: at(0.5) },
    ];
    if (json.isPartnerConsentPending === false)
      plans.push({ action: 'approve', status: 'succeeded', from: at(0.6), to: at(0.75) });
    const terminateAt = Math.max(lockedBy, modified - HOUR_MS);
    if (TERMINATING_STATUSES.has(relationship.status))
      plans.push({ action: 'terminate', status: 'pending', from: terminateAt, to: terminateAt });
    if (relationship.status === 'terminated')
      plans.push({ action: 'terminate', status: 'succeeded', from: terminateAt, to: modified });
    const { seed } = this.customers;
    const word = (n: number) =>
      hash32(hash32(seed, relationship.customerIndex, SALT_REQUESTS), relationship.offset, n);
    return plans.map((plan, n) => {
      const id = guidFromWords(word(4 * n), word(4 * n + 1), word(4 * n + 2), word(4 * n + 3));
      return {
        '@odata.type': REQUEST_TYPE,
        '@odata.etag': etag(id, 1 + (word(99 + n) % 3)),
        id,
        action: plan.action,
        status: plan.status,
        createdDateTime: iso(plan.from),
        lastModifiedDateTime: iso(plan.to),
      };
    });
  }

  private relationshipAt(
    index: number,
    position: number,
    plan: RelationshipPlan,
    customer: { id: string; companyName: () => string },
    rng: Rng,
  ): RelationshipFacts {
    const { seed } = this.customers;
    const word = (n: number) => hash32(hash32(seed, index, SALT_RELATIONSHIP_ID), position, n);
    const id = `${guidFromWords(word(1), word(2), word(3), word(4))}-${customer.id}`;
    const durationDays = plan.globalAdministrator ? 730 : rng.pick(DURATIONS_DAYS);
    const dates = datesOf(plan, durationDays, this.now, rng);
    const roleCount = 1 + rng.below(4);
    const roles = new Set<string>(plan.globalAdministrator ? [GLOBAL_ADMINISTRATOR_ROLE_ID] : []);
    while (roles.size < roleCount + (plan.globalAdministrator ? 1 : 0))
      roles.add(rng.pick(LEAST_PRIVILEGE_ROLE_IDS));
    // Graph refuses auto-extension of a relationship with Global Administrator.
    const autoExtends =
      !plan.globalAdministrator &&
      !plan.endsSoon &&
      (plan.status === 'active' ? true : rng.below(2) === 0);
    const json: Record<string, unknown> = {
      '@odata.type': plan.reseller ? RESELLER_RELATIONSHIP_TYPE : RELATIONSHIP_TYPE,
      '@odata.etag': etag(id, 1 + rng.below(6)),
      id,
      // The names are getters: a filter on status or tenant never pays for the company name.
      get displayName() {
        return `GDAP-${index}-${position + 1} ${customer.companyName()}`.slice(0, 50);
      },
      duration: durationOf(durationDays),
      customer: {
        tenantId: customer.id,
        get displayName() {
          return customer.companyName();
        },
      },
      accessDetails: { unifiedRoles: [...roles].map((roleDefinitionId) => ({ roleDefinitionId })) },
      status: plan.status,
      autoExtendDuration: autoExtends ? 'P180D' : 'PT0S',
      createdDateTime: iso(dates.created),
      lastModifiedDateTime: iso(dates.modified),
      activatedDateTime: ISO(dates.activated),
      endDateTime: ISO(dates.end),
      ...(plan.reseller
        ? {
            isPartnerConsentPending: plan.reseller.consentPending,
            indirectProviderTenantId: this.indirectProviderTenantIds[rng.below(2)],
          }
        : {}),
    };
    return {
      offset: index * MAX_RELATIONSHIPS_PER_CUSTOMER + position,
      customerIndex: index,
      id,
      status: plan.status,
      json,
    };
  }
}
