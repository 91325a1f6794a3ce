/**
 * Refresh tokens of delegated sign-ins. Each redemption rotates: the answer carries a new refresh
 * token. As in Entra ID, the one redeemed stays valid until it expires or is revoked (revocation is
 * a test's lever: `/_emulator/refresh-tokens/revoke`). A token can be flagged to demand MFA, which
 * makes its redemption fail with AADSTS50076, the failure partner automation meets in practice.
 */
import { randomBytes } from 'node:crypto';

export interface RefreshTokenGrant {
  clientId: string;
  tenantId: string;
  scopes: readonly string[];
}

interface StoredRefreshToken extends RefreshTokenGrant {
  expiresAt: number;
  revoked: boolean;
  mfaRequired: boolean;
}

export type RefreshRedemption =
  | { ok: true; grant: RefreshTokenGrant }
  | { ok: false; reason: 'unknown' | 'expired' | 'revoked' | 'mfa-required' | 'wrong-client' };

export class RefreshTokenStore {
  private tokens = new Map<string, StoredRefreshToken>();

  issue(
    grant: RefreshTokenGrant,
    nowMs: number,
    lifetimeSeconds: number,
    options: { mfaRequired?: boolean } = {},
  ): string {
    const token = `1.AQ${randomBytes(96).toString('base64url')}`;
    this.tokens.set(token, {
      ...grant,
      scopes: [...grant.scopes],
      expiresAt: nowMs + lifetimeSeconds * 1000,
      revoked: false,
      mfaRequired: options.mfaRequired ?? false,
    });
    return token;
  }

  redeem(token: string, clientId: string, nowMs: number): RefreshRedemption {
    const stored = this.tokens.get(token);
    if (!stored) return { ok: false, reason: 'unknown' };
    if (stored.revoked) return { ok: false, reason: 'revoked' };
    if (stored.expiresAt <= nowMs) return { ok: false, reason: 'expired' };
    if (stored.clientId !== clientId) return { ok: false, reason: 'wrong-client' };
    if (stored.mfaRequired) return { ok: false, reason: 'mfa-required' };
    return {
      ok: true,
      grant: { clientId: stored.clientId, tenantId: stored.tenantId, scopes: stored.scopes },
    };
  }

  /** Revokes one token, or every token when none is named; returns how many were revoked. */
  revoke(token?: string): number {
    let revoked = 0;
    for (const [value, stored] of this.tokens) {
      if (token !== undefined && value !== token) continue;
      if (!stored.revoked) revoked++;
      stored.revoked = true;
    }
    return revoked;
  }
}
