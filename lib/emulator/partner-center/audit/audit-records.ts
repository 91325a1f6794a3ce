/**
 * The partner's activity log as `GET /v1/auditrecords` serves it (docs/partner-center-api.md,
 * "Audit records"): a fixed set of seeded records, derived from the seed and dated over the 89 days
 * before the emulator's `now`, followed by one record for each change the change store applied
 * (its journal), in the order they were made. Records only ever join at the end, so a listing's
 * offsets stay valid while writes go on; a reset of the store forgets the changes' records and
 * keeps the seeded ones.
 */
import { createHash } from 'node:crypto';
import type { ChangeRecord } from '../../server/change-store.js';
import type { EmulatorState } from '../../server/emulator-state.js';
import { guidFromWords, hash32, seededGuid } from '../../server/random.js';
import { DAY_MS, customerContext, isoDate, startOfDay } from '../customer-context.js';
import { subscriptionsOf } from '../customer-subscriptions.js';
import { hasManyUsers } from '../customer-context.js';

/** An audit record with the service's field names (Partner Center's AuditRecord resource). */
export interface AuditRecordJson {
  id: string;
  partnerId: string;
  customerId: string;
  customerName: string;
  userPrincipalName: string | null;
  applicationId: string;
  resourceType: string;
  resourceOldValue: string | null;
  resourceNewValue: string | null;
  operationType: string;
  operationDate: string;
  operationStatus: string;
  originalCorrelationId: string;
  sessionId: string;
  customizedData: { key: string; value: string }[];
  attributes: { objectType: 'AuditRecord' };
}

/** Days before `now` the seeded records cover (all inside the service's 90-day window). */
export const SEEDED_DAYS = 89;
/** Seeded records per day. */
export const SEEDED_PER_DAY = 4;
const SALT = 0xa0d1;

/** The partner's own users who appear in the seeded log besides the signed-in admin. */
const AGENT_NAMES = ['sales', 'support'];

/** A GUID standing for a text (a token's id, a change's sequence): the same text, the same GUID. */
function guidOfText(text: string): string {
  const digest = createHash('sha256').update(text).digest();
  return guidFromWords(
    digest.readUInt32BE(0),
    digest.readUInt32BE(4),
    digest.readUInt32BE(8),
    digest.readUInt32BE(12),
  );
}

/** `quantity` → `Quantity`, deeply: the service serialises old and new values in PascalCase. */
function pascalCased(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(pascalCased);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key.charAt(0).toUpperCase() + key.slice(1),
      pascalCased(inner),
    ]),
  );
}

const jsonText = (value: unknown) => JSON.stringify(pascalCased(value));

type SeededKind = (
  state: EmulatorState,
  customer: { index: number; id: string; name: string; domain: string },
  draw: number,
) => Pick<
  AuditRecordJson,
  'resourceType' | 'operationType' | 'resourceOldValue' | 'resourceNewValue' | 'customizedData'
>;

/** What the seeded records did: the commonest operations of a CSP partner's day. */
const SEEDED_KINDS: readonly SeededKind[] = [
  (state, customer, draw) => {
    const subscription = subscriptionsOf(
      customerContext(state.dataset, customer.index),
      hasManyUsers(state.dataset, customer.index),
    )[draw % 3];
    if (!subscription) return SEEDED_KINDS[1](state, customer, draw);
    const { json } = subscription;
    const before = { id: json.id, offerId: json.offerId, quantity: json.quantity };
    const after = { ...before, quantity: Number(json.quantity) + 1 + (draw % 5) };
    return {
      resourceType: 'subscription',
      operationType: 'update_subscription',
      resourceOldValue: jsonText(before),
      resourceNewValue: jsonText(after),
      customizedData: [{ key: 'SubscriptionId', value: String(json.id) }],
    };
  },
  (state, customer, draw) => {
    const orderId = seededGuid(state.dataset.seed, `audit-order-${customer.id}-${draw}`);
    return {
      resourceType: 'order',
      operationType: 'create_order',
      resourceOldValue: null,
      resourceNewValue: jsonText({
        id: orderId,
        referenceCustomerId: customer.id,
        lineItems: [{ lineItemNumber: 0, quantity: 1 + (draw % 20) }],
      }),
      customizedData: [{ key: 'OrderId', value: orderId }],
    };
  },
  (_state, customer, draw) => {
    const user = `user${draw % 100}@${customer.domain}`;
    return {
      resourceType: 'customer_user',
      operationType: 'create_customer_user',
      resourceOldValue: null,
      resourceNewValue: jsonText({ userPrincipalName: user, usageLocation: 'US' }),
      customizedData: [{ key: 'UserPrincipalName', value: user }],
    };
  },
  (_state, customer) => ({
    resourceType: 'customer',
    operationType: 'add_customer',
    resourceOldValue: null,
    resourceNewValue: jsonText({
      id: customer.id,
      companyProfile: { companyName: customer.name, domain: customer.domain },
    }),
    customizedData: [{ key: 'CustomerId', value: customer.id }],
  }),
];

/**
 * When the seeded record `n` was made: its day from its place, its time of day from its draw,
 * spread over the day in order so the seeded records are oldest first.
 */
