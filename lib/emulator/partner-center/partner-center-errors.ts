/**
 * Partner Center's error body, `{code, description, data, source}`, with the codes the real service
 * uses (docs/partner-center-api.md, "Errors"). `code` is a number, as in real responses.
 */
export interface PartnerCenterErrorBody {
  code: number;
  description: string;
  data: unknown[];
  source: 'PartnerFD';
}

export interface PartnerCenterError {
  status: number;
  body: PartnerCenterErrorBody;
  headers?: Record<string, string>;
}

/** The Partner Center API's own Entra application (its realm in WWW-Authenticate). */
export const PARTNER_CENTER_APP_ID = 'fa3d9a0c-3fb0-42cc-9193-47c7ecd2edbd';

function error(
  status: number,
  code: number,
  description: string,
  headers?: Record<string, string>,
): PartnerCenterError {
  return { status, body: { code, description, data: [], source: 'PartnerFD' }, headers };
}

export const pcErrors = {
  invalidCustomerId: () => error(400, 900118, 'Invalid Customer Id'),
  invalidProperty: (detail: string) => error(400, 3000, `Invalid property: ${detail}`),
  invalidContinuationToken: (why: string) => error(400, 3000, `Invalid continuation token: ${why}`),
  /** 800002, the code Partner Center's error list gives unreadable input. */
  invalidInput: (detail: string) => error(400, 800002, `Invalid request input: ${detail}`),
  subscriptionDeleted: (id: string) =>
    error(400, 2011, `Subscription with ID ${id} and deleted status can't be updated.`),
  /** The subscription changes the service refuses (docs/partner-center-api.md, "Refusals"). */
  quantityOutOfBounds: () =>
    error(400, 2002, "Subscription quantity isn't within minimum and maximum allowed quantity"),
  quantityNotDecreasable: () => error(400, 800090, 'Subscription quantity cannot be decreased.'),
  cancellationWindowPassed: (hours: number) =>
    error(
      400,
      900213,
      `You have passed your ${hours}-hour cancellation window. We are unable to cancel your purchase`,
    ),
  quantityWhileSuspended: () =>
    error(
      400,
      2001,
      "Subscription quantity can't be increased or decreased while subscription is being suspended",
    ),
  suspendedNotUpdatable: () =>
    error(400, 800091, "Can't update a subscription with suspended status"),
  notActivated: () => error(400, 800081, "Can't update a subscription before activating it"),
  noLongerUpdatable: () =>
    error(400, 900279, 'Update operations are no longer allowed for this subscription.'),
  notReady: () =>
    error(409, 800082, 'Subscription is not ready to be updated. Try again after sometime'),
  notAutoRenewable: () => error(400, 800093, "The subscription isn't eligible to be auto-renewed"),
  billingCycleReadOnly: () =>
    error(
      400,
      2054,
      "The billing cycle for an existing subscription can't be updated using " +
        'update-subscription operation. Use update-Order operation',
    ),
  /**
   * A write whose etag (If-Match, or `attributes.etag` in the body) is not the resource's current
   * one: someone changed it since it was read. The documentation lists 2055 "Etag is no longer
   * valid" without a status; 412 Precondition Failed is the status HTTP gives a failed If-Match.
   */
  staleEtag: () => error(412, 2055, 'Etag is no longer valid'),
  accessDenied401: (why: string) =>
    error(401, 400, `Access denied: ${why}`, {
      'WWW-Authenticate': `OAuth realm=urn:cpsvc:cpid:${PARTNER_CENTER_APP_ID}`,
    }),
  accessDenied403: (why: string) => error(403, 2032, `Access denied: ${why}`),
  tenantNotFound: (id: string) => error(404, 60003, `Tenant not found: ${id}`),
  noCommerceRelationship: (partnerId: string, customerId: string) =>
    error(
      403,
      20002,
      `The partner id ${partnerId} has no commerce relationship with the customer id ${customerId}.`,
    ),
  subscriptionNotFound: (id: string) => error(404, 20003, `Subscription with id ${id} not found.`),
  userNotFound: (id: string) => error(404, 60002, `User object Id is not found: ${id}`),
  notFound: (what: string) => error(404, 1000, `Not found: ${what}`),
  /** RFC 9110 §15.5.6: a 405 names the methods the resource supports in `Allow`. */
  methodNotAllowed: (allowed: readonly string[]) =>
    error(405, 1000, 'The requested resource does not support this HTTP method.', {
      Allow: allowed.join(', '),
    }),
  /** Not documented for Partner Center: its front door's 413, in the API's error body. */
  tooLarge: (limitBytes: number) =>
    error(413, 3000, `The request body is larger than ${limitBytes} bytes.`),
  /** The emulator's own failure (a bug): never blamed on the request. */
  internal: (detail: string) => error(500, 0, `Internal error: ${detail}`),
  injected: (status: number) =>
    error(status, status >= 500 ? 0 : status, `Injected failure (HTTP ${status}).`),
} as const;
