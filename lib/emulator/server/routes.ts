/**
 * The route table: one place that says which paths exist, which are the Partner Center API (token
 * checked, MS-* headers, BOM, latency), which are Microsoft Graph (`/v1.0/`: Graph's token, headers
 * and error body, latency), which count as token endpoints for fault injection, and which are the
 * emulator's own controls (never counted nor faulted). Graph routes count as `api` for the fault
 * script: one script and one rate limit cover both APIs.
 */
import { controlRoutes } from './control-routes.js';
import {
  errorReply,
  getCustomer,
  listCustomers,
  type ApiCaller,
} from '../partner-center/customer-routes.js';
import {
  getSubscription,
  getUser,
  listSubscribedSkus,
  listSubscriptions,
  listUserLicenses,
  listUsers,
} from '../partner-center/customer-resource-routes.js';
import type { EmulatorState } from './emulator-state.js';
import {
  authorize,
  deviceAuthorization,
  deviceLoginPage,
  jwks,
  openIdConfiguration,
} from '../entra/entra-routes.js';
import { instanceDiscovery, openIdConfigurationV1, userRealm } from '../entra/discovery-routes.js';
import type { CountedTarget } from './fault-injector.js';
import { GRAPH_ROUTES } from '../graph/graph-routes.js';
import { GRAPH_BILLING_ROUTES } from '../billing/graph-billing-routes.js';
import { getInvoice, listInvoiceLineItems, listInvoices } from '../billing/invoice-routes.js';
import { BLOB_ROUTE_PATH, getBlob } from '../blob/blob-routes.js';
import { header, type Exchange, type Reply } from './http-exchange.js';
import { managedIdentityToken } from '../entra/managed-identity-route.js';
import { pcErrors } from '../partner-center/partner-center-errors.js';
import { tokenEndpoint, tokenEndpointV1 } from '../entra/token-endpoint.js';

export type RouteKind = 'api' | 'graph' | 'entra' | 'control' | 'blob';

export interface Route {
  method: string;
  /**
   * Path template: literal segments and `{name}` placeholders; a last `{*name}` takes the rest of
   * the path, one segment or more (a blob's directories and name).
   */
  path: string;
  kind: RouteKind;
  /**
   * Fault-injection counting classes (the first shapes an injected failure); undefined routes are
   * never faulted.
   */
  faultTarget?: CountedTarget | readonly CountedTarget[];
  handle(state: EmulatorState, exchange: Exchange): Reply | Promise<Reply>;
}

/** Partner Center routes run only with a valid access token, as the real API does. */
function authorized(
  handler: (state: EmulatorState, exchange: Exchange, caller: ApiCaller) => Reply,
): (state: EmulatorState, exchange: Exchange) => Reply {
  return (state: EmulatorState, exchange: Exchange): Reply => {
    const check = state.accessTokens.checkApiToken(
      header(exchange, 'authorization'),
      exchange.receivedAt,
    );
    if (!check.ok) return errorReply(pcErrors.accessDenied401(check.reason), state.settings.bom);
    return handler(state, exchange, { delegated: check.delegated });
  };
}