function seededTime(state: EmulatorState, n: number, draw = hash32(state.dataset.seed, n, SALT)) {
  const daysBefore = SEEDED_DAYS - Math.floor(n / SEEDED_PER_DAY);
  const slot = n % SEEDED_PER_DAY;
  const within = slot * (DAY_MS / SEEDED_PER_DAY) + (draw % (DAY_MS / SEEDED_PER_DAY));
  return startOfDay(state.now) - daysBefore * DAY_MS + within;
}

/** The seeded record number `n` (0-based, oldest first), derived from the seed and `now` alone. */
function seededRecord(state: EmulatorState, n: number): AuditRecordJson {
  const { dataset, directory } = state;
  const draw = hash32(dataset.seed, n, SALT);
  const index = draw % dataset.count;
  const summary = dataset.summary(index);
  const customer = { index, id: summary.id, name: summary.companyName, domain: summary.domain };
  const at = seededTime(state, n, draw);
  const byAgent = draw % 5 === 0;
  const agent = AGENT_NAMES[(draw >>> 8) % AGENT_NAMES.length];
  return {
    id: seededGuid(dataset.seed, `audit-record-${n}`),
    partnerId: dataset.partnerTenantId,
    customerId: customer.id,
    customerName: customer.name,
    userPrincipalName: byAgent
      ? `${agent}@${directory.tenantDomain}`
      : directory.user.userPrincipalName,
    applicationId: directory.applicationId,
    ...SEEDED_KINDS[(draw >>> 4) % SEEDED_KINDS.length](state, customer, draw >>> 12),
    operationDate: isoDate(at),
    // One in 25 failed, as a real log shows some.
    operationStatus: (draw >>> 16) % 25 === 0 ? 'failed' : 'succeeded',
    originalCorrelationId: seededGuid(dataset.seed, `audit-correlation-${n}`),
    sessionId: seededGuid(dataset.seed, `audit-session-${Math.floor(n / 7)}`),
    attributes: { objectType: 'AuditRecord' },
  };
}

/** How many seeded records there are (none without customers: every seeded record names one). */
export function seededCount(state: EmulatorState): number {
  return state.dataset.count === 0 ? 0 : SEEDED_DAYS * SEEDED_PER_DAY;
}

/** The record a change of the store left: who made it, before and after, the request's ids. */
function changeRecord(state: EmulatorState, change: ChangeRecord): AuditRecordJson {
  const { dataset, directory } = state;
  const index = dataset.indexOfId(change.customerId);
  const claims = change.caller?.claims ?? {};
  const upn = typeof claims.upn === 'string' ? claims.upn : null;
  const appId = typeof claims.appid === 'string' ? claims.appid : directory.applicationId;
  // A sign-in's session: the token's own id (`uti`) stands for it.
  const session = typeof claims.uti === 'string' ? claims.uti : `change-${change.sequence}`;
  const id = String(change.after.id ?? change.before.id ?? '');
  return {
    id: seededGuid(dataset.seed, `audit-change-${change.sequence}`),
    partnerId: dataset.partnerTenantId,
    customerId: change.customerId,
    customerName: index < 0 ? '' : dataset.summary(index).companyName,
    userPrincipalName: upn,
    applicationId: appId,
    resourceType: change.resourceType,
    resourceOldValue: jsonText(change.before),
    resourceNewValue: jsonText(change.after),
    operationType: change.operationType,
    operationDate: isoDate(change.at),
    operationStatus: 'succeeded',
    originalCorrelationId: change.correlationId ?? guidOfText(`correlation-${change.sequence}`),
    sessionId: guidOfText(`session-${session}`),
    customizedData: [
      {
        key: `${change.resourceType.charAt(0).toUpperCase()}${change.resourceType.slice(1)}Id`,
        value: id,
      },
    ],
    attributes: { objectType: 'AuditRecord' },
  };
}

/** How many records the log holds now: the seeded ones, then one per change since the reset. */
export function recordCount(state: EmulatorState): number {
  return seededCount(state) + state.store.journal.length;
}

/**
 * The seeded records of each emulator, each derived once, when first read: a few hundred small
 * objects, fixed by the seed and `now`, whereas deriving one touches its customer's details and
 * subscriptions (about a millisecond), and a listing of a few days reads only those days' records.
 */
const seededLogs = new WeakMap<EmulatorState, (AuditRecordJson | undefined)[]>();

/** The record at a position of the log (0: the oldest seeded record). */
export function recordAt(state: EmulatorState, position: number): AuditRecordJson {
  const seeded = seededCount(state);
  if (position >= seeded) return changeRecord(state, state.store.journal[position - seeded]);
  let log = seededLogs.get(state);
  if (!log) {
    log = new Array<AuditRecordJson | undefined>(seeded);
    seededLogs.set(state, log);
  }
  log[position] ??= seededRecord(state, position);
  return log[position];
}

/**
 * When the record at a position was made (its `operationDate`), without deriving the record: a
 * listing's date window skips the others unread.
 */
export function recordTimeAt(state: EmulatorState, position: number): number {
  const seeded = seededCount(state);
  return position < seeded
    ? seededTime(state, position)
    : state.store.journal[position - seeded].at;
}
