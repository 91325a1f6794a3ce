/**
 * Certificate credentials: a client assertion (RFC 7523 JWT, RS256 with `x5t` or PS256 with
 * `x5t#S256`, as MSAL signs them) is checked against the certificates registered on the app:
 * thumbprint, signature, audience (the token endpoint), issuer = subject = client id, and time.
 */
import { constants, createHash, verify, type X509Certificate } from 'node:crypto';
import { entraErrors, type EntraError } from './entra-errors.js';

export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const CLOCK_SKEW_SECONDS = 300;

export interface AssertionContext {
  clientId: string;
  certificates: readonly X509Certificate[];
  /** Accepts the `aud` claim when it names this tenant's token endpoint. */
  isTokenEndpoint(audience: string): boolean;
  nowMs: number;
  correlationId?: string;
}

export function thumbprints(certificate: X509Certificate): { sha1: string; sha256: string } {
  return {
    sha1: createHash('sha1').update(certificate.raw).digest('base64url'),
    sha256: createHash('sha256').update(certificate.raw).digest('base64url'),
  };
}

function decodePart(part: string | undefined): Record<string, unknown> | undefined {
  if (!part) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** undefined when the assertion is good; otherwise the Entra error to answer with. */
export function checkClientAssertion(
  assertion: string,
  context: AssertionContext,
): EntraError | undefined {
  const c = context.correlationId;
  const [headPart, payloadPart, signaturePart] = assertion.split('.');
  const head = decodePart(headPart);
  const claims = decodePart(payloadPart);
  if (!head || !claims || !signaturePart)
    return entraErrors.invalidClientAssertion('the assertion is not a JWT', c);
  const sha1 = typeof head.x5t === 'string' ? head.x5t : undefined;
  const sha256 = typeof head['x5t#S256'] === 'string' ? head['x5t#S256'] : undefined;
  const certificate = context.certificates.find((candidate) => {
    const prints = thumbprints(candidate);
    return prints.sha1 === sha1 || prints.sha256 === sha256;
  });
  if (!certificate)
    return entraErrors.certificateNotRegistered(sha256 ?? sha1 ?? '(none)', context.clientId, c);
  const signedPart = Buffer.from(`${headPart}.${payloadPart}`);
  const signature = Buffer.from(signaturePart, 'base64url');
  const key = certificate.publicKey;
  let valid = false;
  if (head.alg === 'RS256') valid = verify('sha256', signedPart, key, signature);
  else if (head.alg === 'PS256')
    valid = verify(
      'sha256',
      signedPart,
      { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO },
      signature,
    );
  if (!valid)
    return entraErrors.invalidClientAssertion(
      'the signature does not verify with the registered certificate',
      c,
    );
  if (claims.iss !== context.clientId || claims.sub !== context.clientId)
    return entraErrors.invalidClientAssertion('iss and sub must be the client id', c);
  if (typeof claims.aud !== 'string' || !context.isTokenEndpoint(claims.aud))
    return entraErrors.invalidClientAssertion(
      `the audience '${String(claims.aud)}' is not this token endpoint`,
      c,
    );
  const now = context.nowMs / 1000;
  if (typeof claims.exp !== 'number' || claims.exp + CLOCK_SKEW_SECONDS < now)
    return entraErrors.clientAssertionExpired(c);
  if (typeof claims.nbf === 'number' && claims.nbf - CLOCK_SKEW_SECONDS > now)
    return entraErrors.clientAssertionExpired(c);
  return undefined;
}
