/**
 * A customer's subscriptions in both shapes Partner Center returns: legacy (license-based offers
 * with a GUID offer id, and the usage-based Azure offer) and new commerce (`product:sku:
 * availability` offer ids, `productType` OnlineServicesNCE, product/sku/availability links).
 * Statuses include every documented value and one the documentation does not list, so clients
 * prove they pass unknown values through. Every subscription carries every property the resource
 * documents for its kind (docs/partner-center-api.md, "Shapes"); new-commerce ones add their
 * cancellation window and refundable seats, which seat changes are judged by.
 */
import { azureOffer, licensedProducts, type Product } from './catalog.js';
import {
  DATA_ANCHOR_MS,
  DAY_MS,
  isoDate,
  startOfDay,
  type CustomerContext,
} from './customer-context.js';
import { SEEDED_VERSIONS } from '../server/change-store.js';
import { guidFromWords, Rng } from '../server/random.js';
import { CANCELLATION_WINDOW_MS } from './cancellation-window.js';

/** The documented statuses (SubscriptionStatus) and one that is not documented anywhere. */
export const SUBSCRIPTION_STATUSES = [
  'active',
  'suspended',
  'deleted',
  'expired',
  'disabled',
  'pending',
  'transferring',
] as const;
const STATUS_WEIGHTS = [60, 9, 8, 7, 5, 6, 5];
const PRODUCT_WEIGHTS = [30, 20, 18, 10, 6, 8, 5, 3];
const SALT_SUBSCRIPTIONS = 51;
const SALT_SUBSCRIPTION_ID = 52;
const SALT_ORDER = 53;
const SALT_ENTITLEMENT = 54;
/** New commerce refunds a cancellation or a decrease within 7 days of purchase or renewal. */
const REFUND_WINDOW_MS = CANCELLATION_WINDOW_MS;

/** What licenses are derived from, besides the subscription's JSON. */
export interface SubscriptionFacts {
  readonly id: string;
  /** Undefined for the Azure offer, which carries no licenses. */
  readonly product?: Product;
  readonly newCommerce: boolean;
  readonly status: string;
  readonly quantity: number;
  readonly json: Record<string, unknown>;
}

function weighted<T>(rng: Rng, values: readonly T[], weights: readonly number[]): T {
  let remaining = rng.below(weights.reduce((sum, weight) => sum + weight, 0));
  for (let n = 0; n < values.length; n++) {
    remaining -= weights[n];
    if (remaining < 0) return values[n];
  }
  return values[0];
}

const hex8 = (value: number) => value.toString(16).padStart(8, '0');
/** What does not end (Azure's usage-based plan) ends here, as in the documented examples. */
const FAR_FUTURE = '9999-12-10T00:00:00Z';

function orderIdOf(context: CustomerContext, order: number, newCommerce: boolean): string {
  const a = context.hash(SALT_ORDER, order * 2);
  const b = context.hash(SALT_ORDER, order * 2 + 1);
  // New-commerce order ids are short opaque strings in the examples; legacy ones are GUIDs.
  if (newCommerce) return `${hex8(a)}${hex8(b).slice(0, 4)}`;
  return guidFromWords(a, b, a ^ b, b ^ 0x5bd1e995).toUpperCase();
}

/** The subscription's version as Partner Center shows it, `attributes.etag` (opaque to clients). */
export function etag(id: string, version: number): string {
  return Buffer.from(JSON.stringify({ id, version })).toString('base64');
}

function addMonths(ms: number, months: number): number {
  const date = new Date(ms);
  date.setUTCMonth(date.getUTCMonth() + months);
  return date.getTime() - DAY_MS;
}

const TERM_MONTHS: Record<string, number> = { P1M: 1, P1Y: 12, P3Y: 36 };

function monthsAfter(ms: number, months: number): number {
  const date = new Date(ms);
  date.setUTCMonth(date.getUTCMonth() + months);
  return date.getTime();
}

