/**
 * What Set-, Suspend- and Resume-PartnerCustomerSubscription share: read the subscription, work
 * out which fields the caller's values actually change, ask shouldProcess with each field before →
 * after, and send the whole resource with its etag (lib/partner-center/resource-change.ts, which
 * follows a 202 to its end). A refusal of the service becomes one line naming its code and what the
 * subscription allows (docs/partner-center-api.md, "The service's rules on a change").
 */
import { randomUUID } from 'node:crypto';
import { PartnerCenterModuleError, ServiceError } from '../common/errors.js';
import { getSubscription } from '../partner-center/customer-resources.js';
import type { CmdletContext, ParameterDeclaration, PropertyChange, ViewColumn } from './cmdlet.js';
import { defineCmdlet } from './parameter-types.js';
import { fanOutParameters } from './fan-out.js';
import { maxRetryParameter } from './parameters.js';
import { customerIdParameter, forCustomer, withOwner } from './per-customer.js';

/** The fields these cmdlets may change, as the subscription resource names them. */
export interface SubscriptionFields {
  quantity?: number;
  autoRenewEnabled?: boolean;
  friendlyName?: string;
  status?: 'active' | 'suspended';
}

export const subscriptionIdParameter = {
  type: 'guid',
  mandatory: true,
  idOf: ['Subscription'],
  pipeline: 'byPropertyName',
  description:
    "The subscription's id. From the pipeline it binds the id of a subscription that " +
    'Get-PartnerCustomerSubscription wrote (whose customerId binds -CustomerId).',
} as const satisfies ParameterDeclaration;

/** Help's INPUTS of the three cmdlets. */
export const SUBSCRIPTION_CHANGE_INPUTS =
  'Objects with customerId and id (a Subscription from Get-PartnerCustomerSubscription), or ' +
  'with customerId and subscriptionId (rows of a CSV plan from Import-Csv or ConvertFrom-Csv).';

/**
 * The parameters after what changes (-PassThru, -MaxRetry, the fan-out's) and the declaration's
 * parts about input and output, the same on the three cmdlets.
 */
export const subscriptionChangeTail = {
  PassThru: {
    type: 'switch',
    description: 'Write each subscription as it is after the change (with customerId first).',
  },
  MaxRetry: maxRetryParameter,
  ThrottleLimit: fanOutParameters.ThrottleLimit,
  // A write's entry records its MS-RequestId before the PATCH goes out (item-journal.ts), so a
  // rerun after a kill sends an unfinished write again under the same id, and skips finished ones.
  ResumeFile: fanOutParameters.ResumeFile,
} as const satisfies Record<string, ParameterDeclaration>;

/** How a subscription is shown as a table: by Get-PartnerCustomerSubscription, and -PassThru. */
export const SUBSCRIPTION_VIEW: readonly ViewColumn[] = [
  { name: 'CustomerId', path: 'customerId', kind: 'id', group: true },
  { name: 'SubscriptionId', path: 'id', kind: 'id' },
  { name: 'Offer', path: 'offerName', kind: 'text', minWidth: 24 },
  { name: 'Quantity', path: 'quantity', shortName: 'Qty' },
  { name: 'Status', path: 'status', minWidth: 12 },
  { name: 'AutoRenew', path: 'autoRenewEnabled', drop: 2 },
  { name: 'CommitmentEnd', path: 'commitmentEndDate', kind: 'date', shortName: 'EndDate', drop: 1 },
];

/** Help's INPUTS and OUTPUTS, the fan-out's naming, the table: the same on the three cmdlets. */
export const SUBSCRIPTION_CHANGE_IO = {
  // Each input object is one subscription row (a plan row or a piped subscription), counted so.
  concurrentInput: { one: 'subscription', many: 'subscriptions' },
  inputs: SUBSCRIPTION_CHANGE_INPUTS,
  outputType: 'Subscription',
  outputs: 'With -PassThru, each subscription as it is after the change (customerId first).',
  view: SUBSCRIPTION_VIEW,
} as const;

