/**
 * The route table: one place that says which paths exist, which service each belongs to (its
 * descriptor says how that service authenticates, answers and fails: service.ts), and which count
 * as API or token endpoints for fault injection. Graph routes count as `api` for the fault script:
 * one script and one rate limit cover both APIs. A route may have any method; a known path asked
 * with another method is answered 405 with `Allow` by its service.
 */
import { controlRoutes, controlService } from './control-routes.js';
import { listAuditRecords } from '../partner-center/audit/audit-route.js';
import { getCustomer, listCustomers } from '../partner-center/customer-routes.js';
import {
  getSubscription,
  getUser,
  listSubscribedSkus,
  listSubscriptions,
  listUserDirectoryRoles,
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
import { entraService } from '../entra/service.js';
import type { CountedTarget } from './fault-injector.js';
import { GRAPH_ROUTES } from '../graph/graph-routes.js';
import { BILLING_OPERATION_PATH, GRAPH_BILLING_ROUTES } from '../billing/graph-billing-routes.js';
import { getInvoice, listInvoiceLineItems, listInvoices } from '../billing/invoice-routes.js';
import { BLOB_ROUTE_PATH, getBlob } from '../blob/blob-routes.js';
import { blobService } from '../blob/service.js';
import { graphService } from '../graph/service.js';
import type { Exchange, Reply } from './http-exchange.js';
import { managedIdentityToken } from '../entra/managed-identity-route.js';
import { partnerCenterService } from '../partner-center/service.js';
import { patchSubscription } from '../partner-center/subscription-writes.js';
import type { Caller, Service } from './service.js';
import { tokenEndpoint, tokenEndpointV1 } from '../entra/token-endpoint.js';

/** A route's work, once its service has authenticated the caller. It may await (a body, a store). */
export type RouteHandler = (
  state: EmulatorState,
  exchange: Exchange,
  caller: Caller,
) => Reply | Promise<Reply>;

export interface Route {
  method: string;
  /**
   * Path template: literal segments and `{name}` placeholders; a last `{*name}` takes the rest of
   * the path, one segment or more (a blob's directories and name).
   */
  path: string;
  service: Service;
  /**
   * Fault-injection counting classes (an export's POST is `api` and `export`); undefined routes
   * are never faulted.
   */
  faultTarget?: CountedTarget | readonly CountedTarget[];
  handle: RouteHandler;
}

/** The service that answers a path no route matches: the one whose root it is under. */
const ROOTED_SERVICES: readonly Service[] = [graphService, blobService];
const UNROOTED_SERVICE = partnerCenterService;

export function serviceOfPath(pathname: string): Service {
  for (const service of ROOTED_SERVICES)
    if (service.root && pathname.startsWith(service.root)) return service;
  return UNROOTED_SERVICE;
}

const routes: readonly Route[] = [
  {
    method: 'GET',
    path: '/v1/customers',
    service: partnerCenterService,
    faultTarget: 'api',
    handle: listCustomers,
  },
  {
    method: 'GET',
    path: '/v1/customers/{id}',
    service: partnerCenterService,
    faultTarget: 'api',
    handle: getCustomer,
  },
  ...(
    [
      ['/v1/customers/{id}/subscriptions', listSubscriptions],
      ['/v1/customers/{id}/subscriptions/{subscriptionId}', getSubscription],
      ['/v1/customers/{id}/users', listUsers],
      ['/v1/customers/{id}/users/{userId}', getUser],
      ['/v1/customers/{id}/users/{userId}/licenses', listUserLicenses],
      ['/v1/customers/{id}/users/{userId}/directoryroles', listUserDirectoryRoles],
      ['/v1/customers/{id}/subscribedskus', listSubscribedSkus],
      ['/v1/auditrecords', listAuditRecords],
    ] as const
  ).map(
    ([path, handler]): Route => ({
      method: 'GET',
      path,
      service: partnerCenterService,
      faultTarget: 'api',
      handle: handler,
    }),
  ),
  {
    method: 'PATCH',
    path: '/v1/customers/{id}/subscriptions/{subscriptionId}',
    service: partnerCenterService,
    faultTarget: 'api',
    handle: patchSubscription,
  },
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
      service: partnerCenterService,
      faultTarget: 'api',
      handle: handler,
    }),
  ),
  ...GRAPH_ROUTES.map(
    ({ path, handle }): Route => ({
      method: 'GET',
      path,
      service: graphService,
      faultTarget: 'api',
      handle,
    }),
  ),
  ...GRAPH_BILLING_ROUTES.map(
    ([method, path, handle]): Route => ({
      method,
      path,
      service: graphService,
      faultTarget:
        method === 'POST'
          ? ['api', 'export']
          : BILLING_OPERATION_PATH === path
            ? ['api', 'operation']
            : 'api',
      handle,
    }),
  ),
  {
    method: 'GET',
    path: BLOB_ROUTE_PATH,
    service: blobService,
    faultTarget: 'blob',
    handle: getBlob,
  },
  {
    method: 'GET',
    path: '/common/discovery/instance',
    service: entraService,
    handle: instanceDiscovery,
  },
  { method: 'GET', path: '/common/userrealm/{user}', service: entraService, handle: userRealm },
  {
    method: 'GET',
    path: '/{tenant}/v2.0/.well-known/openid-configuration',
    service: entraService,
    handle: openIdConfiguration,
  },
  {
    method: 'GET',
    path: '/{tenant}/.well-known/openid-configuration',
    service: entraService,
    handle: openIdConfigurationV1,
  },
  { method: 'GET', path: '/{tenant}/discovery/v2.0/keys', service: entraService, handle: jwks },
  { method: 'GET', path: '/{tenant}/discovery/keys', service: entraService, handle: jwks },
  {
    method: 'POST',
    path: '/{tenant}/oauth2/token',
    service: entraService,
    faultTarget: 'token',
    handle: tokenEndpointV1,
  },
  {
    method: 'POST',
    path: '/{tenant}/oauth2/v2.0/token',
    service: entraService,
    faultTarget: 'token',
    handle: tokenEndpoint,
  },
  {
    method: 'POST',
    path: '/{tenant}/oauth2/v2.0/devicecode',
    service: entraService,
    faultTarget: 'token',
    handle: deviceAuthorization,
  },
  {
    method: 'GET',
    path: '/{tenant}/oauth2/v2.0/authorize',
    service: entraService,
    handle: authorize,
  },
  { method: 'GET', path: '/{tenant}/oauth2/authorize', service: entraService, handle: authorize },
  { method: 'GET', path: '/devicelogin', service: entraService, handle: deviceLoginPage },
  {
    method: 'GET',
    path: '/msi/token',
    service: entraService,
    faultTarget: 'token',
    handle: managedIdentityToken,
  },
  ...Object.entries(controlRoutes).map(([key, handle]): Route => {
    const [method, path] = key.split(' ');
    return { method, path, service: controlService, handle };
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
  | { route?: undefined; allowedMethods: string[]; service: Service };

/**
 * Literal routes are listed before the `{tenant}` ones that could shadow them, so the first match
 * wins.
 */
export function matchRoute(method: string, pathname: string): RouteMatch {
  const actual = pathname.replace(/\/+$/, '').split('/').slice(1);
  const allowedMethods: string[] = [];
  let service: Service | undefined;
  for (const { route, segments } of splitRoutes) {
    let params: Record<string, string> | undefined;
    try {
      params = matchSegments(segments, actual);
    } catch {
      continue; // a malformed %-escape matches nothing
    }
    if (!params) continue;
    if (route.method === method) return { route, params };
    service ??= route.service;
    if (!allowedMethods.includes(route.method)) allowedMethods.push(route.method);
  }
  return { allowedMethods, service: service ?? serviceOfPath(pathname) };
}

export function routeKey(route: Route): string {
  return `${route.method} ${route.path}`;
}
