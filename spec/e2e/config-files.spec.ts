/**
 * State on disk that is not what we wrote (issue 5): a corrupted, truncated, empty or foreign
 * context file, token file or settings.json gives one clear line naming the file and how to
 * recover, exit 1, and the file is left exactly as it was (never silently replaced). And secrets
 * kept off command lines: a WARNING when one is typed there, `-` to read it from stdin instead.
 * Every case runs the real command (host, cmdlet, session and stores) in this process, each on its
 * own copy of a connected config directory: what is checked (the line, the exit code the host
 * returns, the file left as it was) needs no process of its own, and 16 processes cost 5 CPU-s.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  chmodSync,
  cpSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCmdlet } from '../../lib/host/load-cmdlet.js';
import { runInProcess } from '../fixtures/host/run-in-process.js';
import { scratchConfigDir } from '../support/cli.js';
import { emulatedPartner, type EmulatedPartner } from '../support/emulated-partner.js';

let partner: EmulatedPartner;
const copies: string[] = [];

beforeAll(async () => {
  partner = await emulatedPartner({ customers: 30 });
});
afterAll(async () => {
  for (const dir of copies) rmSync(dir, { recursive: true, force: true });
  await partner.dispose();
});

/** A copy of the connected config directory with one file replaced by `content`. */
function damagedCopy(file: string, content: string): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'pc-damaged-'));
  copies.push(dir);
  copyKeepingModes(partner.configDir, dir);
  const path = join(dir, file);
  writeFileSync(path, content, { mode: 0o600 });
  return { dir, path };
}

/**
 * cpSync with the source's modes on every directory and file: Node 22 creates copied directories
 * with the default mode, and the commands refuse a token directory looser than 0700.
 */
function copyKeepingModes(from: string, to: string): void {
  cpSync(from, to, { recursive: true });
  const keepModes = (source: string, target: string) => {
    chmodSync(target, statSync(source).mode & 0o7777);
    if (!statSync(source).isDirectory()) return;
    for (const name of readdirSync(source)) keepModes(join(source, name), join(target, name));
  };
  keepModes(from, to);
}

/**
 * `cmdlet` run in this process with `env` (and `input` on stdin; none: a terminal's). One at a
 * time: jest's module loader fails imports of one module started side by side.
 */
async function run(
  cmdlet: string,
  args: readonly string[],
  options: { env: NodeJS.ProcessEnv; input?: string },
) {
  return runInProcess(await loadCmdlet(cmdlet), [...args], {
    env: options.env,
    stdin: options.input,
  });
}

const truncate = (file: string) => readFileSync(join(partner.configDir, file), 'utf8').slice(0, 37);

