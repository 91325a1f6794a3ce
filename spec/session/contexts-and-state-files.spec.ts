/**
 * Saved contexts and the state files beside them: which context is the default as a person sees
 * it, context files read back as their kinds, and damaged or foreign state files (and secrets
 * typed on a command line) met by the real commands in-process. Each part keeps its own emulator,
 * scratch directories and hooks, in its own describe.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import getPartnerContext from '../../cmdlets/Get-PartnerContext.js';
import { ConfigFileError } from '../../lib/common/errors.js';
import { loadCmdlet } from '../../lib/host/load-cmdlet.js';
import { ContextStore, type PartnerContext } from '../../lib/session/context-store.js';
import { viewOf } from '../../lib/session/context-view.js';
import { ENVIRONMENTS } from '../../lib/session/environments.js';
import { runInProcess } from '../fixtures/host/run-in-process.js';
import { scratchConfigDir } from '../support/cli.js';
import { emulatedPartner, type EmulatedPartner } from '../support/emulated-partner.js';
import { parseNdjson } from '../support/ndjson.js';

/**
 * Which saved context is the default, as a person sees it: Connect-Partner -ContextName makes a
 * new context the default only when there is none (or with -SetDefault); Get-PartnerContext
 * -ListAvailable marks the default (also in its table); "not connected" names the saved contexts
 * and how to pick one; Set-PartnerContext shows the settings it saved. The real cmdlets, in-process,
 * against the emulator.
 */
