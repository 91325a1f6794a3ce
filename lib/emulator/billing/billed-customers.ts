/**
 * The customers that appear on the partner's invoices: those with a commerce relationship and at
 * least one subscription, among the first MAX_BILLED_SCANNED of the data set. Each is derived once
 * (its subscriptions exactly as `GET /v1/customers/{id}/subscriptions` derives them) and kept in
 * a compact form: the list is bounded by the scan, never by the number of line items, and a line
 * item then costs no derivation of its customer.
 */
import {
  customerContext,
  hasCommerceRelationship,
  hasManyUsers,
} from '../partner-center/customer-context.js';
import type { Product } from '../partner-center/catalog.js';
import { subscriptionsOf } from '../partner-center/customer-subscriptions.js';
import type { CustomerDataset } from '../partner-center/dataset.js';

/**
 * Bounds the list, its memory (about 2 KB a customer) and the scan made on the first billing
 * request (about 0.3 ms a customer).
 */
const MAX_BILLED_SCANNED = 1000;

/** What a line item shows of a subscription. */
export interface BilledSubscription {
  readonly id: string;
  /** Undefined for the usage-based Azure offer. */
  readonly product?: Product;
  readonly newCommerce: boolean;
  readonly quantity: number;
  readonly orderId: string;
  readonly creationDate: string;
  readonly friendlyName: string;
  readonly unitType: string;
  readonly billingCycle: string;
  readonly termDuration?: string;
  readonly effectiveStartDate: string;
  readonly commitmentEndDate: string;
  readonly entitlementId?: string;
}

export interface BilledCustomer {
  readonly index: number;
  readonly id: string;
  readonly name: string;
  readonly domain: string;
  readonly country: string;
  /** Never empty. */
  readonly subscriptions: readonly BilledSubscription[];
  /** The customer's usage-based Azure subscription, if it has one. */
  readonly azure?: BilledSubscription;
  /** Whether an indirect reseller sells to this customer (its line items carry a Tier2MpnId). */
  readonly indirect: boolean;
}

function billedCustomer(dataset: CustomerDataset, index: number): BilledCustomer {
  const context = customerContext(dataset, index);
  const summary = dataset.summary(index);
  const subscriptions = subscriptionsOf(context, hasManyUsers(dataset, index)).map(
    (facts): BilledSubscription => {
      const json = facts.json;
      return {
        id: facts.id,
        product: facts.product,
        newCommerce: facts.newCommerce,
        quantity: facts.quantity,
        orderId: String(json.orderId),
        creationDate: String(json.creationDate),
        friendlyName: String(json.friendlyName),
        unitType: String(json.unitType),
        billingCycle: String(json.billingCycle),
        termDuration: json.termDuration === undefined ? undefined : String(json.termDuration),
        effectiveStartDate: String(json.effectiveStartDate),
        commitmentEndDate: String(json.commitmentEndDate),
        entitlementId: json.entitlementId === undefined ? undefined : String(json.entitlementId),
      };
    },
  );
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
  private list?: readonly BilledCustomer[];

  constructor(readonly dataset: CustomerDataset) {}

  /** Found on first use (the first billing request), not when the emulator starts. */
  private get all(): readonly BilledCustomer[] {
    if (!this.list) {
      const found: BilledCustomer[] = [];
      const end = Math.min(this.dataset.count, MAX_BILLED_SCANNED);
      for (let index = 0; index < end; index++) {
        if (!hasCommerceRelationship(this.dataset, index)) continue;
        const customer = billedCustomer(this.dataset, index);
        if (customer.subscriptions.length > 0) found.push(customer);
      }
      this.list = found;
    }
    return this.list;
  }

  get count(): number {
    return this.all.length;
  }

  at(position: number): BilledCustomer {
    return this.all[position];
  }
}
