/**
 * Every way Connect-Partner signs in, end to end in separate processes, with the real
 * @azure/identity credential classes (or, for refresh tokens, our own grant) against the
 * emulator's token endpoint: connect, list, reuse the token (no new grant), renew it after
 * expiry, and leave no secret where it should not be. Each way of signing in runs as a real
 * process once (the service principal's with a secret, also the one -FromEnvironment uses, in
 * session.spec.ts); what follows one (listing, reuse, renewal, selecting contexts) and the refusals
 * run in this process against the same config directory, where they read only what the sign-in's
 * process left on disk and cost no process start-up (spec/README.md, "Process or in-process").
 * The managed identity's runs stay processes: @azure/identity reads its endpoint from the
 * process's own environment.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { binPath, parseNdjson, runCli, runOnTerminal } from '../support/cli.js';
import { FIXTURE_CLIENT_CERTIFICATE } from '../support/fixture-keys.js';
import {
  emulatedPartner,
  runInProcessWith,
  type EmulatedPartner,
} from '../support/emulated-partner.js';

const tokenGrants = (partner: EmulatedPartner) => partner.emulator.counters().tokensIssued;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? filesUnder(join(entry.parentPath, entry.name))
      : [join(entry.parentPath, entry.name)],
  );
}

/** Makes the stored access token of a context look expired, so the next command must renew it. */
function expireStoredToken(context: string): Record<string, any> {
  const file = join(partner.configDir, 'tokens', `${context}.json`);
  const stored = JSON.parse(readFileSync(file, 'utf8'));
  stored.accessToken.expiresOnTimestamp = Date.now() - 1000;
  writeFileSync(file, JSON.stringify(stored), { mode: 0o600 });
  return stored;
}

/**
 * The fixture client certificate, registered on the emulator's application and written privately
 * into the config directory as the PEM an admin gives -CertificatePath.
 */
function clientCertificate(): { certificatePath: string } {
  partner.emulator.registerClientCertificate(FIXTURE_CLIENT_CERTIFICATE.cert);
  const certificatePath = join(partner.configDir, 'client-certificate.pem');
  writeFileSync(certificatePath, FIXTURE_CLIENT_CERTIFICATE.pem, { mode: 0o600 });
  return { certificatePath };
}

let partner: EmulatedPartner;
let endpoints: string[];
beforeAll(async () => {
  partner = await emulatedPartner({ customers: 12 }, false);
  endpoints = [
    '-ApiEndpoint',
    partner.emulator.apiEndpoint,
    '-AuthorityHost',
    partner.emulator.authorityHost,
    '-CaCertificatePath',
    partner.emulator.caCertificatePath!,
  ];
});
afterAll(() => partner.dispose());

/** Lists every customer with the context's stored token, asking the token endpoint for nothing. */
async function listsWithStoredToken(context: string): Promise<void> {
  const before = tokenGrants(partner);
  const listed = await partner.runInProcess('Get-PartnerCustomer', ['-Context', context]);
  expect(listed.stderr).toBe('');
  expect(listed.code).toBe(0);
  expect(parseNdjson(listed.stdout)).toHaveLength(12);
  expect(tokenGrants(partner)).toBe(before);
}

