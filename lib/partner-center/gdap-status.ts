/**
 * Where a customer stands with granular delegated admin (GDAP), from its relationships as Microsoft
 * Graph returns them: the one answer a CSP wants per customer (can we administer it, until when,
 * will it renew itself). docs/graph-gdap.md has the facts with their sources.
 */

/** Global Administrator's role template id: a relationship that grants it cannot auto-extend. */
export const GLOBAL_ADMINISTRATOR_ROLE_ID = '62e90394-69f5-4237-9190-012177145e10';

/** The fields of a delegatedAdminRelationship that the status is made of. */
export interface GdapRelationship {
  id: string;
  status?: string;
  endDateTime?: string | null;
  autoExtendDuration?: string | null;
  customer?: { tenantId?: string; displayName?: string | null } | null;
  accessDetails?: { unifiedRoles?: readonly { roleDefinitionId?: string }[] | null } | null;
}

export const GDAP_STATUSES = [
  'active',
  'expiresSoon',
  'expired',
  'pending',
  'terminated',
  'none',
] as const;
export type GdapStatusValue = (typeof GDAP_STATUSES)[number];

export interface CustomerGdapStatus {
  customerId: string;
  companyName: string | null;
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
 * Graph's relationship statuses grouped into what they mean for access. `expiring` is Graph's word
 * for a relationship past its end that is being deprovisioned: access is already gone.
 */
const PENDING = new Set(['approvalPending', 'activating', 'approved', 'created']);
const EXPIRED = new Set(['expired', 'expiring']);
const TERMINATED = new Set(['terminated', 'terminating', 'terminationRequested']);

const DAY_MS = 24 * 60 * 60 * 1000;

export function gdapStatusOf(
  customer: { customerId: string; companyName: string | null },
  relationships: readonly GdapRelationship[],
  options: { now: number; expiringWithinDays: number },
): CustomerGdapStatus {
  const endOf = (relationship: GdapRelationship) => {
    const time = relationship.endDateTime ? Date.parse(relationship.endDateTime) : Number.NaN;
    return Number.isNaN(time) ? Number.NEGATIVE_INFINITY : time;
  };
  const sorted = [...relationships].sort((a, b) => endOf(b) - endOf(a));
  const active = sorted.filter((relationship) => relationship.status === 'active');
  const latest = active[0];
  const expiresOn = latest?.endDateTime ?? null;
  const status = ((): GdapStatusValue => {
    if (latest) {
      const end = endOf(latest);
      return end - options.now <= options.expiringWithinDays * DAY_MS ? 'expiresSoon' : 'active';
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
    expiresOn,
    autoExtends: active.some((relationship) => renewsItself(relationship.autoExtendDuration)),
    hasGlobalAdministrator: active.some(grantsGlobalAdministrator),
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
