/**
 * Turns an API's error answer into the module's named errors: one line saying what went wrong, a
 * hint saying what to do, the service's own code and the request ids support asks for. The shape
 * of the errors is the same for every API; what differs (the service's name, its ids, what to do
 * about a refusal) is the API's `ServiceWording`: Partner Center's is here, Microsoft Graph's in
 * graph-api.ts.
 */
import {
  AuthenticationError,
  NotFoundError,
  type PartnerCenterModuleError,
  ServiceError,
  UsageError,
} from '../common/errors.js';
import { stripBom, untrustedLine } from '../common/text.js';

/**
 * What a failed answer said, from Partner Center's `{code, description, data, source}` or the
 * gateway's `{statusCode, message}`.
 */
export interface ServiceFault {
  code?: number | string;
  description?: string;
  /** The id the service gave its handling of the request (Graph's `innerError.request-id`). */
  serviceRequestId?: string;
  /** When the service handled it (Graph's `innerError.date`), as it wrote it. */
  date?: string;
}

export function readServiceFault(body: Buffer): ServiceFault {
  const text = stripBom(body.toString('utf8')).trim();
  if (!text) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object') {
      const record = parsed as Record<string, unknown>;
      const code =
        typeof record.code === 'number' || typeof record.code === 'string'
          ? record.code
          : undefined;
      const description = [record.description, record.message, record.error_description].find(
        (v): v is string => typeof v === 'string',
      );
      return {
        code,
        description: description === undefined ? undefined : untrustedLine(description),
      };
    }
  } catch {
    // Not JSON: a proxy's HTML or plain text page; a short excerpt still helps.
  }
  return { description: untrustedLine(text, 160) };
}

/**
 * Who supplied the MS-ContinuationToken a request carried: the user (resume) or the previous page's
 * next link.
 */
export type ContinuationTokenSource = 'user' | 'service';

export interface FailedCall {
  method: string;
  url: URL;
  status: number;
  statusMessage?: string;
  requestId: string;
  correlationId: string;
  continuationToken?: ContinuationTokenSource;
}

export function describeCall(call: Pick<FailedCall, 'method' | 'url'>): string {
  // A blob URL's SAS signature is a credential: messages name the call without it.
  const search = call.url.search.replace(/([?&]sig=)[^&]*/gi, '$1***');
  const target = `${call.url.pathname}${search}`;
  return `${call.method} ${target.length > 120 ? `${target.slice(0, 119)}…` : target}`;
}

function detail(status: number, fault: ServiceFault, statusMessage?: string): string {
  const head = `HTTP ${status}${statusMessage ? ` ${statusMessage}` : ''}`;
  if (fault.code === undefined && !fault.description) return head;
  const code = fault.code === undefined ? '' : `code ${fault.code}`;
  // The service's descriptions often end with a period; the sentence around them adds its own.
  const text = (fault.description ?? '').replace(/[.\s]+$/, '');
  return `${head}, ${code}${code && text ? ': ' : ''}${text}`;
}

/** What differs between the APIs' errors: how they are named and what to do about them. */
export interface ServiceWording {
  /** The service as messages name it: `Partner Center`, `Microsoft Graph`. */
  service: string;
  /** What a listing's resume position is called: `continuation token`, `skip token`. */
  position: string;
  /**
   * Added after a call in messages that do not name the service otherwise (` to Microsoft Graph`);
   * empty for Partner Center, the module's first API.
   */
  callSuffix: string;
  /** What to do when the token was refused even after renewing it. */
  rejectedTokenHint: string;
  /** What to do when access to one resource was denied (403). */
  deniedHint(fault: ServiceFault): string;
  /** A denial (403) in a few plain words, for the one line of a failed pipeline object. */
  deniedReason?(fault: ServiceFault): string | undefined;
  /** The sentence that tells support which request this was. */
  supportHint(call: Omit<FailedCall, 'status'>, fault: ServiceFault | undefined): string;
}

/** Partner Center's code for a customer the partner has no commerce relationship with. */
const NO_COMMERCE_RELATIONSHIP = 20002;

export const PARTNER_CENTER_WORDING: ServiceWording = {
  service: 'Partner Center',
  position: 'continuation token',
  callSuffix: '',
  rejectedTokenHint:
    'Sign in again with Connect-Partner, and check that the application is ' +
    'consented for Partner Center.',
  deniedHint: (fault) =>
    Number(fault.code) === NO_COMMERCE_RELATIONSHIP
      ? 'The partner has no commerce relationship with this customer, so its ' +
        'commerce resources cannot be read.'
      : 'Check that the signed-in account or application holds a Partner Center ' +
        'role (e.g. Admin agent) for this partner.',
  deniedReason: (fault) =>
    Number(fault.code) === NO_COMMERCE_RELATIONSHIP ? 'no commerce relationship' : undefined,
  supportHint: (call) =>
    `If it persists, give Microsoft support MS-CorrelationId ${call.correlationId} ` +
    `and MS-RequestId ${call.requestId}.`,
};

