/**
 * The customers that appear on the partner's invoices: those with a commerce relationship and at
 * least one subscription, among the first MAX_BILLED_SCANNED of the data set (a bounded list of
 * indices, however many line items an invoice has). A line item names one of them and one of its
 * subscriptions, derived exactly as `GET /v1/customers/{id}/subscriptions` derives them.
 */
import { customerContext, hasCommerceRelationship, hasManyUsers } from '../customer-context.js';
import { subscriptionsOf, type SubscriptionFacts } from '../customer-subscriptions.js';
import type { CustomerDataset } from '../dataset.js';

/** Bounds the list (and the start-up scan) on data sets of millions of customers. */
const MAX_BILLED_SCANNED = 5000;

export interface BilledCustomer {
  readonly index: number;
  readonly id: string;
  readonly name: string;
  readonly domain: string;
  readonly country: string;
  /** Never empty. */
  readonly subscriptions: readonly SubscriptionFacts[];
  /** The customer's usage-based Azure subscription, if it has one. */
  readonly azure?: SubscriptionFacts;
  /** Whether an indirect reseller sells to this customer (its line items carry a Tier2MpnId). */
  readonly indirect: boolean;
}

export function billedCustomer(dataset: CustomerDataset, index: number): BilledCustomer {
  const context = customerContext(dataset, index);
  const summary = dataset.summary(index);
  const subscriptions = subscriptionsOf(context, hasManyUsers(dataset, index));
  return {
    index,
    id: summary.id,
    name: summary.companyName,
    domain: summary.domain,
    country: context.group.country,
    subscriptions,
    azure: subscriptions.find((subscription) => subscription.product === undefined),
    indirect: summary.associatedPartnerId !== undefined,
  };
}

export class BilledCustomers {
  private indices?: Int32Array;

  constructor(readonly dataset: CustomerDataset) {}

  /** The listing indices of the billed customers, found on first use. */
  private get list(): Int32Array {
    if (!this.indices) {
      const found: number[] = [];
      const end = Math.min(this.dataset.count, MAX_BILLED_SCANNED);
      for (let index = 0; index < end; index++)
        if (
          hasCommerceRelationship(this.dataset, index) &&
          billedCustomer(this.dataset, index).subscriptions.length > 0
        )
          found.push(index);
      this.indices = Int32Array.from(found);
    }
    return this.indices;
  }

  get count(): number {
    return this.list.length;
  }

  indexAt(position: number): number {
    return this.list[position];
  }
}

/**
 * Reads billed customers one after another, deriving each once: line items come in blocks per
 * customer, so a stream derives a customer per block, not per line. Each stream has its own.
 */
export class BilledCustomerCursor {
  private current?: BilledCustomer;

  constructor(private readonly customers: BilledCustomers) {}

  at(position: number): BilledCustomer {
    const index = this.customers.indexAt(position);
    if (this.current?.index !== index)
      this.current = billedCustomer(this.customers.dataset, index);
    return this.current;
  }
}