describe('Connect-Partner -UseDeviceAuthentication', () => {
  it(
    'prints the code on stderr, waits for approval, then renews silently from ' +
      'the cached refresh token',
    async () => {
      // MSAL waits one interval after each "authorization_pending": a short one keeps the wait
      // after approval short.
      partner.emulator.configure({
        autoApproveDeviceCode: false,
        deviceCodeIntervalSeconds: 0.2,
        tokenLifetimes: { deviceCode: 3600, refreshToken: 3600 },
      });
      // The output at the moment the code is shown (or at exit, if it never is).
      let codeShown!: (output: { stdout: string; stderr: string }) => void;
      const shown = new Promise<{ stdout: string; stderr: string }>((resolve) => {
        codeShown = resolve;
      });
      const exited = runCli(
        'Connect-Partner',
        [
          '-UseDeviceAuthentication',
          '-ApplicationId',
          partner.emulator.applicationId,
          '-Tenant',
          partner.emulator.tenantId,
          ...endpoints,
          '-ContextName',
          'device',
        ],
        {
          env: partner.env,
          onOutput: (output) => {
            if (/code/i.test(output.stderr)) codeShown(output);
          },
        },
      );
      const atCode = await Promise.race([shown, exited]);
      expect(atCode.stderr).toMatch(/code/i);
      expect(atCode.stdout).toBe('');
      expect(partner.emulator.approveDeviceCode()).toBe(1);
      const { code, stdout } = await exited;
      expect(code).toBe(0);
      const [view] = parseNdjson(stdout);
      expect(view).toMatchObject({
        name: 'device',
        authentication: 'User',
        account: partner.emulator.user.userPrincipalName,
        tenantId: partner.emulator.tenantId,
      });

      await listsWithStoredToken('device');

      // Expire the stored access token: the next run (in this process, which holds nothing of the
      // sign-in's process) renews it through MSAL's persisted cache, without a prompt.
      expireStoredToken('device');
      const renewed = await partner.runInProcess('Get-PartnerCustomer', [
        '-Context',
        'device',
        '-Verbose',
      ]);
      expect(renewed.stderr).toMatch(/Renewing the access token/);
      expect(renewed.code).toBe(0);
      expect(parseNdjson(renewed.stdout)).toHaveLength(12);
      expect(partner.emulator.counters().requests['POST /{tenant}/oauth2/v2.0/devicecode']).toBe(1);
      expect(statSync(join(partner.configDir, 'tokens', 'device.msal.json')).mode & 0o777).toBe(
        0o600,
      );
    },
  );

  it(
    "searches an indirect reseller's customers with the user (App+User) " +
      'sign-in; app-only is refused',
    async () => {
      const customersOf = (reseller: string) =>
        partner.emulator.customers
          .filter((c) => c.associatedPartnerId === reseller)
          .map((c) => c.id);
      const reseller = partner.emulator.indirectResellers.find((id) => customersOf(id).length > 0)!;
      const expected = customersOf(reseller);
      expect(expected.length).toBeGreaterThan(0);
      const found = await partner.runInProcess('Get-PartnerCustomer', [
        '-Context',
        'device',
        '-ResellerId',
        reseller,
      ]);
      expect(found.stderr).toBe('');
      expect(found.code).toBe(0);
      expect(parseNdjson(found.stdout).map((c) => c.id)).toEqual(expected);

      // The service-principal sign-in as a process is session.spec.ts's: here in-process.
      expect(
        (
          await partner.runInProcess('Connect-Partner', [
            ...partner.connectArgs,
            '-ContextName',
            'apponly',
          ])
        ).code,
      ).toBe(0);
      const refused = await partner.runInProcess('Get-PartnerCustomer', [
        '-Context',
        'apponly',
        '-ResellerId',
        reseller,
      ]);
      expect(refused.code).toBe(3);
      expect(refused.stdout).toBe('');
      expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    },
  );

  it(
    'signs in through a browser when a person is at a terminal (a real pty; ' +
      'the "browser" follows the redirects)',
    async () => {
      partner.emulator.configure({ autoApproveAuthorization: true });
      const browser = join(partner.configDir, 'browser');
      // xdg-open (bundled with the `open` package) hands the URL to $BROWSER: curl plays the person
      // who signs in.
      writeFileSync(
        browser,
        `#!/bin/sh\nexec curl -s -L --max-redirs 5 --cacert '${partner.emulator.caCertificatePath}' ` +
          '-o /dev/null "$1"\n',
        { mode: 0o700 },
      );
      const env: NodeJS.ProcessEnv = { ...partner.env, BROWSER: browser };
      const command = [
        binPath('Connect-Partner'),
        '-ApplicationId',
        partner.emulator.applicationId,
        '-Tenant',
        partner.emulator.tenantId,
        ...endpoints,
        '-ContextName',
        'browser',
      ].join(' ');
      const output = (await runOnTerminal(command, { env })).stdout;
      partner.emulator.configure({ autoApproveAuthorization: false });
      // On a terminal the context is shown as a list (about_OutputFormats).
      const view = Object.fromEntries(
        output
          .split(/\r?\n/)
          .map((line) => /^(\w+) +: (.*)$/.exec(line))
          .filter((match) => match !== null)
          .map((match) => [match[1], match[2]]),
      );
      expect(view).toMatchObject({
        name: 'browser',
        authentication: 'User',
        account: partner.emulator.user.userPrincipalName,
      });
      await listsWithStoredToken('browser');
    },
  );

  it('refuses a browser sign-in when nobody is at a terminal (exit 2, no prompt)', async () => {
    // In this process stderr is no terminal, as in a process whose output is collected.
    const result = await partner.runInProcess('Connect-Partner', [
      '-Tenant',
      partner.emulator.tenantId,
      ...endpoints,
      '-ContextName',
      'browser',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/not interactive.*-UseDeviceAuthentication/);
  });
});

describe('Connect-Partner -ServicePrincipal -CertificatePath', () => {
  it('signs in with a client assertion, lists, reuses and renews', async () => {
    const certificate = clientCertificate();
    partner.emulator.configure({ tokenLifetimes: { clientAssertion: 3600 } });
    const connected = await partner.run('Connect-Partner', [
      '-ServicePrincipal',
      '-ApplicationId',
      partner.emulator.applicationId,
      '-Tenant',
      partner.emulator.tenantId,
      '-CertificatePath',
      certificate.certificatePath,
      ...endpoints,
      '-ContextName',
      'cert',
    ]);
    expect(connected.stderr).toBe('');
    expect(connected.code).toBe(0);
    expect(parseNdjson(connected.stdout)[0]).toMatchObject({
      authentication: 'ServicePrincipalCertificate',
    });
    await listsWithStoredToken('cert');
    expireStoredToken('cert');
    const before = tokenGrants(partner);
    const renewed = await partner.runInProcess('Get-PartnerCustomer', ['-Context', 'cert']);
    expect(renewed.stderr).toBe('');
    expect(renewed.code).toBe(0);
    expect(tokenGrants(partner)).toBe(before + 1);
    const tokens = readFileSync(join(partner.configDir, 'tokens', 'cert.json'), 'utf8');
    expect(tokens).not.toContain('PRIVATE KEY');
  });

  it('reads a password-protected .pfx through openssl, in memory', async () => {
    const certificate = clientCertificate();
    const pfx = join(partner.configDir, 'app.pfx');
    execFileSync('openssl', [
      'pkcs12',
      '-export',
      '-in',
      certificate.certificatePath,
      '-out',
      pfx,
      '-passout',
      'pass:pfx-pass-1',
    ]);
    const env = { ...partner.env, PARTNERCENTER_CERTIFICATE_PASSWORD: 'pfx-pass-1' };
    const args = [
      '-ServicePrincipal',
      '-ApplicationId',
      partner.emulator.applicationId,
      '-Tenant',
      partner.emulator.tenantId,
      '-CertificatePath',
      pfx,
      ...endpoints,
      '-ContextName',
      'pfx',
    ];
    const connected = await runCli('Connect-Partner', args, { env });
    expect(connected.stderr).toBe('');
    expect(connected.code).toBe(0);
    const wrong = await runInProcessWith(
      { ...env, PARTNERCENTER_CERTIFICATE_PASSWORD: 'nope-nope' },
      'Connect-Partner',
      args,
    );
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/wrong -CertificatePassword/);
  });
});

