/**
 * Azure Blob Storage as a service of the emulator (docs/billing.md, "Blob downloads"): a request
 * is authorised by the SAS in its query (no token), every answer carries the service's request id
 * and version, every refusal is its XML error body, and it is not behind Partner Center's gateway
 * (no rate limit, no API latency).
 */
import { BLOB_ACCOUNT } from '../billing/export-data.js';
import type { Service } from '../server/service.js';
import { ANONYMOUS } from '../server/service.js';
import { blobErrorReply, blobErrors, blobHeaders, injectedBlobError } from './blob-errors.js';

export const BLOB_ROOT = `/${BLOB_ACCOUNT}/`;

export const blobService: Service = {
  name: 'Azure Blob Storage',
  gateway: false,
  recorded: true,
  root: BLOB_ROOT,
  authenticate(state, exchange) {
    const refusal = state.billing.sas.check(
      exchange.url.pathname,
      (name) => exchange.query.get(name),
      exchange.receivedAt,
    );
    if (!refusal) return { ok: true, caller: ANONYMOUS };
    return { ok: false, reply: blobErrorReply(refusal, exchange.requestId) };
  },
  headers: (_state, exchange) => blobHeaders(exchange.requestId),
  errors: (exchange) => {
    const reply = (status: number, code: string, message: string) =>
      blobErrorReply({ status, code, message }, exchange.requestId);
    return {
      badRequest: (message) => reply(400, 'InvalidInput', message),
      malformedBody: (detail) => reply(400, 'InvalidInput', detail),
      tooLarge: () => reply(413, 'RequestBodyTooLarge', 'The request body is too large.'),
      internal: (message) => reply(500, 'InternalError', message),
      notFound: () => blobErrorReply(blobErrors.blobNotFound(), exchange.requestId),
      methodNotAllowed: (allowed) =>
        blobErrorReply(
          { ...blobErrors.unsupportedMethod(), headers: { Allow: allowed.join(', ') } },
          exchange.requestId,
        ),
    };
  },
  injected: (exchange, reply) => injectedBlobError(reply, exchange.requestId),
};
