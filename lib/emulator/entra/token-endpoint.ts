/**
 * The token endpoints: `POST /{tenant}/oauth2/v2.0/token` (scopes) and the v1 endpoint
 * `POST /{tenant}/oauth2/token` (`resource=`, which older Partner Center samples use). Grants: client
 * credentials (secret or certificate), device code, refresh token (with rotation), authorization
 * code (with PKCE) and the resource-owner password grant; successes and failures in the shapes
 * MSAL and ADAL read.
 */
import { authenticateClient } from './client-authentication.js';
import { resolveTenant } from './directory.js';
import type { EmulatorState } from '../server/emulator-state.js';
import { tokenLifetime } from '../server/emulator-state.js';
import { entraErrors, type EntraError } from './entra-errors.js';
import {
  clientRequestId,
  jsonReply,
  readForm,
  type Exchange,
  type Reply,
} from '../server/http-exchange.js';
import { applicationRolesOf, canonicalResource, isKnownResource, parseScopes } from './scopes.js';
import type { TokenFlow } from '../types.js';
import { userTokenResponse } from './user-tokens.js';

/** RFC 8628's name, and the short one MSAL sends (Entra accepts both). */
const DEVICE_CODE_GRANTS = new Set(['urn:ietf:params:oauth:grant-type:device_code', 'device_code']);
/** Entra's "no cache" hint: a response marked so is never stored by proxies. */
const NO_STORE = { 'Cache-Control': 'no-store, no-cache', Pragma: 'no-cache' };

type TokenBody = Record<string, unknown>;
type GrantOutcome = TokenBody | EntraError;

interface TokenRequest {
  state: EmulatorState;
  exchange: Exchange;
  form: Record<string, string>;
  tenantId: string;
  correlationId?: string;
}

export function entraReply(error: EntraError): Reply {
  return jsonReply(error.status, error.body, { headers: NO_STORE });
}

export function tokenReply(body: Record<string, unknown>): Reply {
  return jsonReply(200, body, { headers: NO_STORE });
}

/** A token body never has `status` and `body`; an EntraError always has both. */
function isError<T extends object>(outcome: T | EntraError): outcome is EntraError {
  return 'status' in outcome && 'body' in outcome;
}

function clientCredentials(request: TokenRequest): GrantOutcome {
  const client = authenticateClient(request, true);
  if (isError(client)) return client;
  const scope = request.form.scope ?? '';
  const parsed = parseScopes(scope);
  if (!parsed.resource || parsed.permissions.length !== 1 || parsed.permissions[0] !== '.default')
    return entraErrors.invalidScope(scope, request.correlationId);
  const flow: TokenFlow = client.authentication === '2' ? 'clientAssertion' : 'clientCredentials';
  const { state } = request;
  const minted = state.accessTokens.mint(
    {
      tenantId: request.tenantId,
      clientId: state.directory.applicationId,
      audience: parsed.resource,
      lifetimeSeconds: tokenLifetime(state.settings, flow),
      clientAuthentication: client.authentication,
      objectId: state.directory.servicePrincipalObjectId,
      roles: applicationRolesOf(parsed.resource),
    },
    request.exchange.receivedAt,
  );
  return {
    token_type: 'Bearer',
    expires_in: minted.expiresIn,
    ext_expires_in: minted.expiresIn,
    access_token: minted.accessToken,
  };
}

function deviceCode(request: TokenRequest): GrantOutcome {
  const client = authenticateClient(request, false);
  if (isError(client)) return client;
  const { correlationId } = request;
  const code = request.form.device_code ?? request.form.code;
  if (!code) return entraErrors.missingParameter('device_code', correlationId);
  const poll = request.state.deviceCodes.poll(code, request.exchange.receivedAt);
  switch (poll.status) {
    case 'pending':
      return entraErrors.authorizationPending(correlationId);
    case 'declined':
      return entraErrors.authorizationDeclined(correlationId);
    case 'expired':
      return entraErrors.deviceCodeExpired(correlationId);
    case 'unknown':
      return entraErrors.badDeviceCode(correlationId);
    case 'approved':
      return userTokenResponse(
        request.state,
        { ...poll.request, flow: 'deviceCode', clientAuthentication: client.authentication },
        request.exchange.receivedAt,
      );
  }
}

