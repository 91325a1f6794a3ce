/**
 * What every per-customer resource is derived from: the customer's place in the data set, its
 * locale, domains, and the rules that say which customers have many users or no commerce
 * relationship. Everything is computed from (seed, index) when a request asks, never ahead.
 */
import type { CustomerDataset } from './dataset.js';
import { localeGroups, type LocaleGroup } from './name-parts.js';
import { hash32 } from '../server/random.js';

/** Dates are fixed relative to this instant, so the same seed gives the same bytes every day. */
export const DATA_ANCHOR_MS = Date.UTC(2026, 10, 15);
const DAY_MS = 86_400_000;

export function isoDate(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

export function startOfDay(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

export { DAY_MS };

/** Every 50 customers, at least one has more than 1,000 users (so user paging is exercised). */
export const MANY_USERS_BLOCK = 50;
const MANY_USERS_OFFSET = 3;

export interface CustomerContext {
  readonly seed: number;
  readonly index: number;
  readonly id: string;
  readonly initialDomain: string;
  /** The customer's own domain, when it has one (its users may sign in there). */
  readonly customDomain?: string;
  /** Whether the custom domain is federated (its users are synced from on-premises). */
  readonly federated: boolean;
  readonly group: LocaleGroup;
  /** Derives a 32-bit value for one purpose (`salt`) and one item of this customer. */
  hash(salt: number, item?: number): number;
}

export function customerContext(dataset: CustomerDataset, index: number): CustomerContext {
  const summary = dataset.summary(index);
  const group = localeGroups.find((candidate) => candidate.key === summary.localeKey);
  const customDomains = dataset.detail(index).customDomains as string[];
  const { seed } = dataset;
  return {
    seed,
    index,
    id: summary.id,
    initialDomain: summary.domain,
    customDomain: customDomains[0],
    federated: customDomains.length > 0 && hash32(seed, index, 90) % 4 === 0,
    group: group ?? localeGroups[0],
    hash: (salt, item = 0) => hash32(hash32(seed, index, salt), item, salt),
  };
}

/** Customers with no relationship to the partner answer 403, code 20002, on their resources. */
export function hasCommerceRelationship(dataset: CustomerDataset, index: number): boolean {
  return dataset.searchFields(index).relationshipToPartner !== 'none';
}

/**
 * The customer of a block of 50 that has more than 1,000 users: the first from the block's fourth
 * on whose resources can be read, so a 403 never hides the block's large directory.
 */
export function manyUsersIndexOfBlock(dataset: CustomerDataset, block: number): number {
  const start = block * MANY_USERS_BLOCK;
  const end = Math.min(start + MANY_USERS_BLOCK, dataset.count);
  for (let index = start + MANY_USERS_OFFSET; index < end; index++)
    if (hasCommerceRelationship(dataset, index)) return index;
  return -1;
}

export function hasManyUsers(dataset: CustomerDataset, index: number): boolean {
  return manyUsersIndexOfBlock(dataset, Math.floor(index / MANY_USERS_BLOCK)) === index;
}
