/**
 * The Entra directory roles a customer's users hold, as Partner Center lists one user's
 * (`GET /v1/customers/{id}/users/{user-id}/directoryroles`, docs/partner-center-api.md, "Shapes"):
 * `{name, id, attributes.objectType: "DirectoryRole"}`, the id being the role's template id.
 * Derived from (customer, user position) like every other per-customer resource: the first user
 * administers the tenant, about one other user in ten holds a role, a few hold two.
 */
import type { CustomerContext } from './customer-context.js';

/** The roles handed out, with Partner Center's names (its example's, where it gives one). */
export const DIRECTORY_ROLES: readonly { readonly id: string; readonly name: string }[] = [
  { id: '62e90394-69f5-4237-9190-012177145e10', name: 'Global Administrator' },
  { id: '729827e3-9c14-49f7-bb1b-9608f156bbb8', name: 'Helpdesk Administrator' },
  { id: 'fe930be7-5e62-47db-91af-98c3a49a38b1', name: 'User Account Administrator' },
  { id: 'b0f54661-2d74-4c50-afa3-1ec803f12efe', name: 'Billing Administrator' },
  { id: '4d6ac14f-3453-41d0-bef9-a3e0c569773a', name: 'License Administrator' },
  { id: 'f023fd81-a637-4b56-95fd-791ac0226033', name: 'Service Support Administrator' },
];
const SALT_DIRECTORY_ROLES = 61;

function roleJson(role: (typeof DIRECTORY_ROLES)[number]): Record<string, unknown> {
  return { name: role.name, id: role.id, attributes: { objectType: 'DirectoryRole' } };
}

/** The roles of the active user at `position`, in the table's order. */
export function directoryRolesOf(
  context: CustomerContext,
  position: number,
): Record<string, unknown>[] {
  if (position === 0) return [roleJson(DIRECTORY_ROLES[0])];
  const draw = context.hash(SALT_DIRECTORY_ROLES, position) >>> 0;
  if (draw % 10 !== 0) return [];
  // Global Administrator stays with the first user; the others come from the rest of the table.
  const others = DIRECTORY_ROLES.length - 1;
  const first = 1 + ((draw >>> 4) % others);
  const second = (draw >>> 12) % 6 === 0 ? 1 + ((first + (draw >>> 16)) % others) : first;
  return DIRECTORY_ROLES.filter((_, n) => n === first || n === second).map(roleJson);
}