describe('Connect-Partner -RefreshToken (secure application model)', () => {
  it('redeems the refresh token, stores the rotated one, and renews with it', async () => {
    const original = partner.emulator.issueRefreshToken();
    const connected = await partner.run('Connect-Partner', [
      '-RefreshToken',
      original,
      '-ApplicationId',
      partner.emulator.applicationId,
      '-Tenant',
      partner.emulator.tenantId,
      ...endpoints,
      '-ContextName',
      'sam',
    ]);
    expect(connected.stderr).toMatch(
      /^WARNING: -RefreshToken on the command line can be seen by other users/,
    );
    expect(connected.code).toBe(0);
    expect(connected.stdout).not.toContain(original);
    const stored = JSON.parse(readFileSync(join(partner.configDir, 'tokens', 'sam.json'), 'utf8'));
    expect(stored.refreshToken).toBeDefined();
    expect(stored.refreshToken).not.toBe(original);
    await listsWithStoredToken('sam');

    const expired = expireStoredToken('sam');
    const renewed = await partner.runInProcess('Get-PartnerCustomer', ['-Context', 'sam']);
    expect(renewed.stderr).toBe('');
    expect(renewed.code).toBe(0);
    const after = JSON.parse(readFileSync(join(partner.configDir, 'tokens', 'sam.json'), 'utf8'));
    expect(after.refreshToken).not.toBe(expired.refreshToken);
  });

  it('explains a refresh token that needs MFA, keeping AADSTS50076', async () => {
    // The refresh-token sign-in ran as a process above: its refusals run in-process.
    const token = partner.emulator.issueRefreshToken({ mfaRequired: true });
    const result = await partner.runInProcess('Connect-Partner', [
      '-RefreshToken',
      token,
      '-ApplicationId',
      partner.emulator.applicationId,
      '-Tenant',
      partner.emulator.tenantId,
      ...endpoints,
      '-ContextName',
      'mfa',
    ]);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/Multi-factor authentication is required.*AADSTS50076/);
    expect(result.stderr).not.toContain(token);
  });

  it('explains a tenant that does not exist, keeping AADSTS90002', async () => {
    const result = await partner.runInProcess('Connect-Partner', [
      '-ServicePrincipal',
      '-ApplicationId',
      partner.emulator.applicationId,
      '-Tenant',
      'nosuchtenant.onmicrosoft.com',
      ...endpoints,
      '-ContextName',
      'notenant',
    ]);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/tenant was not found.*AADSTS90002/);
  });

  it('explains a revoked refresh token', async () => {
    const token = partner.emulator.issueRefreshToken();
    partner.emulator.revokeRefreshTokens(token);
    const result = await partner.runInProcess('Connect-Partner', [
      '-RefreshToken',
      token,
      '-ApplicationId',
      partner.emulator.applicationId,
      '-Tenant',
      partner.emulator.tenantId,
      ...endpoints,
      '-ContextName',
      'revoked',
    ]);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/AADSTS\d+/);
  });
});

