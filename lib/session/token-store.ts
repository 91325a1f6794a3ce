/**
 * The token store: one private file per context under `tokens/`, holding what lets a later
 * process call Partner Center without signing in again: the last access token and, only when the
 * user connected with one, the client secret. Nothing here is ever printed or put in a context.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir } from './config-dir.js';
import { CONTEXT_NAME, SIGN_IN_CACHE_SUFFIX } from './context-store.js';
import { msalCachePath } from './msal-cache-plugin.js';
import { readPrivateJson, writePrivateJson } from './atomic-file.js';
import { ConfigFileError } from '../common/errors.js';

export interface CachedAccessToken {
  token: string;
  /** Milliseconds since the epoch, as @azure/identity reports it. */
  expiresOnTimestamp: number;
}

export interface TokenRecord {
  accessToken?: CachedAccessToken;
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
    const record = readPrivateJson<Record<string, unknown>>(path, recover) ?? {};
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

  write(contextName: string, record: TokenRecord): void {
    ensurePrivateDir(this.tokensDir);
    writePrivateJson(this.pathOf(contextName), record);
  }

  update(contextName: string, change: Partial<TokenRecord>): void {
    this.write(contextName, { ...this.read(contextName), ...change });
  }

  /**
   * Context names that have tokens (a context may have lost its file; -All must still clean up).
   */
  list(): string[] {
    if (!existsSync(this.tokensDir)) return [];
    return readdirSync(this.tokensDir)
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
    for (const path of paths) rmSync(path, { force: true });
    return paths.length > 0;
  }
}

const SECRET_FIELDS = ['clientSecret', 'certificatePassword', 'refreshToken'] as const;

function tokenRecordProblem(record: Record<string, unknown>): string | undefined {
  const unknown = Object.keys(record).filter(
    (key) => key !== 'accessToken' && !(SECRET_FIELDS as readonly string[]).includes(key),
  );
  if (unknown.length > 0)
    return `unexpected ${unknown.length === 1 ? 'entry' : 'entries'} ${unknown
      .slice(0, 3)
      .map((key) => JSON.stringify(key))
      .join(', ')}`;
  const access = record.accessToken as Partial<CachedAccessToken> | undefined;
  if (
    access !== undefined &&
    (typeof access !== 'object' ||
      access === null ||
      typeof access.token !== 'string' ||
      typeof access.expiresOnTimestamp !== 'number')
  ) {
    return 'its access token entry is malformed';
  }
  const badSecret = SECRET_FIELDS.find(
    (key) => record[key] !== undefined && typeof record[key] !== 'string',
  );
  return badSecret ? `its ${badSecret} entry is not text` : undefined;
}
