/**
 * The config directory's promises at the edges real machines have: a token store opened to other
 * users (0777) or replaced by a symbolic link is refused, on reading as on writing, and what the
 * link points at is left as it was; a config directory that cannot be written (a read-only disk,
 * or a directory that is not the user's) or read ends a command with one line naming the path and
 * what it needs, never "Unexpected error ... report it". The refusals are the real files' under a
 * real command against the emulator, in-process; only the reader who is not the directory's owner
 * needs a process of another user.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigFileError } from '../../lib/common/errors.js';
import { ContextStore } from '../../lib/session/context-store.js';
import { TokenStore } from '../../lib/session/token-store.js';
import { runCli } from '../support/cli.js';
import { type EmulatedPartner, emulatedPartner } from '../support/emulated-partner.js';
import { seedServicePrincipalContext } from '../support/seeded-context.js';
import { thrownAs } from '../support/thrown.js';

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
  onPosix('that is read-only at token renewal: one line naming the file and the need', async () => {
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
  });

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
