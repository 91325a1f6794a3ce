/**
 * A customer's subscriptions, users, subscribed SKUs, user licenses and user directory roles, with
 * Partner Center's rules: all but subscriptions need an App+User token (subscriptions take app-only
 * too); an id that is not a GUID is a 400, an unknown customer a 404 (60003), a customer without
 * a commerce relationship a 403 (20002); users page like customers, the rest are one collection.
 */
import { isGuid } from '../../common/guid.js';
import { CustomerResources } from './customer-resources.js';
import { parseLicenseGroups } from './customer-licenses.js';
import type { EmulatorState } from '../server/emulator-state.js';
import { jsonReply, type Exchange, type Reply } from '../server/http-exchange.js';
import {
  collectionReply,
  errorReply,
  queryParam,
  queryParams,
  seekPageReply,
  type ApiCaller,
  type FilterParse,
  type SeekCollection,
} from './paged-collection.js';
import { pcErrors } from './partner-center-errors.js';
import { parseFilterObject, readFilterProperty } from './customer-filter.js';

/** Not documented: the old module asked for up to 500 users a page; 100 is what a bare request got. */
export const USERS_DEFAULT_PAGE_SIZE = 100;
export const USERS_MAX_PAGE_SIZE = 500;

type UserState = 'active' | 'inactive';

/** The customer a request names, or the reply that refuses it. */
export function customerOf(
  state: EmulatorState,
  exchange: Exchange,
  caller: ApiCaller,
  appUserOnly: boolean,
): CustomerResources | Reply {
  const { bom } = state.settings;
  const id = exchange.params.id;
  if (!isGuid(id)) return errorReply(pcErrors.invalidCustomerId(), bom);
  if (appUserOnly && !caller.delegated)
    return errorReply(
      pcErrors.accessDenied403('this operation supports App+User (delegated) tokens only'),
      bom,
    );
  const index = state.dataset.indexOfId(id);
  if (index < 0) return errorReply(pcErrors.tenantNotFound(id), bom);
  const resources = new CustomerResources(state.dataset, index, state.store);
  if (!resources.hasCommerceRelationship)
    return errorReply(pcErrors.noCommerceRelationship(state.dataset.partnerTenantId, id), bom);
  return resources;
}

/** The active user a request names, or the reply that refuses it. */
function userOf(state: EmulatorState, exchange: Exchange, resources: CustomerResources) {
  const userId = exchange.params.userId;
  const position = isGuid(userId) ? resources.activeUserPosition(userId) : -1;
  return position < 0 ? errorReply(pcErrors.userNotFound(userId), state.settings.bom) : position;
}

export function listSubscriptions(state: EmulatorState, exchange: Exchange, caller: ApiCaller) {
  const resources = customerOf(state, exchange, caller, false);
  if (!(resources instanceof CustomerResources)) return resources;
  const orderId = queryParam(exchange, 'order_id')?.toLowerCase();
  const items = resources.subscriptions
    .filter(
      (subscription) =>
        orderId === undefined || String(subscription.json.orderId).toLowerCase() === orderId,
    )
    .map((subscription) => subscription.json);
  return collectionReply(items, state.settings.bom);
}

export function getSubscription(state: EmulatorState, exchange: Exchange, caller: ApiCaller) {
  const resources = customerOf(state, exchange, caller, false);
  if (!(resources instanceof CustomerResources)) return resources;
  const id = exchange.params.subscriptionId.toLowerCase();
  const found = resources.subscriptions.find((subscription) => subscription.id === id);
  if (!found)
    return errorReply(
      pcErrors.subscriptionNotFound(exchange.params.subscriptionId),
      state.settings.bom,
    );
  return jsonReply(200, found.json, { bom: state.settings.bom });
}