describe('a damaged or foreign state file', () => {
  const cases: Array<{
    what: string;
    file: string;
    content: () => string;
    command: string;
    args: () => string[];
    says: RegExp;
  }> = [
    {
      what: 'a truncated context',
      file: 'contexts/default.json',
      content: () => truncate('contexts/default.json'),
      command: 'Get-PartnerCustomer',
      args: () => [],
      says: /is corrupted or not valid JSON/,
    },
    {
      what: 'an empty context',
      file: 'contexts/default.json',
      content: () => '',
      command: 'Get-PartnerCustomer',
      args: () => [],
      says: /is corrupted or not valid JSON/,
    },
    {
      what: 'a context that is a JSON array',
      file: 'contexts/default.json',
      content: () => '[1,2]',
      command: 'Get-PartnerContext',
      args: () => [],
      says: /is not a PartnerCenter context file \(it holds an array, not an object\)/,
    },
    {
      what: "another tool's JSON as a context",
      file: 'contexts/default.json',
      content: () => '{"subscriptions":[]}',
      command: 'Get-PartnerCustomer',
      args: () => [],
      says: /is not a PartnerCenter context\./,
    },
    {
      what: 'a truncated token file',
      file: 'tokens/default.json',
      content: () => truncate('tokens/default.json'),
      command: 'Get-PartnerCustomer',
      args: () => [],
      says: /is corrupted \(/,
    },
    {
      what: 'an MSAL cache copied over the token file',
      file: 'tokens/default.json',
      content: () => '{"AccessToken":{},"RefreshToken":{},"Account":{}}',
      command: 'Get-PartnerCustomer',
      args: () => [],
      says: /is not a PartnerCenter token file \(unexpected entries "AccessToken", "RefreshToken", "Account"\)/,
    },
    {
      what: 'a token file with a malformed access token',
      file: 'tokens/default.json',
      content: () => '{"accessToken":"eyJ"}',
      command: 'Get-PartnerCustomer',
      args: () => [],
      says: /is not a PartnerCenter token file \(its access token entry is malformed\)/,
    },
    {
      what: 'a truncated settings.json',
      file: 'settings.json',
      content: () => '{"defaultCon',
      command: 'Get-PartnerCustomer',
      args: () => [],
      says: /is corrupted or not valid JSON/,
    },
    {
      what: "another tool's settings.json",
      file: 'settings.json',
      content: () => '{"theme":"dark","defaultContext":7}',
      command: 'Get-PartnerCustomer',
      args: () => [],
      says: /is not a PartnerCenter settings file/,
    },
    {
      what: 'a truncated context under Connect-Partner, which must not write over it',
      file: 'contexts/default.json',
      content: () => truncate('contexts/default.json'),
      command: 'Connect-Partner',
      args: () => partner.connectArgs,
      says: /is corrupted or not valid JSON/,
    },
    {
      what: 'a foreign settings.json under Select-PartnerContext, which must not write over it',
      file: 'settings.json',
      content: () => '[]',
      command: 'Select-PartnerContext',
      args: () => ['default'],
      says: /is not a PartnerCenter settings file \(it holds an array/,
    },
  ];

  it(
    `each of ${cases.length} cases: one line naming the file and how to recover, ` +
      'exit 1, the file untouched',
    async () => {
      const runs = [];
      for (const testCase of cases) {
        const content = testCase.content();
        const { dir, path } = damagedCopy(testCase.file, content);
        const result = await run(testCase.command, testCase.args(), {
          env: { ...partner.env, PARTNERCENTER_CONFIG_DIR: dir },
        });
        runs.push({ testCase, content, path, result, after: readFileSync(path, 'utf8') });
      }
      for (const { testCase, content, path, result, after } of runs) {
        const seen = {
          what: testCase.what,
          code: result.code,
          stdout: result.stdout,
          lines: result.stderr.split('\n').filter(Boolean).length,
          untouched: after === content,
        };
        expect(seen).toEqual({
          what: testCase.what,
          code: 1,
          stdout: '',
          lines: 1,
          untouched: true,
        });
        expect(result.stderr).toMatch(
          new RegExp(
            `^${testCase.command}: The (context )?file '${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}' `,
          ),
        );
        expect(result.stderr).toMatch(testCase.says);
        // How to recover: what to remove or move away, and what to run next.
        expect(result.stderr).toMatch(
          /(delete|Delete|Remove|Move).*(Connect-Partner|Select-PartnerContext)/,
        );
      }
    },
  );
});

describe('secrets on the command line', () => {
  const base = () => partner.connectArgs.filter((arg) => arg !== '-ClientSecret');
  const withoutSecretEnv = () => ({ ...partner.env, PARTNERCENTER_CLIENT_SECRET: undefined });

  it(
    '-ClientSecret typed on the command line works, with one WARNING naming ' +
      'the variable and stdin instead; from the environment, no warning',
    async () => {
      const typed = scratchConfigDir();
      const fromEnv = scratchConfigDir();
      try {
        const onArgv = await run(
          'Connect-Partner',
          [...base(), '-ClientSecret', partner.emulator.clientSecret],
          { env: { ...withoutSecretEnv(), PARTNERCENTER_CONFIG_DIR: typed.dir } },
        );
        const inEnv = await run('Connect-Partner', base(), {
          env: { ...partner.env, PARTNERCENTER_CONFIG_DIR: fromEnv.dir },
        });
        expect(onArgv.code).toBe(0);
        expect(onArgv.stderr).toBe(
          'WARNING: -ClientSecret on the command line can be seen by other users of ' +
            'this machine (ps, /proc) and may stay in your shell history. Instead, ' +
            'set PARTNERCENTER_CLIENT_SECRET, or pass -ClientSecret - and write it to stdin.\n',
        );
        expect(onArgv.stderr + onArgv.stdout).not.toContain(partner.emulator.clientSecret);
        expect(inEnv.code).toBe(0);
        expect(inEnv.stderr).toBe('');
      } finally {
        typed.dispose();
        fromEnv.dispose();
      }
    },
  );

  it(
    '-ClientSecret - reads the secret from stdin (no warning, and later ' +
      'commands renew with it); with nothing piped it says so',
    async () => {
      const piped = scratchConfigDir();
      try {
        const env = { ...withoutSecretEnv(), PARTNERCENTER_CONFIG_DIR: piped.dir };
        const connected = await run('Connect-Partner', [...base(), '-ClientSecret', '-'], {
          env,
          input: `${partner.emulator.clientSecret}\n`,
        });
        const nothing = await run('Connect-Partner', [...base(), '-ClientSecret', '-'], {
          env: { ...env, PARTNERCENTER_CONFIG_DIR: join(piped.dir, 'unused') },
        });
        expect(connected.stderr).toBe('');
        expect(connected.code).toBe(0);
        expect(nothing.code).toBe(2);
        expect(nothing.stderr).toBe(
          'Connect-Partner: -ClientSecret - reads the secret from stdin, but ' +
            'nothing is piped into it. Pipe or redirect it, e.g. Connect-Partner ... ' +
            '-ClientSecret - < secret.txt\n',
        );
        // The stored secret is the one from stdin: a renewal with it succeeds.
        partner.emulator.revokeAccessTokens();
        const listed = await run('Get-PartnerCustomer', ['-Verbose'], { env });
        expect(listed.code).toBe(0);
        expect(listed.stderr).toMatch(/Renewing the access token/);
        expect(listed.stdout.split('\n').filter(Boolean)).toHaveLength(30);
      } finally {
        piped.dispose();
      }
    },
  );
});
