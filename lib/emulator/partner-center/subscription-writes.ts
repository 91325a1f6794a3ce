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

type Change = { next: Record<string, unknown> } | { refusal: PartnerCenterError };

/** The subscription after the write the body asks for, or the refusal of it. */
function changeOf(facts: SubscriptionFacts, body: Record<string, unknown>): Change {
  const before = facts.json;
  const id = property(body, 'id');
  if (typeof id !== 'string' || id.toLowerCase() !== facts.id)
    return {
      refusal: pcErrors.invalidInput('the body must be the whole subscription, its id included'),
    };
  if (before.status === 'deleted') return { refusal: pcErrors.subscriptionDeleted(facts.id) };
  const quantity = property(body, 'quantity');
  if (!Number.isInteger(quantity) || (quantity as number) < 1)
    return { refusal: pcErrors.invalidInput('quantity must be a whole number of at least 1') };
  const status = property(body, 'status');
  if (typeof status !== 'string' || !WRITABLE_STATUSES.has(status.toLowerCase()))
    return { refusal: pcErrors.invalidInput('status must be active, suspended or deleted') };
  const friendlyName = property(body, 'friendlyName') ?? before.friendlyName;
  if (typeof friendlyName !== 'string')
    return { refusal: pcErrors.invalidInput('friendlyName must be a string') };
  const billingCycle = property(body, 'billingCycle');
  if (
    typeof billingCycle === 'string' &&
    billingCycle.toLowerCase() !== String(before.billingCycle).toLowerCase()
  )
    return { refusal: pcErrors.billingCycleReadOnly() };
  return {
    next: {
      ...before,
      quantity,
      friendlyName,
      status: status.toLowerCase(),
      // Documented: a body without autoRenewEnabled sets it to false.
      autoRenewEnabled: property(body, 'autoRenewEnabled') === true,
    },
  };
}

const CHANGED_FIELDS = ['quantity', 'friendlyName', 'status', 'autoRenewEnabled'] as const;

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
  const change = changeOf(facts, body);
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
  return jsonReply(200, after, { bom });
}