/** `{"Field":"UserState","Value":"Inactive","Operator":"equals"}`: keys and values ignore case. */
function parseUserFilter(text: string): FilterParse<UserState> {
  const read = parseFilterObject(text);
  if (!read.ok) return read;
  const { object } = read;
  const [field, value, operator] = ['Field', 'Value', 'Operator'].map((name) =>
    String(readFilterProperty(object, name) ?? '').toLowerCase(),
  );
  if (field !== 'userstate') return { ok: false, reason: 'filter Field must be UserState' };
  if (operator !== 'equals') return { ok: false, reason: 'filter Operator must be equals' };
  if (value !== 'active' && value !== 'inactive')
    return { ok: false, reason: 'filter Value must be Active or Inactive' };
  return { ok: true, filter: value };
}

function userCollection(resources: CustomerResources): SeekCollection<UserState> {
  const { active, deleted } = resources.userCounts;
  const base = `/customers/${resources.context.id}/users`;
  return {
    scope: `users:${resources.context.id}`,
    defaultPageSize: USERS_DEFAULT_PAGE_SIZE,
    maxPageSize: USERS_MAX_PAGE_SIZE,
    parseFilter: parseUserFilter,
    filterKey: (filter) => filter,
    page: (cursor) => {
      const [first, count] = cursor.filter === 'inactive' ? [active, deleted] : [0, active];
      const end = Math.min(cursor.offset + cursor.size, count);
      const users: string[] = [];
      for (let n = cursor.offset; n < end; n++)
        users.push(JSON.stringify(resources.user(first + n)));
      return {
        items: Buffer.from(users.join(','), 'utf8'),
        count: users.length,
        nextOffset: end < count ? end : undefined,
      };
    },
    uri: (size, filter, next) => {
      const value = filter === 'inactive' ? 'Inactive' : 'Active';
      const filterJson = JSON.stringify({ Field: 'UserState', Value: value, Operator: 'equals' });
      const filterPart = filter ? `&filter=${encodeURIComponent(filterJson)}` : '';
      return `${base}?size=${size}${filterPart}${next ? '&seekOperation=Next' : ''}`;
    },
  };
}

export function listUsers(state: EmulatorState, exchange: Exchange, caller: ApiCaller) {
  const resources = customerOf(state, exchange, caller, true);
  if (!(resources instanceof CustomerResources)) return resources;
  return seekPageReply(state, exchange, caller, userCollection(resources));
}

export function getUser(state: EmulatorState, exchange: Exchange, caller: ApiCaller) {
  const resources = customerOf(state, exchange, caller, true);
  if (!(resources instanceof CustomerResources)) return resources;
  const position = userOf(state, exchange, resources);
  if (typeof position !== 'number') return position;
  return jsonReply(200, resources.user(position), { bom: state.settings.bom });
}

function licenseGroupsOf(state: EmulatorState, exchange: Exchange) {
  const groups = parseLicenseGroups(queryParams(exchange, 'licenseGroupIds'));
  return groups.ok
    ? groups.groups
    : errorReply(pcErrors.invalidProperty(groups.reason), state.settings.bom);
}

export function listSubscribedSkus(state: EmulatorState, exchange: Exchange, caller: ApiCaller) {
  const resources = customerOf(state, exchange, caller, true);
  if (!(resources instanceof CustomerResources)) return resources;
  const groups = licenseGroupsOf(state, exchange);
  if (groups !== null && !Array.isArray(groups)) return groups;
  return collectionReply(resources.subscribedSkus(groups), state.settings.bom);
}

export function listUserLicenses(state: EmulatorState, exchange: Exchange, caller: ApiCaller) {
  const resources = customerOf(state, exchange, caller, true);
  if (!(resources instanceof CustomerResources)) return resources;
  const position = userOf(state, exchange, resources);
  if (typeof position !== 'number') return position;
  const groups = licenseGroupsOf(state, exchange);
  if (groups !== null && !Array.isArray(groups)) return groups;
  return collectionReply(resources.licensesOf(position, groups), state.settings.bom);
}

export function listUserDirectoryRoles(
  state: EmulatorState,
  exchange: Exchange,
  caller: ApiCaller,
) {
  const resources = customerOf(state, exchange, caller, true);
  if (!(resources instanceof CustomerResources)) return resources;
  const position = userOf(state, exchange, resources);
  if (typeof position !== 'number') return position;
  return collectionReply(resources.directoryRolesOf(position), state.settings.bom);
}