export interface SubscriptionChangeRequest {
  customerId: string;
  subscriptionId: string;
  maxRetry?: number;
  /** What shouldProcess calls the change: "Set subscription", "Suspend subscription". */
  action: string;
  fields: SubscriptionFields;
  passThru: boolean;
}

/** The fields whose asked value differs from the subscription's current one, in a fixed order. */
export function fieldChanges(
  current: Readonly<Record<string, unknown>>,
  fields: SubscriptionFields,
): PropertyChange[] {
  const order: (keyof SubscriptionFields)[] = [
    'quantity',
    'status',
    'autoRenewEnabled',
    'friendlyName',
  ];
  return order
    .filter((name) => fields[name] !== undefined && fields[name] !== current[name])
    .map((name) => ({ property: name, before: current[name], after: fields[name] }));
}

/** One subscription's change, yielding it afterwards under -PassThru. */
export async function* changeSubscription(
  request: SubscriptionChangeRequest,
  context: CmdletContext,
): AsyncGenerator<Record<string, unknown>> {
  const { customerId, subscriptionId } = request;
  yield* forCustomer(customerId, context, async function* () {
    const client = await context.services.partnerCenter({ maxRetry: request.maxRetry });
    const path = `/customers/${customerId}/subscriptions/${subscriptionId}`;
    const current = await getSubscription(client, customerId, subscriptionId);
    const changes = fieldChanges(current, request.fields);
    const owner = { customerId };
    if (changes.length === 0) {
      context.verbose(
        `Subscription ${subscriptionId} of customer ${customerId} already is as asked: ` +
          'nothing sent.',
      );
      if (request.passThru) yield withOwner(owner, current);
      return;
    }
    const name = String(current.friendlyName ?? current.offerName ?? '');
    // The id before the name: a name such as "... Business Basic" followed by text would read as
    // an HTTP Basic credential to the redactor of stderr lines.
    const target = `customer ${customerId}: subscription ${subscriptionId} (${name})`;
    if (!(await context.shouldProcess(target, request.action, changes))) return;
    const resource = { ...current };
    for (const change of changes) resource[change.property] = change.after;
    const { changeResource, etagOf } = await import('../partner-center/resource-change.js');
    // The service's idempotency key: the same on every retry, and on a rerun of a write an earlier
    // run began (recorded before sending: that run may have been killed with the PATCH in flight).
    const begun = context.journal?.begun?.requestId;
    const requestId = typeof begun === 'string' ? begun : randomUUID();
    context.journal?.begin({ requestId });
    let changed: Record<string, unknown> | undefined;
    try {
      const answer = await changeResource<Record<string, unknown>>(client, path, {
        resource,
        etag: etagOf({ value: current }),
        requestId,
        signal: context.signal,
      });
      changed = answer.resource;
    } catch (error) {
      throw error instanceof PartnerCenterModuleError ? refusalOf(error, current) : error;
    }
    context.verbose(
      `Subscription ${subscriptionId} of customer ${customerId}: ` +
        changes.map(describeChange).join(', '),
    );
    if (request.passThru) yield withOwner(owner, changed ?? resource);
  });
}

/** `quantity 10 → 12`, as -WhatIf writes a field. */
function describeChange(change: PropertyChange): string {
  return `${change.property} ${String(change.before)} → ${String(change.after)}`;
}

/**
 * What the subscription allows, for each business refusal Partner Center documents (its error
 * codes); the service's code and description stay in the line.
 */
