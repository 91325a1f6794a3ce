/**
 * OAuth scopes as Entra ID reads them: `{resource}/.default` for app-only tokens,
 * `{resource}/{permission}` for delegated ones, plus the OpenID Connect scopes.
 */
import { GRAPH_APP_ID, GRAPH_AUDIENCE, PARTNER_CENTER_AUDIENCE } from './access-tokens.js';
import { PARTNER_CENTER_APP_ID } from '../partner-center/partner-center-errors.js';

const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email']);
/** A bare permission such as `User.Read` belongs to Microsoft Graph. */
const GRAPH_RESOURCE = GRAPH_AUDIENCE;

/**
 * What the emulated application was granted on each resource: the delegated permissions a user
 * consented to (what `{resource}/.default` means in a user's sign-in) and the application
 * permissions of its app-only tokens (`roles`). Partner Center has no application permissions.
 */
const GRANTS: Record<string, { delegated: readonly string[]; application: readonly string[] }> = {
  [PARTNER_CENTER_AUDIENCE]: { delegated: ['user_impersonation'], application: [] },
  [GRAPH_AUDIENCE]: {
    delegated: ['DelegatedAdminRelationship.Read.All', 'PartnerBilling.Read.All', 'User.Read'],
    application: ['DelegatedAdminRelationship.Read.All', 'PartnerBilling.Read.All'],
  },
};

/**
 * The resources whose service principals the emulated directory has: Partner Center and Microsoft
 * Graph in every cloud (docs/partner-center-api.md, "Clouds and endpoints"), by URL or app id. Any
 * other is refused as Entra refuses it, AADSTS500011.
 */
const KNOWN_RESOURCES: ReadonlySet<string> = new Set([
  PARTNER_CENTER_AUDIENCE,
  'https://partner.partnercenterapi.microsoftonline.cn',
  GRAPH_AUDIENCE,
  'https://graph.microsoft.us',
  'https://dod-graph.microsoft.us',
  'https://microsoftgraph.chinacloudapi.cn',
]);

export function isKnownResource(resource: string): boolean {
  return KNOWN_RESOURCES.has(canonicalResource(resource).toLowerCase());
}

/** The application permissions (`roles`) an app-only token for this resource carries. */
export function applicationRolesOf(resource: string): readonly string[] {
  return GRANTS[canonicalResource(resource)]?.application ?? [];
}

/**
 * A delegated token's permissions: `.default` stands for everything the user consented to on the
 * resource, as in Entra ID (`user_impersonation` on a resource it grants nothing on, such as a
 * national cloud's Graph); named permissions are granted as asked.
 */
export function delegatedPermissions(resource: string, asked: readonly string[]): string[] {
  const consented = GRANTS[canonicalResource(resource)]?.delegated ?? ['user_impersonation'];
  const expanded = asked.flatMap((permission) =>
    permission === '.default' ? consented : [permission],
  );
  return [...new Set(expanded)];
}

export interface ParsedScopes {
  /** The token's audience, undefined when only OpenID Connect scopes were asked for. */
  resource?: string;
  /** Permissions on the resource (`.default`, `user_impersonation`, ...). */
  permissions: string[];
  oidc: string[];
}

/** The canonical audience: Partner Center is asked for by URL or by its application id. */
export function canonicalResource(resource: string): string {
  const trimmed = resource.replace(/\/+$/, '');
  const lower = trimmed.toLowerCase();
  if (lower === PARTNER_CENTER_APP_ID || lower === PARTNER_CENTER_AUDIENCE)
    return PARTNER_CENTER_AUDIENCE;
  if (lower === GRAPH_APP_ID || lower === GRAPH_AUDIENCE) return GRAPH_AUDIENCE;
  return trimmed;
}

export function parseScopes(scope: string): ParsedScopes {
  const parsed: ParsedScopes = { permissions: [], oidc: [] };
  for (const item of scope.split(/\s+/).filter(Boolean)) {
    if (OIDC_SCOPES.has(item.toLowerCase())) {
      parsed.oidc.push(item.toLowerCase());
      continue;
    }
    const slash = item.lastIndexOf('/');
    const resource = slash > 0 ? item.slice(0, slash) : GRAPH_RESOURCE;
    const permission = slash > 0 ? item.slice(slash + 1) : item;
    parsed.resource ??= canonicalResource(resource);
    if (permission) parsed.permissions.push(permission);
  }
  return parsed;
}

/** The `scope` a token response reports, as Entra writes it (`{resource}/{permission} ...`). */
export function grantedScope(parsed: ParsedScopes): string {
  const resourceScopes = parsed.resource
    ? parsed.permissions.map((permission) => `${parsed.resource}/${permission}`)
    : [];
  return [...resourceScopes, ...parsed.oidc.filter((scope) => scope !== 'offline_access')].join(
    ' ',
  );
}
