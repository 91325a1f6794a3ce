/**
 * The answer to a delegated (App+User) grant: an access token for the user, a fresh refresh token,
 * an `id_token` and `client_info` (base64url `{uid, utid}`), which MSAL needs to build the account.
 */
import type { EmulatorState } from '../server/emulator-state.js';
import { tokenLifetime } from '../server/emulator-state.js';
import { GRAPH_AUDIENCE } from './access-tokens.js';
import { delegatedPermissions, grantedScope, parseScopes } from './scopes.js';
import type { TokenFlow } from '../types.js';

export interface UserTokenGrant {
  clientId: string;
  tenantId: string;
  scopes: readonly string[];
  flow: TokenFlow;
  clientAuthentication: '0' | '1' | '2';
  nonce?: string;
}

const ID_TOKEN_LIFETIME_SECONDS = 3600;

export function clientInfo(uid: string, utid: string): string {
  return Buffer.from(JSON.stringify({ uid, utid })).toString('base64url');
}

export function userTokenResponse(
  state: EmulatorState,
  grant: UserTokenGrant,
  nowMs: number,
): Record<string, unknown> {
  const { directory, settings } = state;
  const { user } = directory;
  const asked = parseScopes(grant.scopes.join(' '));
  const audience = asked.resource ?? GRAPH_AUDIENCE;
  // Only OpenID scopes asked: Entra issues a Graph token for User.Read, the sign-in permission.
  const permissions =
    asked.permissions.length > 0
      ? delegatedPermissions(audience, asked.permissions)
      : ['User.Read'];
  const parsed = { ...asked, permissions };
  const lifetimeSeconds = tokenLifetime(settings, grant.flow);
  const minted = state.accessTokens.mint(
    {
      tenantId: grant.tenantId,
      clientId: grant.clientId,
      audience,
      lifetimeSeconds,
      clientAuthentication: grant.clientAuthentication,
      user,
      scopes: permissions,
    },
    nowMs,
  );
  const now = Math.floor(nowMs / 1000);
  const idToken = state.signer.sign({
    aud: grant.clientId,
    iss: `${state.baseUrl}/${grant.tenantId}/v2.0`,
    iat: now,
    nbf: now,
    exp: now + ID_TOKEN_LIFETIME_SECONDS,
    name: user.displayName,
    oid: user.objectId,
    preferred_username: user.userPrincipalName,
    sub: user.objectId,
    tid: grant.tenantId,
    ver: '2.0',
    ...(grant.nonce ? { nonce: grant.nonce } : {}),
  });
  const refreshToken = state.refreshTokens.issue(
    { clientId: grant.clientId, tenantId: grant.tenantId, scopes: grant.scopes },
    nowMs,
    settings.refreshTokenLifetimeSeconds,
  );
  return {
    token_type: 'Bearer',
    scope: grantedScope(parsed),
    expires_in: minted.expiresIn,
    ext_expires_in: minted.expiresIn,
    access_token: minted.accessToken,
    refresh_token: refreshToken,
    id_token: idToken,
    client_info: clientInfo(user.objectId, grant.tenantId),
  };
}
