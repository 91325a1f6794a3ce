/**
 * Where a customer stands with granular delegated admin (GDAP), from its relationships as Microsoft
 * Graph returns them: the one answer a CSP wants per customer (can we administer it, until when,
 * will it renew itself). docs/graph-gdap.md has the facts with their sources.
 */

import { GLOBAL_ADMINISTRATOR_ROLE_ID } from '../common/gdap-facts.js';
import type { GdapRelationship } from './types.js';

export { GLOBAL_ADMINISTRATOR_ROLE_ID };
export type { GdapRelationship } from './types.js';

export const GDAP_STATUSES = [
  'active',
  'expiresSoon',
  'expired',
  'pending',
  'terminated',
  'none',
] as const;
export type GdapStatusValue = (typeof GDAP_STATUSES)[number];

/** Where one customer stands with GDAP: what Get-PartnerCustomerGdapStatus writes. */
export interface GdapStatus {
  /** The customer's tenant id. */
  customerId: string;
  /** The customer's name, from the piped customer or else from its relationships. */
  companyName: string | null;
  /**
   * `active`; `expiresSoon`: active, but access ends within -ExpiringWithinDays and does not renew
   * itself; `expired`, `pending`, `terminated`; `none`: no relationship at all.
   */
  status: GdapStatusValue;
  /** Relationships Graph reports as `active`. */
  activeRelationships: number;
  /** The latest end of the active relationships (ISO 8601), or null without one. */
  expiresOn: string | null;
  /** Whether an active relationship renews itself at its end (autoExtendDuration above zero). */
  autoExtends: boolean;
  /** Whether an active relationship grants Global Administrator (which never auto-extends). */
  hasGlobalAdministrator: boolean;
  /** Every relationship with this customer, whatever its status, latest end first. */
  relationshipIds: string[];
}

/**
 * What the status needs of one relationship: a few fields, so a run that indexes every
 * relationship of the partner keeps about a hundred bytes per relationship, not its whole JSON.
 */
export interface RelationshipFacts {
  id: string;
  status: string | undefined;
  /** ISO 8601, or null before activation. */
  endDateTime: string | null;
  /** autoExtendDuration is longer than zero (`P180D`): it renews itself at its end. */
  autoExtends: boolean;
  grantsGlobalAdministrator: boolean;
}

export function relationshipFactsOf(relationship: GdapRelationship): RelationshipFacts {
  return {
    id: relationship.id,
    status: relationship.status,
    endDateTime: relationship.endDateTime ?? null,
    autoExtends: renewsItself(relationship.autoExtendDuration),
    grantsGlobalAdministrator: grantsGlobalAdministrator(relationship),
  };
}

/**
 * Graph's relationship statuses grouped into what they mean for access. `expiring` is Graph's word
 * for a relationship past its end that is being deprovisioned: access is already gone. A
 * relationship whose termination was asked for (`terminationRequested`, `terminating`) counts as
 * terminated: its access is on its way out.
 */
const PENDING = new Set(['approvalPending', 'activating', 'approved', 'created']);
const EXPIRED = new Set(['expired', 'expiring']);
const TERMINATED = new Set(['terminated', 'terminating', 'terminationRequested']);

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The customer's standing, from every relationship with it:
 * - `active` or `expiresSoon` when a relationship is `active`: `expiresSoon` when none of the
 *   active ones auto-extends and the latest of their ends is within `expiringWithinDays` of `now`
 *   (an auto-extending relationship is renewed at its end, so its access does not run out);
 * - otherwise `pending` when one is on its way (created, approvalPending, approved, activating),
 *   then `expired`, then `terminated`, and `none` without any relationship (or only statuses
 *   Graph may add later).
 */
export function gdapStatusOf(
  customer: { customerId: string; companyName: string | null },
  relationships: readonly RelationshipFacts[],
  options: { now: number; expiringWithinDays: number },
): GdapStatus {
  const endOf = (relationship: RelationshipFacts) => {
    const time = relationship.endDateTime ? Date.parse(relationship.endDateTime) : Number.NaN;
    return Number.isNaN(time) ? Number.NEGATIVE_INFINITY : time;
  };
  const sorted = [...relationships].sort((a, b) => endOf(b) - endOf(a));
  const active = sorted.filter((relationship) => relationship.status === 'active');
  const latest = active[0];
  const autoExtends = active.some((relationship) => relationship.autoExtends);
  const status = ((): GdapStatusValue => {
    if (latest) {
      if (autoExtends) return 'active';
      const left = endOf(latest) - options.now;
      return left <= options.expiringWithinDays * DAY_MS ? 'expiresSoon' : 'active';
    }
    const statuses = new Set(sorted.map((relationship) => relationship.status ?? ''));
    if ([...statuses].some((s) => PENDING.has(s))) return 'pending';
    if ([...statuses].some((s) => EXPIRED.has(s))) return 'expired';
    if ([...statuses].some((s) => TERMINATED.has(s))) return 'terminated';
    return 'none';
  })();
  return {
    customerId: customer.customerId,
    companyName: customer.companyName,
    status,
    activeRelationships: active.length,
    expiresOn: latest?.endDateTime ?? null,
    autoExtends,
    hasGlobalAdministrator: active.some((relationship) => relationship.grantsGlobalAdministrator),
    relationshipIds: sorted.map((relationship) => relationship.id),
  };
}

function grantsGlobalAdministrator(relationship: GdapRelationship): boolean {
  return (relationship.accessDetails?.unifiedRoles ?? []).some(
    (role) => role.roleDefinitionId?.toLowerCase() === GLOBAL_ADMINISTRATOR_ROLE_ID,
  );
}

/** An ISO 8601 duration longer than zero (`P180D`); `PT0S`, `P0D` and none do not extend. */
function renewsItself(duration: string | null | undefined): boolean {
  if (!duration) return false;
  return /[1-9]/.test(duration);
}
