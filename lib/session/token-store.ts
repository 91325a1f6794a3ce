/**
 * The token store: one private file per context under `tokens/`, holding what lets a later
 * process call Partner Center without signing in again: the last access token and, only when the
 * user connected with one, the client secret. Nothing here is ever printed or put in a context.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir } from './config-dir.js';
import { CONTEXT_NAME } from './context-store.js';
import { readPrivateJson, writePrivateJson } from './atomic-file.js';

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
    return (
      readPrivateJson<TokenRecord>(
        this.pathOf(contextName),
        `Delete it (or run Disconnect-Partner -ContextName ${contextName}) and run Connect-Partner again.`,
      ) ?? {}
    );
  }

  write(contextName: string, record: TokenRecord): void {
    ensurePrivateDir(this.tokensDir);
    writePrivateJson(this.pathOf(contextName), record);
  }

  update(contextName: string, change: Partial<TokenRecord>): void {
    this.write(contextName, { ...this.read(contextName), ...change });
  }

  /** Context names that have tokens (a context may have lost its file; -All must still clean up). */
  list(): string[] {
    if (!existsSync(this.tokensDir)) return [];
    return readdirSync(this.tokensDir)
      .filter((file) => file.endsWith('.json'))
      .map((file) => file.slice(0, -'.json'.length))
      .filter((name) => CONTEXT_NAME.test(name));
  }

  remove(contextName: string): boolean {
    const path = this.pathOf(contextName);
    if (!existsSync(path)) return false;
    rmSync(path, { force: true });
    return true;
  }
}
