/**
 * Our own persistence for MSAL's token cache, plugged into @azure/identity. The official
 * @azure/identity-cache-persistence needs native keytar and libsecret and crashes headless
 * (docs/ARCHITECTURE.md, "Stack facts"), which is exactly where runbooks live. This keeps MSAL's
 * cache (refresh tokens, accounts) in one private file per context under tokens/, written
 * atomically.
 *
 * Two processes of one context (two runs at once, a run and a Connect-Partner) each hold the cache
 * in memory between MSAL's read and its write. Writing it back whole would lose what the other
 * wrote meanwhile (last writer wins: a new account, the token of another API, a rotated refresh
 * token). So a write is a read-merge-write under the file's lock (lib/common/lock-file.ts, the
 * same lock as resume files, held only for those milliseconds): an entry this process changed,
 * added or removed since it read the file wins; every other entry is taken as the file has it now.
 *
 * The plugin surface (`cachePluginControl.setPersistence`) is internal to @azure/identity; the
 * spec for this file proves it still works with the pinned version.
 */
import { join } from 'node:path';
import { ConfigFileError } from '../common/errors.js';
import {
  acquireLockWaiting,
  describeHolder,
  type HeldLock,
  LockBusyError,
  type WaitOptions,
} from '../common/lock-file.js';
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

const RECOVER = 'Delete it and sign in again.';

export function fileCachePlugin(
  tokensDir: string,
  name: string,
  lockOptions: WaitOptions = {},
): CachePlugin {
  const path = msalCachePath(tokensDir, name);
  /** The file's cache as this process last read or wrote it: the base of the merge. */
  let base: string | undefined;
  return {
    async beforeCacheAccess(context) {
      const stored = readPrivateJson<MsalCacheFile>(path, RECOVER);
      base = stored?.cache;
      if (stored?.cache) context.tokenCache.deserialize(stored.cache);
    },
    async afterCacheAccess(context) {
      if (!context.cacheHasChanged) return;
      ensurePrivateDir(tokensDir);
      const lock = lockCache(path, lockOptions);
      try {
        const current = readPrivateJson<MsalCacheFile>(path, RECOVER)?.cache;
        const merged = mergeCaches(base, context.tokenCache.serialize(), current);
        writePrivateJson(path, { cache: merged });
        base = merged;
      } finally {
        lock.release();
      }
    },
  };
}

function lockCache(path: string, options: WaitOptions): HeldLock {
  try {
    return acquireLockWaiting(`${path}.lock`, 'token cache update', options);
  } catch (error) {
    if (!(error instanceof LockBusyError)) throw error;
    throw new ConfigFileError(
      `The sign-in cache '${path}' stays locked by ${describeHolder(error.holder)}.`,
      {
        hint: `If that process is not running a command of this module, delete '${error.lockPath}'.`,
        cause: error,
      },
    );
  }
}

type CacheSections = Record<string, Record<string, unknown>>;

/**
 * MSAL's serialised cache is one JSON object of sections (Account, IdToken, AccessToken,
 * RefreshToken, AppMetadata), each an object of entries by key. Three-way merge by entry: what
 * `mine` changed since `base` (added, replaced, removed) wins; everything else is `theirs`, the
 * file as it is now. A cache that is not such JSON is not merged: `mine` is written as it is.
 */
export function mergeCaches(
  base: string | undefined,
  mine: string,
  theirs: string | undefined,
): string {
  const parsedMine = sectionsOf(mine);
  const parsedTheirs = theirs === undefined ? {} : sectionsOf(theirs);
  const parsedBase = base === undefined ? {} : (sectionsOf(base) ?? {});
  if (!parsedMine || !parsedTheirs) return mine;
  const merged: CacheSections = {};
  const sections = new Set([...Object.keys(parsedMine), ...Object.keys(parsedTheirs)]);
  for (const section of sections) {
    const b = parsedBase[section] ?? {};
    const m = parsedMine[section] ?? {};
    const t = parsedTheirs[section] ?? {};
    const entries: Record<string, unknown> = {};
    for (const key of new Set([...Object.keys(b), ...Object.keys(m), ...Object.keys(t)])) {
      const changedHere = JSON.stringify(m[key]) !== JSON.stringify(b[key]);
      const value = changedHere ? m[key] : t[key];
      if (value !== undefined) entries[key] = value;
    }
    merged[section] = entries;
  }
  return JSON.stringify(merged);
}

function sectionsOf(text: string): CacheSections | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
    const sections = value as Record<string, unknown>;
    for (const section of Object.values(sections))
      if (!section || typeof section !== 'object' || Array.isArray(section)) return undefined;
    return sections as CacheSections;
  } catch {
    return undefined;
  }
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
