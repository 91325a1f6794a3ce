/**
 * `POST /{tenant}/oauth2/v2.0/token`: the client-credentials grant (secret or certificate), device
 * code, refresh token (with rotation) and authorization code (with PKCE), answering successes and
 * failures in the shapes MSAL reads.
 */
import { timingSafeEqual } from 'node:crypto';
import { checkClientAssertion, JWT_BEARER_ASSERTION } from './client-assertion.js';
import { resolveTenant } from './directory.js';
import type { EmulatorState } from './emulator-state.js';
import { tokenLifetime } from './emulator-state.js';
import { entraErrors, type EntraError } from './entra-errors.js';
import { header, jsonReply, readForm, type Exchange, type Reply } from './http-exchange.js';
import { parseScopes } from './scopes.js';
import type { TokenFlow } from './types.js';
import { userTokenResponse } from './user-tokens.js';

/** RFC 8628's name, and the short one MSAL sends (Entra accepts both). */
const DEVICE_CODE_GRANTS = new Set(['urn:ietf:params:oauth:grant-type:device_code', 'device_code']);
/** Entra's "no cache" hint: a response marked so is never stored by proxies. */
const NO_STORE = { 'Cache-Control': 'no-store, no-cache', Pragma: 'no-cache' };

interface TokenRequest {
  state: EmulatorState;
  exchange: Exchange;
  form: Record<string, string>;
  tenantId: string;
  correlationId?: string;
}

/** How the client proved itself: `0` not at all (public client), `1` secret, `2` certificate. */
type ClientAuthentication = '0' | '1' | '2';

export function entraReply(error: EntraError): Reply {
  return jsonReply(error.status, error.body, { headers: NO_STORE });
}

export function tokenReply(body: Record<string, unknown>): Reply {
  return jsonReply(200, body, { headers: NO_STORE });
}

function secretsEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Checks client_id and any client credential given; `required` for confidential-only grants. */
function authenticateClient(
  request: TokenRequest,
  required: boolean,
): ClientAuthentication | EntraError {
  const { state, form, correlationId } = request;
  const { directory } = state;
  const clientId = (form.client_id ?? '').toLowerCase();
  if (!clientId) return entraErrors.missingParameter('client_id', correlationId);
  if (clientId !== directory.applicationId)
    return entraErrors.applicationNotFound(form.client_id, request.tenantId, correlationId);
  if (form.client_secret !== undefined) {
    return secretsEqual(form.client_secret, directory.clientSecret)
      ? '1'
      : entraErrors.invalidClientSecret(directory.applicationId, correlationId);
  }
  if (form.client_assertion !== undefined) {
    if (form.client_assertion_type !== JWT_BEARER_ASSERTION)
      return entraErrors.invalidClientAssertion(
        `client_assertion_type must be ${JWT_BEARER_ASSERTION}`,
        correlationId,
      );
    const failure = checkClientAssertion(form.client_assertion, {
      clientId: directory.applicationId,
      certificates: directory.certificates,
      isTokenEndpoint: (audience) => isTokenEndpointOf(state, audience),
      nowMs: request.exchange.receivedAt,
      correlationId,
    });
    return failure ?? '2';
  }
  return required ? entraErrors.missingClientCredential(correlationId) : '0';
}

function isTokenEndpointOf(state: EmulatorState, audience: string): boolean {
  let url: URL;
  try {
    url = new URL(audience);
  } catch {
    return false;
  }
  const match = /^\/([^/]+)\/oauth2\/(?:v2\.0\/)?token\/?$/.exec(url.pathname);
  return (
    url.origin === state.baseUrl &&
    match !== null &&
    resolveTenant(state.directory, match[1], { allowAliases: false }) !== undefined
  );
}

function clientCredentials(request: TokenRequest): Reply {
  const authentication = authenticateClient(request, true);
  if (typeof authentication !== 'string') return entraReply(authentication);
  const scope = request.form.scope ?? '';
  const parsed = parseScopes(scope);
  if (!parsed.resource || parsed.permissions.length !== 1 || parsed.permissions[0] !== '.default') {
    return entraReply(entraErrors.invalidScope(scope, request.correlationId));
  }
  const flow: TokenFlow = authentication === '2' ? 'clientAssertion' : 'clientCredentials';
  const { state } = request;
  const minted = state.accessTokens.mint(
    {
      tenantId: request.tenantId,
      clientId: state.directory.applicationId,
      audience: parsed.resource,
      lifetimeSeconds: tokenLifetime(state.settings, flow),
      clientAuthentication: authentication,
      objectId: state.directory.servicePrincipalObjectId,
    },
    request.exchange.receivedAt,
  );
  return tokenReply({
    token_type: 'Bearer',
    expires_in: minted.expiresIn,
    ext_expires_in: minted.expiresIn,
    access_token: minted.accessToken,
  });
}

