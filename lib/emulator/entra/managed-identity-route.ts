/**
 * The managed-identity endpoint in the shape Azure App Service and Azure Automation expose
 * (`IDENTITY_ENDPOINT` + `IDENTITY_HEADER`, api-version 2019-08-01): a GET with the resource,
 * the secret header, and optionally a user-assigned identity's client id, object id or resource id.
 */
import type { EmulatedIdentity } from './directory.js';
import type { EmulatorState } from '../server/emulator-state.js';
import { tokenLifetime } from '../server/emulator-state.js';
import { header, jsonReply, type Exchange, type Reply } from '../server/http-exchange.js';
import type { Query } from '../server/query.js';
import { applicationRolesOf, canonicalResource } from './scopes.js';
import { unknownResource } from './token-endpoint.js';

const API_VERSION = '2019-08-01';

function failure(status: number, message: string, error?: string): Reply {
  return jsonReply(status, {
    statusCode: status,
    error: error ?? (status === 401 ? 'unauthorized_client' : 'invalid_request'),
    message,
  });
}

function chooseIdentity(state: EmulatorState, query: Query): EmulatedIdentity | undefined {
  const { systemAssignedIdentity, userAssignedIdentity } = state.directory;
  const clientId = query.get('client_id');
  const objectId = query.get('object_id') ?? query.get('principal_id');
  const resourceId = query.get('mi_res_id') ?? query.get('msi_res_id');
  if (clientId === null && objectId === null && resourceId === null) return systemAssignedIdentity;
  if (clientId?.toLowerCase() === userAssignedIdentity.clientId) return userAssignedIdentity;
  if (objectId?.toLowerCase() === userAssignedIdentity.objectId) return userAssignedIdentity;
  if (resourceId?.toLowerCase().endsWith('/useridentity')) return userAssignedIdentity;
  return undefined;
}

export function managedIdentityToken(state: EmulatorState, exchange: Exchange): Reply {
  if (header(exchange, 'x-identity-header') !== state.identityHeader)
    return failure(401, 'The X-IDENTITY-HEADER header is missing or wrong.');
  const { query } = exchange;
  if (query.get('api-version') !== API_VERSION)
    return failure(400, `api-version must be ${API_VERSION}.`);
  const resource = query.get('resource');
  if (!resource) return failure(400, 'The resource parameter is required.');
  // The endpoint passes on Entra's refusal of a resource the tenant does not have.
  const refusal = unknownResource(state, `${resource}/.default`);
  if (refusal) return failure(400, String(refusal.body.error_description), 'invalid_resource');
  const identity = chooseIdentity(state, query);
  if (!identity)
    return failure(400, 'No managed identity with that id is assigned to this resource.');
  const minted = state.accessTokens.mint(
    {
      tenantId: state.directory.tenantId,
      clientId: identity.clientId,
      audience: canonicalResource(resource),
      lifetimeSeconds: tokenLifetime(state.settings, 'managedIdentity'),
      clientAuthentication: '2',
      objectId: identity.objectId,
      roles: applicationRolesOf(resource),
    },
    exchange.receivedAt,
  );
  return jsonReply(200, {
    access_token: minted.accessToken,
    expires_on: String(minted.expiresOn),
    resource,
    token_type: 'Bearer',
    client_id: identity.clientId,
  });
}
