/**
 * Azure Blob Storage's error answer: an XML `<Error><Code/><Message/></Error>` body (with
 * `<AuthenticationErrorDetail>` on authentication failures), the code again in `x-ms-error-code`,
 * and the service's request id (docs/billing.md, "Blob downloads").
 */
import { randomUUID } from 'node:crypto';
import type { Reply } from '../server/http-exchange.js';

export const BLOB_SERVICE_VERSION = '2021-08-06';

export interface BlobError {
  status: number;
  code: string;
  message: string;
  authenticationDetail?: string;
  headers?: Record<string, string>;
}

const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export const blobErrors = {
  noAuthentication: (): BlobError => ({
    status: 401,
    code: 'NoAuthenticationInformation',
    message:
      'Server failed to authenticate the request. Please refer to the information in the www-authenticate header.',
  }),
  authenticationFailed: (detail: string): BlobError => ({
    status: 403,
    code: 'AuthenticationFailed',
    message:
      'Server failed to authenticate the request. Make sure the value of Authorization header ' +
      'is formed correctly including the signature.',
    authenticationDetail: detail,
  }),
  blobNotFound: (): BlobError => ({
    status: 404,
    code: 'BlobNotFound',
    message: 'The specified blob does not exist.',
  }),
  invalidRange: (size: number): BlobError => ({
    status: 416,
    code: 'InvalidRange',
    message: 'The range specified is invalid for the current size of the resource.',
    headers: { 'Content-Range': `bytes */${size}` },
  }),
  unsupportedMethod: (): BlobError => ({
    status: 405,
    code: 'UnsupportedHttpVerb',
    message: "The resource doesn't support specified Http Verb.",
  }),
  /** A failure the fault script chose, with the code the service uses for that status. */
  injected: (status: number, headers: Record<string, string> = {}): BlobError => ({
    status,
    code:
      status === 503
        ? 'ServerBusy'
        : status === 500
          ? 'InternalError'
          : status === 429
            ? 'ServerBusy'
            : status === 404
              ? 'BlobNotFound'
              : status === 403
                ? 'AuthenticationFailed'
                : 'InvalidInput',
    message: `Injected failure (HTTP ${status}).`,
    headers,
  }),
} as const;

/** Headers the blob service puts on every answer. */
export function blobHeaders(requestId: string): Record<string, string> {
  return {
    'x-ms-request-id': requestId,
    'x-ms-version': BLOB_SERVICE_VERSION,
    Date: new Date().toUTCString(),
  };
}

export function blobErrorReply(failure: BlobError, requestId: string = randomUUID()): Reply {
  const when = new Date().toISOString().replace('Z', '0000Z');
  const detail = failure.authenticationDetail
    ? `<AuthenticationErrorDetail>${escapeXml(failure.authenticationDetail)}</AuthenticationErrorDetail>`
    : '';
  const xml =
    '\uFEFF<?xml version="1.0" encoding="utf-8"?><Error>' +
    `<Code>${failure.code}</Code>` +
    `<Message>${escapeXml(failure.message)}\nRequestId:${requestId}\nTime:${when}</Message>` +
    `${detail}</Error>`;
  return {
    status: failure.status,
    headers: {
      'Content-Type': 'application/xml',
      'x-ms-error-code': failure.code,
      ...(failure.status === 401
        ? {
            'WWW-Authenticate':
              'Bearer authorization_uri=https://login.microsoftonline.com/common/oauth2/authorize ' +
              'resource_id=https://storage.azure.com',
          }
        : {}),
      ...blobHeaders(requestId),
      ...failure.headers,
    },
    body: Buffer.from(xml, 'utf8'),
  };
}

/** A failure the fault script chose, in the blob service's shape, keeping Retry-After. */
export function injectedBlobError(reply: Reply, requestId: string): Reply {
  const retryAfter = reply.headers['Retry-After'];
  return blobErrorReply(
    blobErrors.injected(
      reply.status,
      retryAfter === undefined ? {} : { 'Retry-After': retryAfter },
    ),
    requestId,
  );
}
