/**
 * What one service asks of the shared client (client.ts) and its pipeline (pipeline/steps.ts):
 * its headers, the header that names one logical call, whether that id makes a repeated write
 * harmless, whether requests carry our token, how its error bodies read and are worded, its
 * version root, and (for an API) its page shape. The steps are the same for every service; only
 * these differ. Partner Center's dialect is here, Microsoft Graph's in graph-api.ts, the blob
 * store's in blob-api.ts.
 */
import { ServiceError } from '../common/errors.js';
import type { DecodedBody } from '../json/collection-scanner.js';
import { decodeCollectionBody } from '../json/collection-scanner.js';
import type { ApiRoot } from './api-url.js';
import {
  asCollection,
  CONTINUATION_HEADER,
  type FetchedPage,
  type PageRequest,
  seekPageOf,
} from './paging.js';
import {
  PARTNER_CENTER_WORDING,
  readServiceFault,
  type ServiceFault,
  type ServiceWording,
} from './service-errors.js';
import type { RawResponse } from './transport.js';
import type { ItemList } from './types.js';

/** What the client knows of its run, for the headers every request carries. */
export interface HeaderSettings {
  correlationId: string;
  locale?: string;
  applicationName?: string;
}

/** What the pipeline's steps ask of a service. */
export interface ServiceDialect {
  readonly wording: ServiceWording;
  /** The Connect-Partner parameter that sets this API's address, for hints: `-ApiEndpoint`. */
  readonly endpointParameter: string;
  /** The version segment paths are resolved under: `/v1`, `/v1.0`. */
  readonly versionSegment: string;
  /** Headers every request carries (besides Authorization and the call's id). */
  commonHeaders(settings: HeaderSettings): Record<string, string>;
  /** The header that names one logical call, the same on each of its attempts. */
  readonly callIdHeader: string;
  /**
   * The service applies a write once per call id, so a write repeated with the same id is
   * harmless (Partner Center's MS-RequestId). Otherwise a write that may have reached the
   * service is never sent again.
   */
  readonly idempotentWrites: boolean;
  /** Requests carry the session's bearer token (a blob URL carries its SAS instead). */
  readonly signed: boolean;
  /** What a failed answer said. */
  readFault(answer: RawResponse): ServiceFault;
}

/** An API of collections: a service dialect and its page shape. */
export interface ApiDialect extends ServiceDialect {
  /** A collection page's body with its items kept as the service's bytes. */
  decodePage(body: Buffer): DecodedBody;
  /** A decoded page body as the paging loop sees it (refused when it is not a page). */
  pageOf<L extends ItemList>(body: unknown, request: PageRequest, root: ApiRoot): FetchedPage<L>;
  /**
   * The first request of a listing that resumes at `position` (a page's `continuationToken` of an
   * earlier run); `firstPathAndQuery` is the listing's first request from the start.
   */
  resumeRequest(root: ApiRoot, firstPathAndQuery: string, position: string): PageRequest;
  /**
   * The error for a page that leads back to the position of the one before it (`token`), or whose
   * next link without a token names the very request it answered (`link`).
   */
  loopError(by: 'token' | 'link'): ServiceError;
}

/**
 * Partner Center: MS-CorrelationId for the run, MS-RequestId for the call, `{code, description}`
 * errors, seek paging through `links.next` and MS-ContinuationToken.
 */
export const PARTNER_CENTER_API: ApiDialect = {
  wording: PARTNER_CENTER_WORDING,
  endpointParameter: '-ApiEndpoint',
  versionSegment: '/v1',
  callIdHeader: 'MS-RequestId',
  // "A unique identifier for the call, used to ensure id-potency. If there's a timeout, the
  // retry call should include the same value" (the service's headers page).
  idempotentWrites: true,
  signed: true,
  commonHeaders: (settings) => ({
    Accept: 'application/json',
    'MS-CorrelationId': settings.correlationId,
    'X-Locale': settings.locale ?? 'en-US',
    'MS-PartnerCenter-Application': settings.applicationName ?? 'PartnerCenter-Node',
  }),
  readFault: (answer) => readServiceFault(answer.body),
  decodePage: (body) => decodeCollectionBody(body),
  pageOf: (body, request, root) => seekPageOf(root, asCollection(body, request)),
  resumeRequest: (root, firstPathAndQuery, position) => ({
    method: 'GET',
    url: root.resolve(firstPathAndQuery),
    headers: { [CONTINUATION_HEADER]: position },
    continuationToken: 'user',
  }),
  loopError: (by) =>
    new ServiceError(
      `Partner Center returned ${
        by === 'link'
          ? 'a next link to the page it had just sent'
          : 'the same continuation token twice'
      }; the listing was stopped so it would not loop forever.`,
      { hint: 'Try again later; report it with the -Debug output if it persists.' },
    ),
};