function refreshToken(request: TokenRequest): GrantOutcome {
  const client = authenticateClient(request, false);
  if (isError(client)) return client;
  const { state, form, correlationId } = request;
  if (!form.refresh_token) return entraErrors.missingParameter('refresh_token', correlationId);
  const redemption = state.refreshTokens.redeem(
    form.refresh_token,
    client.clientId,
    request.exchange.receivedAt,
  );
  if (!redemption.ok) {
    switch (redemption.reason) {
      case 'expired':
        return entraErrors.refreshTokenExpired(correlationId);
      case 'revoked':
        return entraErrors.refreshTokenRevoked(correlationId);
      case 'mfa-required':
        return entraErrors.mfaRequired(
          parseScopes(form.scope ?? '').resource ?? 'the resource',
          correlationId,
        );
      default:
        return entraErrors.refreshTokenInvalid(correlationId);
    }
  }
  // A refresh token is good for any resource the user consented to: the scope asked now decides the
  // audience.
  const scopes = form.scope ? form.scope.split(/\s+/).filter(Boolean) : redemption.grant.scopes;
  return userTokenResponse(
    state,
    {
      ...redemption.grant,
      scopes,
      flow: 'refreshToken',
      clientAuthentication: client.authentication,
    },
    request.exchange.receivedAt,
  );
}

function authorizationCode(request: TokenRequest): GrantOutcome {
  const client = authenticateClient(request, false);
  if (isError(client)) return client;
  const { state, form, correlationId } = request;
  if (!form.code) return entraErrors.missingParameter('code', correlationId);
  const redemption = state.authorizationCodes.redeem(
    form.code,
    client.clientId,
    form.redirect_uri,
    form.code_verifier,
    request.exchange.receivedAt,
  );
  if (!redemption.ok) {
    if (redemption.reason === 'pkce-mismatch') return entraErrors.pkceMismatch(correlationId);
    if (redemption.reason === 'redirect-mismatch')
      return entraErrors.redirectUriMismatch(form.redirect_uri ?? '', correlationId);
    return entraErrors.badAuthorizationCode(correlationId);
  }
  return userTokenResponse(
    state,
    {
      ...redemption.request,
      flow: 'authorizationCode',
      clientAuthentication: client.authentication,
    },
    request.exchange.receivedAt,
  );
}

/** The resource-owner password grant (ROPC): the emulated user with its demo password. */
function password(request: TokenRequest): GrantOutcome {
  const client = authenticateClient(request, false);
  if (isError(client)) return client;
  const { state, form, correlationId } = request;
  for (const name of ['username', 'password'] as const)
    if (!form[name]) return entraErrors.missingParameter(name, correlationId);
  const { user } = state.directory;
  if (form.username.toLowerCase() !== user.userPrincipalName.toLowerCase())
    return entraErrors.userNotFound(request.tenantId, correlationId);
  if (form.password !== user.password) return entraErrors.invalidPassword(correlationId);
  return userTokenResponse(
    state,
    {
      clientId: client.clientId,
      tenantId: request.tenantId,
      scopes: (form.scope ?? '').split(/\s+/).filter(Boolean),
      flow: 'password',
      clientAuthentication: client.authentication,
    },
    request.exchange.receivedAt,
  );
}

/** AADSTS500011 when the scope names a resource the directory does not have, else undefined. */
export function unknownResource(
  state: EmulatorState,
  scope: string | undefined,
  correlationId?: string,
): EntraError | undefined {
  const { resource } = parseScopes(scope ?? '');
  if (resource === undefined || isKnownResource(resource)) return undefined;
  // The emulated application's own service principal is in the tenant too (`{app id}/.default`).
  if (canonicalResource(resource).toLowerCase() === state.directory.applicationId) return undefined;
  return entraErrors.resourceNotFound(resource, state.directory.tenantDomain, correlationId);
}

