/**
 * The token store: one private file per context under `tokens/`, holding what lets a later
 * process call Partner Center (and Microsoft Graph) without signing in again: the last access
 * token of each API and, only when the user connected with one, the client secret. Nothing here
 * is ever printed or put in a context.
 */
import { existsSync, readdirSync } from 'node:fs';
import { removeFile } from '../common/remove-file.js';
import { join } from 'node:path';
import { assertPrivate, ensurePrivateDir, stateAccessError } from './config-dir.js';
import { CONTEXT_NAME, SIGN_IN_CACHE_SUFFIX } from './context-store.js';
import { msalCachePath } from './msal-cache-plugin.js';
import { readPrivateJson, writePrivateJson } from './atomic-file.js';
import { ConfigFileError } from '../common/errors.js';
import type { TokenResource } from './token-resources.js';

export interface CachedAccessToken {
  token: string;
  /** Milliseconds since the epoch, as @azure/identity reports it. */
  expiresOnTimestamp: number;
}

export interface TokenRecord {
  /** Partner Center's access token (the one every sign-in proves on connect). */
  accessToken?: CachedAccessToken;
  /** The other APIs' access tokens (Microsoft Graph's), keyed by their audience. */
  accessTokensByResource?: Record<string, CachedAccessToken>;
  clientSecret?: string;
  certificatePassword?: string;
  /** RefreshToken sign-in: the latest (rotated) refresh token. */
  refreshToken?: string;
}

export class TokenStore {
  readonly tokensDir: string;

  constructor(configDir: string) {
    this.tokensDir = join(configDir, 'tokens');
  }

  pathOf(contextName: string): string {
    return join(this.tokensDir, `${contextName}.json`);
  }

  read(contextName: string): TokenRecord {
    const path = this.pathOf(contextName);
    const recover =
      `Delete it (or run Disconnect-Partner -ContextName ${contextName}) and run ` +
      'Connect-Partner again.';
    // The directory first: a token file is only as private as the directory that holds it.
    assertPrivate(this.tokensDir, 0o700);
    assertPrivate(path, 0o600);
    let found: Record<string, unknown> | undefined;
    try {
      found = readPrivateJson<Record<string, unknown>>(path, recover);
    } catch (error) {
      throw stateAccessError((error as Error).cause, path, 'read') ?? error;
    }
    const record = found ?? {};
    const problem = tokenRecordProblem(record);
    // Not ours (another tool's cache copied here, a hand edit): refused, so the next renewal does
    // not write over it.
    if (problem)
      throw new ConfigFileError(
        `The file '${path}' is not a PartnerCenter token file (${problem}).`,
        { hint: recover },
      );
    return record as TokenRecord;
  }

  /**
   * Replaces a context's token file. A renewal that cannot save its token (a read-only or full
   * disk, a directory that is not the user's) says which file and what it needs.
   */
  write(contextName: string, record: TokenRecord): void {
    const path = this.pathOf(contextName);
    ensurePrivateDir(this.tokensDir);
    // The rename would replace a link rather than follow it; it is refused all the same, as on
    // reading, so that what the user planted there is looked at, not silently discarded.
    assertPrivate(path, 0o600);
    try {
      writePrivateJson(path, record);
    } catch (error) {
      throw stateAccessError(error, path, 'write') ?? error;
    }
  }

  update(contextName: string, change: Partial<TokenRecord>): void {
    this.write(contextName, { ...this.read(contextName), ...change });
  }

  /** Keeps a renewed access token for `resource`, beside the other APIs' tokens. */
  saveAccessToken(
    contextName: string,
    resource: TokenResource,
    token: CachedAccessToken,
    change: Partial<TokenRecord> = {},
  ): void {
    const record = this.read(contextName);
    this.write(contextName, {
      ...record,
      ...change,
      ...(resource.api === 'PartnerCenter'
        ? { accessToken: token }
        : {
            accessTokensByResource: {
              ...record.accessTokensByResource,
              [resource.audience]: token,
            },
          }),
    });
  }

  /**
   * Context names that have tokens (a context may have lost its file; -All must still clean up).
   */
  list(): string[] {
    if (!existsSync(this.tokensDir)) return [];
    assertPrivate(this.tokensDir, 0o700);
    let files: string[];
    try {
      files = readdirSync(this.tokensDir);
    } catch (error) {
      throw stateAccessError(error, this.tokensDir, 'read') ?? error;
    }
    return files
      .filter((file) => file.endsWith('.json'))
      .map((file) => file.slice(0, -'.json'.length))
      .filter((name) => CONTEXT_NAME.test(name) && !SIGN_IN_CACHE_SUFFIX.test(name));
  }

  /** Removes a context's tokens and the sign-in (MSAL) caches beside them, refresh tokens and all. */
  remove(contextName: string): boolean {
    const paths = [
      this.pathOf(contextName),
      msalCachePath(this.tokensDir, contextName),
      msalCachePath(this.tokensDir, `${contextName}.cae`),
    ].filter((path) => existsSync(path));
    for (const path of paths) {
      try {
        removeFile(path);
      } catch (error) {
        throw stateAccessError(error, path, 'write') ?? error;
      }
    }
    return paths.length > 0;
  }
}

/** The access token a record keeps for `resource`, if any. */
export function accessTokenOf(
  record: TokenRecord,
  resource: TokenResource,
): CachedAccessToken | undefined {
  return resource.api === 'PartnerCenter'
    ? record.accessToken
    : record.accessTokensByResource?.[resource.audience];
}

const SECRET_FIELDS = ['clientSecret', 'certificatePassword', 'refreshToken'] as const;
const TOKEN_FIELDS = ['accessToken', 'accessTokensByResource'];

function tokenRecordProblem(record: Record<string, unknown>): string | undefined {
  const unknown = Object.keys(record).filter(
    (key) => !TOKEN_FIELDS.includes(key) && !(SECRET_FIELDS as readonly string[]).includes(key),
  );
  if (unknown.length > 0)
    return `unexpected ${unknown.length === 1 ? 'entry' : 'entries'} ${unknown
      .slice(0, 3)
      .map((key) => JSON.stringify(key))
      .join(', ')}`;
  if (record.accessToken !== undefined && !isCachedToken(record.accessToken))
    return 'its access token entry is malformed';
  const others = record.accessTokensByResource;
  if (
    others !== undefined &&
    (typeof others !== 'object' ||
      others === null ||
      Array.isArray(others) ||
      !Object.values(others).every(isCachedToken))
  )
    return 'its accessTokensByResource entry is malformed';
  const badSecret = SECRET_FIELDS.find(
    (key) => record[key] !== undefined && typeof record[key] !== 'string',
  );
  return badSecret ? `its ${badSecret} entry is not text` : undefined;
}

function isCachedToken(value: unknown): boolean {
  const access = value as Partial<CachedAccessToken> | null;
  return (
    typeof access === 'object' &&
    access !== null &&
    typeof access.token === 'string' &&
    typeof access.expiresOnTimestamp === 'number'
  );
}
