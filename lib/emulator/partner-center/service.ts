/**
 * Partner Center as a service (docs/partner-center-api.md, "Headers" and "Errors"): an access token
 * for the Partner Center API, `MS-RequestId` and `MS-CorrelationId` echoed (made up when the
 * client sent none) with `MS-CV` and `MS-ServerId` on every answer, a 404 too, and the
 * `{code, description, data, source}` error body, behind the gateway.
 */
import { randomFillSync, randomUUID } from 'node:crypto';
import type { EmulatorState } from '../server/emulator-state.js';
import { header, jsonReply, type Exchange, type Reply } from '../server/http-exchange.js';
import type { Service } from '../server/service.js';
import { pcErrors, type PartnerCenterError } from './partner-center-errors.js';

/**
 * Random bytes for MS-CV, drawn from a pool filled 3 KB at a time: a getrandom call for every
 * 256 answers instead of one each (randomBytes(12) cost about as much as the rest of the headers).
 */
const cvPool = Buffer.alloc(12 * 256);
let cvAt = cvPool.length;

/** A correlation vector's base: 12 random bytes in base64, as the service writes it. */
function correlationVectorBase(): string {
  if (cvAt >= cvPool.length) {
    randomFillSync(cvPool);
    cvAt = 0;
  }
  const base = cvPool.toString('base64', cvAt, cvAt + 12);
  cvAt += 12;
  return base;
}

function errorReply(error: PartnerCenterError, bom: boolean): Reply {
  return jsonReply(error.status, error.body, { bom, headers: error.headers });
}

export const partnerCenterService: Service = {
  name: 'Partner Center',
  gateway: true,
  recorded: true,
  idempotencyHeader: 'ms-requestid',
  authenticate(state, exchange) {
    const check = state.accessTokens.checkApiToken(
      header(exchange, 'authorization'),
      exchange.receivedAt,
    );
    if (check.ok) return { ok: true, caller: check };
    return {
      ok: false,
      reply: errorReply(pcErrors.accessDenied401(check.reason), state.settings.bom),
    };
  },
  headers(state: EmulatorState, exchange: Exchange) {
    return {
      'MS-RequestId': header(exchange, 'ms-requestid') ?? randomUUID(),
      'MS-CorrelationId': header(exchange, 'ms-correlationid') ?? randomUUID(),
      'MS-CV': `${correlationVectorBase()}.0`,
      'MS-ServerId': state.serverId,
    };
  },
  errors: (_exchange, bom) => ({
    badRequest: (message) => errorReply(pcErrors.invalidProperty(message), bom),
    malformedBody: (detail) => errorReply(pcErrors.invalidInput(detail), bom),
    tooLarge: (limit) => errorReply(pcErrors.tooLarge(limit), bom),
    internal: (message) => errorReply(pcErrors.internal(message), bom),
    notFound: (pathname) => errorReply(pcErrors.notFound(pathname), bom),
    methodNotAllowed: (allowed) => errorReply(pcErrors.methodNotAllowed(allowed), bom),
  }),
};
