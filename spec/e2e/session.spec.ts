/**
 * Connect-Partner, Get-PartnerContext and Disconnect-Partner end to end: the real @azure/identity
 * ClientSecretCredential against the emulator's token endpoint over HTTPS. The service-principal
 * sign-in runs as a real process, and a later process reuses what it saved; the sign-in failures,
 * the -AccessToken sign-in and what only reads or renews what a process saved run in this process
 * against the same config directory (spec/README.md, "Process or in-process"): the same host,
 * session and client, the same exit code, at no process start-up. The unreachable authority stays
 * a process only so that its 6 s of @azure/identity back-off overlap the other cases.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  inBackground,
  parseNdjson,
  runCli,
  scratchConfigDir,
  untilPast,
  type CliResult,
} from '../support/cli.js';
import {
  emulatedPartner,
  runInProcessWith,
  type EmulatedPartner,
} from '../support/emulated-partner.js';

const mode = (path: string) => statSync(path).mode & 0o777;

function allFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? allFiles(join(entry.parentPath, entry.name))
      : [join(entry.parentPath, entry.name)],
  );
}

/** When the access token a context saved runs out, as the token store holds it. */
function storedTokenExpiry(partner: EmulatedPartner, context: string): number {
  return JSON.parse(readFileSync(join(partner.configDir, 'tokens', `${context}.json`), 'utf8'))
    .accessToken.expiresOnTimestamp;
}

/** The emulator the Connect-Partner failures below run against, never connected. */
let unconnected: EmulatedPartner;
/**
 * Connect-Partner against an authority where nothing listens. @azure/identity's HTTP pipeline
 * retries a refused connection with back-off (about 6 s) and no setting reaches it from outside,
 * so this run starts before every other case in the file and overlaps them; its case only awaits
 * it. It has a config directory of its own, so it cannot touch what the other cases check.
 */
let unreachableAuthority: Promise<CliResult>;
let unreachableConfig: { dir: string; dispose(): void };
beforeAll(async () => {
  unconnected = await emulatedPartner({ customers: 3 }, false);
  unreachableConfig = scratchConfigDir();
  const args = unconnected.connectArgs.map((a) =>
    a === unconnected.emulator.authorityHost ? 'https://127.0.0.1:9' : a,
  );
  const env = { ...unconnected.env, PARTNERCENTER_CONFIG_DIR: unreachableConfig.dir };
  unreachableAuthority = inBackground(
    runCli('Connect-Partner', [...args, '-ContextName', 'nohost'], { env }),
  );
});
afterAll(async () => {
  await unreachableAuthority.catch(() => undefined);
  unreachableConfig.dispose();
  await unconnected.dispose();
});

