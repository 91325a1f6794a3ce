/**
 * The APIs one saved context gets tokens for, and the scopes it asks for each (docs/
 * partner-center-api.md, "Tokens for Microsoft Graph"). Partner Center's token is the one every
 * sign-in proves on connect; Graph's is asked for on first use, through the same sign-in (the
 * stored secret or certificate, the managed identity, the refresh token, the user's MSAL cache),
 * so no new sign-in is needed.
 */
import type { AuthenticationKind } from './context-store.js';
import { graphOf, type PartnerEnvironment } from './environments.js';

export type ApiName = 'PartnerCenter' | 'Graph';

/** The delegated Graph permission a user sign-in asks for: enough to read GDAP relationships. */
export const GRAPH_DELEGATED_PERMISSION = 'DelegatedAdminRelationship.Read.All';

export interface TokenResource {
  api: ApiName;
  /** How messages name it. */
  service: string;
  /** The token's audience, which also keys its entry in the token store. */
  audience: string;
  /** App-only sign-ins (secret, certificate, managed identity): `{audience}/.default`. */
  appOnlyScope: string;
  /** User sign-ins (browser, device code, refresh token). */
  delegatedScope: string;
}

export function tokenResource(environment: PartnerEnvironment, api: ApiName): TokenResource {
  if (api === 'PartnerCenter') {
    return {
      api,
      service: 'Partner Center',
      audience: environment.audience,
      appOnlyScope: `${environment.audience}/.default`,
      delegatedScope: `${environment.audience}/user_impersonation`,
    };
  }
  const { audience } = graphOf(environment);
  return {
    api,
    service: 'Microsoft Graph',
    audience,
    appOnlyScope: `${audience}/.default`,
    delegatedScope: `${audience}/${GRAPH_DELEGATED_PERMISSION}`,
  };
}

/** Whether a sign-in acts as a user (delegated scopes) rather than as an application. */
export function isDelegated(kind: AuthenticationKind): boolean {
  return kind === 'User' || kind === 'RefreshToken';
}

/** The scope a sign-in of `kind` asks for `resource`. */
export function scopeOf(resource: TokenResource, kind: AuthenticationKind): string {
  return isDelegated(kind) ? resource.delegatedScope : resource.appOnlyScope;
}
