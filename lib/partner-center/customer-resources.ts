/**
 * What Partner Center keeps for each customer that admins read next: its subscriptions, its users,
 * its subscribed SKUs (the licenses it has) and each user's licenses. Each collection is described
 * once; the listing layer does the rest. Paths and rules: docs/partner-center-api.md, "Customer
 * resources".
 */
import type { PartnerCenterClient } from './client.js';
import type { SeekCollection, SingleCollection } from './collections.js';
import { oneOf } from './one-resource.js';

export const SUBSCRIPTION = { item: 'Subscription', one: 'subscription', many: 'subscriptions' };
export const CUSTOMER_USER = { item: 'CustomerUser', one: 'user', many: 'users' };
export const SUBSCRIBED_SKU = {
  item: 'SubscribedSku',
  one: 'subscribed SKU',
  many: 'subscribed SKUs',
};
export const LICENSE = { item: 'License', one: 'license', many: 'licenses' };

/** The license groups a SKU or license belongs to: Entra ID (Group1) or Minecraft (Group2). */
export const LICENSE_GROUPS = ['Group1', 'Group2'] as const;

/** The most users one page may hold; also the page size used when none is given. */
export const MAX_USER_PAGE_SIZE = 500;

const customerPath = (customerId: string) => `/customers/${encodeURIComponent(customerId)}`;

/** One collection response: every subscription of the customer (or of one of its orders). */
export function subscriptionsCollection(customerId: string, orderId?: string): SingleCollection {
  return {
    noun: SUBSCRIPTION,
    paging: 'single',
    path: `${customerPath(customerId)}/subscriptions`,
    query: orderId === undefined ? [] : [['order_id', encodeURIComponent(orderId)]],
  };
}

/** Seek-paged like customers; deleted users are the ones whose UserState is Inactive. */
export function usersCollection(
  customerId: string,
  options: { deleted?: boolean } = {},
): SeekCollection {
  const inactive = { Field: 'UserState', Value: 'Inactive', Operator: 'equals' };
  return {
    noun: CUSTOMER_USER,
    paging: 'seek',
    path: `${customerPath(customerId)}/users`,
    query: options.deleted ? [['filter', encodeURIComponent(JSON.stringify(inactive))]] : [],
    maxPageSize: MAX_USER_PAGE_SIZE,
  };
}

export function subscribedSkusCollection(
  customerId: string,
  licenseGroups: readonly string[] = [],
): SingleCollection {
  return {
    noun: SUBSCRIBED_SKU,
    paging: 'single',
    path: `${customerPath(customerId)}/subscribedskus`,
    query: licenseGroups.map((group) => ['licenseGroupIds', encodeURIComponent(group)] as const),
  };
}

export function userLicensesCollection(
  customerId: string,
  userId: string,
  licenseGroups: readonly string[] = [],
): SingleCollection {
  return {
    noun: LICENSE,
    paging: 'single',
    path: `${customerPath(customerId)}/users/${encodeURIComponent(userId)}/licenses`,
    query: licenseGroups.map((group) => ['licenseGroupIds', encodeURIComponent(group)] as const),
  };
}

export function getSubscription(
  client: PartnerCenterClient,
  customerId: string,
  subscriptionId: string,
): Promise<Record<string, unknown>> {
  return oneOf(
    client,
    `${customerPath(customerId)}/subscriptions/${encodeURIComponent(subscriptionId)}`,
    {
      what: `Subscription ${subscriptionId}`,
      hint: "Check the id; Get-PartnerCustomerSubscription lists the customer's subscriptions.",
    },
  );
}

export function getUser(
  client: PartnerCenterClient,
  customerId: string,
  userId: string,
): Promise<Record<string, unknown>> {
  return oneOf(client, `${customerPath(customerId)}/users/${encodeURIComponent(userId)}`, {
    what: `User ${userId}`,
    hint: "Check the id; Get-PartnerCustomerUser lists the customer's users.",
  });
}