const routes: readonly Route[] = [
  {
    method: 'GET',
    path: '/v1/customers',
    kind: 'api',
    faultTarget: 'api',
    handle: authorized(listCustomers),
  },
  {
    method: 'GET',
    path: '/v1/customers/{id}',
    kind: 'api',
    faultTarget: 'api',
    handle: authorized((state, exchange) => getCustomer(state, exchange)),
  },
  ...(
    [
      ['/v1/customers/{id}/subscriptions', listSubscriptions],
      ['/v1/customers/{id}/subscriptions/{subscriptionId}', getSubscription],
      ['/v1/customers/{id}/users', listUsers],
      ['/v1/customers/{id}/users/{userId}', getUser],
      ['/v1/customers/{id}/users/{userId}/licenses', listUserLicenses],
      ['/v1/customers/{id}/subscribedskus', listSubscribedSkus],
    ] as const
  ).map(
    ([path, handler]): Route => ({
      method: 'GET',
      path,
      kind: 'api',
      faultTarget: 'api',
      handle: authorized(handler),
    }),
  ),
  ...(
    [
      ['/v1/invoices', listInvoices],
      ['/v1/invoices/{id}', getInvoice],
      ['/v1/invoices/{id}/lineitems', listInvoiceLineItems],
      ['/v1/invoices/{id}/lineitems/{provider}/{type}', listInvoiceLineItems],
    ] as const
  ).map(
    ([path, handler]): Route => ({
      method: 'GET',
      path,
      kind: 'api',
      faultTarget: 'api',
      handle: authorized(handler),
    }),
  ),
  ...GRAPH_ROUTES.map(
    ({ path, handle }): Route => ({
      method: 'GET',
      path,
      kind: 'graph',
      faultTarget: 'api',
      handle,
    }),
  ),
  ...GRAPH_BILLING_ROUTES.map(
    ([method, path, handle]): Route => ({
      method,
      path,
      kind: 'graph',
      faultTarget:
        method === 'POST'
          ? ['api', 'export']
          : path.includes('/operations/')
            ? ['api', 'operation']
            : 'api',
      handle,
    }),
  ),
  { method: 'GET', path: BLOB_ROUTE_PATH, kind: 'blob', faultTarget: 'blob', handle: getBlob },
  { method: 'GET', path: '/common/discovery/instance', kind: 'entra', handle: instanceDiscovery },
  { method: 'GET', path: '/common/userrealm/{user}', kind: 'entra', handle: userRealm },
  {
    method: 'GET',
    path: '/{tenant}/v2.0/.well-known/openid-configuration',
    kind: 'entra',
    handle: openIdConfiguration,
  },
  {
    method: 'GET',
    path: '/{tenant}/.well-known/openid-configuration',
    kind: 'entra',
    handle: openIdConfigurationV1,
  },
  { method: 'GET', path: '/{tenant}/discovery/v2.0/keys', kind: 'entra', handle: jwks },
  { method: 'GET', path: '/{tenant}/discovery/keys', kind: 'entra', handle: jwks },
  {
    method: 'POST',
    path: '/{tenant}/oauth2/token',
    kind: 'entra',
    faultTarget: 'token',
    handle: tokenEndpointV1,
  },
  {
    method: 'POST',
    path: '/{tenant}/oauth2/v2.0/token',
    kind: 'entra',
    faultTarget: 'token',
    handle: tokenEndpoint,
  },
  {
    method: 'POST',
    path: '/{tenant}/oauth2/v2.0/devicecode',
    kind: 'entra',
    faultTarget: 'token',
    handle: deviceAuthorization,
  },
  { method: 'GET', path: '/{tenant}/oauth2/v2.0/authorize', kind: 'entra', handle: authorize },
  { method: 'GET', path: '/{tenant}/oauth2/authorize', kind: 'entra', handle: authorize },
  { method: 'GET', path: '/devicelogin', kind: 'entra', handle: deviceLoginPage },
  {
    method: 'GET',
    path: '/msi/token',
    kind: 'entra',
    faultTarget: 'token',
    handle: managedIdentityToken,
  },
  ...Object.entries(controlRoutes).map(([key, handle]): Route => {
    const [method, path] = key.split(' ');
    return { method, path, kind: 'control', handle };
  }),
];

const splitRoutes = routes.map((route) => ({ route, segments: route.path.split('/').slice(1) }));

function matchSegments(
  template: readonly string[],
  actual: readonly string[],
): Record<string, string> | undefined {
  const rest = template[template.length - 1]?.startsWith('{*');
  if (rest ? actual.length < template.length : template.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (let n = 0; n < template.length; n++) {
    const part = template[n];
    if (rest && n === template.length - 1) {
      params[part.slice(2, -1)] = actual.slice(n).map(decodeURIComponent).join('/');
    } else if (part.startsWith('{')) {
      if (!actual[n]) return undefined;
      params[part.slice(1, -1)] = decodeURIComponent(actual[n]);
    } else if (part.toLowerCase() !== actual[n].toLowerCase()) {
      return undefined;
    }
  }
  return params;
}

export type RouteMatch =
  | { route: Route; params: Record<string, string> }
  | { route?: undefined; allowedMethods: string[] };

/**
 * Literal routes are listed before the `{tenant}` ones that could shadow them, so the first match
 * wins.
 */
export function matchRoute(method: string, pathname: string): RouteMatch {
  const actual = pathname.replace(/\/+$/, '').split('/').slice(1);
  const allowedMethods: string[] = [];
  for (const { route, segments } of splitRoutes) {
    let params: Record<string, string> | undefined;
    try {
      params = matchSegments(segments, actual);
    } catch {
      continue; // a malformed %-escape matches nothing
    }
    if (!params) continue;
    if (route.method === method) return { route, params };
    if (!allowedMethods.includes(route.method)) allowedMethods.push(route.method);
  }
  return { allowedMethods };
}

export function routeKey(route: Route): string {
  return `${route.method} ${route.path}`;
}
