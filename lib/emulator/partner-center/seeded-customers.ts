/**
 * A bounded memo of what the seed alone derives for a customer: its context, user counts, seeded
 * subscriptions, seeded SKUs and the users read so far. These are pure functions of (data set,
 * index), so a memo answers exactly what deriving again would; every request of a listing, a
 * fan-out or a resume used to derive them afresh (about a quarter of the emulator's CPU under the
 * pipeline fault suite). What writes changed is not here: the change store is laid over these on
 * every request (`CustomerResources`), so a write or a reset needs no invalidation. SKUs count the
 * subscriptions' seats, so only a customer without changes reads the memo's (see `seededSkus`).
 *
 * Kept per data set (a WeakMap: an emulator's memo goes with it), at most MAX_WEIGHT subscriptions
 * and users in all; the customer least recently asked for goes first. The memo's objects are
 * frozen, since every later request answers with the same ones.
 */
import { customerContext, hasManyUsers, type CustomerContext } from './customer-context.js';
import { skusOf, type SkuFacts } from './customer-licenses.js';
import { subscriptionsOf, type SubscriptionFacts } from './customer-subscriptions.js';
import { userAt, userCountsOf, type UserCounts } from './customer-users.js';
import type { CustomerDataset } from './dataset.js';

/** Subscriptions and users kept, over all customers: a few MB, the pages a run reads again. */
const MAX_WEIGHT = 50_000;

export class SeededCustomer {
  readonly context: CustomerContext;
  readonly many: boolean;
  readonly userCounts: UserCounts;
  private subscriptionFacts?: readonly SubscriptionFacts[];
  private skuFacts?: readonly SkuFacts[];
  private readonly users = new Map<number, Readonly<Record<string, unknown>>>();

  constructor(
    dataset: CustomerDataset,
    readonly index: number,
    private readonly memo: SeedMemo,
  ) {
    this.context = customerContext(dataset, index);
    this.many = hasManyUsers(dataset, index);
    this.userCounts = userCountsOf(this.context, this.many);
  }

  get subscriptions(): readonly SubscriptionFacts[] {
    if (!this.subscriptionFacts) {
      this.subscriptionFacts = subscriptionsOf(this.context, this.many).map((facts) =>
        Object.freeze({ ...facts, json: Object.freeze(facts.json) }),
      );
      this.memo.weigh(this, this.subscriptionFacts.length);
    }
    return this.subscriptionFacts;
  }

  /** The SKUs of the seeded subscriptions (a customer whose subscriptions changed derives its own). */
  get seededSkus(): readonly SkuFacts[] {
    this.skuFacts ??= skusOf(this.context, this.subscriptions, this.userCounts.active);
    return this.skuFacts;
  }

  user(position: number): Readonly<Record<string, unknown>> {
    let user = this.users.get(position);
    if (!user) {
      user = Object.freeze(userAt(this.context, this.userCounts, position));
      this.users.set(position, user);
      this.memo.weigh(this, 1);
    }
    return user;
  }

  /** What this customer holds in the memo. */
  get weight(): number {
    return 1 + (this.subscriptionFacts?.length ?? 0) + this.users.size;
  }
}

class SeedMemo {
  private readonly customers = new Map<number, SeededCustomer>();
  private weight = 0;

  constructor(private readonly dataset: CustomerDataset) {}

  customer(index: number): SeededCustomer {
    let customer = this.customers.get(index);
    if (customer) {
      // Most recently asked for: to the end of the map's order.
      this.customers.delete(index);
    } else {
      customer = new SeededCustomer(this.dataset, index, this);
      this.weight += 1;
    }
    this.customers.set(index, customer);
    return customer;
  }

  /** `customer` keeps `added` more; one no longer kept (evicted while in use) weighs nothing. */
  weigh(customer: SeededCustomer, added: number): void {
    if (this.customers.get(customer.index) !== customer) return;
    this.weight += added;
    for (const [index, oldest] of this.customers) {
      if (this.weight <= MAX_WEIGHT || this.customers.size <= 1) break;
      this.customers.delete(index);
      this.weight -= oldest.weight;
    }
  }
}

const memos = new WeakMap<CustomerDataset, SeedMemo>();

/** The customer at `index` as the seed derives it, from the memo when it was asked for lately. */
export function seededCustomer(dataset: CustomerDataset, index: number): SeededCustomer {
  let memo = memos.get(dataset);
  if (!memo) {
    memo = new SeedMemo(dataset);
    memos.set(dataset, memo);
  }
  return memo.customer(index);
}
