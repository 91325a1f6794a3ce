/**
 * A customer's users (the CustomerUser resource), derived one at a time from (seed, customer,
 * position): a page of 500 users of a customer with 2,000 costs only those 500. Deleted users
 * (state `inactive`) follow the active ones in the same id space and are listed only by the
 * documented filter `{"Field":"UserState","Value":"Inactive","Operator":"equals"}`.
 */
import { isGuid } from '../../common/guid.js';
import { DATA_ANCHOR_MS, isoDate, type CustomerContext } from './customer-context.js';
import type { Word } from './name-parts.js';
import { guidFromWords, mix32, Rng, unmix32 } from '../server/random.js';

const SALT_COUNTS = 61;
const SALT_USER = 62;
const SALT_USER_ID = 63;
const SECONDS_PER_DAY = 86_400;

export interface UserCounts {
  readonly active: number;
  readonly deleted: number;
}

/** Most directories are small; a few are empty; the block's large one has 1,001 to 2,500 users. */
export function userCountsOf(context: CustomerContext, many: boolean): UserCounts {
  const rng = new Rng(context.hash(SALT_COUNTS));
  const size = rng.below(100);
  const active = many
    ? 1001 + rng.below(1500)
    : size < 3
      ? 0
      : size < 75
        ? 1 + rng.below(25)
        : 26 + rng.below(275);
  // Large directories always have a few deleted users, so the deleted listing pages too.
  const deleted = many ? 3 + rng.below(40) : rng.below(2) === 0 ? 0 : 1 + rng.below(4);
  return { active, deleted: active === 0 ? 0 : deleted };
}

/** The last 32 bits are a bijection of the position, so a user id leads straight back to it. */
export function userIdOf(context: CustomerContext, position: number): string {
  const base = context.hash(SALT_USER_ID, position);
  const key = context.hash(SALT_USER_ID, 0xffffffff);
  return guidFromWords(
    mix32(base ^ 1),
    mix32(base ^ 2),
    mix32(base ^ 3),
    mix32((position ^ key) >>> 0),
  );
}

/** The position of a user id among active then deleted users, or -1. */
export function userPositionOf(context: CustomerContext, counts: UserCounts, id: string): number {
  const normalized = id.toLowerCase();
  if (!isGuid(normalized)) return -1;
  const key = context.hash(SALT_USER_ID, 0xffffffff);
  const position = (unmix32(parseInt(normalized.slice(28), 16)) ^ key) >>> 0;
  const total = counts.active + counts.deleted;
  return position < total && userIdOf(context, position) === normalized ? position : -1;
}

/** Family name first, without a space, in Korean; with a space in Japanese; given name first else. */
function displayNameOf(context: CustomerContext, first: Word, last: Word): string {
  switch (context.group.key) {
    case 'ko':
      return `${last[0]}${first[0]}`;
    case 'ja':
      return `${last[0]} ${first[0]}`;
    default:
      return `${first[0]} ${last[0]}`;
  }
}

/** The user at `position` (active users first, then deleted ones), in the documented key order. */
export function userAt(
  context: CustomerContext,
  counts: UserCounts,
  position: number,
): Record<string, unknown> {
  const rng = new Rng(context.hash(SALT_USER, position));
  const deleted = position >= counts.active;
  const id = userIdOf(context, position);
  const first = rng.pick(context.group.firstNames);
  const last = rng.pick(context.group.lastNames);
  const onCustomDomain = context.customDomain !== undefined && rng.below(3) !== 0;
  const domain = onCustomDomain ? context.customDomain : context.initialDomain;
  const localPart = position === 0 ? 'admin' : `${first[1]}.${last[1]}${position}`;
  const userDomainType = onCustomDomain ? (context.federated ? 'federated' : 'managed') : 'none';
  // Entra renames a deleted user's principal to its object id, keeping the domain.
  const userPrincipalName = deleted
    ? `${id.replaceAll('-', '')}@${context.initialDomain}`
    : `${localPart}@${domain}`;
  const syncedAt = DATA_ANCHOR_MS - 1000 * rng.below(3 * SECONDS_PER_DAY);
  return {
    usageLocation: context.group.country,
    id,
    userPrincipalName,
    firstName: first[0],
    lastName: last[0],
    displayName: displayNameOf(context, first, last),
    userDomainType,
    state: deleted ? 'inactive' : 'active',
    ...(deleted
      ? { softDeletionTime: isoDate(DATA_ANCHOR_MS - 1000 * rng.below(29 * SECONDS_PER_DAY)) }
      : {}),
    ...(userDomainType === 'federated' ? { lastDirectorySyncTime: isoDate(syncedAt) } : {}),
    links: {
      self: { uri: `/customers/${context.id}/users/${id}`, method: 'GET', headers: [] },
    },
    attributes: { objectType: 'CustomerUser' },
  };
}