/** The start of the term that holds the data's anchor: a renewing subscription's current term. */
function currentTermStart(start: number, months: number): number {
  let terms = Math.max(0, Math.floor((DATA_ANCHOR_MS - start) / (months * 31 * DAY_MS)));
  while (monthsAfter(start, (terms + 1) * months) <= DATA_ANCHOR_MS) terms++;
  return monthsAfter(start, terms * months);
}

/**
 * What new commerce shows of its refund window (docs/partner-center-api.md, "Shapes"): until when
 * a cancellation or a decrease is refunded, and the seats bought at the term's start that still
 * are, in the shape of the get-by-id example.
 */
function refundWindow(termStart: number, quantity: number): Record<string, unknown> {
  const windowEnd = termStart + REFUND_WINDOW_MS;
  const until = isoDate(windowEnd);
  const open = windowEnd > DATA_ANCHOR_MS;
  return {
    cancellationAllowedUntilDate: until,
    refundableQuantity: open
      ? { totalQuantity: quantity, details: [{ quantity, allowedUntilDateTime: until }] }
      : { totalQuantity: 0, details: [] },
    refundOptions: open ? [{ type: 'Full', expiresAt: until }] : [],
  };
}

function termOf(rng: Rng, newCommerce: boolean): { termDuration: string; billingCycle: string } {
  if (!newCommerce) return { termDuration: 'P1Y', billingCycle: rng.pick(['monthly', 'annual']) };
  const termDuration = weighted(rng, ['P1M', 'P1Y', 'P3Y'], [30, 60, 10]);
  const billingCycle =
    termDuration === 'P1M'
      ? 'monthly'
      : termDuration === 'P1Y'
        ? rng.pick(['monthly', 'annual'])
        : rng.pick(['annual', 'triennial']);
  return { termDuration, billingCycle };
}

function link(uri: string) {
  return { uri, method: 'GET', headers: [] };
}

