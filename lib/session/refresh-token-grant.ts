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
import { transientNetworkProblem, withoutQuery } from './token-exchange-watch.js';
import { TransientTokenError, type TokenRetrySettings, withTokenRetries } from './token-retry.js';
import { isRetryableStatus, parseRetryAfter } from '../partner-center/retry-policy.js';
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
  retry: TokenRetrySettings = {},
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
  // The certificate is read once; each attempt signs an assertion of its own (a fresh jti).
  const pem =
    !request.clientSecret && request.certificatePath
      ? await loadCertificatePem(request.certificatePath, request.certificatePassword)
      : undefined;
  const agent = agentTrusting(readCaCertificate(request.caCertificatePath));
  const response = await withTokenRetries(async (timeoutMs) => {
    const attempt = { ...form };
    if (pem) {
      attempt.client_assertion_type = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
      attempt.client_assertion = clientAssertion(
        pem,
        request.certificatePassword,
        request.applicationId,
        tokenUrl.href,
      );
    }
    return redeemOnce(tokenUrl, attempt, agent, timeoutMs, request.environment.authorityHost);
  }, retry);
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

/** One POST to the token endpoint; a dropped answer, a 408, 429 or 5xx is for another attempt. */
async function redeemOnce(
  tokenUrl: URL,
  form: Record<string, string>,
  agent: ReturnType<typeof agentTrusting>,
  timeoutMs: number,
  authorityHost: string,
): Promise<JsonResponse> {
  const url = withoutQuery(tokenUrl.href);
  let response: JsonResponse;
  try {
    response = await postForm(tokenUrl, form, agent, timeoutMs);
  } catch (error) {
    const problem = transientNetworkProblem(error);
    if (problem) throw new TransientTokenError({ url, problem }, { cause: error });
    throw translateSignInError(error, authorityHost);
  }
  if (isRetryableStatus(response.status)) {
    throw new TransientTokenError({
      url,
      problem: `HTTP ${response.status}`,
      status: response.status,
      retryAfterMs: parseRetryAfter(response.headers['retry-after']),
    });
  }
  return response;
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
