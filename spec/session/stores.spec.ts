/**
 * lib/session's saved state on disk: the stores, the config directory and private files, how
 * private files reach the disk (scratch directories only, no process, no emulator), and the config
 * directory's promises at the edges real machines have (real commands against the emulator). Each
 * part keeps its own hooks, in its own describe.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigFileError, UsageError } from '../../lib/common/errors.js';
import { acquireLock } from '../../lib/common/lock-file.js';
import {
  readPrivateJson,
  renameWithRetry,
  writePrivateFile,
  writePrivateJson,
} from '../../lib/session/atomic-file.js';
import { assertPrivate, ensurePrivateDir, resolveConfigDir } from '../../lib/session/config-dir.js';
import type { ContextBase } from '../../lib/session/context-kinds.js';
import {
  ContextStore,
  DEFAULT_CONTEXT_NAME,
  type PartnerContext,
  validateContextName,
} from '../../lib/session/context-store.js';
import { ENVIRONMENTS } from '../../lib/session/environments.js';
import {
  fileCachePlugin,
  mergeCaches,
  msalCachePath,
} from '../../lib/session/msal-cache-plugin.js';
import { TokenStore } from '../../lib/session/token-store.js';
import { runCli, scratchConfigDir } from '../support/cli.js';
import { emulatedPartner, type EmulatedPartner } from '../support/emulated-partner.js';
import { seedServicePrincipalContext } from '../support/seeded-context.js';
import { thrownAs, thrownBy } from '../support/thrown.js';

/**
 * The saved state of lib/session on disk: the context store, the token store, the private config
 * directory, atomic private JSON files and MSAL's cache files. Every case works in a scratch
 * directory of its own; nothing here starts a process or an emulator.
 */