function subscriptionAt(
  context: CustomerContext,
  rng: Rng,
  position: number,
  many: boolean,
): SubscriptionFacts {
  const azure = rng.below(10) === 0;
  const product = azure ? undefined : weighted(rng, licensedProducts, PRODUCT_WEIGHTS);
  const newCommerce = !azure && rng.below(100) < 60;
  const status = weighted(rng, SUBSCRIPTION_STATUSES, STATUS_WEIGHTS);
  const drawn = azure ? 1 : 1 + rng.below(many ? 1200 : rng.below(4) === 0 ? 300 : 25);
  // Within the SKU's bounds, as the service keeps every subscription.
  const quantity = Math.min(drawn, product?.maximumQuantity ?? drawn);
  const created = DATA_ANCHOR_MS - rng.below(6 * 365) * DAY_MS - rng.below(DAY_MS);
  const start = startOfDay(created);
  const term = azure ? undefined : termOf(rng, newCommerce);
  const id = guidFromWords(
    context.hash(SALT_SUBSCRIPTION_ID, position * 3),
    context.hash(SALT_SUBSCRIPTION_ID, position * 3 + 1),
    context.hash(SALT_SUBSCRIPTION_ID, position * 3 + 2),
    context.hash(SALT_SUBSCRIPTION_ID, position + 0x10000),
  );
  const offerId = product
    ? newCommerce
      ? product.nceOfferId
      : product.legacyOfferId
    : azureOffer.offerId;
  const offerName = product?.name ?? azureOffer.name;
  // New commerce renews: its dates are those of the current term. Legacy keeps its first term.
  const termStart =
    newCommerce && term ? currentTermStart(start, TERM_MONTHS[term.termDuration]) : start;
  const commitmentEnd = term
    ? newCommerce
      ? monthsAfter(termStart, TERM_MONTHS[term.termDuration]) - DAY_MS
      : addMonths(start, TERM_MONTHS[term.termDuration])
    : undefined;
  const entitlementWord = (n: number) => context.hash(SALT_ENTITLEMENT, position * 4 + n);
  const country = context.group.country;
  const self = link(`/customers/${context.id}/subscriptions/${id}`);
  const [productId, skuId, availabilityId] = offerId.split(':');
  const links = newCommerce
    ? {
        product: link(`/products/${productId}?country=${country}`),
        sku: link(`/products/${productId}/skus/${skuId}?country=${country}`),
        availability: link(
          `/products/${productId}/skus/${skuId}/availabilities/${availabilityId}?country=${country}`,
        ),
        self,
      }
    : { offer: link(`/offers/${offerId}?country=${country}`), self };
  const json: Record<string, unknown> = {
    id,
    // The resource lists it for every subscription; Azure's is its Azure subscription id. The
    // others derive it from the position, so the generator's sequence (and all else) stays put.
    entitlementId: azure
      ? guidFromWords(rng.next32(), rng.next32(), rng.next32(), rng.next32())
      : guidFromWords(
          entitlementWord(0),
          entitlementWord(1),
          entitlementWord(2),
          entitlementWord(3),
        ),
    offerId,
    offerName,
    friendlyName: rng.below(4) === 0 ? `${offerName} ${position + 1}` : offerName,
    ...(newCommerce
      ? { productType: { id: 'OnlineServicesNCE', displayName: 'OnlineServicesNCE' } }
      : {}),
    quantity,
    unitType: azure ? 'Usage-based' : 'Licenses',
    hasPurchasableAddons: false,
    creationDate: isoDate(created),
    effectiveStartDate: isoDate(start),
    commitmentEndDate: commitmentEnd === undefined ? FAR_FUTURE : isoDate(commitmentEnd),
    // New commerce's end date is inclusive: its term ends at the end of that day.
    commitmentEndDateTime:
      commitmentEnd === undefined
        ? FAR_FUTURE
        : isoDate(newCommerce ? commitmentEnd + DAY_MS - 1000 : commitmentEnd),
    status,
    autoRenewEnabled: !azure && status === 'active' && rng.below(5) !== 0,
    isTrial: false,
    billingType: azure ? 'usage' : 'license',
    billingCycle: term?.billingCycle ?? 'monthly',
    ...(term ? { termDuration: term.termDuration } : {}),
    ...(newCommerce ? { renewalTermDuration: '', attentionNeeded: false, actionTaken: false } : {}),
    ...(newCommerce ? refundWindow(termStart, quantity) : {}),
    isMicrosoftProduct: true,
    partnerId: '',
    contractType: 'subscription',
    links,
    publisherName: 'Microsoft Corporation',
    // Two neighbouring subscriptions of the same commerce type share an order.
    orderId: orderIdOf(context, Math.floor(position / 2), newCommerce),
    attributes: { etag: etag(id, 1 + rng.below(SEEDED_VERSIONS)), objectType: 'Subscription' },
  };
  return { id, product, newCommerce, status, quantity, json };
}

/** The customer's subscriptions, in a stable order; about one customer in ten has none. */
export function subscriptionsOf(context: CustomerContext, many: boolean): SubscriptionFacts[] {
  const rng = new Rng(context.hash(SALT_SUBSCRIPTIONS));
  if (rng.below(10) === 0) return [];
  const count = 1 + rng.below(many ? 12 : 6);
  return Array.from({ length: count }, (_, position) =>
    subscriptionAt(context, rng, position, many),
  );
}

/** Where a changed subscription lives in the change store. */
export function subscriptionKey(customerId: string, subscriptionId: string): string {
  return `customers/${customerId.toLowerCase()}/subscriptions/${subscriptionId.toLowerCase()}`;
}

/** A subscription's facts after a write: what licenses derive from follows the new JSON. */
export function changedSubscription(
  facts: SubscriptionFacts,
  json: Readonly<Record<string, unknown>>,
): SubscriptionFacts {
  return {
    ...facts,
    status: String(json.status),
    quantity: Number(json.quantity),
    json: json as Record<string, unknown>,
  };
}

/** The seeded subscriptions with the customer's changed ones in their place. */
export function withChangedSubscriptions(
  seeded: readonly SubscriptionFacts[],
  customerId: string,
  changes: ReadonlyMap<string, Readonly<Record<string, unknown>>> | undefined,
): readonly SubscriptionFacts[] {
  if (!changes) return seeded;
  return seeded.map((facts) => {
    const changed = changes.get(subscriptionKey(customerId, facts.id));
    return changed ? changedSubscription(facts, changed) : facts;
  });
}
