/**
 * `PATCH /v1/customers/{id}/subscriptions/{subscriptionId}`: the change store's first customer
 * (docs/partner-center-api.md, "Changing a subscription"). The body is the whole Subscription
 * resource as a GET returned it, with what the caller changed; the emulator takes `quantity`,
 * `friendlyName`, `autoRenewEnabled` and `status` from it and keeps everything else as it was (the
 * service owns ids, dates, links). As documented, a field left out is not "unchanged":
 * `autoRenewEnabled` missing turns auto-renew off. The etag (`If-Match`, or `attributes.etag` in
 * the body, either spelling) must be the current one when given: otherwise 412, nothing changed.
 * A repeat of the same `MS-RequestId` gets the first answer (the request handler and the store).
 *
 * The service's business rules for new commerce (the cancellation window, refundable quantity,
 * minimum and maximum quantity, 202 for a slow change) are checked in `refusalOf`, where they
 * belong when they come; the journal entry each change leaves is what audit records are made of.
 */
import {
  header,
  jsonReply,
  readJsonObject,
  type Exchange,
  type Reply,
} from '../server/http-exchange.js';
import type { EmulatorState } from '../server/emulator-state.js';
import type { Caller } from '../server/service.js';
import {
  CANCELLATION_WINDOW_HOURS,
  cancellable,
  dataNow,
  refundableAfter,
  refundableAt,
} from './cancellation-window.js';
import { azureOffer } from './catalog.js';
import { customerOf } from './customer-resource-routes.js';
import { CustomerResources } from './customer-resources.js';
import { etag, subscriptionKey, type SubscriptionFacts } from './customer-subscriptions.js';
import { errorReply } from './paged-collection.js';
import { pcErrors, type PartnerCenterError } from './partner-center-errors.js';

/** The statuses a PATCH may set: suspend, reactivate, cancel (docs: "active, suspended, deleted"). */
const WRITABLE_STATUSES = new Set(['active', 'suspended', 'deleted']);

/** A property of the body in either case of its first letter (legacy examples write `Attributes.Etag`). */
function property(object: Record<string, unknown>, name: string): unknown {
  if (name in object) return object[name];
  const pascal = name[0].toUpperCase() + name.slice(1);
  return object[pascal];
}

function etagOfBody(body: Record<string, unknown>): string | undefined {
  const attributes = property(body, 'attributes');
  if (typeof attributes !== 'object' || attributes === null) return undefined;
  const value = property(attributes as Record<string, unknown>, 'etag');
  return typeof value === 'string' ? value : undefined;
}

