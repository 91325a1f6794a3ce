/**
 * How private files reach the disk (lib/session/atomic-file.ts): complete, flushed and private
 * before the rename makes them the file, and the rename tried again where Windows refuses it for a
 * moment (the retry is driven through an injected rename; the real rename is used everywhere
 * else). And MSAL's token cache (lib/session/msal-cache-plugin.ts) written as a read-merge-write
 * under the file's lock, so two processes of one context no longer lose each other's entries.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigFileError } from '../../lib/common/errors.js';
import { acquireLock } from '../../lib/common/lock-file.js';
import { renameWithRetry, writePrivateFile } from '../../lib/session/atomic-file.js';
import {
  fileCachePlugin,
  mergeCaches,
  msalCachePath,
} from '../../lib/session/msal-cache-plugin.js';
import { scratchConfigDir } from '../support/cli.js';
import { thrownBy } from '../support/thrown.js';

const posix = process.platform !== 'win32';
let scratch: ReturnType<typeof scratchConfigDir>;
let dir: string;
beforeEach(() => {
  scratch = scratchConfigDir();
  dir = scratch.dir;
});
afterEach(() => scratch.dispose());

const errno = (code: string) => Object.assign(new Error(`${code}: refused`), { code });

describe('writing a private file', () => {
  it('renames a temp file that is already whole and private (0600) over the file, and leaves nothing else', () => {
    const path = join(dir, 'tokens.json');
    writePrivateFile(path, 'old');
    const seen: { text: string; mode: number }[] = [];
    writePrivateFile(path, '{"accessToken":"new"}', {
      rename: (from, to) => {
        // At the rename the new content is complete and closed (flushed before it, see the header).
        seen.push({ text: readFileSync(from, 'utf8'), mode: statSync(from).mode & 0o777 });
        expect(readFileSync(to, 'utf8')).toBe('old');
        renameSync(from, to);
      },
    });
    expect(seen).toEqual([{ text: '{"accessToken":"new"}', mode: posix ? 0o600 : seen[0]!.mode }]);
    expect(readFileSync(path, 'utf8')).toBe('{"accessToken":"new"}');
    expect(readdirSync(dir)).toEqual(['tokens.json']);
  });

  it('tries a rename again when Windows refuses it for a moment (EPERM, EBUSY, EACCES)', () => {
    for (const code of ['EPERM', 'EBUSY', 'EACCES']) {
      const path = join(dir, `${code}.json`);
      let calls = 0;
      const pauses: number[] = [];
      writePrivateFile(path, code, {
        platform: 'win32',
        pause: (ms) => pauses.push(ms),
        rename: (from, to) => {
          if (++calls <= 2) throw errno(code);
          renameSync(from, to);
        },
      });
      expect([calls, pauses]).toEqual([3, [10, 20]]);
      expect(readFileSync(path, 'utf8')).toBe(code);
    }
  });

  it('gives up after six attempts, removing its temp file, and keeps the old file', () => {
    const path = join(dir, 'held.json');
    writePrivateFile(path, 'old');
    let calls = 0;
    const pauses: number[] = [];
    const error = thrownBy(() =>
      writePrivateFile(path, 'new', {
        platform: 'win32',
        pause: (ms) => pauses.push(ms),
        rename: () => {
          calls++;
          throw errno('EBUSY');
        },
      }),
    );
    expect((error as NodeJS.ErrnoException).code).toBe('EBUSY');
    expect([calls, pauses]).toEqual([6, [10, 20, 40, 80, 160]]);
    expect(readFileSync(path, 'utf8')).toBe('old');
    expect(readdirSync(dir)).toEqual(['held.json']);
  });

  it('does not retry elsewhere, nor for errors a retry cannot fix', () => {
    for (const [platform, code] of [
      ['linux', 'EACCES'],
      ['darwin', 'EPERM'],
      ['win32', 'ENOENT'],
      ['win32', 'EXDEV'],
    ] as const) {
      let calls = 0;
      expect(() =>
        renameWithRetry('a', 'b', {
          platform,
          pause: () => {
            throw new Error('no pause expected');
          },
          rename: () => {
            calls++;
            throw errno(code);
          },
        }),
      ).toThrow(code);
      expect(calls).toBe(1);
    }
  });
});

/** A stand-in for MSAL's TokenCache: what it serialises is what the process holds in memory. */
function memoryCache(initial = '{}') {
  const cache = {
    text: initial,
    serialize: () => cache.text,
    deserialize: (text: string) => {
      cache.text = text;
    },
  };
  return cache;
}