describe('the contexts you can see', () => {
  let partner: EmulatedPartner;

  beforeAll(async () => {
    partner = await emulatedPartner({}, false);
  });
  afterAll(() => partner.dispose());

  async function connect(name: string, ...more: string[]): Promise<Record<string, unknown>> {
    const connected = await partner.runInProcess('Connect-Partner', [
      ...partner.connectArgs,
      '-ContextName',
      name,
      ...more,
    ]);
    expect(connected.stderr).toBe('');
    expect(connected.code).toBe(0);
    return parseNdjson(connected.stdout)[0]!;
  }

  const savedDefault = () =>
    (
      JSON.parse(readFileSync(join(partner.configDir, 'settings.json'), 'utf8')) as {
        defaultContext?: string;
      }
    ).defaultContext;

  async function listed(env: NodeJS.ProcessEnv = {}): Promise<Record<string, unknown>[]> {
    Object.assign(partner.env, env);
    try {
      const result = await partner.runInProcess('Get-PartnerContext', ['-ListAvailable']);
      expect(result.code).toBe(0);
      return parseNdjson(result.stdout);
    } finally {
      for (const key of Object.keys(env)) delete partner.env[key];
    }
  }

  const defaults = (contexts: Record<string, unknown>[]) =>
    contexts.filter((context) => context.isDefault === true).map((context) => context.name);

  describe('the default context', () => {
    it('is not there before any context is saved, and "not connected" says to connect', async () => {
      const result = await partner.runInProcess('Get-PartnerCustomer', ['-First', '1']);
      expect(result.code).toBe(3);
      expect(result.stderr).toBe(
        'Get-PartnerCustomer: Not connected to Partner Center. Run Connect-Partner first (see ' +
          'Get-Help Connect-Partner).\n',
      );
    });

    it('is the first context connected, whatever its name', async () => {
      expect(await connect('first')).toMatchObject({ name: 'first', isDefault: true });
      expect(savedDefault()).toBe('first');
    });

    it('stays as it was when another context is connected by name', async () => {
      expect(await connect('second')).toMatchObject({ name: 'second', isDefault: false });
      expect(savedDefault()).toBe('first');
      // Reconnecting the default keeps it the default.
      expect(await connect('first')).toMatchObject({ isDefault: true });
    });

    it('moves to the new context with -SetDefault', async () => {
      expect(await connect('third', '-SetDefault')).toMatchObject({ isDefault: true });
      expect(savedDefault()).toBe('third');
    });

    it('is marked in -ListAvailable, also while PARTNERCENTER_CONTEXT picks another', async () => {
      expect(defaults(await listed())).toEqual(['third']);
      expect(defaults(await listed({ PARTNERCENTER_CONTEXT: 'second' }))).toEqual(['third']);
      const current = await partner.runInProcess('Get-PartnerContext', ['-Context', 'second']);
      expect(parseNdjson(current.stdout)[0]).toMatchObject({ name: 'second', isDefault: false });
    });

    it('is a column of the -ListAvailable table', async () => {
      const table = await partner.runInProcess('Get-PartnerContext', [
        '-ListAvailable',
        '-OutputFormat',
        'Table',
      ]);
      expect(table.code).toBe(0);
      const [header, , ...rows] = table.stdout.trimEnd().split('\n');
      expect(header).toMatch(/^Name\s+Default\s+Environment/);
      expect(rows.map((row) => row.split(/\s+/).slice(0, 2))).toEqual([
        ['first', 'false'],
        ['second', 'false'],
        ['third', 'true'],
      ]);
    });
  });

  describe('"not connected" with contexts saved', () => {
    it('names them and Select-PartnerContext when the default is gone', async () => {
      rmSync(join(partner.configDir, 'contexts', 'third.json'));
      const result = await partner.runInProcess('Get-PartnerCustomer', ['-First', '1']);
      expect(result.code).toBe(3);
      expect(result.stderr).toBe(
        "Get-PartnerCustomer: Not connected to Partner Center: the default context 'third' is " +
          'no longer saved (saved: first, second). Choose the default with Select-PartnerContext ' +
          '<name> (Get-PartnerContext -ListAvailable shows them), or one for a command with ' +
          '-Context <name>.\n',
      );
      const context = await partner.runInProcess('Get-PartnerContext');
      expect(context.code).toBe(3);
      expect(context.stderr).toMatch(/saved: first, second\)\. Choose the default with Select/);
    });

    it('names them for a context that -Context names and no one saved', async () => {
      const result = await partner.runInProcess('Get-PartnerCustomer', ['-Context', 'nope']);
      expect(result.code).toBe(3);
      expect(result.stderr).toBe(
        "Get-PartnerCustomer: There is no saved context named 'nope' (saved: first, second). Use " +
          'one of the saved names (Get-PartnerContext -ListAvailable shows them), or save this ' +
          'one with Connect-Partner -ContextName nope.\n',
      );
    });

    it('lets a connection by name become the default again once the old one is gone', async () => {
      expect(await connect('fourth')).toMatchObject({ isDefault: true });
      expect(savedDefault()).toBe('fourth');
    });
  });

  describe('Set-PartnerContext', () => {
    it('shows the settings it saved, and Get-PartnerContext shows them from then on', async () => {
      const set = await partner.runInProcess('Set-PartnerContext', [
        '-DefaultOutputFormat',
        'Table',
        '-MaxRetry',
        '7',
      ]);
      expect(set.code).toBe(0);
      expect(parseNdjson(set.stdout)[0]).toMatchObject({
        name: 'fourth',
        isDefault: true,
        defaultOutputFormat: 'Table',
        maxRetry: 7,
      });
      const other = await partner.runInProcess('Set-PartnerContext', [
        'first',
        '-MaxRetryWaitSeconds',
        '60',
      ]);
      expect(parseNdjson(other.stdout)[0]).toMatchObject({
        name: 'first',
        isDefault: false,
        maxRetryWaitSeconds: 60,
      });
      const shown = await partner.runInProcess('Get-PartnerContext');
      expect(parseNdjson(shown.stdout)[0]).toMatchObject({
        name: 'fourth',
        defaultOutputFormat: 'Table',
        maxRetry: 7,
      });
    });

    it('shows the settings as a table too (where a person set tables as the default)', async () => {
      const table = await partner.runInProcess('Set-PartnerContext', [
        '-MaxRetry',
        '8',
        '-OutputFormat',
        'Table',
      ]);
      expect(table.code).toBe(0);
      const [header, , row] = table.stdout.split('\n');
      expect(header).toMatch(
        /^Name\s+Default\s+DefaultOutputFormat\s+MaxRetry\s+MaxRetryWaitSeconds/,
      );
      expect(row!.split(/\s+/).slice(0, 4)).toEqual(['fourth', 'true', 'Table', '8']);
    });

    it('names the saved contexts when the one it should change is not saved', async () => {
      const result = await partner.runInProcess('Set-PartnerContext', ['gone', '-MaxRetry', '1']);
      expect(result.code).toBe(3);
      expect(result.stderr).toMatch(
        /no saved context named 'gone' \(saved: first, fourth, second\)/,
      );
    });
  });
});

