/**
 * OAuth scopes as Entra ID reads them: `{resource}/.default` for app-only tokens,
 * `{resource}/{permission}` for delegated ones, plus the OpenID Connect scopes.
 */
import { PARTNER_CENTER_AUDIENCE } from './access-tokens.js';
import { PARTNER_CENTER_APP_ID } from './partner-center-errors.js';

const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email']);
/** A bare permission such as `User.Read` belongs to Microsoft Graph. */
const GRAPH_RESOURCE = 'https://graph.microsoft.com';

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
  return trimmed.toLowerCase() === PARTNER_CENTER_APP_ID ||
    trimmed.toLowerCase() === PARTNER_CENTER_AUDIENCE
    ? PARTNER_CENTER_AUDIENCE
    : trimmed;
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
