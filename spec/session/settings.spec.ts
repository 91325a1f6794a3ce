/**
 * What lib/session reads from the environment and saved contexts before any request: retry
 * settings, Connect-Partner -FromEnvironment's variables, the clouds' endpoints and the host's
 * preferences. Pure functions over plain objects (the preferences over a scratch directory).
 */
import { thrownAs } from '../support/thrown.js';
import { describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../lib/common/errors.js';
import { ContextStore } from '../../lib/session/context-store.js';
import {
  environmentVariableFor,
  settingsFromEnvironment,
} from '../../lib/session/environment-settings.js';
import { ENVIRONMENTS, resolveEnvironment } from '../../lib/session/environments.js';
import { readPreferences } from '../../lib/session/preferences.js';
import { MAX_RETRY_LIMIT, retryOptionsFor } from '../../lib/session/retry-settings.js';
import { scratchConfigDir } from '../support/cli.js';

const APP_ID = '00000000-0000-0000-0000-000000000001';

const usageErrorOf = (fn: () => unknown) => thrownAs(fn, UsageError);

describe('retryOptionsFor', () => {
  it('leaves everything to the client defaults when nothing is given', () => {
    expect(retryOptionsFor(undefined, {}, {})).toEqual({
      maxAttempts: undefined,
      maxTotalWaitMs: undefined,
      requestTimeoutMs: undefined,
      baseDelayMs: undefined,
    });
  });

  it('counts attempts from -MaxRetry first, else the saved setting', () => {
    expect(retryOptionsFor(2, { maxRetry: 5 }, {}).maxAttempts).toBe(3);
    expect(retryOptionsFor(0, { maxRetry: 5 }, {}).maxAttempts).toBe(1);
    expect(retryOptionsFor(undefined, { maxRetry: 5 }, {}).maxAttempts).toBe(6);
    expect(retryOptionsFor(undefined, { maxRetry: MAX_RETRY_LIMIT }, {}).maxAttempts).toBe(21);
    // PARTNERCENTER_MAX_RETRY is the binder's fallback for -MaxRetry, never read here.
    expect(
      retryOptionsFor(undefined, { maxRetry: 4 }, { PARTNERCENTER_MAX_RETRY: '1' }).maxAttempts,
    ).toBe(5);
  });

  it.each([-1, 21, 2.5e9, Number.NaN, Number.POSITIVE_INFINITY, '3', null, true])(
    'falls back to the default for a nonsense saved maxRetry %p',
    (maxRetry) => {
      const saved = { maxRetry } as unknown as { maxRetry: number };
      expect(retryOptionsFor(undefined, saved, {}).maxAttempts).toBeUndefined();
    },
  );

  it.each([-1, 86_401, Number.NaN, '60', null])(
    'falls back to the default for a nonsense saved maxRetryWaitSeconds %p',
    (seconds) => {
      const saved = { maxRetryWaitSeconds: seconds } as unknown as { maxRetryWaitSeconds: number };
      expect(retryOptionsFor(undefined, saved, {}).maxTotalWaitMs).toBeUndefined();
    },
  );

  it('takes the total wait from PARTNERCENTER_MAX_RETRY_WAIT first, else the saved setting', () => {
    const saved = { maxRetryWaitSeconds: 10 };
    expect(retryOptionsFor(undefined, saved, {}).maxTotalWaitMs).toBe(10_000);
    const env = { PARTNERCENTER_MAX_RETRY_WAIT: '30' };
    expect(retryOptionsFor(undefined, saved, env).maxTotalWaitMs).toBe(30_000);
    expect(retryOptionsFor(undefined, saved, { PARTNERCENTER_MAX_RETRY_WAIT: ' 1.5 ' })).toEqual(
      expect.objectContaining({ maxTotalWaitMs: 1500 }),
    );
    expect(
      retryOptionsFor(undefined, saved, { PARTNERCENTER_MAX_RETRY_WAIT: '  ' }).maxTotalWaitMs,
    ).toBe(10_000);
    expect(
      retryOptionsFor(undefined, {}, { PARTNERCENTER_MAX_RETRY_WAIT: '0' }).maxTotalWaitMs,
    ).toBe(0);
  });

  it('reads the request timeout and the first backoff step as milliseconds', () => {
    const options = retryOptionsFor(
      undefined,
      {},
      { PARTNERCENTER_REQUEST_TIMEOUT_MS: '2500', PARTNERCENTER_RETRY_BASE_DELAY_MS: '0' },
    );
    expect(options.requestTimeoutMs).toBe(2500);
    expect(options.baseDelayMs).toBe(0);
  });

  it.each([
    ['PARTNERCENTER_MAX_RETRY_WAIT', '86400', 86_400_000, 'maxTotalWaitMs'],
    ['PARTNERCENTER_REQUEST_TIMEOUT_MS', '1', 1, 'requestTimeoutMs'],
    ['PARTNERCENTER_REQUEST_TIMEOUT_MS', '3600000', 3_600_000, 'requestTimeoutMs'],
    ['PARTNERCENTER_RETRY_BASE_DELAY_MS', '600000', 600_000, 'baseDelayMs'],
  ] as const)('accepts %s=%s, the edge of its range', (variable, text, value, key) => {
    expect(retryOptionsFor(undefined, {}, { [variable]: text })[key]).toBe(value);
  });

  it.each([
    ['PARTNERCENTER_MAX_RETRY_WAIT', '86401', 0, 86400],
    ['PARTNERCENTER_MAX_RETRY_WAIT', '-1', 0, 86400],
    ['PARTNERCENTER_MAX_RETRY_WAIT', '1e3', 0, 86400],
    ['PARTNERCENTER_MAX_RETRY_WAIT', 'ten', 0, 86400],
    ['PARTNERCENTER_REQUEST_TIMEOUT_MS', '0', 1, 3600000],
    ['PARTNERCENTER_REQUEST_TIMEOUT_MS', '3600001', 1, 3600000],
    ['PARTNERCENTER_REQUEST_TIMEOUT_MS', '0x10', 1, 3600000],
    ['PARTNERCENTER_RETRY_BASE_DELAY_MS', '600001', 0, 600000],
    ['PARTNERCENTER_RETRY_BASE_DELAY_MS', '5ms', 0, 600000],
  ] as const)('refuses %s=%s, naming the range', (variable, text, low, high) => {
    const error = usageErrorOf(() => retryOptionsFor(3, {}, { [variable]: text }));
    expect(error.message).toBe(
      `Environment variable ${variable} is "${text}", which is not a number from ${low} to ${high}.`,
    );
    expect(error.hint).toBe(`Set ${variable} to a number from ${low} to ${high}, or unset it.`);
  });

  it('quotes at most 40 characters of a bad value', () => {
    const error = usageErrorOf(() =>
      retryOptionsFor(undefined, {}, { PARTNERCENTER_RETRY_BASE_DELAY_MS: 'x'.repeat(100) }),
    );
    expect(error.message).toContain(`"${'x'.repeat(40)}",`);
  });
});

describe('environmentVariableFor', () => {
  it.each([
    ['AccessToken', 'PARTNERCENTER_ACCESS_TOKEN'],
    ['RefreshToken', 'PARTNERCENTER_REFRESH_TOKEN'],
    ['ApplicationId', 'PARTNERCENTER_APPLICATION_ID'],
    ['Tenant', 'PARTNERCENTER_TENANT'],
    ['ClientSecret', 'PARTNERCENTER_CLIENT_SECRET'],
    ['CertificatePath', 'PARTNERCENTER_CERTIFICATE_PATH'],
    ['CertificatePassword', 'PARTNERCENTER_CERTIFICATE_PASSWORD'],
    ['Environment', 'PARTNERCENTER_ENVIRONMENT'],
    ['ApiEndpoint', 'PARTNERCENTER_API_ENDPOINT'],
    ['AuthorityHost', 'PARTNERCENTER_AUTHORITY_HOST'],
    ['CaCertificatePath', 'PARTNERCENTER_CA_CERTIFICATE_PATH'],
  ])('names -%s %s', (parameter, variable) => {
    expect(environmentVariableFor(parameter)).toBe(variable);
  });
});

describe('settingsFromEnvironment', () => {
  const servicePrincipal = {
    PARTNERCENTER_APPLICATION_ID: APP_ID,
    PARTNERCENTER_TENANT: 'contoso.onmicrosoft.com',
    PARTNERCENTER_CLIENT_SECRET: 's3cret',
  };

  it('reads every PARTNERCENTER_ setting', () => {
    expect(
      settingsFromEnvironment({
        ...servicePrincipal,
        PARTNERCENTER_CERTIFICATE_PASSWORD: 'pfx-password',
        PARTNERCENTER_ENVIRONMENT: 'azureusgovernment',
        PARTNERCENTER_API_ENDPOINT: 'https://127.0.0.1:8443',
        PARTNERCENTER_AUTHORITY_HOST: 'https://127.0.0.1:8444',
        PARTNERCENTER_CA_CERTIFICATE_PATH: '/tmp/ca.pem',
      }),
    ).toEqual({
      parameterSet: 'ServicePrincipal',
      ApplicationId: APP_ID,
      Tenant: 'contoso.onmicrosoft.com',
      ClientSecret: 's3cret',
      CertificatePassword: 'pfx-password',
      Environment: 'AzureUSGovernment',
      ApiEndpoint: 'https://127.0.0.1:8443',
      AuthorityHost: 'https://127.0.0.1:8444',
      CaCertificatePath: '/tmp/ca.pem',
    });
  });

  it('chooses the sign-in from the credential, in a fixed order', () => {
    const all = {
      ...servicePrincipal,
      PARTNERCENTER_ACCESS_TOKEN: 'a.b.c',
      PARTNERCENTER_REFRESH_TOKEN: 'refresh',
      PARTNERCENTER_CERTIFICATE_PATH: '/tmp/app.pem',
      PARTNERCENTER_IDENTITY: 'true',
    };
    const kind = (env: NodeJS.ProcessEnv) => settingsFromEnvironment(env).parameterSet;
    expect(kind(all)).toBe('AccessToken');
    expect(kind({ ...all, PARTNERCENTER_ACCESS_TOKEN: '' })).toBe('RefreshToken');
    const noToken = { ...all, PARTNERCENTER_ACCESS_TOKEN: '', PARTNERCENTER_REFRESH_TOKEN: '' };
    expect(kind(noToken)).toBe('ServicePrincipal');
    expect(kind({ ...noToken, PARTNERCENTER_CLIENT_SECRET: '' })).toBe(
      'ServicePrincipalCertificate',
    );
    expect(kind({ PARTNERCENTER_ACCESS_TOKEN: 'a.b.c' })).toBe('AccessToken');
  });

  it.each([
    [{ PARTNERCENTER_IDENTITY: 'true' }],
    [{ PARTNERCENTER_IDENTITY: 'YES' }],
    [{ PARTNERCENTER_IDENTITY: '1' }],
    [{ IDENTITY_ENDPOINT: 'http://127.0.0.1:42356/msi/token' }],
    [{ MSI_ENDPOINT: 'http://127.0.0.1:42356/msi/token' }],
  ])('signs in with a managed identity given %p', (env) => {
    expect(settingsFromEnvironment(env)).toEqual({ parameterSet: 'ManagedIdentity' });
  });

  it.each([[{}], [{ PARTNERCENTER_IDENTITY: 'false' }], [{ PARTNERCENTER_CLIENT_SECRET: '' }]])(
    'refuses %p: no credential',
    (env) => {
      const error = usageErrorOf(() => settingsFromEnvironment(env));
      expect(error.message).toBe('-FromEnvironment found no credential in the environment.');
      expect(error.hint).toBe(
        'Set PARTNERCENTER_CLIENT_SECRET, PARTNERCENTER_CERTIFICATE_PATH, ' +
          'PARTNERCENTER_REFRESH_TOKEN or PARTNERCENTER_ACCESS_TOKEN (or ' +
          'PARTNERCENTER_IDENTITY=true for a managed identity).',
      );
    },
  );

  it('refuses an unknown cloud, listing the known ones', () => {
    const error = usageErrorOf(() =>
      settingsFromEnvironment({ ...servicePrincipal, PARTNERCENTER_ENVIRONMENT: 'AzureGermany' }),
    );
    expect(error.message).toBe("PARTNERCENTER_ENVIRONMENT 'AzureGermany' is not a known cloud.");
    expect(error.hint).toBe('Use one of: AzureCloud, AzureChinaCloud, AzureUSGovernment.');
  });

  it('refuses an application id that is not a GUID', () => {
    const error = usageErrorOf(() =>
      settingsFromEnvironment({ ...servicePrincipal, PARTNERCENTER_APPLICATION_ID: 'my-app' }),
    );
    expect(error.message).toBe("PARTNERCENTER_APPLICATION_ID 'my-app' is not a GUID.");
  });

  it.each([
    [
      { PARTNERCENTER_CLIENT_SECRET: 's', PARTNERCENTER_TENANT: 't' },
      'ServicePrincipal',
      'APPLICATION_ID',
    ],
    [
      { PARTNERCENTER_CLIENT_SECRET: 's', PARTNERCENTER_APPLICATION_ID: APP_ID },
      'ServicePrincipal',
      'TENANT',
    ],
    [
      { PARTNERCENTER_CERTIFICATE_PATH: '/c.pem', PARTNERCENTER_APPLICATION_ID: APP_ID },
      'ServicePrincipalCertificate',
      'TENANT',
    ],
    [{ PARTNERCENTER_REFRESH_TOKEN: 'r' }, 'RefreshToken', 'APPLICATION_ID'],
  ])('refuses %p: the %s sign-in needs PARTNERCENTER_%s', (env, kind, missing) => {
    const error = usageErrorOf(() => settingsFromEnvironment(env));
    expect(error.message).toBe(`-FromEnvironment (${kind}) needs PARTNERCENTER_${missing}.`);
    expect(error.hint).toBe('Set it, or connect with explicit parameters.');
  });

  it('lets a refresh token go without a tenant', () => {
    expect(
      settingsFromEnvironment({
        PARTNERCENTER_REFRESH_TOKEN: 'r',
        PARTNERCENTER_APPLICATION_ID: APP_ID,
      }),
    ).toEqual({ parameterSet: 'RefreshToken', RefreshToken: 'r', ApplicationId: APP_ID });
  });
});

describe('resolveEnvironment', () => {
  it('knows the three clouds, AzureCloud by default', () => {
    expect(resolveEnvironment(undefined, {})).toEqual({
      name: 'AzureCloud',
      apiEndpoint: 'https://api.partnercenter.microsoft.com',
      authorityHost: 'https://login.microsoftonline.com',
      audience: 'https://api.partnercenter.microsoft.com',
      graphEndpoint: 'https://graph.microsoft.com',
      graphAudience: 'https://graph.microsoft.com',
    });
    expect(resolveEnvironment('AzureChinaCloud', {})).toEqual({
      name: 'AzureChinaCloud',
      apiEndpoint: 'https://partner.partnercenterapi.microsoftonline.cn',
      authorityHost: 'https://login.chinacloudapi.cn',
      audience: 'https://partner.partnercenterapi.microsoftonline.cn',
      graphEndpoint: 'https://microsoftgraph.chinacloudapi.cn',
      graphAudience: 'https://microsoftgraph.chinacloudapi.cn',
    });
    expect(resolveEnvironment('AzureUSGovernment', {})).toEqual({
      name: 'AzureUSGovernment',
      apiEndpoint: 'https://api.partnercenter.microsoft.com',
      authorityHost: 'https://login.microsoftonline.us',
      audience: 'https://api.partnercenter.microsoft.com',
      graphEndpoint: 'https://graph.microsoft.us',
      graphAudience: 'https://graph.microsoft.us',
    });
  });

  it("makes a custom environment that keeps the named cloud's audience", () => {
    expect(
      resolveEnvironment(undefined, {
        apiEndpoint: 'https://127.0.0.1:8443//',
        authorityHost: 'https://127.0.0.1:8444/',
      }),
    ).toEqual({
      name: 'Custom',
      apiEndpoint: 'https://127.0.0.1:8443',
      authorityHost: 'https://127.0.0.1:8444',
      audience: 'https://api.partnercenter.microsoft.com',
      graphEndpoint: 'https://graph.microsoft.com',
      graphAudience: 'https://graph.microsoft.com',
    });
    expect(
      resolveEnvironment('AzureChinaCloud', { apiEndpoint: 'https://proxy.example/' }),
    ).toEqual({
      name: 'Custom',
      apiEndpoint: 'https://proxy.example',
      authorityHost: 'https://login.chinacloudapi.cn',
      audience: 'https://partner.partnercenterapi.microsoftonline.cn',
      graphEndpoint: 'https://microsoftgraph.chinacloudapi.cn',
      graphAudience: 'https://microsoftgraph.chinacloudapi.cn',
    });
    // -GraphEndpoint alone makes a custom environment too; the Graph audience stays the cloud's.
    expect(
      resolveEnvironment('AzureUSGovernment', { graphEndpoint: 'https://127.0.0.1:9/' }),
    ).toMatchObject({
      name: 'Custom',
      apiEndpoint: 'https://api.partnercenter.microsoft.com',
      graphEndpoint: 'https://127.0.0.1:9',
      graphAudience: 'https://graph.microsoft.us',
    });
    // The named clouds themselves are not changed by a custom one.
    expect(ENVIRONMENTS.AzureChinaCloud.apiEndpoint).toBe(
      'https://partner.partnercenterapi.microsoftonline.cn',
    );
  });
});

describe('readPreferences', () => {
  it('takes PARTNERCENTER_OUTPUT_FORMAT, else the context saved, else nothing', async () => {
    const scratch = scratchConfigDir();
    try {
      const env = { PARTNERCENTER_CONFIG_DIR: scratch.dir };
      expect(await readPreferences(undefined, env)).toEqual({});
      const store = new ContextStore(scratch.dir);
      await store.write({
        name: 'prod',
        environment: ENVIRONMENTS.AzureCloud,
        tenantId: 't',
        authentication: 'AccessToken',
        connectedAt: '2026-01-01T00:00:00.000Z',
        outputFormat: 'Table',
      });
      expect(await readPreferences('prod', env)).toEqual({ outputFormat: 'Table' });
      expect(await readPreferences(undefined, { ...env, PARTNERCENTER_CONTEXT: 'prod' })).toEqual({
        outputFormat: 'Table',
      });
      expect(await readPreferences(undefined, env)).toEqual({});
      await store.setDefault('prod');
      expect(await readPreferences(undefined, env)).toEqual({ outputFormat: 'Table' });
      expect(
        await readPreferences('prod', { ...env, PARTNERCENTER_OUTPUT_FORMAT: 'Json' }),
      ).toEqual({ outputFormat: 'Json' });
      // A damaged context is the command's to report, not the host's before it.
      writeFileSync(join(store.contextsDir, 'prod.json'), '{', { mode: 0o600 });
      expect(await readPreferences('prod', env)).toEqual({});
      expect(await readPreferences('../bad', env)).toEqual({});
    } finally {
      scratch.dispose();
    }
  });
});
