/**
 * Turns a Partner Center error answer into the module's named errors: one line saying what went
 * wrong, a hint saying what to do, the service's own code and the request ids support asks for.
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
  const target = `${call.url.pathname}${call.url.search}`;
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

function supportHint(call: FailedCall): string {
  return (
    `If it persists, give Microsoft support MS-CorrelationId ${call.correlationId} ` +
    `and MS-RequestId ${call.requestId}.`
  );
}

/** The error for an answer that retrying will not change (or the second 401). */
/** Partner Center's code for a customer the partner has no commerce relationship with. */
const NO_COMMERCE_RELATIONSHIP = 20002;

export function errorForAnswer(call: FailedCall, fault: ServiceFault): PartnerCenterModuleError {
  const what = describeCall(call);
  const why = detail(call.status, fault, call.statusMessage);
  const ids = {
    status: call.status,
    serviceCode: fault.code,
    requestId: call.requestId,
    correlationId: call.correlationId,
  };
  switch (call.status) {
    case 401:
      return new AuthenticationError(
        `Partner Center rejected the access token for ${what} even after renewing it (${why}).`,
        {
          hint:
            'Sign in again with Connect-Partner, and check that the application is ' +
            'consented for Partner Center.',
        },
      );
    case 403:
      // Denied for this resource (one customer's users, a customer with no commerce relationship):
      // the next pipeline object may well be allowed, so only this one fails.
      return new AuthenticationError(`Partner Center denied access to ${what} (${why}).`, {
        hint:
          Number(fault.code) === NO_COMMERCE_RELATIONSHIP
            ? 'The partner has no commerce relationship with this customer, so its ' +
              'commerce resources cannot be read.'
            : 'Check that the signed-in account or application holds a Partner Center ' +
              'role (e.g. Admin agent) for this partner.',
        endsRun: false,
      });
    case 404:
      return new NotFoundError(`Partner Center found nothing at ${what} (${why}).`, {
        hint: 'Check the id or name you gave.',
      });
    case 400:
      if (call.continuationToken) {
        const message = `Partner Center no longer accepts the continuation token (${why}).`;
        return call.continuationToken === 'user'
          ? new UsageError(message, {
              hint:
                'Start the listing again without -ContinuationToken; a token is only ' +
                'valid for a limited time.',
              continuationTokenRefused: true,
            })
          : new ServiceError(message, {
              ...ids,
              hint: `Start the listing again. ${supportHint(call)}`,
              continuationTokenRefused: true,
            });
      }
      return new ServiceError(`Partner Center rejected ${what} as invalid (${why}).`, {
        ...ids,
        hint: 'Check the parameters you gave; -Debug shows the request.',
      });
    default:
      return new ServiceError(`Partner Center failed ${what} (${why}).`, {
        ...ids,
        hint: `Try again later. ${supportHint(call)}`,
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
): ServiceError {
  const throttled = call.status === 429;
  const message =
    `${describeCall(call)} failed after ${attempts} attempt${attempts === 1 ? '' : 's'}${reason}; ` +
    `last problem: ${lastProblem}.`;
  return new ServiceError(message, {
    status: call.status,
    serviceCode: fault?.code,
    requestId: call.requestId,
    correlationId: call.correlationId,
    hint: throttled
      ? 'Partner Center is throttling this partner: wait a minute and resume, or raise -MaxRetry.'
      : `Try again later or raise -MaxRetry. ${supportHint({ ...call, status: call.status ?? 0 })}`,
  });
}

export { detail as describeAnswer };