describe('a service principal session', () => {
  let partner: EmulatedPartner;
  beforeAll(async () => {
    partner = await emulatedPartner({ customers: 30 }, 'process');
  });
  afterAll(() => partner.dispose());

  it('is the context that specs seed without a process (spec/support/seeded-context.ts)', async () => {
    const read = (name: string) =>
      JSON.parse(readFileSync(join(partner.configDir, 'contexts', `${name}.json`), 'utf8'));
    const tokens = (name: string) =>
      JSON.parse(readFileSync(join(partner.configDir, 'tokens', `${name}.json`), 'utf8'));
    const connected = read('default');
    const settings = readFileSync(join(partner.configDir, 'settings.json'), 'utf8');
    await partner.seedContext('seeded');
    const seeded = read('seeded');
    expect(Object.keys(seeded)).toEqual(Object.keys(connected));
    expect({ ...seeded, name: 'default', connectedAt: connected.connectedAt }).toEqual(connected);
    expect(Object.keys(tokens('seeded'))).toEqual(Object.keys(tokens('default')));
    expect(tokens('seeded').clientSecret).toBe(tokens('default').clientSecret);
    // Put the default back and the seeded context away: the cases below check these files.
    writeFileSync(join(partner.configDir, 'settings.json'), settings, { mode: 0o600 });
    rmSync(join(partner.configDir, 'contexts', 'seeded.json'));
    rmSync(join(partner.configDir, 'tokens', 'seeded.json'));
  });

  it(
    'saves a private context with no secret in it, and the secret only in the ' +
      'private token store',
    () => {
      expect(mode(partner.configDir)).toBe(0o700);
      const files = allFiles(partner.configDir);
      const contextFile = files.find((f) => f.endsWith(join('contexts', 'default.json')))!;
      const tokenFile = files.find((f) => f.endsWith(join('tokens', 'default.json')))!;
      expect(contextFile).toBeDefined();
      expect(tokenFile).toBeDefined();
      for (const file of files) expect(mode(file)).toBe(0o600);
      const contextText = readFileSync(contextFile, 'utf8');
      expect(contextText).not.toContain(partner.emulator.clientSecret);
      expect(contextText).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/); // no JWT
      expect(JSON.parse(contextText)).toMatchObject({
        tenantId: partner.emulator.tenantId,
        authentication: 'ServicePrincipal',
      });
      expect(readFileSync(tokenFile, 'utf8')).toContain(partner.emulator.clientSecret);
    },
  );

  it('prints the context without secrets, from any later run', async () => {
    const result = await partner.runInProcess('Get-PartnerContext');
    expect(result.code).toBe(0);
    const [view] = parseNdjson(result.stdout);
    expect(view).toMatchObject({
      name: 'default',
      isDefault: true,
      environment: 'Custom',
      apiEndpoint: partner.emulator.apiEndpoint,
      tenantId: partner.emulator.tenantId,
      authentication: 'ServicePrincipal',
    });
    expect(Date.parse(view!.tokenExpiresOn as string)).toBeGreaterThan(Date.now());
    expect(result.stdout + result.stderr).not.toContain(partner.emulator.clientSecret);
  });

  it(
    'reuses the stored token in later runs (a process, then this one) instead of asking the ' +
      'token endpoint again',
    async () => {
      const before = partner.emulator.counters().tokensIssued;
      for (const run of [partner.run, partner.runInProcess]) {
        const result = await run('Get-PartnerCustomer', ['-First', '3']);
        expect(result.code).toBe(0);
        expect(parseNdjson(result.stdout)).toHaveLength(3);
      }
      expect(partner.emulator.counters().tokensIssued).toBe(before);
    },
  );

  it('renews an expired token by itself and carries on', async () => {
    partner.emulator.configure({ accessTokenLifetimeSeconds: 1 });
    const reconnect = await partner.runInProcess('Connect-Partner', partner.connectArgs);
    expect(reconnect.code).toBe(0);
    partner.emulator.configure({ accessTokenLifetimeSeconds: 3600 });
    // Really expired, not merely inside the renewal margin: only the wait for the saved expiry is
    // left.
    await untilPast(storedTokenExpiry(partner, 'default'));
    const before = partner.emulator.counters().tokensIssued;
    const result = await partner.runInProcess('Get-PartnerCustomer');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(parseNdjson(result.stdout)).toHaveLength(30);
    expect(partner.emulator.counters().tokensIssued).toBe(before + 1);
  });

  it('never shows the secret or a token, even in a -Debug trace', async () => {
    const result = await partner.runInProcess('Get-PartnerCustomer', ['-First', '2', '-Debug']);
    expect(result.code).toBe(0);
    const tokens = JSON.parse(
      readFileSync(join(partner.configDir, 'tokens', 'default.json'), 'utf8'),
    );
    expect(result.stderr).not.toContain(tokens.accessToken.token);
    expect(result.stderr).not.toContain(partner.emulator.clientSecret);
    expect(result.stderr).not.toMatch(/eyJ[\w-]+\.eyJ[\w-]+/);
  });

  it(
    'Disconnect-Partner removes the context and its tokens, and later ' + 'commands say to connect',
    async () => {
      const result = await partner.runInProcess('Disconnect-Partner');
      expect(result.code).toBe(0);
      expect(parseNdjson(result.stdout)).toEqual([{ name: 'default', removed: true }]);
      expect(
        allFiles(partner.configDir).filter((f) => /(contexts|tokens)[/\\]default\.json$/.test(f)),
      ).toEqual([]);
      const after = await partner.runInProcess('Get-PartnerCustomer');
      expect(after.code).toBe(3);
      expect(after.stdout).toBe('');
      expect(after.stderr).toMatch(
        /^Get-PartnerCustomer: Not connected to Partner Center\..*Connect-Partner/,
      );
      expect(after.stderr.trim().split('\n')).toHaveLength(1);
    },
  );
});