function grantOutcome(request: TokenRequest, grant: string): GrantOutcome {
  const refusal = unknownResource(request.state, request.form.scope, request.correlationId);
  if (refusal) return refusal;
  if (DEVICE_CODE_GRANTS.has(grant)) return deviceCode(request);
  switch (grant) {
    case 'client_credentials':
      return clientCredentials(request);
    case 'refresh_token':
      return refreshToken(request);
    case 'authorization_code':
      return authorizationCode(request);
    case 'password':
      return password(request);
    case '':
      return entraErrors.missingParameter('grant_type', request.correlationId);
    default:
      return entraErrors.unsupportedGrant(grant, request.correlationId);
  }
}

async function readTokenRequest(
  state: EmulatorState,
  exchange: Exchange,
): Promise<TokenRequest | EntraError> {
  const form = await readForm(exchange.req);
  const correlationId = clientRequestId(exchange);
  const tenantId = resolveTenant(state.directory, exchange.params.tenant, {
    allowAliases: form.grant_type !== 'client_credentials',
  });
  if (!tenantId) return entraErrors.tenantNotFound(exchange.params.tenant, correlationId);
  return { state, exchange, form, tenantId, correlationId };
}

export async function tokenEndpoint(state: EmulatorState, exchange: Exchange): Promise<Reply> {
  const request = await readTokenRequest(state, exchange);
  if (isError(request)) return entraReply(request);
  const outcome = grantOutcome(request, request.form.grant_type ?? '');
  return isError(outcome) ? entraReply(outcome) : tokenReply(outcome);
}

/**
 * The v1 endpoint names a `resource` where v2 names scopes: a token is for `{resource}/.default`,
 * which for a user means every permission consented on the resource (Partner Center's
 * `user_impersonation`, Graph's delegated permissions). v1 answers its numbers as strings and adds
 * `expires_on`, `not_before` and `resource`, as ADAL-era clients expect.
 */
export async function tokenEndpointV1(state: EmulatorState, exchange: Exchange): Promise<Reply> {
  const request = await readTokenRequest(state, exchange);
  if (isError(request)) return entraReply(request);
  const { form, correlationId } = request;
  if (!form.resource) return entraReply(entraErrors.missingParameter('resource', correlationId));
  const resource = canonicalResource(form.resource);
  const grant = form.grant_type ?? '';
  const oidc = (form.scope ?? '').split(/\s+/).filter((scope) => scope && !scope.includes('/'));
  const scope =
    grant === 'client_credentials'
      ? `${resource}/.default`
      : [`${resource}/.default`, ...oidc].join(' ');
  const outcome = grantOutcome({ ...request, form: { ...form, scope } }, grant);
  if (isError(outcome)) return entraReply(outcome);
  return tokenReply(v1Body(outcome, form.resource, resource, exchange.receivedAt));
}

function v1Body(body: TokenBody, asked: string, resource: string, nowMs: number): TokenBody {
  const now = Math.floor(nowMs / 1000);
  const expiresIn = Number(body.expires_in);
  const { scope, ...rest } = body;
  // v1 reports the resource's permissions without the resource (`user_impersonation`).
  const permissions = String(scope ?? '')
    .split(' ')
    .filter((item) => item.startsWith(`${resource}/`))
    .map((item) => item.slice(resource.length + 1));
  return {
    ...rest,
    ...(scope === undefined ? {} : { scope: permissions.join(' ') }),
    expires_in: String(expiresIn),
    ext_expires_in: String(Number(body.ext_expires_in ?? expiresIn)),
    expires_on: String(now + expiresIn),
    not_before: String(now),
    resource: asked,
  };
}