describe('the saved state', () => {
  const posix = process.platform !== 'win32';
  const onPosix = posix ? it : it.skip;
  const modeOf = (path: string) => statSync(path).mode & 0o777;

  let scratch: ReturnType<typeof scratchConfigDir>;
  let dir: string;
  beforeEach(() => {
    scratch = scratchConfigDir();
    dir = scratch.dir;
  });
  afterEach(() => scratch.dispose());

  function contextNamed(name: string, extra: Partial<ContextBase> = {}): PartnerContext {
    return {
      name,
      environment: ENVIRONMENTS.AzureCloud,
      tenantId: '00000000-0000-0000-0000-0000000000aa',
      authentication: 'ServicePrincipal',
      applicationId: '00000000-0000-0000-0000-000000000001',
      secretSource: 'TokenStore',
      connectedAt: '2026-01-01T00:00:00.000Z',
      ...extra,
    };
  }

  async function rejectionOf(promise: Promise<unknown>): Promise<Error & { hint?: string }> {
    try {
      await promise;
    } catch (error) {
      return error as Error & { hint?: string };
    }
    throw new Error('expected a rejection');
  }

  /** A file as a hand edit or another tool would leave it: private, so only its content is at issue. */
  function plant(path: string, text: string): string {
    mkdirSync(join(path, '..'), { recursive: true, mode: 0o700 });
    writeFileSync(path, text, { mode: 0o600 });
    return path;
  }

  describe('validateContextName', () => {
    it.each(['a', 'prod', 'Contoso-EU_2.test', '9lives', 'x'.repeat(64)])('allows %p', (name) => {
      expect(validateContextName(name)).toBe(name);
    });

    it.each([
      '',
      '.hidden',
      '-dash',
      '_under',
      '../etc',
      'a/b',
      'a\\b',
      'with space',
      'x'.repeat(65),
    ])('refuses %p with a usage error that says what is allowed', (name) => {
      const error = thrownBy(() => validateContextName(name));
      expect(error).toBeInstanceOf(UsageError);
      expect(error.message).toBe(`Context name '${name}' is not allowed.`);
      expect(error.hint).toBe(
        'Use 1-64 letters, digits, dots, dashes or underscores, starting with a letter or digit.',
      );
    });
  });

  describe('ContextStore', () => {
    it('resolves an explicit name, else the saved default, else "default"', async () => {
      const store = new ContextStore(dir);
      expect(await store.resolveName(undefined)).toBe(DEFAULT_CONTEXT_NAME);
      expect(DEFAULT_CONTEXT_NAME).toBe('default');
      await store.setDefault('prod');
      expect(await store.resolveName(undefined)).toBe('prod');
      expect(await store.resolveName('test')).toBe('test');
      await expect(store.resolveName('../prod')).rejects.toBeInstanceOf(UsageError);
      expect(JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8'))).toEqual({
        defaultContext: 'prod',
      });
    });

    it('refuses to make an invalid name the default', async () => {
      await expect(new ContextStore(dir).setDefault('a b')).rejects.toBeInstanceOf(UsageError);
    });

    it('writes, reads, lists and removes contexts, each in a private file of its own', async () => {
      const store = new ContextStore(dir);
      expect(store.list()).toEqual([]);
      expect(await store.read('prod')).toBeUndefined();
      const prod = contextNamed('prod', { maxRetry: 3 });
      const path = await store.write(prod);
      expect(path).toBe(join(dir, 'contexts', 'prod.json'));
      await store.write(contextNamed('alpha'));
      expect(await store.read('prod')).toEqual(prod);
      expect(store.list()).toEqual(['alpha', 'prod']);
      if (posix) {
        expect(modeOf(path)).toBe(0o600);
        expect(modeOf(join(dir, 'contexts'))).toBe(0o700);
      }
      expect(store.remove('prod')).toBe(true);
      expect(store.remove('prod')).toBe(false);
      expect(await store.read('prod')).toBeUndefined();
      expect(store.list()).toEqual(['alpha']);
      expect(() => store.remove('../alpha')).toThrow(UsageError);
    });

    it('lists only files that are contexts by name', async () => {
      const store = new ContextStore(dir);
      await store.write(contextNamed('kept'));
      plant(join(dir, 'contexts', 'notes.txt'), 'x');
      plant(join(dir, 'contexts', '.hidden.json'), '{}');
      expect(store.list()).toEqual(['kept']);
    });

    it('refuses a context whose name is invalid before touching the disk', async () => {
      const store = new ContextStore(dir);
      await expect(store.read('../../etc/passwd')).rejects.toBeInstanceOf(UsageError);
      await expect(store.write(contextNamed('a/b'))).rejects.toBeInstanceOf(UsageError);
      expect(readdirSync(dir)).toEqual([]);
    });

    it('refuses a context file that is not valid JSON, naming the file', async () => {
      const path = plant(join(dir, 'contexts', 'prod.json'), '{"name": "prod",');
      const error = await rejectionOf(new ContextStore(dir).read('prod'));
      expect(error).toBeInstanceOf(ConfigFileError);
      expect(error.message).toMatch(
        new RegExp(`^The file '${escapeRegExp(path)}' is corrupted or not valid JSON \\(.+\\)\\.$`),
      );
      expect(error.hint).toBe(
        'Run Disconnect-Partner for this context (or delete the file) and run Connect-Partner again.',
      );
    });

    it('refuses a JSON object that is not a context, naming the file', async () => {
      const path = plant(join(dir, 'contexts', 'prod.json'), '{"cache": "someone else\'s"}');
      const error = await rejectionOf(new ContextStore(dir).read('prod'));
      expect(error).toBeInstanceOf(ConfigFileError);
      expect(error.message).toBe(`The context file '${path}' is not a PartnerCenter context.`);
      expect(error.hint).toMatch(/Disconnect-Partner .*Connect-Partner again\./);
    });

    it.each([
      ['[]', 'an array'],
      ['"text"', 'a string'],
      ['null', 'null'],
      ['42', 'a number'],
    ])(
      'refuses a context file holding %s, on read and before a write over it',
      async (text, what) => {
        const path = plant(join(dir, 'contexts', 'prod.json'), text);
        const store = new ContextStore(dir);
        const message = `The file '${path}' is not a PartnerCenter context file (it holds ${what}, not an object).`;
        const onRead = await rejectionOf(store.read('prod'));
        expect(onRead).toBeInstanceOf(ConfigFileError);
        expect(onRead.message).toBe(message);
        const onWrite = await rejectionOf(store.write(contextNamed('prod')));
        expect(onWrite).toBeInstanceOf(ConfigFileError);
        expect(onWrite.message).toBe(message);
        expect(readFileSync(path, 'utf8')).toBe(text);
      },
    );

    it('refuses a settings file that is not ours rather than overwrite it', async () => {
      const text = '{"defaultContext": "prod", "theme": "dark"}';
      const path = plant(join(dir, 'settings.json'), text);
      const store = new ContextStore(dir);
      const message =
        `The file '${path}' is not a PartnerCenter settings file (that holds only ` +
        '{"defaultContext": "<context name>"}).';
      const onResolve = await rejectionOf(store.resolveName(undefined));
      expect(onResolve).toBeInstanceOf(ConfigFileError);
      expect(onResolve.message).toBe(message);
      expect((await rejectionOf(store.setDefault('test'))).message).toBe(message);
      expect(readFileSync(path, 'utf8')).toBe(text);
    });

    it('refuses a saved default that is not a context name', async () => {
      plant(join(dir, 'settings.json'), '{"defaultContext": "../x"}');
      const error = await rejectionOf(new ContextStore(dir).resolveName(undefined));
      expect(error).toBeInstanceOf(ConfigFileError);
      expect(error.hint).toMatch(/Select-PartnerContext or Connect-Partner\.$/);
    });

    onPosix('refuses a context file others can read, with the chmod that fixes it', async () => {
      const store = new ContextStore(dir);
      const path = await store.write(contextNamed('prod'));
      chmodSync(path, 0o644);
      const error = await rejectionOf(store.read('prod'));
      expect(error).toBeInstanceOf(ConfigFileError);
      expect(error.message).toBe(`'${path}' can be read or written by other users (mode 0644).`);
      expect(error.hint).toBe(
        `Make it private with: chmod 600 '${path}', then connect again if you think its tokens were exposed.`,
      );
      await expect(store.write(contextNamed('prod'))).rejects.toThrow(/mode 0644/);
    });

    onPosix('refuses a config or contexts directory others can enter, with chmod 700', async () => {
      const store = new ContextStore(dir);
      await store.write(contextNamed('prod'));
      chmodSync(store.contextsDir, 0o755);
      const error = await rejectionOf(store.read('prod'));
      expect(error).toBeInstanceOf(ConfigFileError);
      expect(error.message).toBe(
        `'${store.contextsDir}' can be read or written by other users (mode 0755).`,
      );
      expect(error.hint).toMatch(
        new RegExp(`^Make it private with: chmod 700 '${escapeRegExp(store.contextsDir)}'`),
      );
      chmodSync(store.contextsDir, 0o700);
      chmodSync(dir, 0o770);
      await expect(store.resolveName(undefined)).rejects.toThrow(/mode 0770/);
      chmodSync(dir, 0o700);
    });
  });

  describe('TokenStore', () => {
    const record = {
      accessToken: { token: 'eyJ.secret.token', expiresOnTimestamp: 1_800_000_000_000 },
      clientSecret: 'client-secret-value',
    };

    it('writes, reads, updates and removes a record per context', () => {
      const store = new TokenStore(dir);
      expect(store.read('prod')).toEqual({});
      expect(store.list()).toEqual([]);
      store.write('prod', record);
      expect(store.read('prod')).toEqual(record);
      store.update('prod', { refreshToken: 'rotated' });
      expect(store.read('prod')).toEqual({ ...record, refreshToken: 'rotated' });
      expect(store.list()).toEqual(['prod']);
      expect(store.remove('prod')).toBe(true);
      expect(store.remove('prod')).toBe(false);
      expect(store.read('prod')).toEqual({});
    });

    onPosix('keeps tokens in 0600 files in a 0700 directory', () => {
      const store = new TokenStore(dir);
      store.write('prod', record);
      expect(modeOf(store.tokensDir)).toBe(0o700);
      expect(modeOf(store.pathOf('prod'))).toBe(0o600);
      store.update('prod', { clientSecret: 'new' });
      expect(modeOf(store.pathOf('prod'))).toBe(0o600);
    });

    it('leaves no temporary file behind after writes', () => {
      const store = new TokenStore(dir);
      for (let i = 0; i < 5; i++) store.write('prod', { ...record, clientSecret: `s${i}` });
      expect(readdirSync(store.tokensDir)).toEqual(['prod.json']);
      expect(store.read('prod').clientSecret).toBe('s4');
    });

    it.each([
      ['{"cache": "msal"}', 'unexpected entry "cache"'],
      ['{"a": 1, "b": 2, "c": 3, "d": 4}', 'unexpected entries "a", "b", "c"'],
      ['{"accessToken": {"token": 1}}', 'its access token entry is malformed'],
      ['{"accessToken": "text"}', 'its access token entry is malformed'],
      ['{"clientSecret": 7}', 'its clientSecret entry is not text'],
      ['{"refreshToken": {"value": "x"}}', 'its refreshToken entry is not text'],
    ])('refuses a token file %s as not ours', (text, problem) => {
      const store = new TokenStore(dir);
      const path = plant(store.pathOf('prod'), text);
      const error = thrownBy(() => store.read('prod'));
      expect(error).toBeInstanceOf(ConfigFileError);
      expect(error.message).toBe(
        `The file '${path}' is not a PartnerCenter token file (${problem}).`,
      );
      expect(error.hint).toBe(
        'Delete it (or run Disconnect-Partner -ContextName prod) and run Connect-Partner again.',
      );
    });

    it('refuses a corrupted token file, naming it', () => {
      const store = new TokenStore(dir);
      const path = plant(store.pathOf('prod'), '[1, 2]');
      expect(thrownBy(() => store.read('prod')).message).toBe(
        `The file '${path}' is corrupted (not a JSON object).`,
      );
      plant(path, '{"clientSecret": ');
      expect(thrownBy(() => store.read('prod')).message).toMatch(
        /^The file '.+' is corrupted \(.+\)\.$/,
      );
    });

    onPosix('refuses a token file others can read', () => {
      const store = new TokenStore(dir);
      store.write('prod', record);
      chmodSync(store.pathOf('prod'), 0o640);
      const error = thrownBy(() => store.read('prod'));
      expect(error).toBeInstanceOf(ConfigFileError);
      expect(error.message).toMatch(/mode 0640/);
      expect(error.hint).toMatch(/^Make it private with: chmod 600 '/);
    });

    // User sign-ins keep MSAL's cache in tokens/<context>.msal.json (msal-cache-plugin.ts): it is
    // not a context, so Disconnect-Partner -All must not list it.
    it('lists the contexts that have tokens, not the MSAL caches beside them', () => {
      const store = new TokenStore(dir);
      store.write('device', record);
      writePrivateJson(msalCachePath(store.tokensDir, 'device'), { cache: '{}' });
      expect(store.list()).toEqual(['device']);
    });

    // Removing a context's tokens (Disconnect-Partner) removes MSAL's caches of that context too,
    // refresh tokens included: tokens/<context>.msal.json and its CAE twin.
    it("removes a context's MSAL caches with its tokens", () => {
      const store = new TokenStore(dir);
      store.write('device', record);
      writePrivateJson(msalCachePath(store.tokensDir, 'device'), { cache: '{"RefreshToken": {}}' });
      writePrivateJson(msalCachePath(store.tokensDir, 'device.cae'), { cache: '{}' });
      expect(store.remove('device')).toBe(true);
      expect(readdirSync(store.tokensDir)).toEqual([]);
    });
  });

  describe('atomic private JSON files', () => {
    onPosix('creates the file 0600 and reads back the object', () => {
      const path = join(dir, 'x.json');
      writePrivateJson(path, { a: [1, 'two'] });
      expect(modeOf(path)).toBe(0o600);
      expect(readPrivateJson(path, 'hint')).toEqual({ a: [1, 'two'] });
      expect(readPrivateJson(join(dir, 'missing.json'), 'hint')).toBeUndefined();
    });

    it('removes its temporary file when the final rename fails', () => {
      const path = join(dir, 'taken');
      mkdirSync(join(path, 'inside'), { recursive: true });
      expect(() => writePrivateJson(path, { a: 1 })).toThrow();
      expect(readdirSync(dir)).toEqual(['taken']);
    });

    it('reports an unreadable file with the hint it was given', () => {
      const path = join(dir, 'a-directory');
      mkdirSync(path);
      const error = thrownBy(() => readPrivateJson(path, 'Delete it.'));
      expect(error).toBeInstanceOf(ConfigFileError);
      expect(error.message).toMatch(new RegExp(`^Cannot read '${escapeRegExp(path)}': .*EISDIR`));
      expect(error.hint).toBe('Delete it.');
    });
  });

  describe('config directory', () => {
    it('is PARTNERCENTER_CONFIG_DIR when set, else the OS config directory', () => {
      expect(resolveConfigDir({ PARTNERCENTER_CONFIG_DIR: '/srv/pc', XDG_CONFIG_HOME: '/x' })).toBe(
        '/srv/pc',
      );
      if (process.platform === 'linux') {
        expect(resolveConfigDir({ XDG_CONFIG_HOME: '/x' })).toBe(join('/x', 'partnercenter'));
        expect(resolveConfigDir({ PARTNERCENTER_CONFIG_DIR: '', XDG_CONFIG_HOME: '' })).toBe(
          join(homedir(), '.config', 'partnercenter'),
        );
      }
    });

    onPosix('is created 0700, and an existing looser one is refused rather than fixed', () => {
      const created = ensurePrivateDir(join(dir, 'a', 'b'));
      expect(modeOf(created)).toBe(0o700);
      const loose = join(dir, 'loose');
      mkdirSync(loose, { mode: 0o755 });
      chmodSync(loose, 0o755);
      const error = thrownBy(() => ensurePrivateDir(loose));
      expect(error).toBeInstanceOf(ConfigFileError);
      expect(error.hint).toMatch(
        new RegExp(`^Make it private with: chmod 700 '${escapeRegExp(loose)}'`),
      );
      expect(modeOf(loose)).toBe(0o755);
      expect(() => assertPrivate(join(dir, 'missing'), 0o600)).not.toThrow();
    });
  });

  describe('MSAL cache files', () => {
    it('keeps one file per context, and a default for a name that is not one', () => {
      expect(msalCachePath('/t', 'prod')).toBe(join('/t', 'prod.msal.json'));
      expect(msalCachePath('/t', 'prod.cae')).toBe(join('/t', 'prod.msal.cae.json'));
      expect(msalCachePath('/t', '../../etc')).toBe(join('/t', 'default.msal.json'));
    });

    it('persists what MSAL serialises and hands it back to the next process', async () => {
      const tokensDir = join(dir, 'tokens');
      const written = { serialize: () => '{"Account":{}}', deserialize: () => {} };
      const plugin = fileCachePlugin(tokensDir, 'prod');
      await plugin.afterCacheAccess({ cacheHasChanged: false, tokenCache: written });
      expect(() => readdirSync(tokensDir)).toThrow(/ENOENT/);
      await plugin.afterCacheAccess({ cacheHasChanged: true, tokenCache: written });
      if (posix) expect(modeOf(join(tokensDir, 'prod.msal.json'))).toBe(0o600);
      const seen: string[] = [];
      const reader = { serialize: () => '', deserialize: (cache: string) => seen.push(cache) };
      await fileCachePlugin(tokensDir, 'prod').beforeCacheAccess({
        cacheHasChanged: false,
        tokenCache: reader,
      });
      expect(seen).toEqual(['{"Account":{}}']);
    });

    // A context named 'prod.msal' would keep its tokens in tokens/prod.msal.json, the very file that
    // holds MSAL's cache for context 'prod': such names are refused.
    it("refuses a context name that would share a file with another context's MSAL cache", () => {
      for (const name of ['prod.msal', 'prod.MSAL', 'prod.msal.cae']) {
        expect(() => validateContextName(name)).toThrow(
          `Context name '${name}' is not allowed: it ends like a sign-in cache file.`,
        );
      }
      expect(validateContextName('prod.msalx')).toBe('prod.msalx');
    });
  });

  function escapeRegExp(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
});

/**
 * How private files reach the disk (lib/session/atomic-file.ts): complete, flushed and private
 * before the rename makes them the file, and the rename tried again where Windows refuses it for a
 * moment (the retry is driven through an injected rename; the real rename is used everywhere
 * else). And MSAL's token cache (lib/session/msal-cache-plugin.ts) written as a read-merge-write
 * under the file's lock, so two processes of one context no longer lose each other's entries.
 */
describe('private files on disk', () => {
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
      expect(seen).toEqual([
        { text: '{"accessToken":"new"}', mode: posix ? 0o600 : seen[0]!.mode },
      ]);
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
        first.text = sections(
          { rt: entry('rt-1'), old: entry('old') },
          { graph: entry('at-graph') },
        );
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
});

/**
 * The config directory's promises at the edges real machines have: a token store opened to other
 * users (0777) or replaced by a symbolic link is refused, on reading as on writing, and what the
 * link points at is left as it was; a config directory that cannot be written (a read-only disk,
 * or a directory that is not the user's) or read ends a command with one line naming the path and
 * what it needs, never "Unexpected error ... report it". The refusals are the real files' under a
 * real command against the emulator, in-process; only the reader who is not the directory's owner
 * needs a process of another user.
 */
describe('private state at the edges', () => {
  const posix = process.platform !== 'win32';
  const onPosix = posix ? it : it.skip;
  const asRoot = posix && process.getuid?.() === 0;

  let partner: EmulatedPartner;
  let tokensDir: string;
  let tokenFile: string;

  beforeAll(async () => {
    partner = await emulatedPartner({});
    tokensDir = join(partner.configDir, 'tokens');
    tokenFile = join(tokensDir, 'default.json');
  });
  afterAll(() => partner.dispose());

  /** The one error line of a listing in this partner's config directory. */
  async function listingError(): Promise<string> {
    const result = await partner.runInProcess('Get-PartnerCustomer', ['-First', '1']);
    expect(result.stdout).toBe('');
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).not.toMatch(/Unexpected|report it/);
    return result.stderr;
  }

  describe('the token store', () => {
    onPosix('refuses a tokens directory other users can enter, and says chmod 700', async () => {
      chmodSync(tokensDir, 0o777);
      try {
        expect(await listingError()).toBe(
          `Get-PartnerCustomer: '${tokensDir}' can be read or written by other users (mode 0777). ` +
            `Make it private with: chmod 700 '${tokensDir}', then connect again if you think its ` +
            'tokens were exposed.\n',
        );
        // Connecting again does not write a token into it either.
        const store = new TokenStore(partner.configDir);
        thrownAs(() => store.write('other', {}), ConfigFileError);
      } finally {
        chmodSync(tokensDir, 0o700);
      }
      expect((await partner.runInProcess('Get-PartnerCustomer', ['-First', '1'])).code).toBe(0);
    });

    it('refuses a tokens directory that is a symbolic link, and leaves its target alone', async () => {
      const elsewhere = mkdtempSync(join(tmpdir(), 'pc-elsewhere-'));
      const moved = join(elsewhere, 'tokens');
      renameSync(tokensDir, moved);
      symlinkSync(moved, tokensDir);
      try {
        const before = readFileSync(join(moved, 'default.json'), 'utf8');
        expect(await listingError()).toMatch(
          `Get-PartnerCustomer: '${tokensDir}' is a symbolic link; contexts and tokens are kept ` +
            'only in the module',
        );
        thrownAs(() => new TokenStore(partner.configDir).write('default', {}), ConfigFileError);
        expect(readFileSync(join(moved, 'default.json'), 'utf8')).toBe(before);
      } finally {
        rmSync(tokensDir);
        renameSync(moved, tokensDir);
        rmSync(elsewhere, { recursive: true, force: true });
      }
    });

    it('refuses a token file that is a link, on reading and on writing, target untouched', async () => {
      const target = join(partner.configDir, 'somebody-elses.json');
      writeFileSync(target, '{"not":"ours"}', { mode: 0o600 });
      renameSync(tokenFile, `${tokenFile}.saved`);
      symlinkSync(target, tokenFile);
      try {
        expect(await listingError()).toMatch(/tokens\/default\.json' is a symbolic link/);
        const store = new TokenStore(partner.configDir);
        thrownAs(() => store.write('default', { clientSecret: 'x' }), ConfigFileError);
        expect(readFileSync(target, 'utf8')).toBe('{"not":"ours"}');
      } finally {
        rmSync(tokenFile);
        renameSync(`${tokenFile}.saved`, tokenFile);
      }
    });

    it('refuses a context file that is a link', async () => {
      const store = new ContextStore(partner.configDir);
      const contextFile = join(store.contextsDir, 'default.json');
      const copy = join(partner.configDir, 'copy.json');
      cpSync(contextFile, copy);
      symlinkSync(copy, join(store.contextsDir, 'linked.json'));
      try {
        const error = await store.read('linked').then(
          () => undefined,
          (thrown: unknown) => thrown,
        );
        expect(error).toBeInstanceOf(ConfigFileError);
        expect((error as Error).message).toMatch(/linked\.json' is a symbolic link/);
      } finally {
        rmSync(join(store.contextsDir, 'linked.json'));
      }
    });

    it('keeps working when the config directory itself is a link (a dotfiles checkout)', async () => {
      const link = join(mkdtempSync(join(tmpdir(), 'pc-link-')), 'partnercenter');
      symlinkSync(partner.configDir, link);
      try {
        const stores = { contexts: new ContextStore(link), tokens: new TokenStore(link) };
        expect(await stores.contexts.resolveName(undefined)).toBe('default');
        expect(stores.tokens.read('default').clientSecret).toBe(partner.emulator.clientSecret);
      } finally {
        rmSync(join(link, '..'), { recursive: true, force: true });
      }
    });
  });

  /**
   * A config directory whose tokens directory cannot be written: a read-only file system when this
   * runs as root (for whom permissions do not deny a write), a directory without write permission
   * otherwise. Both are what a renewal meets on a read-only container image or a shared account.
   */
  function readOnlyTokens(configDir: string): { code: string; restore(): void } {
    const dir = join(configDir, 'tokens');
    if (asRoot) {
      const saved = `${dir}.saved`;
      renameSync(dir, saved);
      mkdirSync(dir, { mode: 0o700 });
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0700', 'tmpfs', dir]);
      cpSync(saved, dir, { recursive: true });
      execFileSync('mount', ['-o', 'remount,ro', dir]);
      return {
        code: 'EROFS',
        restore() {
          execFileSync('umount', [dir]);
          rmSync(dir, { recursive: true, force: true });
          renameSync(saved, dir);
        },
      };
    }
    chmodSync(dir, 0o500);
    return { code: 'EACCES', restore: () => chmodSync(dir, 0o700) };
  }

  describe('a config directory the run cannot use', () => {
    onPosix(
      'that is read-only at token renewal: one line naming the file and the need',
      async () => {
        await seedServicePrincipalContext(partner.emulator, partner.env, 'renewing');
        const readOnly = readOnlyTokens(partner.configDir);
        try {
          partner.emulator.setFaults({ rules: [{ at: 1, action: { type: 'expire-tokens' } }] });
          const result = await partner.runInProcess('Get-PartnerCustomer', [
            '-Context',
            'renewing',
            '-First',
            '1',
          ]);
          expect(result.code).toBe(1);
          expect(result.stdout).toBe('');
          const path = join(tokensDir, 'renewing.json');
          expect(result.stderr).toMatch(
            new RegExp(
              `^Get-PartnerCustomer: Cannot write '${escapeRegExp(path)}': ` +
                `(the file system is read-only \\(EROFS\\)\\. Contexts and renewed tokens are saved ` +
                'there, so it must be on a writable file system|permission denied \\(EACCES\\)\\. ' +
                `'${escapeRegExp(tokensDir)}' must be writable by you)`,
            ),
          );
          expect(result.stderr).toContain(readOnly.code);
          expect(result.stderr).toMatch(/PARTNERCENTER_CONFIG_DIR/);
          expect(result.stderr).not.toMatch(/Unexpected|report it/);
          // Disconnecting there cannot remove the tokens either, and says so the same way.
          const removed = await partner.runInProcess('Disconnect-Partner', [
            '-ContextName',
            'renewing',
          ]);
          expect(removed.code).toBe(1);
          expect(removed.stderr).toMatch(`Cannot write '${path}'`);
        } finally {
          partner.emulator.setFaults({});
          readOnly.restore();
        }
      },
    );

    onPosix('that another user owns: the reader is told which file and what it needs', async () => {
      const settings = join(partner.configDir, 'settings.json');
      if (asRoot) {
        // Root reads everything: a process of another user (nobody) meets the refusal for real.
        const result = await runCli('Get-PartnerContext', [], {
          env: partner.env,
          user: { uid: 65534, gid: 65534 },
        });
        expect(result.code).toBe(1);
        expect(result.stderr).toBe(
          `Get-PartnerContext: Cannot read '${settings}': permission denied (EACCES). It must be ` +
            'readable by you (your own, mode 0700 for a directory, 0600 for a file), or set ' +
            'PARTNERCENTER_CONFIG_DIR to a directory of your own that is.\n',
        );
      } else {
        chmodSync(settings, 0o000);
        try {
          const result = await partner.runInProcess('Get-PartnerContext');
          expect(result.code).toBe(1);
          expect(result.stderr).toMatch(`Cannot read '${settings}': permission denied (EACCES).`);
        } finally {
          chmodSync(settings, 0o600);
        }
      }
    });
  });

  function escapeRegExp(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
});