const entry = (secret: string) => ({ secret });
const sections = (refreshTokens: Record<string, unknown>, accessTokens = {}) =>
  JSON.stringify({ Account: {}, RefreshToken: refreshTokens, AccessToken: accessTokens });

describe("MSAL's token cache between two processes", () => {
  it(
    'keeps what each wrote: the entries one changed, added or removed win, the rest ' +
      'are the file as it is',
    async () => {
      const tokensDir = join(dir, 'tokens');
      const path = msalCachePath(tokensDir, 'prod');
      const seed = memoryCache(sections({ rt: entry('rt-0'), old: entry('old') }));
      await fileCachePlugin(tokensDir, 'prod').afterCacheAccess({
        cacheHasChanged: true,
        tokenCache: seed,
      });
      // Two processes read the same file...
      const [first, second] = [memoryCache(), memoryCache()];
      const [pluginA, pluginB] = [
        fileCachePlugin(tokensDir, 'prod'),
        fileCachePlugin(tokensDir, 'prod'),
      ];
      await pluginA.beforeCacheAccess({ cacheHasChanged: false, tokenCache: first });
      await pluginB.beforeCacheAccess({ cacheHasChanged: false, tokenCache: second });
      // ...the first rotates the refresh token and gets a Graph token...
      first.text = sections({ rt: entry('rt-1'), old: entry('old') }, { graph: entry('at-graph') });
      await pluginA.afterCacheAccess({ cacheHasChanged: true, tokenCache: first });
      // ...the second, from what it read before, gets a Partner Center token and drops 'old'.
      second.text = sections({ rt: entry('rt-0') }, { pc: entry('at-pc') });
      await pluginB.afterCacheAccess({ cacheHasChanged: true, tokenCache: second });

      const saved = JSON.parse(JSON.parse(readFileSync(path, 'utf8')).cache);
      expect(saved).toEqual({
        Account: {},
        RefreshToken: { rt: entry('rt-1') },
        AccessToken: { graph: entry('at-graph'), pc: entry('at-pc') },
      });
      if (posix) expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(readdirSync(tokensDir)).toEqual(['prod.msal.json']);
    },
  );

  it('waits for the lock another writer holds, and names it when it is not released', async () => {
    const tokensDir = join(dir, 'tokens');
    const path = msalCachePath(tokensDir, 'prod');
    await fileCachePlugin(tokensDir, 'prod').afterCacheAccess({
      cacheHasChanged: true,
      tokenCache: memoryCache(sections({})),
    });
    const held = acquireLock(`${path}.lock`, 'token cache update');
    let now = 0;
    const stuck = fileCachePlugin(tokensDir, 'prod', {
      waitMs: 50,
      now: () => now,
      pause: (ms) => {
        now += ms;
      },
    });
    const error = await stuck
      .afterCacheAccess({ cacheHasChanged: true, tokenCache: memoryCache(sections({ x: 1 })) })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(ConfigFileError);
    expect((error as Error).message).toMatch(
      new RegExp(`stays locked by process ${process.pid} \\(token cache update\\)`),
    );
    // Released after a few pauses: the write goes through.
    let pauses = 0;
    const patient = fileCachePlugin(tokensDir, 'prod', {
      pause: () => {
        if (++pauses === 3) held.release();
      },
    });
    await patient.afterCacheAccess({
      cacheHasChanged: true,
      tokenCache: memoryCache(sections({ x: entry('y') })),
    });
    expect(pauses).toBe(3);
    expect(JSON.parse(JSON.parse(readFileSync(path, 'utf8')).cache).RefreshToken).toEqual({
      x: entry('y'),
    });
  });

  it('writes its own cache as it is when either side is not MSAL-shaped JSON', () => {
    expect(mergeCaches(undefined, 'not json', '{}')).toBe('not json');
    expect(mergeCaches('{}', '{"A":{"k":1}}', '[]')).toBe('{"A":{"k":1}}');
    expect(JSON.parse(mergeCaches(undefined, '{"A":{"k":1}}', '{"A":{"j":2},"B":{}}'))).toEqual({
      A: { k: 1, j: 2 },
      B: {},
    });
  });
});
