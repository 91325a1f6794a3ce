/**
 * Entra ID as a service: its endpoints take no token (a client proves itself in the request's
 * body, token-endpoint.ts), add no headers of their own, and answer a failure of the emulator's
 * in the OAuth shape (`error`, `error_description`) that MSAL reads. Their own refusals
 * (AADSTS codes) are the handlers' (entra-errors.ts).
 */
import { jsonReply, type Reply } from '../server/http-exchange.js';
import { ANONYMOUS_OK, type Service, type ServiceErrors } from '../server/service.js';

function oauthError(status: number, error: string, description: string): Reply {
  return jsonReply(status, { error, error_description: description });
}

/** The OAuth error shape, for Entra's endpoints and the emulator's own control levers alike. */
export const oauthShapedErrors: ServiceErrors = {
  badRequest: (message) => oauthError(400, 'invalid_request', message),
  malformedBody: (detail) => oauthError(400, 'invalid_request', detail),
  tooLarge: (limit) =>
    oauthError(413, 'invalid_request', `The request body is larger than ${limit} bytes.`),
  internal: (message) => oauthError(500, 'server_error', message),
  notFound: (pathname) => oauthError(404, 'invalid_request', `No endpoint at ${pathname}.`),
  methodNotAllowed: (allowed) => {
    const reply = oauthError(
      405,
      'invalid_request',
      `AADSTS900561: The endpoint only accepts ${allowed.join(', ')} requests.`,
    );
    reply.headers.Allow = allowed.join(', ');
    return reply;
  },
};

export const entraService: Service = {
  name: 'Entra ID',
  gateway: false,
  recorded: true,
  authenticate: () => ANONYMOUS_OK,
  errors: () => oauthShapedErrors,
};
