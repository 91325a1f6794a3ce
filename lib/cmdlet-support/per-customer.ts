/**
 * What every per-customer cmdlet shares: the -CustomerId parameter that binds a customer (or any
 * object that names its customerId) from the pipeline, the customer's id written first in every
 * object it yields, one customer's failure reported as that customer's, and the App+User rule.
 */
import { AuthenticationError } from '../common/errors.js';
import { type JsonTextList, withLeadingProperties } from '../json/json-text.js';
import { LICENSE_GROUPS } from '../partner-center/customer-resources.js';
import type { AuthenticationKind } from '../session/context-store.js';
import type { CmdletContext, ParameterDeclaration } from './cmdlet.js';
import type { ConcurrentInput } from './fan-out.js';
import { forItem } from './per-item.js';

export const customerIdParameter = {
  type: 'guid',
  mandatory: true,
  position: 0,
  aliases: ['Id', 'TenantId'],
  idOf: ['Customer'],
  pipeline: 'byPropertyName',
  description:
    "The customer's tenant id (a GUID). From the pipeline it binds a customer's id, or the " +
    'customerId of any object this module writes (a user, a subscription, ...).',
} as const satisfies ParameterDeclaration;

/** The input objects of a per-customer cmdlet's fan-out, for its messages. */
export const CUSTOMERS = { one: 'customer', many: 'customers' } as const satisfies ConcurrentInput;
/** The same for a per-user cmdlet. */
export const USERS = { one: 'user', many: 'users' } as const satisfies ConcurrentInput;

/** Help's INPUTS for a cmdlet that takes customers from the pipeline. */
export const CUSTOMER_INPUTS =
  'Objects with an id (a Customer) or a customerId property: customers from ' +
  'Get-PartnerCustomer, or any object of this module.';

/** -LicenseGroup of the license cmdlets: Partner Center's two license groups. */
export const licenseGroupParameter = {
  type: 'string[]',
  choices: LICENSE_GROUPS,
  description:
    'Only those of these license groups: Group1 (licenses Entra ID manages), Group2 (Minecraft).',
} as const satisfies ParameterDeclaration;

/**
 * One customer's part of a run (per-item.ts): a failure names the customer, and its company name
 * when the pipeline object had one; whether it ends the run stays the failure's own.
 */
export function forCustomer<T>(
  customerId: string,
  context: CmdletContext,
  work: () => AsyncIterable<T>,
): AsyncGenerator<T> {
  const name = companyNameOf(context.pipelineObject) ?? undefined;
  return forItem({ kind: 'customer', id: customerId, name }, work);
}

/** A piped object's company name: a Customer's companyProfile.companyName, or any companyName. */
export function companyNameOf(input: Readonly<Record<string, unknown>> | undefined): string | null {
  const profile = input?.companyProfile;
  const name =
    (profile && typeof profile === 'object'
      ? (profile as Record<string, unknown>).companyName
      : undefined) ?? input?.companyName;
  return typeof name === 'string' && name ? name : null;
}

/** Each item of a page with the customer's id (and more ids) first: the service's bytes otherwise. */
export function ownedBy<T>(
  ids: Record<string, string>,
): (items: JsonTextList<T>) => JsonTextList<unknown> {
  return (items) => withLeadingProperties(items, ids);
}

/** The same for one parsed resource: the owner's ids first, then the resource unchanged. */
export function withOwner(
  ids: Record<string, string>,
  resource: Record<string, unknown>,
): Record<string, unknown> {
  return { ...ids, ...resource };
}

/** Sign-ins whose tokens carry no user: Partner Center refuses them on App+User-only APIs. */
const APP_ONLY: ReadonlySet<AuthenticationKind> = new Set([
  'ServicePrincipal',
  'ServicePrincipalCertificate',
  'ManagedIdentity',
]);

/**
 * Refuses an App+User-only cmdlet before any request when the run's context signed in as an
 * application: every customer would fail the same way, so the run ends (and the error names no
 * customer: call it before forCustomer). `what`: the resource, e.g. "a customer's users".
 */
export async function requireUserSignIn(context: CmdletContext, what: string): Promise<void> {
  const saved = await context.services.currentContext();
  if (!APP_ONLY.has(saved.authentication)) return;
  throw new AuthenticationError(
    `Partner Center serves ${what} only to a user sign-in (App+User), and context ` +
      `'${saved.name}' signed in as an application (${saved.authentication}).`,
    {
      hint:
        'Connect as a user, e.g. Connect-Partner -UseDeviceAuthentication, or ' +
        '-RefreshToken for automation (with -ContextName to keep both contexts).',
    },
  );
}
