/**
 * Microsoft Graph's dialect of the shared client (docs/partner-center-api.md, "Microsoft Graph"):
 * `client-request-id` names one logical call (generated once, kept across its retries), errors
 * come as `{"error": {"code", "message", "innerError": {"request-id", "date"}}}`, and collections
 * as OData pages, `{"value": [...], "@odata.nextLink": "<absolute URL>"}`, whose next link is
 * followed exactly as given and only to the endpoint's own origin.
 */
import { ServiceError, UsageError } from '../common/errors.js';
import { untrustedLine } from '../common/text.js';
import { decodeCollectionBody } from '../json/collection-scanner.js';
import { JsonTextList } from '../json/json-text.js';
import type { ApiDialect } from './api-dialect.js';
import type { ApiRoot } from './api-url.js';
import { ExactUrl } from './exact-url.js';
import type { FetchedPage, PageRequest } from './paging.js';
import { readServiceFault, type ServiceFault, type ServiceWording } from './service-errors.js';
import type { RawResponse } from './transport.js';
import type { ItemList } from './types.js';

export const GRAPH_SERVICE = 'Microsoft Graph';
export const ODATA_NEXT_LINK = '@odata.nextLink';
const ITEMS_KEY = 'value';

export const GRAPH_WORDING: ServiceWording = {
  service: GRAPH_SERVICE,
  position: 'next link (its skip token)',
  callSuffix: ` to ${GRAPH_SERVICE}`,
  rejectedTokenHint:
    'Sign in again with Connect-Partner, and check that the application is consented for ' +
    'Microsoft Graph (DelegatedAdminRelationship.Read.All).',
  deniedHint: () =>
    'Check that the application (app-only) or the signed-in user holds the Microsoft Graph ' +
    'permission DelegatedAdminRelationship.Read.All, consented by an administrator of the ' +
    'partner tenant.',
  supportHint: (call, fault) => {
    const served = fault?.serviceRequestId
      ? `request-id ${fault.serviceRequestId}${fault.date ? ` (date ${fault.date})` : ''} and `
      : '';
    return `If it persists, give Microsoft support ${served}client-request-id ${call.requestId}.`;
  },
};

/** Graph's error body, or (a gateway's page, plain text) what readServiceFault makes of it. */
export function readGraphFault(answer: Pick<RawResponse, 'body' | 'headers'>): ServiceFault {
  const header = answer.headers['request-id'];
  const fromHeader = typeof header === 'string' && header ? untrustedLine(header, 80) : undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.body.toString('utf8').replace(/^\uFEFF/, ''));
  } catch {
    parsed = undefined;
  }
  const error = (parsed as { error?: unknown } | undefined)?.error;
  if (!error || typeof error !== 'object') {
    const fault = readServiceFault(answer.body);
    return fromHeader ? { ...fault, serviceRequestId: fromHeader } : fault;
  }
  const record = error as Record<string, unknown>;
  const inner = (record.innerError ?? record.innererror) as Record<string, unknown> | undefined;
  const text = (value: unknown, max?: number) =>
    typeof value === 'string' && value !== '' ? untrustedLine(value, max) : undefined;
  return {
    code: text(record.code, 80),
    description: text(record.message),
    serviceRequestId: text(inner?.['request-id'], 80) ?? fromHeader,
    date: text(inner?.date, 40),
  };
}

/**
 * The request for a next link: an absolute URL on the endpoint's origin, sent as given. A link
 * the user handed back (resume) that is not one is a usage error; one Graph sent is its error.
 */
export function nextLinkRequest(
  root: ApiRoot,
  link: unknown,
  source: 'user' | 'service',
): PageRequest {
  const refuse = (problem: string) =>
    source === 'user'
      ? new UsageError(`-ContinuationToken ${problem}.`, {
          hint:
            'A Microsoft Graph listing continues from the @odata.nextLink URL an earlier run ' +
            'printed in its resume advice (or from its -ResumeFile).',
        })
      : new ServiceError(
          `${GRAPH_SERVICE} returned a next link that ${problem}; it was not followed.`,
          {
            hint: 'Report this to the module maintainers with the -Debug output.',
          },
        );
  if (typeof link !== 'string' || !/^https?:\/\//i.test(link))
    throw refuse('is not an absolute http(s) URL');
  let url: ExactUrl;
  try {
    url = new ExactUrl(link);
  } catch (error) {
    if (error instanceof ServiceError && source === 'service') throw error;
    throw refuse('is not a URL that can be sent as it is');
  }
  if (!root.isSameOrigin(url))
    throw refuse(`leads to another host (${url.origin}), not to ${root.origin}`);
  return { method: 'GET', url, headers: {}, continuationToken: source };
}

/** An OData collection page as the paging loop sees it. */
export function odataPageOf<L extends ItemList>(
  body: unknown,
  request: PageRequest,
  root: ApiRoot,
): FetchedPage<L> {
  const page = body && typeof body === 'object' ? (body as Record<string, unknown>) : undefined;
  const items = page?.[ITEMS_KEY];
  if (!(Array.isArray(items) || items instanceof JsonTextList)) {
    throw new ServiceError(
      `${GRAPH_SERVICE} answered ${request.method} ${request.url.pathname} with something that ` +
        'is not a collection (no value array).',
      { hint: 'Report this with the -Debug output.' },
    );
  }
  const link = page![ODATA_NEXT_LINK];
  const hasNext = link !== undefined && link !== null;
  return {
    items: items as unknown as L,
    position: typeof link === 'string' ? link : undefined,
    next: hasNext ? () => nextLinkRequest(root, link, 'service') : undefined,
  };
}

export const GRAPH_API: ApiDialect = {
  wording: GRAPH_WORDING,
  endpointParameter: '-GraphEndpoint',
  versionSegment: '/v1.0',
  callIdHeader: 'client-request-id',
  // Graph documents no idempotency by client-request-id: a POST (an export) that may have
  // reached it is not sent again.
  idempotentWrites: false,
  signed: true,
  commonHeaders: () => ({ Accept: 'application/json' }),
  readFault: readGraphFault,
  decodePage: (body) => decodeCollectionBody(body, ITEMS_KEY),
  pageOf: odataPageOf,
  resumeRequest: (root, _first, position) => nextLinkRequest(root, position, 'user'),
  loopError: () =>
    new ServiceError(
      `${GRAPH_SERVICE} returned the same next link twice; the listing was stopped so it ` +
        'would not loop forever.',
      { hint: 'Try again later; report it with the -Debug output if it persists.' },
    ),
};
