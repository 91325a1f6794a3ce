/**
 * Microsoft Graph's granular delegated admin (GDAP) resources as the listing layer sees them: the
 * partner's relationships (all customers in one collection), one relationship by id, and a
 * relationship's access assignments. Paths, statuses and limits: docs/graph-gdap.md.
 */
import type { GraphClient } from './graph-client.js';
import type { ODataCollection } from './collections.js';
import { oneOf } from './one-resource.js';

export const GDAP_RELATIONSHIP = {
  item: 'GdapRelationship',
  one: 'relationship',
  many: 'relationships',
} as const;
export const GDAP_ACCESS_ASSIGNMENT = {
  item: 'GdapAccessAssignment',
  one: 'access assignment',
  many: 'access assignments',
} as const;

/** `$top` of both lists goes up to 300 (the list pages of the documentation). */
export const MAX_GDAP_PAGE_SIZE = 300;

export { RELATIONSHIP_STATUSES } from '../common/gdap-facts.js';

const RELATIONSHIPS_PATH = '/tenantRelationships/delegatedAdminRelationships';
const relationshipPath = (id: string) => `${RELATIONSHIPS_PATH}/${encodeURIComponent(id)}`;

/** `status eq 'a' or status eq 'b'`: the server-side filter of -Status (undefined for none). */
export function statusFilter(statuses: readonly string[] | undefined): string | undefined {
  if (!statuses?.length) return undefined;
  return [...new Set(statuses)].map((status) => `status eq '${status}'`).join(' or ');
}

/** Every relationship of the partner, with every customer, optionally of these statuses only. */
export function relationshipsCollection(
  options: { statuses?: readonly string[] } = {},
): ODataCollection {
  return {
    paging: 'odata',
    noun: GDAP_RELATIONSHIP,
    path: RELATIONSHIPS_PATH,
    filter: statusFilter(options.statuses),
    maxPageSize: MAX_GDAP_PAGE_SIZE,
  };
}

/** The security groups and roles one relationship gives the partner's people. */
export function accessAssignmentsCollection(relationshipId: string): ODataCollection {
  return {
    paging: 'odata',
    noun: GDAP_ACCESS_ASSIGNMENT,
    path: `${relationshipPath(relationshipId)}/accessAssignments`,
    maxPageSize: MAX_GDAP_PAGE_SIZE,
  };
}

export function getRelationship(
  client: GraphClient,
  relationshipId: string,
): Promise<Record<string, unknown>> {
  return oneOf(client, relationshipPath(relationshipId), {
    what: `GDAP relationship ${relationshipId}`,
    hint: 'Check the id; Get-PartnerGdapRelationship lists the relationships.',
  });
}
