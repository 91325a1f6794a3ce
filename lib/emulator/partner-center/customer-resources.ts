/**
 * Each customer's subscriptions, users, subscribed SKUs and user licenses, derived on demand from
 * the seed like the customers themselves: nothing is computed before a request (or a spec) asks,
 * so a million customers still start instantly. The routes serve these; specs read the same
 * functions (`emulator.dataset`) to know the exact data without HTTP.
 */
import {
  hasCommerceRelationship,
  manyUsersIndexOfBlock,
  MANY_USERS_BLOCK,
  type CustomerContext,
} from './customer-context.js';
import {
  holdsSku,
  inGroups,
  licenseJson,
  skusOf,
  subscribedSkuJson,
  type LicenseGroup,
  type SkuFacts,
} from './customer-licenses.js';
import { withChangedSubscriptions, type SubscriptionFacts } from './customer-subscriptions.js';
import { directoryRolesOf } from './directory-roles.js';
import { userPositionOf, type UserCounts } from './customer-users.js';
import { seededCustomer, type SeededCustomer } from './seeded-customers.js';
import type { CustomerDataset } from './dataset.js';
import type { GdapView } from '../graph/gdap-view.js';
import type { ChangeStore } from '../server/change-store.js';
import type { EmulatorDataset } from '../types.js';

/**
 * One customer's derived resources, built per request: the seed's (from the memo of
 * seeded-customers.ts), with the store's changes over them.
 */
export class CustomerResources {
  readonly context: CustomerContext;
  readonly many: boolean;
  readonly userCounts: UserCounts;
  private readonly seeded: SeededCustomer;
  private subscriptionFacts?: readonly SubscriptionFacts[];
  private skuFacts?: readonly SkuFacts[];

  constructor(
    readonly dataset: CustomerDataset,
    readonly index: number,
    private readonly store: ChangeStore,
  ) {
    this.seeded = seededCustomer(dataset, index);
    this.context = this.seeded.context;
    this.many = this.seeded.many;
    this.userCounts = this.seeded.userCounts;
  }

  get hasCommerceRelationship(): boolean {
    return hasCommerceRelationship(this.dataset, this.index);
  }

  get subscriptions(): readonly SubscriptionFacts[] {
    this.subscriptionFacts ??= withChangedSubscriptions(
      this.seeded.subscriptions,
      this.context.id,
      this.store.changesOf(this.context.id),
    );
    return this.subscriptionFacts;
  }

  get skus(): readonly SkuFacts[] {
    // The seats of changed subscriptions count: only where none changed (the seeded list itself)
    // are the SKUs the seed's.
    const subscriptions = this.subscriptions;
    this.skuFacts ??=
      subscriptions === this.seeded.subscriptions
        ? this.seeded.seededSkus
        : skusOf(this.context, subscriptions, this.userCounts.active);
    return this.skuFacts;
  }

  /** A user by position: active users are 0..active-1, deleted ones follow. */
  user(position: number): Readonly<Record<string, unknown>> {
    return this.seeded.user(position);
  }

  /** The position of an active user's id, or -1 (deleted users cannot be read one by one). */
  activeUserPosition(userId: string): number {
    const position = userPositionOf(this.context, this.userCounts, userId);
    return position < this.userCounts.active ? position : -1;
  }

  /** The directory roles of the active user at `position`. */
  directoryRolesOf(position: number): Record<string, unknown>[] {
    return directoryRolesOf(this.context, position);
  }

  subscribedSkus(groups: readonly LicenseGroup[] | null): Record<string, unknown>[] {
    return this.skus.filter((sku) => inGroups(sku, groups)).map(subscribedSkuJson);
  }

  licensesOf(position: number, groups: readonly LicenseGroup[] | null): Record<string, unknown>[] {
    const { active } = this.userCounts;
    return this.skus
      .filter((sku) => inGroups(sku, groups) && holdsSku(sku, position, active))
      .map(licenseJson);
  }
}

/** The spec-facing view (`emulator.dataset`): the same derivations, addressed by customer id. */
/** The part of `emulator.dataset` the Partner Center resources make (gdap-view.ts adds GDAP's). */
export type CustomerResourcesView = Omit<EmulatorDataset, keyof GdapView>;

function activeUserOf(resources: CustomerResources, customerId: string, userId: string): number {
  const position = resources.activeUserPosition(userId);
  if (position < 0) throw new RangeError(`customer ${customerId} has no active user ${userId}`);
  return position;
}

/** The view reads what the routes read: the seed with the store's changes over it. */
export function datasetView(dataset: CustomerDataset, store: ChangeStore): CustomerResourcesView {
  const resourcesOf = (customerId: string) => {
    const index = dataset.indexOfId(customerId);
    if (index < 0) throw new RangeError(`no customer with id ${customerId}`);
    return new CustomerResources(dataset, index, store);
  };
  const usersOf = (customerId: string, options: { deleted?: boolean } = {}) => {
    const resources = resourcesOf(customerId);
    const { active, deleted } = resources.userCounts;
    const [from, count] = options.deleted ? [active, deleted] : [0, active];
    return Array.from({ length: count }, (_, n) => resources.user(from + n));
  };
  return {
    idOf: (index) => dataset.idOf(index),
    indexOfId: (customerId) => dataset.indexOfId(customerId),
    hasCommerceRelationship: (customerId) => resourcesOf(customerId).hasCommerceRelationship,
    userCounts: (customerId) => resourcesOf(customerId).userCounts,
    customersWithManyUsers: (limit = dataset.count) => {
      const indices: number[] = [];
      const end = Math.min(limit, dataset.count);
      for (let block = 0; block * MANY_USERS_BLOCK < end; block++) {
        const index = manyUsersIndexOfBlock(dataset, block);
        if (index >= 0 && index < end) indices.push(index);
      }
      return indices;
    },
    customersWithoutCommerceRelationship: (limit = dataset.count) => {
      const indices: number[] = [];
      for (let index = 0; index < Math.min(limit, dataset.count); index++)
        if (!hasCommerceRelationship(dataset, index)) indices.push(index);
      return indices;
    },
    subscriptionsOf: (customerId) => resourcesOf(customerId).subscriptions.map((s) => s.json),
    usersOf,
    userIdsOf: (customerId, options) =>
      usersOf(customerId, options).map((user) => user.id as string),
    subscribedSkusOf: (customerId) => resourcesOf(customerId).subscribedSkus(null),
    licensesOf: (customerId, userId) => {
      const resources = resourcesOf(customerId);
      return resources.licensesOf(activeUserOf(resources, customerId, userId), null);
    },
    directoryRolesOf: (customerId, userId) => {
      const resources = resourcesOf(customerId);
      return resources.directoryRolesOf(activeUserOf(resources, customerId, userId));
    },
  };
}