/** `If-Match` as sent: quoted (RFC 9110) or bare, `*` for any; a weak `W/` prefix is ignored. */
function unquoted(value: string): string {
  return value
    .trim()
    .replace(/^W\//, '')
    .replace(/^"(.*)"$/, '$1');
}

/** Whether the etags the request gives (either place) are the subscription's current one. */
function etagMatches(exchange: Exchange, body: Record<string, unknown>, current: string): boolean {
  const ifMatch = header(exchange, 'if-match');
  if (ifMatch !== undefined) {
    const given = ifMatch.split(',').map(unquoted);
    if (!given.includes('*') && !given.includes(current)) return false;
  }
  const inBody = etagOfBody(body);
  return inBody === undefined || inBody === current;
}

const CHANGED_FIELDS = ['quantity', 'friendlyName', 'status', 'autoRenewEnabled'] as const;

/** The fields a PATCH may change; everything else is the service's. */
interface Asked {
  readonly quantity: number;
  readonly friendlyName: string;
  readonly status: string;
  readonly autoRenewEnabled: boolean;
}

type Change =
  | { next: Record<string, unknown>; accepted: boolean }
  | { refusal: PartnerCenterError };

const refused = (refusal: PartnerCenterError): Change => ({ refusal });

/** What the body asks for, or why it is not a subscription the emulator can read. */
function askedOf(
  facts: SubscriptionFacts,
  body: Record<string, unknown>,
): Asked | PartnerCenterError {
  const before = facts.json;
  const id = property(body, 'id');
  if (typeof id !== 'string' || id.toLowerCase() !== facts.id)
    return pcErrors.invalidInput('the body must be the whole subscription, its id included');
  const quantity = property(body, 'quantity');
  if (!Number.isInteger(quantity) || (quantity as number) < 1)
    return pcErrors.invalidInput('quantity must be a whole number of at least 1');
  const status = property(body, 'status');
  if (typeof status !== 'string' || !WRITABLE_STATUSES.has(status.toLowerCase()))
    return pcErrors.invalidInput('status must be active, suspended or deleted');
  const friendlyName = property(body, 'friendlyName') ?? before.friendlyName;
  if (typeof friendlyName !== 'string')
    return pcErrors.invalidInput('friendlyName must be a string');
  const billingCycle = property(body, 'billingCycle');
  if (
    typeof billingCycle === 'string' &&
    billingCycle.toLowerCase() !== String(before.billingCycle).toLowerCase()
  )
    return pcErrors.billingCycleReadOnly();
  return {
    quantity: quantity as number,
    friendlyName,
    status: status.toLowerCase(),
    // Documented: a body without autoRenewEnabled sets it to false.
    autoRenewEnabled: property(body, 'autoRenewEnabled') === true,
  };
}

/**
 * Whether the subscription's status lets this change through: a deleted, expired, disabled,
 * pending or transferring subscription takes none; a suspended one takes its reactivation or
 * cancellation, never a new seat count.
 */
function statusRefusal(facts: SubscriptionFacts, asked: Asked): PartnerCenterError | undefined {
  const before = facts.json;
  switch (before.status) {
    case 'deleted':
      return pcErrors.subscriptionDeleted(facts.id);
    case 'expired':
    case 'disabled':
      return pcErrors.noLongerUpdatable();
    case 'pending':
      return pcErrors.notActivated();
    case 'active':
    case 'suspended':
      break;
    // A status the documentation does not list (`transferring`): busy, as the service's 409 says.
    default:
      return pcErrors.notReady();
  }
  if (before.status !== 'suspended') return undefined;
  if (asked.quantity !== before.quantity) return pcErrors.quantityWhileSuspended();
  if (asked.status === 'suspended' && !unchanged(before, asked))
    return pcErrors.suspendedNotUpdatable();
  return undefined;
}

function unchanged(before: Readonly<Record<string, unknown>>, asked: Asked): boolean {
  return CHANGED_FIELDS.every((field) => asked[field] === before[field]);
}

/** Quantity within the SKU's bounds; for new commerce, a decrease only of refundable seats. */
function quantityRefusal(
  facts: SubscriptionFacts,
  asked: Asked,
  nowMs: number,
): PartnerCenterError | undefined {
  const before = facts.json;
  if (asked.quantity === before.quantity) return undefined;
  const bounds = facts.product ?? azureOffer;
  if (asked.quantity < bounds.minimumQuantity || asked.quantity > bounds.maximumQuantity)
    return pcErrors.quantityOutOfBounds();
  const decrease = Number(before.quantity) - asked.quantity;
  if (facts.newCommerce && decrease > refundableAt(before.refundableQuantity, nowMs).totalQuantity)
    return pcErrors.quantityNotDecreasable();
  return undefined;
}

/** The subscription after the write the body asks for at `nowMs`, or the refusal of it. */
function changeOf(facts: SubscriptionFacts, body: Record<string, unknown>, nowMs: number): Change {
  const before = facts.json;
  const asked = askedOf(facts, body);
  if ('body' in asked) return refused(asked);
  const refusal = statusRefusal(facts, asked) ?? quantityRefusal(facts, asked, nowMs);
  if (refusal) return refused(refusal);
  const statusChanged = asked.status !== before.status;
  if (
    facts.newCommerce &&
    asked.status === 'deleted' &&
    statusChanged &&
    !cancellable(before, nowMs)
  )
    return refused(pcErrors.cancellationWindowPassed(CANCELLATION_WINDOW_HOURS));
  // "Suspending a new commerce subscription will turn off auto-renew."
  const autoRenewEnabled =
    asked.autoRenewEnabled && !(facts.newCommerce && asked.status === 'suspended');
  if (autoRenewEnabled && !before.termDuration) return refused(pcErrors.notAutoRenewable());
  const next: Record<string, unknown> = { ...before, ...asked, autoRenewEnabled };
  if (facts.newCommerce && asked.quantity !== before.quantity)
    next.refundableQuantity = refundableAfter(
      before.refundableQuantity,
      Number(before.quantity),
      asked.quantity,
      nowMs,
    );
  // New commerce suspends, reactivates and cancels through provisioning (add-ons follow the
  // base subscription): the service answers such a change 202 and the read shows the result.
  return { next, accepted: facts.newCommerce && statusChanged };
}

export async function patchSubscription(
  state: EmulatorState,
  exchange: Exchange,
  caller: Caller,
): Promise<Reply> {
  const { bom } = state.settings;
  const resources = customerOf(state, exchange, caller, false);
  if (!(resources instanceof CustomerResources)) return resources;
  const facts = resources.subscriptions.find(
    (subscription) => subscription.id === exchange.params.subscriptionId.toLowerCase(),
  );
  if (!facts) return errorReply(pcErrors.subscriptionNotFound(exchange.params.subscriptionId), bom);
  const body = await readJsonObject(exchange.req);
  const before = facts.json;
  const attributes = before.attributes as Record<string, unknown>;
  if (!etagMatches(exchange, body, String(attributes.etag)))
    return errorReply(pcErrors.staleEtag(), bom);
  const change = changeOf(facts, body, dataNow(exchange.receivedAt));
  if ('refusal' in change) return errorReply(change.refusal, bom);
  if (CHANGED_FIELDS.every((field) => change.next[field] === before[field]))
    return jsonReply(200, before, { bom });
  const after = {
    ...change.next,
    attributes: { ...attributes, etag: etag(facts.id, state.store.nextVersion()) },
  };
  state.store.put({
    at: exchange.receivedAt,
    key: subscriptionKey(resources.context.id, facts.id),
    resourceType: 'subscription',
    operationType: 'update_subscription',
    customerId: resources.context.id,
    before,
    after,
    requestId: header(exchange, 'ms-requestid'),
    correlationId: header(exchange, 'ms-correlationid'),
    caller,
  });
  if (change.accepted) return acceptedReply(resources.context.id, facts.id);
  return jsonReply(200, after, { bom });
}

/**
 * 202 with where to read the subscription, as the documentation's example writes it (without
 * `/v1`). Retry-After is not documented for this answer: 0 says "read it now", which the
 * emulator can promise (the change is applied before it answers).
 */
function acceptedReply(customerId: string, subscriptionId: string): Reply {
  return {
    status: 202,
    headers: {
      Location: `/customers/${customerId}/subscriptions/${subscriptionId}`,
      'Retry-After': '0',
    },
    body: Buffer.alloc(0),
  };
}