function allowedFor(code: number, current: Readonly<Record<string, unknown>>): string | undefined {
  const refundable = (current.refundableQuantity as { totalQuantity?: unknown } | undefined)
    ?.totalQuantity;
  switch (code) {
    case 2055:
      return 'it changed since it was read; read it again and retry';
    case 2002:
      return "the quantity must be within the SKU's minimum and maximum seat count";
    case 800090:
      return refundable === undefined
        ? 'its seat count cannot go down now'
        : `at most ${String(refundable)} seat(s) can be removed now, down to ` +
            `${Number(current.quantity) - Number(refundable)}`;
    case 900213:
      return current.cancellationAllowedUntilDate
        ? `it could be cancelled until ${String(current.cancellationAllowedUntilDate)}`
        : 'its cancellation window has passed';
    case 2001:
      return 'resume it first (Resume-PartnerCustomerSubscription), then change the seats';
    case 800091:
      return 'a suspended subscription can only be resumed';
    case 900279:
      return `it is ${String(current.status)}; it can no longer be changed`;
    case 800081:
      return 'it is pending; change it once it is active';
    case 800082:
      return 'it is not ready yet; try again later';
    case 2011:
      return 'a deleted subscription cannot be changed';
    case 800093:
      return 'auto-renew is only for subscriptions with a term';
    default:
      return undefined;
  }
}

/**
 * The service's refusal with what is allowed: the failure's one line is its reason (what is
 * allowed), the status and code, then the message (the service's own description).
 */
function refusalOf(
  error: PartnerCenterModuleError,
  current: Readonly<Record<string, unknown>>,
): PartnerCenterModuleError {
  const code = Number(error.serviceCode);
  const allowed = Number.isFinite(code) ? allowedFor(code, current) : undefined;
  if (allowed === undefined) return error;
  return new ServiceError(error.message, {
    cause: error,
    status: error.status,
    serviceCode: error.serviceCode,
    reason: code === 2055 ? allowed : `refused: ${allowed}`,
    hint: `${allowed.charAt(0).toUpperCase()}${allowed.slice(1)}.`,
    endsRun: false,
    requestId: error instanceof ServiceError ? error.requestId : undefined,
    correlationId: error instanceof ServiceError ? error.correlationId : undefined,
  });
}

/** What differs between Suspend- and Resume-PartnerCustomerSubscription. */
export interface StatusChangeCmdlet {
  name: string;
  status: 'active' | 'suspended';
  /** "Suspend subscription", as shouldProcess and -WhatIf name the change. */
  action: string;
  synopsis: string;
  description: string;
  examples: { title: string; code: string; remarks?: string }[];
}

/**
 * Suspend- or Resume-PartnerCustomerSubscription: the status change alone, impact High (asked on
 * a terminal, refused in a runbook without -Force or -Confirm:$false: lib/host/confirm.ts).
 */
export function statusChangeCmdlet(declaration: StatusChangeCmdlet) {
  return defineCmdlet({
    name: declaration.name,
    helpUri: 'https://learn.microsoft.com/partner-center/developer/suspend-a-subscription',
    synopsis: declaration.synopsis,
    description:
      `${declaration.description} A subscription already ${declaration.status} is left as it is ` +
      '(nothing sent; -Verbose says so). A new-commerce status change is answered 202 and ' +
      'followed to its end. Subscriptions piped in (from Get-PartnerCustomerSubscription, or ' +
      'rows with customerId and subscriptionId) are worked on -ThrottleLimit at a time; a ' +
      "refusal of the service fails that subscription with one line naming the service's code " +
      'and what is allowed, and the run goes on and exits 1. Impact High: on a terminal each ' +
      'change is asked first ([A] Yes to All); without a terminal the command refuses before any ' +
      'write unless -Force or -Confirm:$false is given. -WhatIf shows the plan and changes nothing.',
    changes: { confirmImpact: 'High' },
    parameters: {
      CustomerId: customerIdParameter,
      SubscriptionId: subscriptionIdParameter,
      ...subscriptionChangeTail,
    },
    ...SUBSCRIPTION_CHANGE_IO,
    examples: declaration.examples,
    async *run(p, context) {
      yield* changeSubscription(
        {
          customerId: p.CustomerId,
          subscriptionId: p.SubscriptionId,
          maxRetry: p.MaxRetry,
          action: declaration.action,
          fields: { status: declaration.status },
          passThru: p.PassThru === true,
        },
        context,
      );
    },
  });
}