describe('Connect-Partner -Identity', () => {
  it('signs in through the App Service managed identity endpoint', async () => {
    const env = {
      ...partner.env,
      IDENTITY_ENDPOINT: partner.emulator.identityEndpoint,
      IDENTITY_HEADER: partner.emulator.identityHeader,
    };
    const connected = await runCli(
      'Connect-Partner',
      ['-Identity', ...endpoints, '-ContextName', 'msi'],
      { env },
    );
    expect(connected.stderr).toBe('');
    expect(connected.code).toBe(0);
    expect(parseNdjson(connected.stdout)[0]).toMatchObject({
      authentication: 'ManagedIdentity',
      tenantId: partner.emulator.tenantId,
    });
    const listed = await runInProcessWith(env, 'Get-PartnerCustomer', ['-Context', 'msi']);
    expect(listed.code).toBe(0);
    expect(parseNdjson(listed.stdout)).toHaveLength(12);
  });

  it('uses a user-assigned identity given by -ClientId', async () => {
    const env = {
      ...partner.env,
      IDENTITY_ENDPOINT: partner.emulator.identityEndpoint,
      IDENTITY_HEADER: partner.emulator.identityHeader,
    };
    // A process: @azure/identity's ManagedIdentityCredential reads IDENTITY_ENDPOINT from the
    // process's own environment, which a run in this process cannot be given.
    const connected = await runCli(
      'Connect-Partner',
      [
        '-Identity',
        '-ClientId',
        partner.emulator.userAssignedIdentityClientId,
        ...endpoints,
        '-ContextName',
        'msi-user',
      ],
      { env },
    );
    expect(connected.code).toBe(0);
    expect(parseNdjson(connected.stdout)[0]).toMatchObject({
      applicationId: partner.emulator.userAssignedIdentityClientId,
    });
    const recent = partner.emulator
      .recentRequests(10)
      .filter((r) => r.url.startsWith('/msi/token'));
    expect(recent.at(-1)!.url).toContain(partner.emulator.userAssignedIdentityClientId);
  });

  it('says so when this machine has no managed identity', async () => {
    // A process, for the same reason: the environment it is given is the one the credential reads.
    const result = await partner.run('Connect-Partner', [
      '-Identity',
      ...endpoints,
      '-ContextName',
      'nomsi',
    ]);
    expect(result.code).toBe(3);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('Connect-Partner -FromEnvironment', () => {
  it('needs no flags, and never writes the secret to disk', async () => {
    const env: NodeJS.ProcessEnv = {
      ...partner.env,
      PARTNERCENTER_APPLICATION_ID: partner.emulator.applicationId,
      PARTNERCENTER_TENANT: partner.emulator.tenantDomain,
      PARTNERCENTER_API_ENDPOINT: partner.emulator.apiEndpoint,
      PARTNERCENTER_AUTHORITY_HOST: partner.emulator.authorityHost,
      PARTNERCENTER_CA_CERTIFICATE_PATH: partner.emulator.caCertificatePath!,
    };
    // In-process: the settings are read from the environment the run is given (a runbook's
    // process environment), and the credential is the service principal's of session.spec.ts.
    const connected = await runInProcessWith(env, 'Connect-Partner', [
      '-FromEnvironment',
      '-ContextName',
      'runbook',
    ]);
    expect(connected.stderr).toBe('');
    expect(connected.code).toBe(0);
    expect(parseNdjson(connected.stdout)[0]).toMatchObject({
      secretSource: 'Environment',
      tenantId: partner.emulator.tenantId,
    });
    const runbookFiles = filesUnder(partner.configDir).filter((file) =>
      /[/\\]runbook(\.msal)?\.json$/.test(file),
    );
    expect(runbookFiles).toHaveLength(2); // its context and its token store (access token only)
    for (const file of runbookFiles)
      expect(readFileSync(file, 'utf8')).not.toContain(partner.emulator.clientSecret);
    const listed = await runInProcessWith(env, 'Get-PartnerCustomer', ['-Context', 'runbook']);
    expect(listed.code).toBe(0);

    // Renewal reads the secret from the environment again; without it the error names the variable.
    expireStoredToken('runbook');
    const withoutSecret = { ...env };
    delete withoutSecret.PARTNERCENTER_CLIENT_SECRET;
    const failed = await runInProcessWith(withoutSecret, 'Get-PartnerCustomer', [
      '-Context',
      'runbook',
    ]);
    expect(failed.code).toBe(3);
    expect(failed.stderr).toMatch(/PARTNERCENTER_CLIENT_SECRET/);
    const renewed = await runInProcessWith(env, 'Get-PartnerCustomer', ['-Context', 'runbook']);
    expect(renewed.code).toBe(0);
  });

  it('says what is missing when the environment holds no credential', async () => {
    const result = await runInProcessWith(
      { ...partner.env, PARTNERCENTER_CLIENT_SECRET: '' },
      'Connect-Partner',
      ['-FromEnvironment'],
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/PARTNERCENTER_CLIENT_SECRET/);
  });
});

describe('named contexts', () => {
  it('connects two, selects, overrides per command and per runbook, and disconnects all', async () => {
    // A context connected by name leaves an existing default alone; -SetDefault moves it. The
    // service-principal sign-in runs as a process in session.spec.ts: here in-process.
    for (const [name, more] of [
      ['alpha', []],
      ['beta', ['-SetDefault']],
    ] as const) {
      expect(
        (
          await partner.runInProcess('Connect-Partner', [
            ...partner.connectArgs,
            '-ContextName',
            name,
            ...more,
          ])
        ).code,
      ).toBe(0);
    }
    const listed = parseNdjson(
      (await partner.runInProcess('Get-PartnerContext', ['-ListAvailable'])).stdout,
    );
    expect(listed.map((c) => c.name)).toEqual(expect.arrayContaining(['alpha', 'beta']));
    expect(listed.filter((c) => c.isDefault).map((c) => c.name)).toEqual(['beta']);

    expect((await partner.runInProcess('Select-PartnerContext', ['alpha'])).code).toBe(0);
    const selected = await partner.runInProcess('Get-PartnerContext');
    const perCommand = await partner.runInProcess('Get-PartnerContext', ['-Context', 'beta']);
    const perRunbook = await runInProcessWith(
      { ...partner.env, PARTNERCENTER_CONTEXT: 'beta' },
      'Get-PartnerContext',
      [],
    );
    const missing = await partner.runInProcess('Select-PartnerContext', ['nope']);
    const environments = await partner.runInProcess('Get-PartnerEnvironment');
    expect(parseNdjson(selected.stdout)[0]!.name).toBe('alpha');
    expect(parseNdjson(perCommand.stdout)[0]!.name).toBe('beta');
    expect(parseNdjson(perRunbook.stdout)[0]!.name).toBe('beta');

    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/no saved context named 'nope'.*alpha/);

    const listedEnvironments = parseNdjson(environments.stdout);
    expect(listedEnvironments.slice(0, 3).map((e) => e.name)).toEqual([
      'AzureCloud',
      'AzureChinaCloud',
      'AzureUSGovernment',
    ]);
    // One Custom entry per set of endpoints: the contexts the earlier cases connected without
    // -GraphEndpoint have another Graph, so another entry; alpha and beta share theirs.
    expect(listedEnvironments.slice(3).every((e) => e.name === 'Custom')).toBe(true);
    const shared = listedEnvironments.find((e) =>
      (e.contexts as string[] | undefined)?.includes('alpha'),
    );
    expect(shared).toMatchObject({ graphEndpoint: partner.emulator.graphEndpoint });
    expect(shared!.contexts).toEqual(expect.arrayContaining(['alpha', 'beta']));

    const removed = await partner.runInProcess('Disconnect-Partner', ['-All']);
    expect(removed.code).toBe(0);
    expect(parseNdjson(removed.stdout).every((r) => r.removed === true)).toBe(true);
    expect(
      filesUnder(partner.configDir).filter(
        (f) => f.endsWith('.json') && !f.endsWith('settings.json'),
      ),
    ).toEqual([]);
  });

  it('refuses a context file that other users can read, saying how to fix it', async () => {
    expect(
      (
        await partner.runInProcess('Connect-Partner', [
          ...partner.connectArgs,
          '-ContextName',
          'loose',
        ])
      ).code,
    ).toBe(0);
    const file = join(partner.configDir, 'contexts', 'loose.json');
    chmodSync(file, 0o644);
    const result = await partner.runInProcess('Get-PartnerCustomer', ['-Context', 'loose']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(file);
    expect(result.stderr).toMatch(/chmod 600/);
    chmodSync(file, 0o600);
  });
});
