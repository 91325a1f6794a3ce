/**
 * Reads the claims of a JWT access token without verifying it: the client cannot verify a token
 * meant for Partner Center, but it can tell the user it expired before sending it anywhere.
 */
import { UsageError } from '../common/errors.js';

export interface AccessTokenClaims {
  exp?: number;
  tid?: string;
  aud?: string;
  appid?: string;
  azp?: string;
  upn?: string;
  unique_name?: string;
  preferred_username?: string;
  oid?: string;
  [claim: string]: unknown;
}

export function readAccessTokenClaims(token: string): AccessTokenClaims {
  const parts = token.split('.');
  const payload = parts[1];
  if (parts.length !== 3 || payload === undefined) {
    throw new UsageError('-AccessToken is not a JWT (expected three dot-separated parts).', {
      hint:
        'Pass the access token itself, e.g. from `az account get-access-token ' +
        '--resource https://api.partnercenter.microsoft.com`.',
    });
  }
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown;
    if (claims === null || typeof claims !== 'object' || Array.isArray(claims))
      throw new Error('not an object');
    return claims as AccessTokenClaims;
  } catch {
    throw new UsageError('-AccessToken has no readable claims.', {
      hint: 'Pass a JWT access token issued by Entra ID.',
    });
  }
}

/** The signed-in principal as a person would name it. */
export function accountOf(claims: AccessTokenClaims): string | undefined {
  return (
    claims.upn ??
    claims.preferred_username ??
    claims.unique_name ??
    claims.appid ??
    claims.azp ??
    claims.oid
  );
}