describe('Connect-Partner failures', () => {
  const oneLine = (text: string) => expect(text.trim().split('\n')).toHaveLength(1);

  it('explains a wrong client secret, keeps the AADSTS code, saves nothing', async () => {
    const env = { ...unconnected.env, PARTNERCENTER_CLIENT_SECRET: 'not-the-secret' };
    const wrong = await runInProcessWith(env, 'Connect-Partner', [
      ...unconnected.connectArgs,
      '-ContextName',
      'wrong',
    ]);
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toMatch(/client secret is wrong.*AADSTS7000215/);
    expect(wrong.stderr).not.toContain('not-the-secret');
    oneLine(wrong.stderr);
    expect(allFiles(unconnected.configDir).some((f) => f.includes('wrong'))).toBe(false);
  });

  it('says the certificate is untrusted when -CaCertificatePath is missing', async () => {
    const args = unconnected.connectArgs.slice(0, -2);
    const result = await unconnected.runInProcess('Connect-Partner', [
      ...args,
      '-ContextName',
      'nocert',
    ]);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/untrusted certificate/);
    expect(result.stderr).toMatch(/-CaCertificatePath/);
    oneLine(result.stderr);
  });

  it('says the authority is unreachable when nothing listens there', async () => {
    const result = await unreachableAuthority;
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/connection refused/);
    oneLine(result.stderr);
    expect(allFiles(unreachableConfig.dir).some((f) => f.includes('nohost'))).toBe(false);
  });

  it('refuses plain http:// to a non-loopback host before any network call', async () => {
    const args = unconnected.connectArgs.map((a) =>
      a === unconnected.emulator.apiEndpoint ? 'http://partner.example.com' : a,
    );
    const result = await unconnected.runInProcess('Connect-Partner', args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/http:\/\/.*loopback/);
    oneLine(result.stderr);
  });

  it('accepts a valid -AccessToken, reports its expiry, and refuses it once expired', async () => {
    const token = unconnected.emulator.issueAccessToken({ lifetimeSeconds: 600 });
    const base = [
      '-ApiEndpoint',
      unconnected.emulator.apiEndpoint,
      '-CaCertificatePath',
      unconnected.emulator.caCertificatePath!,
    ];
    const ok = await unconnected.runInProcess('Connect-Partner', [
      '-AccessToken',
      token,
      ...base,
      '-ContextName',
      'bytoken',
    ]);
    expect(ok.code).toBe(0);
    const [view] = parseNdjson(ok.stdout);
    expect(view).toMatchObject({
      name: 'bytoken',
      authentication: 'AccessToken',
      tenantId: unconnected.emulator.tenantId,
    });
    expect(
      Math.abs(Date.parse(view!.tokenExpiresOn as string) - (Date.now() + 600_000)),
    ).toBeLessThan(60_000);
    expect(ok.stdout).not.toContain(token);
    const listed = await unconnected.runInProcess('Get-PartnerCustomer', ['-Context', 'bytoken']);
    expect(listed.code).toBe(0);
    expect(parseNdjson(listed.stdout)).toHaveLength(3);

    const expired = unconnected.emulator.issueAccessToken({ lifetimeSeconds: -60 });
    const refused = await unconnected.runInProcess('Connect-Partner', [
      '-AccessToken',
      expired,
      ...base,
      '-ContextName',
      'expired',
    ]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/expired at \d{4}-\d\d-\d\dT/);
    expect(refused.stderr).not.toContain(expired);
  });

  it(
    'says a saved access token that has expired cannot be renewed (exit 3, ' + 'nothing on stdout)',
    async () => {
      // Five seconds of life is already the last 5 s, when a token nobody can renew is no longer
      // worth sending: Connect-Partner still accepts it (unexpired), the next command must refuse
      // it.
      const token = unconnected.emulator.issueAccessToken({ lifetimeSeconds: 5 });
      const base = [
        '-ApiEndpoint',
        unconnected.emulator.apiEndpoint,
        '-CaCertificatePath',
        unconnected.emulator.caCertificatePath!,
      ];
      expect(
        (
          await unconnected.runInProcess('Connect-Partner', [
            '-AccessToken',
            token,
            ...base,
            '-ContextName',
            'short',
          ])
        ).code,
      ).toBe(0);
      expect(storedTokenExpiry(unconnected, 'short')).toBeLessThanOrEqual(Date.now() + 5000);
      const listed = await unconnected.runInProcess('Get-PartnerCustomer', ['-Context', 'short']);
      expect(listed.code).toBe(3);
      expect(listed.stdout).toBe('');
      expect(listed.stderr).toMatch(/cannot be renewed/);
    },
  );
});

describe('an emulator restarted with -StateDirectory on the same port', () => {
  it('is still trusted by the saved context and honours its stored token: no reconnect', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { startEmulator } = await import('../../lib/emulator/index.js');
    const stateDir = mkdtempSync(join(tmpdir(), 'pc-emulator-state-'));
    const first = await emulatedPartner({ customers: 4, stateDir });
    try {
      const port = Number(new URL(first.emulator.apiEndpoint).port);
      await first.emulator.close();
      const restarted = await startEmulator({ customers: 4, stateDir, port });
      try {
        const listed = await first.runInProcess('Get-PartnerCustomer');
        expect(listed.stderr).toBe('');
        expect(listed.code).toBe(0);
        expect(parseNdjson(listed.stdout)).toHaveLength(4);
        expect(restarted.counters().tokensIssued).toBe(0);
      } finally {
        await restarted.close();
      }
    } finally {
      await first.dispose();
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
