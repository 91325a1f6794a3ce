/**
 * Access tokens in the shape Entra ID issues for the Partner Center API and Microsoft Graph (v1
 * claims: aud, iss, tid, appid, appidacr, oid, scp for delegated tokens, roles for app-only ones),
 * their validation by each API (a token is good for its own audience only), and revocation.
 */
import { randomBytes } from 'node:crypto';
import type { EmulatedUser } from './directory.js';
import type { JwtClaims, JwtSigner } from './jwt.js';
import { PARTNER_CENTER_APP_ID } from '../partner-center/partner-center-errors.js';

export const PARTNER_CENTER_AUDIENCE = 'https://api.partnercenter.microsoft.com';
export const GRAPH_AUDIENCE = 'https://graph.microsoft.com';
/** Microsoft Graph's application id, which Entra also accepts as its resource. */
export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';

/** Which audiences each API accepts, and its name for a refusal's reason. */
export interface ApiAudience {
  readonly name: string;
  readonly audiences: ReadonlySet<string>;
}

export const PARTNER_CENTER_API: ApiAudience = {
  name: 'Partner Center',
  audiences: new Set([
    PARTNER_CENTER_AUDIENCE,
    `${PARTNER_CENTER_AUDIENCE}/`,
    PARTNER_CENTER_APP_ID,
  ]),
};
export const GRAPH_API: ApiAudience = {
  name: 'Microsoft Graph',
  audiences: new Set([GRAPH_AUDIENCE, `${GRAPH_AUDIENCE}/`, GRAPH_APP_ID]),
};

export interface AccessTokenRequest {
  tenantId: string;
  clientId: string;
  audience: string;
  lifetimeSeconds: number;
  /** `0` public client, `1` client secret, `2` certificate (Entra's appidacr). */
  clientAuthentication: '0' | '1' | '2';
  /** Delegated tokens carry the user and the granted scopes (`scp`). */
  user?: EmulatedUser;
  scopes?: readonly string[];
  /** The principal of an app-only token (the service principal or managed identity object id). */
  objectId?: string;
  /** The application permissions of an app-only token (`roles`), when the resource has any. */
  roles?: readonly string[];
}

export interface MintedAccessToken {
  accessToken: string;
  expiresIn: number;
  /** Seconds since the epoch. */
  expiresOn: number;
}

export type ApiTokenCheck =
  | { ok: true; claims: JwtClaims; delegated: boolean }
  | { ok: false; reason: string };

export class AccessTokenAuthority {
  private issued = 0;
  /**
   * Every token carries a sequence number in `uti`; revocation is "everything up to this number".
   */
  private sequence = 0;
  private revokedThrough = 0;

  constructor(
    private readonly signer: JwtSigner,
    private readonly partnerTenantId: string,
  ) {}

  get tokensIssued(): number {
    return this.issued;
  }

  resetCount(): void {
    this.issued = 0;
  }

  mint(request: AccessTokenRequest, nowMs: number, countIt = true): MintedAccessToken {
    const sequence = ++this.sequence;
    if (countIt) this.issued++;
    const now = Math.floor(nowMs / 1000);
    const expiresOn = now + request.lifetimeSeconds;
    const sequenceBytes = Buffer.alloc(4);
    sequenceBytes.writeUInt32LE(sequence);
    const uti = Buffer.concat([sequenceBytes, randomBytes(12)]).toString('base64url');
    const claims: JwtClaims = {
      aud: request.audience,
      iss: `https://sts.windows.net/${request.tenantId}/`,
      iat: now,
      nbf: Math.min(now, expiresOn),
      exp: expiresOn,
      appid: request.clientId,
      appidacr: request.clientAuthentication,
      idp: `https://sts.windows.net/${request.tenantId}/`,
      oid: request.user?.objectId ?? request.objectId ?? request.clientId,
      sub: request.user?.objectId ?? request.objectId ?? request.clientId,
      tid: request.tenantId,
      uti,
      ver: '1.0',
      ...(request.user
        ? {
            scp: (request.scopes ?? ['user_impersonation']).join(' '),
            upn: request.user.userPrincipalName,
            name: request.user.displayName,
            amr: ['pwd', 'mfa'],
            idtyp: 'user',
          }
        : { idtyp: 'app', ...(request.roles?.length ? { roles: [...request.roles] } : {}) }),
    };
    return { accessToken: this.signer.sign(claims), expiresIn: request.lifetimeSeconds, expiresOn };
  }

  /** Every access token issued so far stops working. */
  revokeAll(): void {
    this.revokedThrough = this.sequence;
  }

  /** What the Partner Center API checks before serving a request. */
  checkApiToken(authorization: string | undefined, nowMs: number): ApiTokenCheck {
    return this.checkToken(authorization, nowMs, PARTNER_CENTER_API);
  }

  /** What an API (Partner Center, Microsoft Graph) checks before serving a request. */
  checkToken(authorization: string | undefined, nowMs: number, api: ApiAudience): ApiTokenCheck {
    if (!authorization) return { ok: false, reason: 'no Authorization header' };
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!match) return { ok: false, reason: 'the Authorization header is not a Bearer token' };
    const verified = this.signer.verify(match[1]);
    if (!verified.ok) return verified;
    const { claims } = verified;
    const now = nowMs / 1000;
    if (typeof claims.exp !== 'number' || claims.exp <= now)
      return { ok: false, reason: 'the access token has expired' };
    if (typeof claims.nbf === 'number' && claims.nbf > now + 1)
      return { ok: false, reason: 'the access token is not valid yet' };
    if (typeof claims.aud !== 'string' || !api.audiences.has(claims.aud))
      return {
        ok: false,
        reason: `the access token's audience '${String(claims.aud)}' is not ${api.name}`,
      };
    if (claims.tid !== this.partnerTenantId)
      return { ok: false, reason: "the access token's tenant is not a partner tenant" };
    if (this.sequenceOf(claims) <= this.revokedThrough)
      return { ok: false, reason: 'the access token has been revoked' };
    return {
      ok: true,
      claims,
      delegated: claims.idtyp === 'user' || typeof claims.scp === 'string',
    };
  }

  private sequenceOf(claims: JwtClaims): number {
    const uti =
      typeof claims.uti === 'string' ? Buffer.from(claims.uti, 'base64url') : Buffer.alloc(0);
    return uti.length >= 4 ? uti.readUInt32LE(0) : 0;
  }
}
