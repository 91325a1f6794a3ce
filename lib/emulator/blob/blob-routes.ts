/**
 * Get Blob on the emulated blob store (`GET /{account}/{container}/{blob path}?{SAS}`), once the
 * service has checked the SAS (service.ts): the blob (404 BlobNotFound), then its bytes,
 * whole (200) or a range (206 with Content-Range; 416 past the end), compressed as they are sent.
 */
import { BLOB_ACCOUNT, eTagOf, resolveBlobPath } from '../billing/export-data.js';
import type { EmulatorState } from '../server/emulator-state.js';
import { header, type Exchange, type Reply } from '../server/http-exchange.js';
import { blobErrorReply, blobErrors } from './blob-errors.js';
import { byteRangeOf } from './byte-range.js';

/** The route's path: the account, then any depth of container, directories and name. */
export const BLOB_ROUTE_PATH = `/${BLOB_ACCOUNT}/{*blob}`;

export async function getBlob(state: EmulatorState, exchange: Exchange): Promise<Reply> {
  // The SAS was checked by the service (service.ts) before the route runs.
  const path = exchange.url.pathname;
  const billing = state.billing.dataset;
  const found = resolveBlobPath(billing, state.settings.billingDataVersion, path);
  if (!found) return blobErrorReply(blobErrors.blobNotFound(), exchange.requestId);
  const { data, part } = found;
  const size = await state.billing.sizes.sizeOf(data, part);
  const range = byteRangeOf(header(exchange, 'x-ms-range') ?? header(exchange, 'range'), size);
  if (range === 'unsatisfiable')
    return blobErrorReply(blobErrors.invalidRange(size), exchange.requestId);
  const headers: Record<string, string> = {
    'Content-Type': 'application/octet-stream',
    ETag: `"${eTagOf(data)}${part.toString(16).toUpperCase()}"`,
    'Last-Modified': new Date(data.source.periodEnd).toUTCString(),
    'Accept-Ranges': 'bytes',
    'x-ms-blob-type': 'BlockBlob',
  };
  if (range === 'whole')
    return {
      status: 200,
      headers,
      body: Buffer.alloc(0),
      stream: { length: size, open: () => state.billing.sizes.open(data, part) },
    };
  return {
    status: 206,
    headers: { ...headers, 'Content-Range': `bytes ${range.from}-${range.to}/${size}` },
    body: Buffer.alloc(0),
    stream: {
      length: range.to - range.from + 1,
      open: () => state.billing.sizes.open(data, part, range),
    },
  };
}
