/**
 * Facts of Microsoft Graph's GDAP resources that both the module and its emulator rely on, kept
 * once (docs/graph-gdap.md has their sources).
 */

/**
 * delegatedAdminRelationshipStatus as Graph documents it, without the evolvable-enumeration
 * sentinel `unknownFutureValue` (no relationship is filtered by it).
 */
export const RELATIONSHIP_STATUSES = [
  'activating',
  'active',
  'approvalPending',
  'approved',
  'created',
  'expired',
  'expiring',
  'terminated',
  'terminating',
  'terminationRequested',
] as const;
export type RelationshipStatus = (typeof RELATIONSHIP_STATUSES)[number];

/** Global Administrator's role template id: a relationship that grants it cannot auto-extend. */
export const GLOBAL_ADMINISTRATOR_ROLE_ID = '62e90394-69f5-4237-9190-012177145e10';
