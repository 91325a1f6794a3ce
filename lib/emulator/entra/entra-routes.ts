/**
 * Entra ID's discovery and interactive endpoints: OpenID configuration, JWKS, the device
 * authorization endpoint and the authorization endpoint of the browser (loopback) sign-in.
 */
import { clientKind, resolveTenant } from './directory.js';
import type { EmulatorState } from '../server/emulator-state.js';
import { entraErrors } from './entra-errors.js';
import {
  clientRequestId,
  htmlReply,
  jsonReply,
  readForm,
  redirectReply,
  type Exchange,
  type Reply,
} from '../server/http-exchange.js';
import type { Query } from '../server/query.js';
import { canonicalResource } from './scopes.js';
import { entraReply, unknownResource } from './token-endpoint.js';
import { clientInfo } from './user-tokens.js';

const DEVICE_CODE_LIFETIME_SECONDS = 900;
/** Entra accepts any port on a loopback redirect URI for public clients. */
const LOOPBACK_REDIRECT = /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?(\/[^?#]*)?$/;

export function openIdConfiguration(state: EmulatorState, exchange: Exchange): Reply {
  const segment = exchange.params.tenant;
  const tenantId = resolveTenant(state.directory, segment, { allowAliases: true });
  if (!tenantId) return entraReply(entraErrors.invalidTenantConfiguration(segment));
  const isAlias =
    tenantId !== segment.toLowerCase() && segment.toLowerCase() !== state.directory.tenantDomain;
  const pathTenant = isAlias ? segment : tenantId;
  const base = `${state.baseUrl}/${pathTenant}`;
  return jsonReply(200, {
    token_endpoint: `${base}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: [
      'client_secret_post',
      'private_key_jwt',
      'client_secret_basic',
    ],
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: `${state.baseUrl}/${isAlias ? '{tenantid}' : tenantId}/v2.0`,
    request_uri_parameter_supported: false,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    claims_supported: [
      'sub',
      'iss',
      'aud',
      'exp',
      'iat',
      'auth_time',
      'nonce',
      'name',
      'tid',
      'ver',
      'oid',
      'preferred_username',
      'email',
    ],
    tenant_region_scope: 'NA',
    cloud_instance_name: 'microsoftonline.com',
    cloud_graph_host_name: 'graph.windows.net',
    msgraph_host: 'graph.microsoft.com',
  });
}

export function jwks(state: EmulatorState, exchange: Exchange): Reply {
  if (!resolveTenant(state.directory, exchange.params.tenant, { allowAliases: true }))
    return entraReply(entraErrors.invalidTenantConfiguration(exchange.params.tenant));
  return jsonReply(200, state.signer.jwks());
}

export async function deviceAuthorization(
  state: EmulatorState,
  exchange: Exchange,
): Promise<Reply> {
  const form = await readForm(exchange.req);
  const correlationId = clientRequestId(exchange);
  const tenantId = resolveTenant(state.directory, exchange.params.tenant, { allowAliases: true });
  if (!tenantId)
    return entraReply(entraErrors.tenantNotFound(exchange.params.tenant, correlationId));
  const clientId = (form.client_id ?? '').toLowerCase();
  if (!clientKind(state.directory, clientId))
    return entraReply(
      entraErrors.applicationNotFound(form.client_id ?? '', tenantId, correlationId),
    );
  const scopes = (form.scope ?? '').split(/\s+/).filter(Boolean);
  if (scopes.length === 0) return entraReply(entraErrors.missingParameter('scope', correlationId));
  const refusal = unknownResource(state, form.scope, correlationId);
  if (refusal) return entraReply(refusal);
  const pending = state.deviceCodes.create(
    { clientId, tenantId, scopes },
    exchange.receivedAt,
    DEVICE_CODE_LIFETIME_SECONDS,
    state.settings.autoApproveDeviceCode,
  );
  const verificationUri = `${state.baseUrl}/devicelogin`;
  return jsonReply(200, {
    user_code: pending.userCode,
    device_code: pending.deviceCode,
    verification_uri: verificationUri,
    expires_in: DEVICE_CODE_LIFETIME_SECONDS,
    interval: state.settings.deviceCodeIntervalSeconds,
    message:
      `To sign in, use a web browser to open the page ${verificationUri} and enter ` +
      `the code ${pending.userCode} to authenticate.`,
  });
}

/**
 * What a person sees at the verification URI: the emulator has no login page, only the way to
 * approve.
 */
export function deviceLoginPage(state: EmulatorState): Reply {
  const codes = state.deviceCodes.pendingUserCodes();
  return htmlReply(
    200,
    '<!doctype html><title>Partner Center emulator sign-in</title><p>Pending ' +
      `codes: ${codes.join(', ') || '(none)'}.</p>` +
      '<p>Approve with <code>POST /_emulator/devicecode/approve</code> (header ' +
      '<code>x-emulator-key: &lt;controlKey&gt;</code>, body ' +
      '<code>{"userCode":"..."}</code>, or empty for all).</p>',
  );
}

/** v2 names scopes; a v1 request (`/oauth2/authorize`) names the resource instead. */
function requestedScopes(query: Query): string[] {
  const scopes = (query.get('scope') ?? '').split(/\s+/).filter(Boolean);
  const resource = query.get('resource');
  if (resource && !scopes.some((scope) => scope.includes('/')))
    scopes.unshift(`${canonicalResource(resource)}/user_impersonation`);
  return scopes;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/**
 * The browser sign-in: with `autoApproveAuthorization` (or `emulator_approve=1` in the query, the
 * link the page offers) it redirects straight to the loopback redirect URI with a code; otherwise
 * it shows a page with that link.
 */
export function authorize(state: EmulatorState, exchange: Exchange): Reply {
  const { query } = exchange;
  const tenantId = resolveTenant(state.directory, exchange.params.tenant, { allowAliases: true });
  if (!tenantId)
    return htmlReply(
      400,
      `<!doctype html><p>AADSTS90002: Tenant '${escapeHtml(exchange.params.tenant)}' not found.</p>`,
    );
  const clientId = (query.get('client_id') ?? '').toLowerCase();
  if (!clientKind(state.directory, clientId))
    return htmlReply(
      400,
      `<!doctype html><p>AADSTS700016: Application with identifier '${escapeHtml(clientId)}' ` +
        'was not found.</p>',
    );
  const redirectUri = query.get('redirect_uri') ?? '';
  if (!LOOPBACK_REDIRECT.test(redirectUri))
    return htmlReply(
      400,
      `<!doctype html><p>AADSTS50011: The redirect URI '${escapeHtml(redirectUri)}' ` +
        'does not match the redirect URIs configured for the application.</p>',
    );
  if (query.get('response_type') !== 'code')
    return htmlReply(400, '<!doctype html><p>AADSTS900144: response_type must be code.</p>');
  if (!(state.settings.autoApproveAuthorization || query.get('emulator_approve') === '1')) {
    const approveUrl = new URL(exchange.url.href);
    approveUrl.searchParams.set('emulator_approve', '1');
    const link = `${approveUrl.pathname}${approveUrl.search}`;
    return htmlReply(
      200,
      '<!doctype html><title>Partner Center emulator sign-in</title><p>Sign in ' +
        `as ${escapeHtml(state.directory.user.userPrincipalName)}?</p><p><a id="approve" ` +
        `href="${escapeHtml(link)}">Approve</a></p>`,
    );
  }
  const code = state.authorizationCodes.create(
    {
      clientId,
      tenantId,
      redirectUri,
      scopes: requestedScopes(query),
      codeChallenge: query.get('code_challenge') ?? undefined,
      codeChallengeMethod: query.get('code_challenge_method') ?? undefined,
      nonce: query.get('nonce') ?? undefined,
    },
    exchange.receivedAt,
  );
  const target = new URL(redirectUri);
  target.searchParams.set('code', code);
  const stateParam = query.get('state');
  if (stateParam !== null) target.searchParams.set('state', stateParam);
  target.searchParams.set('client_info', clientInfo(state.directory.user.objectId, tenantId));
  target.searchParams.set('session_state', state.serverId);
  return redirectReply(target.href);
}
