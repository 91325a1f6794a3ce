/**
 * RS256 JSON Web Tokens signed with the emulator's own key, published as a JWKS, so the API can
 * verify what the token endpoint issued and a forged token (another key, an edited payload) fails.
 */
import {
  createHash,
  createPublicKey,
  generateKeyPair,
  sign,
  verify,
  type KeyObject,
  createPrivateKey,
} from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writeAtomically } from '../server/state-files.js';

export type JwtClaims = Record<string, unknown>;
export type JwtVerifyResult = { ok: true; claims: JwtClaims } | { ok: false; reason: string };

/** Verified signatures are remembered, so a listing's thousand pages cost one RSA verification. */
const VERIFIED_CACHE_LIMIT = 512;
const SIGNING_KEY_FILE = 'signing-key.pem';

function base64urlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export class JwtSigner {
  readonly kid: string;
  private readonly publicKey: KeyObject;
  private readonly verified = new Map<string, JwtClaims>();

  constructor(private readonly privateKey: KeyObject) {
    this.publicKey = createPublicKey(privateKey);
    this.kid = createHash('sha1')
      .update(this.publicKey.export({ type: 'spki', format: 'der' }))
      .digest('base64url');
  }

  sign(claims: JwtClaims): string {
    const head = base64urlJson({ typ: 'JWT', alg: 'RS256', kid: this.kid, x5t: this.kid });
    const signingInput = `${head}.${base64urlJson(claims)}`;
    return `${signingInput}.${sign('sha256', Buffer.from(signingInput), this.privateKey).toString('base64url')}`;
  }

  /** Checks the signature only; the caller checks time, audience and the rest. */
  verify(token: string): JwtVerifyResult {
    const cached = this.verified.get(token);
    if (cached) return { ok: true, claims: cached };
    const parts = token.split('.');
    if (parts.length !== 3) return { ok: false, reason: 'the token is not a JWT' };
    let header: { alg?: unknown; kid?: unknown };
    let claims: JwtClaims;
    try {
      header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')) as typeof header;
      claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as JwtClaims;
    } catch {
      return { ok: false, reason: 'the token is not a JWT' };
    }
    if (header.alg !== 'RS256' || header.kid !== this.kid)
      return { ok: false, reason: 'the token was not signed by this issuer' };
    if (typeof claims !== 'object' || claims === null)
      return { ok: false, reason: 'the token is not a JWT' };
    const signature = Buffer.from(parts[2], 'base64url');
    if (!verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), this.publicKey, signature))
      return { ok: false, reason: 'the token signature is invalid' };
    if (this.verified.size >= VERIFIED_CACHE_LIMIT)
      this.verified.delete(this.verified.keys().next().value as string);
    this.verified.set(token, claims);
    return { ok: true, claims };
  }

  jwks(): { keys: Record<string, unknown>[] } {
    const jwk = this.publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
    return {
      keys: [
        { kty: 'RSA', use: 'sig', alg: 'RS256', kid: this.kid, x5t: this.kid, n: jwk.n, e: jwk.e },
      ],
    };
  }
}

/**
 * Reads a JWT's payload without checking anything (for routing decisions such as per-tenant
 * throttling).
 */
export function peekClaims(token: string): JwtClaims | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return typeof claims === 'object' && claims !== null ? (claims as JwtClaims) : undefined;
  } catch {
    return undefined;
  }
}

function generateRsaKey(): Promise<KeyObject> {
  return new Promise((resolve, reject) =>
    generateKeyPair('rsa', { modulusLength: 2048 }, (error, _publicKey, privateKey) =>
      error ? reject(error) : resolve(privateKey),
    ),
  );
}

/**
 * A signer with the given key (PEM), a fresh RSA key, or the one kept in `stateDir` (0600) from an
 * earlier run: generating a 2048-bit key takes a few hundred ms here, and only a state directory
 * may keep it. A given key wins and is not written anywhere (test suites pass one fixture key so
 * that fifty emulator starts do not generate fifty keys).
 */
export async function createJwtSigner(
  stateDir: string | undefined,
  signingKeyPem?: string,
): Promise<JwtSigner> {
  if (signingKeyPem !== undefined) return new JwtSigner(createPrivateKey(signingKeyPem));
  if (!stateDir) return new JwtSigner(await generateRsaKey());
  const file = path.join(stateDir, SIGNING_KEY_FILE);
  try {
    return new JwtSigner(createPrivateKey(await fs.readFile(file, 'utf8')));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = await generateRsaKey();
  await writeAtomically(file, key.export({ type: 'pkcs8', format: 'pem' }).toString(), 0o600);
  return new JwtSigner(key);
}
