/**
 * Authorization codes of the browser sign-in (authorization code flow with PKCE, loopback
 * redirect): single use, short-lived, bound to the client, the redirect URI and the code challenge.
 */
import { createHash, randomBytes } from 'node:crypto';

export interface AuthorizationRequest {
  clientId: string;
  tenantId: string;
  redirectUri: string;
  scopes: readonly string[];
  codeChallenge?: string;
  codeChallengeMethod?: string;
  nonce?: string;
}

export type CodeRedemption =
  | { ok: true; request: AuthorizationRequest }
  | { ok: false; reason: 'unknown' | 'redirect-mismatch' | 'pkce-mismatch' | 'wrong-client' };

const CODE_LIFETIME_MS = 10 * 60 * 1000;

export class AuthorizationCodeStore {
  private codes = new Map<string, AuthorizationRequest & { expiresAt: number }>();

  create(request: AuthorizationRequest, nowMs: number): string {
    const code = `1.AQ${randomBytes(48).toString('base64url')}`;
    this.codes.set(code, { ...request, expiresAt: nowMs + CODE_LIFETIME_MS });
    return code;
  }

  redeem(
    code: string,
    clientId: string,
    redirectUri: string | undefined,
    codeVerifier: string | undefined,
    nowMs: number,
  ): CodeRedemption {
    const stored = this.codes.get(code);
    this.codes.delete(code);
    if (!stored || stored.expiresAt <= nowMs) return { ok: false, reason: 'unknown' };
    if (stored.clientId !== clientId) return { ok: false, reason: 'wrong-client' };
    if (stored.redirectUri !== redirectUri) return { ok: false, reason: 'redirect-mismatch' };
    if (stored.codeChallenge !== undefined) {
      const method = (stored.codeChallengeMethod ?? 'plain').toUpperCase();
      const derived =
        method === 'S256'
          ? createHash('sha256')
              .update(codeVerifier ?? '')
              .digest('base64url')
          : codeVerifier;
      if (!codeVerifier || derived !== stored.codeChallenge)
        return { ok: false, reason: 'pkce-mismatch' };
    }
    return { ok: true, request: stored };
  }
}
