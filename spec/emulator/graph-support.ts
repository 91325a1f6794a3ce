/**
 * Microsoft Graph on a running emulator, for the graph-*.spec.ts files: Graph-audience tokens the
 * way a client gets them (the token endpoint), requests by Graph path, and a listing that follows
 * `@odata.nextLink` exactly as given.
 */
import type { StartedEmulator } from '../../lib/emulator/index.js';
import { request, requestUrl, type RequestOptions, type Response } from './support.js';

export const GRAPH = 'https://graph.microsoft.com';
export const PARTNER_CENTER = 'https://api.partnercenter.microsoft.com';
export const RELATIONSHIPS = '/v1.0/tenantRelationships/delegatedAdminRelationships';

/** An app-only token from the client-credentials grant, for `{resource}/.default`. */
export async function appToken(emulator: StartedEmulator, resource: string): Promise<string> {
  const issued = await request(emulator, `/${emulator.tenantId}/oauth2/v2.0/token`, {
    body: {
      grant_type: 'client_credentials',
      client_id: emulator.applicationId,
      client_secret: emulator.clientSecret,
      scope: `${resource}/.default`,
    },
  });
  if (issued.status !== 200) throw new Error(`token endpoint: ${issued.status} ${issued.text}`);
  return issued.json.access_token;
}

/** A delegated token redeemed from a refresh token for these scopes. */
export async function userToken(emulator: StartedEmulator, scope: string): Promise<Response> {
  return request(emulator, `/${emulator.tenantId}/oauth2/v2.0/token`, {
    body: {
      grant_type: 'refresh_token',
      client_id: emulator.applicationId,
      client_secret: emulator.clientSecret,
      refresh_token: emulator.issueRefreshToken(),
      scope,
    },
  });
}

export function graph(
  emulator: StartedEmulator,
  pathAndQuery: string,
  options: RequestOptions = {},
): Promise<Response> {
  return requestUrl(emulator, `${emulator.graphEndpoint}${pathAndQuery}`, options);
}

export interface GraphListing {
  items: any[];
  pages: Response[];
}

/** Every page of a Graph collection, following `@odata.nextLink` exactly as given. */
export async function listGraph(
  emulator: StartedEmulator,
  token: string,
  pathAndQuery: string,
): Promise<GraphListing> {
  const listing: GraphListing = { items: [], pages: [] };
  let response = await graph(emulator, pathAndQuery, { token });
  for (;;) {
    if (response.status !== 200)
      throw new Error(`page ${listing.pages.length + 1}: HTTP ${response.status} ${response.text}`);
    listing.pages.push(response);
    listing.items.push(...response.json.value);
    const next: string | undefined = response.json['@odata.nextLink'];
    if (!next) return listing;
    response = await requestUrl(emulator, next, { token });
  }
}
