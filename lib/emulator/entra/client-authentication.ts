/**
 * Who the client of a token request is, and how it proved it. RFC 6749 §2.3.1 lets a client send
 * its id and secret in the form body (client_secret_post) or as `Authorization: Basic` of the
 * form-encoded id and secret (client_secret_basic); Entra accepts both, and so does the emulator.
 * Certificates come as a client assertion (RFC 7523). Public clients (Microsoft's well-known ones)
 * prove nothing and must not present a credential.
 */
import { timingSafeEqual } from 'node:crypto';
import { checkClientAssertion, JWT_BEARER_ASSERTION } from './client-assertion.js';
import { clientKind, resolveTenant } from './directory.js';
import type { EmulatorState } from '../server/emulator-state.js';
import { entraErrors, type EntraError } from './entra-errors.js';
import { header, type Exchange } from '../server/http-exchange.js';

/** How the client proved itself: `0` not at all (public client), `1` secret, `2` certificate. */
export type ClientAuthentication = '0' | '1' | '2';

export interface AuthenticatedClient {
  /** Lower-cased. */
  clientId: string;
  authentication: ClientAuthentication;
}

interface PresentedCredentials {
  clientId?: string;
  clientSecret?: string;
}

function formDecode(text: string): string {
  return decodeURIComponent(text.replace(/\+/g, ' '));
}

/** The id and secret of `Authorization: Basic`, or an error when the header is malformed. */
function basicCredentials(
  authorization: string | undefined,
  correlationId?: string,
): PresentedCredentials | EntraError {
  const match = /^Basic\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!match) return {};
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  try {
    if (colon < 0) throw new URIError('no colon');
    return {
      clientId: formDecode(decoded.slice(0, colon)),
      clientSecret: formDecode(decoded.slice(colon + 1)),
    };
  } catch {
    return entraErrors.malformedBasicAuthorization(correlationId);
  }
}

/** Compares a secret in constant time (for its length), so timing does not reveal it. */
export function secretsEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function isTokenEndpointOf(state: EmulatorState, audience: string): boolean {
  let url: URL;
  try {
    url = new URL(audience);
  } catch {
    return false;
  }
  const match = /^\/([^/]+)\/oauth2\/(?:v2\.0\/)?token\/?$/.exec(url.pathname);
  return (
    url.origin === state.baseUrl &&
    match !== null &&
    resolveTenant(state.directory, match[1], { allowAliases: false }) !== undefined
  );
}

export interface ClientAuthenticationRequest {
  state: EmulatorState;
  exchange: Exchange;
  form: Record<string, string>;
  tenantId: string;
  correlationId?: string;
}

/**
 * Checks the client id and any credential given; `required` for confidential-only grants (client
 * credentials).
 */
export function authenticateClient(
  request: ClientAuthenticationRequest,
  required: boolean,
): AuthenticatedClient | EntraError {
  const { state, form, correlationId } = request;
  const { directory } = state;
  const basic = basicCredentials(header(request.exchange, 'authorization'), correlationId);
  if ('status' in basic) return basic;
  if (basic.clientSecret !== undefined && form.client_secret !== undefined)
    return entraErrors.multipleClientAuthentication(correlationId);
  if (basic.clientId !== undefined && form.client_id && form.client_id !== basic.clientId)
    return entraErrors.multipleClientAuthentication(correlationId);
  const givenId = basic.clientId ?? form.client_id ?? '';
  const secret = basic.clientSecret ?? form.client_secret;
  const clientId = givenId.toLowerCase();
  if (!clientId) return entraErrors.missingParameter('client_id', correlationId);
  const kind = clientKind(directory, clientId);
  if (!kind) return entraErrors.applicationNotFound(givenId, request.tenantId, correlationId);
  if (kind === 'public') {
    if (secret !== undefined || form.client_assertion !== undefined)
      return entraErrors.publicClientWithCredential(correlationId);
    return required ? entraErrors.missingClientCredential(correlationId) : publicClient(clientId);
  }
  if (secret !== undefined) {
    return secretsEqual(secret, directory.clientSecret)
      ? { clientId, authentication: '1' }
      : entraErrors.invalidClientSecret(directory.applicationId, correlationId);
  }
  if (form.client_assertion !== undefined) {
    if (form.client_assertion_type !== JWT_BEARER_ASSERTION)
      return entraErrors.invalidClientAssertion(
        `client_assertion_type must be ${JWT_BEARER_ASSERTION}`,
        correlationId,
      );
    const failure = checkClientAssertion(form.client_assertion, {
      clientId: directory.applicationId,
      certificates: directory.certificates,
      isTokenEndpoint: (audience) => isTokenEndpointOf(state, audience),
      nowMs: request.exchange.receivedAt,
      correlationId,
    });
    return failure ?? { clientId, authentication: '2' };
  }
  return required ? entraErrors.missingClientCredential(correlationId) : publicClient(clientId);
}

function publicClient(clientId: string): AuthenticatedClient {
  return { clientId, authentication: '0' };
}
