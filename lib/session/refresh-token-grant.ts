/**
 * The CSP "secure application model": an app's refresh token (from a one-time consent with MFA)
 * redeemed for Partner Center access tokens, the app proving itself with a secret or a
 * certificate. @azure/identity has no refresh-token credential, so this one grant is ours; the
 * rotated refresh token it returns replaces the stored one.
 */
import { createHash, createPrivateKey, createSign, randomUUID, X509Certificate } from 'node:crypto';
import { AuthenticationError } from '../common/errors.js';
import { type JsonResponse, postForm } from '../net/json-request.js';
import { agentTrusting, delegatedScope, readCaCertificate } from './credentials.js';
import { loadCertificatePem } from './certificate-file.js';
import type { PartnerEnvironment } from './environments.js';
import { translateSignInError } from './sign-in-errors.js';
import type { CachedAccessToken } from './token-store.js';

export interface RefreshTokenRequest {
  environment: PartnerEnvironment;
  tenantId: string;
  applicationId: string;
  refreshToken: string;
  clientSecret?: string;
  certificatePath?: string;
  certificatePassword?: string;
  caCertificatePath?: string;
  /** What the token is for; Partner Center's delegated scope by default. */
  scope?: string;
}

export interface RefreshTokenResult {
  accessToken: CachedAccessToken;
  /** The rotated refresh token, when the authority issued one. */
  refreshToken?: string;
}

export async function redeemRefreshToken(
  request: RefreshTokenRequest,
): Promise<RefreshTokenResult> {
  const tokenUrl = new URL(
    `${request.environment.authorityHost}/${encodeURIComponent(request.tenantId)}/oauth2/v2.0/token`,
  );
  const form: Record<string, string> = {
    grant_type: 'refresh_token',
    client_id: request.applicationId,
    refresh_token: request.refreshToken,
    scope: `${request.scope ?? delegatedScope(request.environment)} offline_access`,
  };
  if (request.clientSecret) form.client_secret = request.clientSecret;
  else if (request.certificatePath) {
    form.client_assertion_type = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
    const pem = await loadCertificatePem(request.certificatePath, request.certificatePassword);
    form.client_assertion = clientAssertion(
      pem,
      request.certificatePassword,
      request.applicationId,
      tokenUrl.href,
    );
  }
  let response: JsonResponse;
  try {
    response = await postForm(
      tokenUrl,
      form,
      agentTrusting(readCaCertificate(request.caCertificatePath)),
    );
  } catch (error) {
    throw translateSignInError(error, request.environment.authorityHost);
  }
  const body = response.body;
  if (response.status !== 200 || typeof body.access_token !== 'string') {
    throw translateSignInError(
      new Error(
        `${String(body.error ?? response.status)}: ${String(body.error_description ?? '')}`,
      ),
      request.environment.authorityHost,
    );
  }
  const expiresIn = Number(body.expires_in ?? 3600);
  if (!Number.isFinite(expiresIn))
    throw new AuthenticationError('The authority returned a token without a valid expiry.');
  return {
    accessToken: { token: body.access_token, expiresOnTimestamp: Date.now() + expiresIn * 1000 },
    refreshToken: typeof body.refresh_token === 'string' ? body.refresh_token : undefined,
  };
}

/**
 * A signed JWT proving the app holds the certificate's private key (RFC 7523), as MSAL builds it.
 */
function clientAssertion(
  pem: string,
  passphrase: string | undefined,
  clientId: string,
  audience: string,
): string {
  const certificate = new X509Certificate(pemBlock(pem, 'CERTIFICATE'));
  const key = createPrivateKey({
    key: pemBlock(pem, '(?:RSA |ENCRYPTED )?PRIVATE KEY'),
    passphrase,
  });
  const thumbprint = createHash('sha1').update(certificate.raw).digest('base64url');
  const now = Math.floor(Date.now() / 1000);
  const header = { alg: 'RS256', typ: 'JWT', x5t: thumbprint };
  const claims = {
    aud: audience,
    iss: clientId,
    sub: clientId,
    jti: randomUUID(),
    nbf: now,
    iat: now,
    exp: now + 600,
  };
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${encode(header)}.${encode(claims)}`;
  const signature = createSign('RSA-SHA256').update(unsigned).sign(key, 'base64url');
  return `${unsigned}.${signature}`;
}

function pemBlock(pem: string, label: string): string {
  const match = new RegExp(`-----BEGIN (${label})-----[\\s\\S]*?-----END \\1-----`).exec(pem);
  if (!match)
    throw new AuthenticationError(
      `The certificate file has no ${label.replace(/\(.*\)\?/, '')} block.`,
    );
  return match[0];
}
