/**
 * Azure Blob Storage's dialect of the shared client (docs/partner-center-api.md, "Blob
 * downloads"): a blob URL carries its SAS token, so requests carry no bearer token;
 * `x-ms-version` names the protocol version (Range with an open end needs 2011-08-18 or later);
 * `x-ms-client-request-id` names the call; errors come as XML, `<Error><Code>..</Code>
 * <Message>..</Message></Error>`, with the code also in `x-ms-error-code` and the service's id
 * in `x-ms-request-id`. Only reads are sent, so no write is ever repeated.
 */
import { untrustedLine } from '../common/text.js';
import type { HttpClientOptions } from './client.js';
import { HttpClient } from './client.js';
import type { ServiceDialect } from './api-dialect.js';
import type { ServiceFault, ServiceWording } from './service-errors.js';
import type { RawResponse } from './transport.js';

export const BLOB_SERVICE = 'Azure Blob Storage';
/** The storage protocol version sent; the manifests' own SAS tokens name 2021-08-06. */
export const BLOB_API_VERSION = '2021-08-06';

export const BLOB_WORDING: ServiceWording = {
  service: BLOB_SERVICE,
  position: 'byte offset',
  callSuffix: ` to ${BLOB_SERVICE}`,
  rejectedTokenHint: 'The download link was refused; read the export manifest again for a new one.',
  deniedHint: () =>
    'The download link (its SAS token) was refused, most often because it expired: read the ' +
    'export manifest again for a new one.',
  deniedReason: (fault) =>
    fault.code === 'AuthenticationFailed' ? 'download link refused or expired' : undefined,
  supportHint: (call, fault) => {
    const served = fault?.serviceRequestId ? `x-ms-request-id ${fault.serviceRequestId} and ` : '';
    return `If it persists, give Microsoft support ${served}x-ms-client-request-id ${call.requestId}.`;
  },
};

/** The blob service's XML error body and its headers, as a fault. */
export function readBlobFault(answer: Pick<RawResponse, 'body' | 'headers'>): ServiceFault {
  const text = answer.body.toString('utf8');
  const element = (name: string) => {
    const match = new RegExp(`<${name}>([^<]*)</${name}>`).exec(text);
    return match?.[1] ? untrustedLine(match[1], 300) : undefined;
  };
  const header = (name: string) => {
    const value = answer.headers[name];
    return typeof value === 'string' && value ? untrustedLine(value, 80) : undefined;
  };
  const detail = element('AuthenticationErrorDetail');
  const message = element('Message')?.split(/\s+RequestId:/)[0];
  return {
    code: header('x-ms-error-code') ?? element('Code'),
    description: [message, detail].filter(Boolean).join(' ') || undefined,
    serviceRequestId: header('x-ms-request-id'),
  };
}

export const BLOB_API: ServiceDialect = {
  wording: BLOB_WORDING,
  endpointParameter: "the download link (the export manifest's rootDirectory)",
  versionSegment: '',
  callIdHeader: 'x-ms-client-request-id',
  idempotentWrites: false,
  signed: false,
  commonHeaders: () => ({ 'x-ms-version': BLOB_API_VERSION }),
  readFault: readBlobFault,
};

/**
 * A client of one storage account (`apiEndpoint`: its origin, e.g. the manifest's rootDirectory);
 * give it no token provider, the URLs carry their SAS.
 */
export function blobClient(options: Omit<HttpClientOptions, 'tokenProvider'>): HttpClient {
  return new HttpClient(options, BLOB_API);
}
