/**
 * Our own persistence for MSAL's token cache, plugged into @azure/identity. The official
 * @azure/identity-cache-persistence needs native keytar and libsecret and crashes headless
 * (docs/ARCHITECTURE.md, "Stack facts"), which is exactly where runbooks live. This keeps MSAL's
 * cache (refresh tokens, accounts) in one private file per context under tokens/, written
 * atomically.
 *
 * The plugin surface (`cachePluginControl.setPersistence`) is internal to @azure/identity; the
 * spec for this file proves it still works with the pinned version.
 */
import { join } from 'node:path';
import { ensurePrivateDir } from './config-dir.js';
import { CONTEXT_NAME } from './context-store.js';
import { readPrivateJson, writePrivateJson } from './atomic-file.js';

interface TokenCacheContext {
  cacheHasChanged: boolean;
  tokenCache: { serialize(): string; deserialize(cache: string): void };
}

export interface CachePlugin {
  beforeCacheAccess(context: TokenCacheContext): Promise<void>;
  afterCacheAccess(context: TokenCacheContext): Promise<void>;
}

interface MsalCacheFile {
  cache: string;
}

/** The file that holds MSAL's cache for a context (the CAE variant gets a file of its own). */
export function msalCachePath(tokensDir: string, name: string): string {
  const [context, variant] = name.split('.cae');
  const safe = CONTEXT_NAME.test(context ?? '') ? context : 'default';
  return join(tokensDir, `${safe}.msal${variant === undefined ? '' : '.cae'}.json`);
}

export function fileCachePlugin(tokensDir: string, name: string): CachePlugin {
  const path = msalCachePath(tokensDir, name);
  return {
    async beforeCacheAccess(context) {
      const stored = readPrivateJson<MsalCacheFile>(path, 'Delete it and sign in again.');
      if (stored?.cache) context.tokenCache.deserialize(stored.cache);
    },
    async afterCacheAccess(context) {
      if (!context.cacheHasChanged) return;
      ensurePrivateDir(tokensDir);
      writePrivateJson(path, { cache: context.tokenCache.serialize() });
    },
  };
}

let registeredFor: string | undefined;

/**
 * Registers the plugin with @azure/identity once per process (the module is already loaded by the
 * caller).
 */
export function registerCachePersistence(
  identity: { useIdentityPlugin(plugin: (context: unknown) => void): void },
  tokensDir: string,
): void {
  if (registeredFor === tokensDir) return;
  registeredFor = tokensDir;
  identity.useIdentityPlugin((context) => {
    const control = (
      context as {
        cachePluginControl: {
          setPersistence(factory: (options?: { name?: string }) => Promise<CachePlugin>): void;
        };
      }
    ).cachePluginControl;
    control.setPersistence(async (options) =>
      fileCachePlugin(tokensDir, options?.name ?? 'default'),
    );
  });
}