/**
 * Saved contexts as kinds (lib/session/context-kinds.ts): a context file as every earlier version
 * wrote it (one flat object, the kind in `authentication`) reads back as its kind, with what that
 * sign-in always has; one that lacks it, or names a kind this version does not know, is refused
 * with one line naming the file and what is wrong. Over a scratch config directory, through the
 * store every command reads contexts with.
 */
describe('context kinds', () => {
  const APP = '00000000-0000-0000-0000-000000000001';
  const TENANT = '00000000-0000-0000-0000-0000000000aa';
  /** The environment as the first versions saved it: before Graph, no graphEndpoint. */
  const BEFORE_GRAPH = {
    name: 'AzureCloud',
    apiEndpoint: 'https://api.partnercenter.microsoft.com',
    authorityHost: 'https://login.microsoftonline.com',
    audience: 'https://api.partnercenter.microsoft.com',
  };
  const common = {
    environment: BEFORE_GRAPH,
    tenantId: TENANT,
    connectedAt: '2026-11-23T18:45:13.000Z',
  };

  let scratch: ReturnType<typeof scratchConfigDir>;
  let store: ContextStore;
  beforeEach(() => {
    scratch = scratchConfigDir();
    store = new ContextStore(scratch.dir);
    mkdirSync(store.contextsDir, { recursive: true, mode: 0o700 });
  });
  afterEach(() => scratch.dispose());

  /** A context file as an earlier version (or a hand) left it. */
  function saved(name: string, content: Record<string, unknown>): string {
    const path = join(store.contextsDir, `${name}.json`);
    writeFileSync(path, JSON.stringify({ name, ...content }), { mode: 0o600 });
    return path;
  }

  async function refusalOf(name: string): Promise<ConfigFileError> {
    const error = await store.read(name).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(ConfigFileError);
    return error as ConfigFileError;
  }

  describe('a context file of an earlier version', () => {
    it.each<[string, Record<string, unknown>, Partial<PartnerContext>]>([
      [
        // As the first version wrote it (only access tokens and client secrets then).
        'ServicePrincipal',
        { authentication: 'ServicePrincipal', applicationId: APP, secretSource: 'TokenStore' },
        { applicationId: APP, secretSource: 'TokenStore' },
      ],
      ['AccessToken', { authentication: 'AccessToken', account: 'app' }, { account: 'app' }],
      [
        'ServicePrincipalCertificate',
        {
          authentication: 'ServicePrincipalCertificate',
          applicationId: APP,
          certificatePath: '/etc/pc/app.pem',
          secretSource: 'Environment',
        },
        { certificatePath: '/etc/pc/app.pem', secretSource: 'Environment' },
      ],
      [
        'RefreshToken',
        { authentication: 'RefreshToken', applicationId: APP, secretSource: 'TokenStore' },
        { applicationId: APP },
      ],
      [
        'ManagedIdentity',
        { authentication: 'ManagedIdentity', managedIdentityClientId: APP, applicationId: APP },
        { managedIdentityClientId: APP, applicationId: APP },
      ],
      [
        'User',
        {
          authentication: 'User',
          applicationId: APP,
          useDeviceCode: true,
          authenticationRecord: '{"homeAccountId":"x"}',
          account: 'admin@contoso.com',
        },
        { useDeviceCode: true, authenticationRecord: '{"homeAccountId":"x"}' },
      ],
    ])('reads a %s context as that kind, with what its sign-in needs', async (kind, file, has) => {
      saved('old', { ...common, ...file });
      const context = await store.read('old');
      expect(context).toMatchObject({
        name: 'old',
        authentication: kind,
        tenantId: TENANT,
        ...has,
      });
    });

    it('shows an old context as it always did: the same view, Graph from its cloud', async () => {
      const file = {
        ...common,
        authentication: 'ServicePrincipal',
        applicationId: APP,
        secretSource: 'TokenStore',
        account: APP,
        maxRetry: 2,
      };
      saved('old', file);
      const context = await store.read('old');
      if (!context) throw new Error('the context was not read');
      expect(viewOf(context, {}, true)).toEqual({
        name: 'old',
        isDefault: true,
        environment: 'AzureCloud',
        apiEndpoint: BEFORE_GRAPH.apiEndpoint,
        authorityHost: BEFORE_GRAPH.authorityHost,
        graphEndpoint: ENVIRONMENTS.AzureCloud.graphEndpoint,
        tenantId: TENANT,
        account: APP,
        authentication: 'ServicePrincipal',
        applicationId: APP,
        secretSource: 'TokenStore',
        connectedAt: common.connectedAt,
        maxRetry: 2,
      });
    });

    it('renews from the token store when the file does not say where the secret is', async () => {
      saved('old', { ...common, authentication: 'ServicePrincipal', applicationId: APP });
      expect(await store.read('old')).toMatchObject({ secretSource: 'TokenStore' });
    });

    it('a user context saved with a browser sign-in reads as one (useDeviceCode false)', async () => {
      saved('old', {
        ...common,
        authentication: 'User',
        applicationId: APP,
        authenticationRecord: '{}',
      });
      expect(await store.read('old')).toMatchObject({ useDeviceCode: false });
    });

    it('writes back what it read: a context read and saved again is the same file', async () => {
      const path = saved('old', {
        ...common,
        authentication: 'RefreshToken',
        applicationId: APP,
        secretSource: 'TokenStore',
        certificatePath: '/etc/pc/app.pem',
      });
      const before = JSON.parse(readFileSync(path, 'utf8'));
      const context = await store.read('old');
      if (!context) throw new Error('the context was not read');
      await store.write(context);
      expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(before);
    });
  });

  describe('a context file that cannot be its kind', () => {
    it.each([
      ['ServicePrincipal', {}, 'applicationId'],
      ['ServicePrincipalCertificate', { applicationId: APP }, 'certificatePath'],
      ['RefreshToken', { applicationId: '' }, 'applicationId'],
      ['User', { applicationId: APP }, 'authenticationRecord'],
      ['User', { authenticationRecord: '{}' }, 'applicationId'],
    ])(
      'a %s context without what it needs (%p) is refused, naming it',
      async (kind, more, field) => {
        const path = saved('broken', { ...common, authentication: kind, ...more });
        const error = await refusalOf('broken');
        expect(error.message).toBe(
          `The context file '${path}' is a ${kind} context without its ${field}.`,
        );
        expect(error.hint).toMatch(/Connect-Partner again/);
      },
    );

    it.each([['Kerberos'], [undefined], [42]])(
      'a context of a sign-in this version does not know (%p) is refused, naming it',
      async (kind) => {
        const path = saved('future', { ...common, authentication: kind });
        const error = await refusalOf('future');
        expect(error.message).toBe(
          `The context file '${path}' signs in a way this version does not know ` +
            `(authentication: ${kind === undefined ? 'missing' : JSON.stringify(kind)}).`,
        );
        expect(error.hint).toMatch(/newer version/);
      },
    );

    it('a file that is no context at all is refused as before', async () => {
      const path = saved('other', { authentication: 'AccessToken', tenant: TENANT });
      const error = await refusalOf('other');
      expect(error.message).toBe(`The context file '${path}' is not a PartnerCenter context.`);
    });

    it('a command meets the refusal as one line and exit 1, the file left as it was', async () => {
      const path = saved('default', { ...common, authentication: 'Kerberos' });
      const before = readFileSync(path, 'utf8');
      const result = await runInProcess(getPartnerContext, [], {
        env: { PARTNERCENTER_CONFIG_DIR: scratch.dir },
      });
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderrLines).toEqual([
        `Get-PartnerContext: The context file '${path}' signs in a way this version does not know ` +
          '(authentication: "Kerberos"). A newer version of the module may have saved it: use ' +
          'that version, or run Connect-Partner again for this context.',
      ]);
      expect(readFileSync(path, 'utf8')).toBe(before);
    });
  });
});

/**
 * State on disk that is not what we wrote (issue 5): a corrupted, truncated, empty or foreign
 * context file, token file or settings.json gives one clear line naming the file and how to
 * recover, exit 1, and the file is left exactly as it was (never silently replaced). And secrets
 * kept off command lines: a WARNING when one is typed there, `-` to read it from stdin instead.
 * Every case runs the real command (host, cmdlet, session and stores) in this process, each on its
 * own copy of a connected config directory: what is checked (the line, the exit code the host
 * returns, the file left as it was) needs no process of its own, and 16 processes cost 5 CPU-s.
 */
describe('damaged state files and secrets on the command line', () => {
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

  const truncate = (file: string) =>
    readFileSync(join(partner.configDir, file), 'utf8').slice(0, 37);

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
});
