/**
 * The Entra discovery endpoints clients written elsewhere call before a sign-in: the v1 OpenID
 * configuration (ADAL-era clients and the v1 token endpoint), instance discovery (MSAL asks it
 * about an authority it does not know, unless told not to) and user realm discovery (MSAL's
 * password grant asks whether the user's domain is managed or federated).
 */
import { resolveTenant } from './directory.js';
import type { EmulatorState } from '../server/emulator-state.js';
import { entraError, entraErrors } from './entra-errors.js';
import { jsonReply, type Exchange, type Reply } from '../server/http-exchange.js';
import { entraReply } from './token-endpoint.js';

const CLOUD = {
  tenant_region_scope: 'NA',
  cloud_instance_name: 'microsoftonline.com',
  cloud_graph_host_name: 'graph.windows.net',
  msgraph_host: 'graph.microsoft.com',
};

/** `GET /{tenant}/.well-known/openid-configuration`: v1 endpoints, `sts.windows.net` issuer. */
export function openIdConfigurationV1(state: EmulatorState, exchange: Exchange): Reply {
  const segment = exchange.params.tenant;
  const tenantId = resolveTenant(state.directory, segment, { allowAliases: true });
  if (!tenantId) return entraReply(entraErrors.invalidTenantConfiguration(segment));
  const base = `${state.baseUrl}/${segment}`;
  return jsonReply(200, {
    token_endpoint: `${base}/oauth2/token`,
    token_endpoint_auth_methods_supported: [
      'client_secret_post',
      'private_key_jwt',
      'client_secret_basic',
    ],
    jwks_uri: `${base}/discovery/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'token id_token', 'token'],
    scopes_supported: ['openid'],
    // The issuer of the v1 access tokens the emulator signs (their `iss` claim).
    issuer: `https://sts.windows.net/${tenantId}/`,
    microsoft_multi_refresh_token: true,
    authorization_endpoint: `${base}/oauth2/authorize`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2/logout`,
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'name', 'tid'],
    ...CLOUD,
  });
}

/**
 * `GET /common/discovery/instance?api-version=1.1&authorization_endpoint=...`: where the tenant's
 * OpenID configuration lives and which host names are the same authority (only this one).
 */
export function instanceDiscovery(state: EmulatorState, exchange: Exchange): Reply {
  const endpoint = exchange.query.get('authorization_endpoint');
  let asked: URL | undefined;
  try {
    asked = endpoint ? new URL(endpoint) : undefined;
  } catch {
    asked = undefined;
  }
  const host = new URL(state.baseUrl).host;
  if (!asked || asked.host !== host)
    return entraReply(
      entraError(400, 'invalid_instance', 50049, 'Unknown or invalid instance.', undefined),
    );
  const tenant = asked.pathname.split('/')[1] || 'common';
  return jsonReply(200, {
    tenant_discovery_endpoint: `${state.baseUrl}/${tenant}/v2.0/.well-known/openid-configuration`,
    'api-version': exchange.query.get('api-version') ?? '1.1',
    metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
  });
}

/**
 * `GET /common/userrealm/{user}`: api-version 1.0 is what MSAL sends (`account_type`); 2.0 is the
 * shape the sign-in page reads (`NameSpaceType`). The emulated tenant's domain is managed (no
 * federation); any other domain is unknown.
 */
export function userRealm(state: EmulatorState, exchange: Exchange): Reply {
  const user = exchange.params.user;
  const domain = user.slice(user.lastIndexOf('@') + 1).toLowerCase();
  const managed = domain === state.directory.tenantDomain;
  if (exchange.query.get('api-version') === '1.0')
    return jsonReply(200, {
      ver: '1.0',
      account_type: managed ? 'Managed' : 'Unknown',
      ...(managed
        ? { domain_name: domain, cloud_audience_urn: 'urn:federation:MicrosoftOnline' }
        : {}),
      cloud_instance_name: CLOUD.cloud_instance_name,
    });
  return jsonReply(200, {
    NameSpaceType: managed ? 'Managed' : 'Unknown',
    Login: user,
    DomainName: managed ? domain : undefined,
    FederationBrandName: managed ? 'Contoso Partner' : undefined,
    TenantBrandingInfo: null,
    cloud_instance_name: CLOUD.cloud_instance_name,
  });
}