function deviceCode(request: TokenRequest): Reply {
  const authentication = authenticateClient(request, false);
  if (typeof authentication !== 'string') return entraReply(authentication);
  const code = request.form.device_code;
  if (!code) return entraReply(entraErrors.missingParameter('device_code', request.correlationId));
  const poll = request.state.deviceCodes.poll(code, request.exchange.receivedAt);
  switch (poll.status) {
    case 'pending':
      return entraReply(entraErrors.authorizationPending(request.correlationId));
    case 'declined':
      return entraReply(entraErrors.authorizationDeclined(request.correlationId));
    case 'expired':
      return entraReply(entraErrors.deviceCodeExpired(request.correlationId));
    case 'unknown':
      return entraReply(entraErrors.badDeviceCode(request.correlationId));
    case 'approved':
      return tokenReply(
        userTokenResponse(
          request.state,
          { ...poll.request, flow: 'deviceCode', clientAuthentication: authentication },
          request.exchange.receivedAt,
        ),
      );
  }
}

function refreshToken(request: TokenRequest): Reply {
  const authentication = authenticateClient(request, false);
  if (typeof authentication !== 'string') return entraReply(authentication);
  const { state, form, correlationId } = request;
  if (!form.refresh_token)
    return entraReply(entraErrors.missingParameter('refresh_token', correlationId));
  const redemption = state.refreshTokens.redeem(
    form.refresh_token,
    state.directory.applicationId,
    request.exchange.receivedAt,
  );
  if (!redemption.ok) {
    switch (redemption.reason) {
      case 'expired':
        return entraReply(entraErrors.refreshTokenExpired(correlationId));
      case 'revoked':
        return entraReply(entraErrors.refreshTokenRevoked(correlationId));
      case 'mfa-required':
        return entraReply(
          entraErrors.mfaRequired(
            parseScopes(form.scope ?? '').resource ?? 'the resource',
            correlationId,
          ),
        );
      default:
        return entraReply(entraErrors.refreshTokenInvalid(correlationId));
    }
  }
  // A refresh token is good for any resource the user consented to: the scope asked now decides the
  // audience.
  const scopes = form.scope ? form.scope.split(/\s+/).filter(Boolean) : redemption.grant.scopes;
  return tokenReply(
    userTokenResponse(
      state,
      { ...redemption.grant, scopes, flow: 'refreshToken', clientAuthentication: authentication },
      request.exchange.receivedAt,
    ),
  );
}

function authorizationCode(request: TokenRequest): Reply {
  const authentication = authenticateClient(request, false);
  if (typeof authentication !== 'string') return entraReply(authentication);
  const { state, form, correlationId } = request;
  if (!form.code) return entraReply(entraErrors.missingParameter('code', correlationId));
  const redemption = state.authorizationCodes.redeem(
    form.code,
    state.directory.applicationId,
    form.redirect_uri,
    form.code_verifier,
    request.exchange.receivedAt,
  );
  if (!redemption.ok) {
    if (redemption.reason === 'pkce-mismatch')
      return entraReply(entraErrors.pkceMismatch(correlationId));
    if (redemption.reason === 'redirect-mismatch')
      return entraReply(entraErrors.redirectUriMismatch(form.redirect_uri ?? '', correlationId));
    return entraReply(entraErrors.badAuthorizationCode(correlationId));
  }
  const { scopes, nonce } = redemption.request;
  return tokenReply(
    userTokenResponse(
      state,
      {
        ...redemption.request,
        scopes,
        nonce,
        flow: 'authorizationCode',
        clientAuthentication: authentication,
      },
      request.exchange.receivedAt,
    ),
  );
}

export async function tokenEndpoint(state: EmulatorState, exchange: Exchange): Promise<Reply> {
  const form = await readForm(exchange.req);
  const correlationId = header(exchange, 'client-request-id');
  const grant = form.grant_type ?? '';
  const tenantId = resolveTenant(state.directory, exchange.params.tenant, {
    allowAliases: grant !== 'client_credentials',
  });
  if (!tenantId)
    return entraReply(entraErrors.tenantNotFound(exchange.params.tenant, correlationId));
  const request: TokenRequest = { state, exchange, form, tenantId, correlationId };
  if (DEVICE_CODE_GRANTS.has(grant)) return deviceCode(request);
  switch (grant) {
    case 'client_credentials':
      return clientCredentials(request);
    case 'refresh_token':
      return refreshToken(request);
    case 'authorization_code':
      return authorizationCode(request);
    case '':
      return entraReply(entraErrors.missingParameter('grant_type', correlationId));
    default:
      return entraReply(entraErrors.unsupportedGrant(grant, correlationId));
  }
}