/** The error for an answer that retrying will not change (or the second 401). */
export function errorForAnswer(
  call: FailedCall,
  fault: ServiceFault,
  wording: ServiceWording = PARTNER_CENTER_WORDING,
): PartnerCenterModuleError {
  const { service } = wording;
  const what = describeCall(call);
  const why = detail(call.status, fault, call.statusMessage);
  const answer = { status: call.status, serviceCode: fault.code };
  const ids = {
    ...answer,
    requestId: fault.serviceRequestId ?? call.requestId,
    correlationId: call.correlationId,
  };
  const supportHint = wording.supportHint(call, fault);
  switch (call.status) {
    case 401:
      return new AuthenticationError(
        `${service} rejected the access token for ${what} even after renewing it (${why}).`,
        { hint: wording.rejectedTokenHint, reason: 'access token rejected', ...answer },
      );
    case 403:
      // Denied for this resource (one customer's users, a customer with no commerce relationship):
      // the next pipeline object may well be allowed, so only this one fails.
      return new AuthenticationError(`${service} denied access to ${what} (${why}).`, {
        hint: wording.deniedHint(fault),
        endsRun: false,
        reason: wording.deniedReason?.(fault) ?? 'access denied',
        ...answer,
      });
    case 404:
      return new NotFoundError(`${service} found nothing at ${what} (${why}).`, {
        hint: 'Check the id or name you gave.',
        reason: 'not found',
        ...answer,
      });
    case 412:
      // If-Match named a version the resource no longer has: someone changed it since it was
      // read. Repeating the write would apply it to a state nobody looked at, so it is this
      // object's failure, with what to do.
      return new ServiceError(
        `${service} refused ${what}: the resource changed since it was read (${why}).`,
        {
          ...ids,
          endsRun: false,
          reason: 'changed since it was read',
          hint: 'Read it again and decide on its current state; the change was not applied.',
        },
      );
    case 400:
      if (call.continuationToken) {
        const message = `${service} no longer accepts the ${wording.position} (${why}).`;
        return call.continuationToken === 'user'
          ? new UsageError(message, {
              hint:
                'Start the listing again without -ContinuationToken; a token is only ' +
                'valid for a limited time.',
              continuationTokenRefused: true,
              ...answer,
            })
          : new ServiceError(message, {
              ...ids,
              hint: `Start the listing again. ${supportHint}`,
              continuationTokenRefused: true,
            });
      }
      return new ServiceError(`${service} rejected ${what} as invalid (${why}).`, {
        ...ids,
        reason: 'request rejected as invalid',
        hint:
          'Check the parameters you gave; -Debug shows the request.' +
          // A service that names its handling of the request (Graph) gets asked about it by id.
          (fault.serviceRequestId ? ` ${supportHint}` : ''),
      });
    default:
      return new ServiceError(`${service} failed ${what} (${why}).`, {
        ...ids,
        reason: `${service} failed`,
        hint: `Try again later. ${supportHint}`,
      });
  }
}

/**
 * Retries or the wait budget ran out; says how many attempts were made and what the last one got.
 */
export function retriesExhaustedError(
  call: Omit<FailedCall, 'status'> & { status?: number },
  attempts: number,
  lastProblem: string,
  fault: ServiceFault | undefined,
  reason: string,
  wording: ServiceWording = PARTNER_CENTER_WORDING,
): ServiceError {
  const throttled = call.status === 429;
  const message =
    `${describeCall(call)}${wording.callSuffix} failed after ${attempts} ` +
    `attempt${attempts === 1 ? '' : 's'}${reason}; ` +
    `last problem: ${lastProblem}.`;
  return new ServiceError(message, {
    // Throttled past the retry budget: the partner's allowance is spent, so every later object
    // would wait the same way; the run ends (and says how to continue) instead of failing them
    // one by one. Any other failure that outlasted the retries is the object's own.
    endsRun: throttled,
    reason:
      `${wording.service} ${throttled ? 'still throttling' : 'still failing'} after ` +
      `${attempts} attempt${attempts === 1 ? '' : 's'}`,
    status: call.status,
    serviceCode: fault?.code,
    requestId: fault?.serviceRequestId ?? call.requestId,
    correlationId: call.correlationId,
    hint: throttled
      ? `${wording.service} is throttling this partner: wait a minute and resume, or raise ` +
        '-MaxRetry.'
      : `Try again later or raise -MaxRetry. ${wording.supportHint(call, fault)}`,
  });
}

export { detail as describeAnswer };
