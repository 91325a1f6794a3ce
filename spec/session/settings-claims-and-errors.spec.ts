/**
 * What lib/session reads and says without a server: settings from the environment and saved
 * contexts, the claims of an access token and a context's view, and a sign-in's failure as one
 * sentence. Each part in its own describe.
 */
import { describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuthenticationError, UsageError } from '../../lib/common/errors.js';
import { ExitCode } from '../../lib/common/exit-codes.js';
import { ContextStore, type PartnerContext } from '../../lib/session/context-store.js';
import { CONTEXT_VIEW_COLUMNS, viewOf } from '../../lib/session/context-view.js';
import {
  environmentVariableFor,
  settingsFromEnvironment,
} from '../../lib/session/environment-settings.js';
import { ENVIRONMENTS, resolveEnvironment } from '../../lib/session/environments.js';
import { accountOf, readAccessTokenClaims } from '../../lib/session/jwt-claims.js';
import { readPreferences } from '../../lib/session/preferences.js';
import { MAX_RETRY_LIMIT, retryOptionsFor } from '../../lib/session/retry-settings.js';
import { translateSignInError } from '../../lib/session/sign-in-errors.js';
import { scratchConfigDir } from '../support/cli.js';
import { thrownAs } from '../support/thrown.js';

/**
 * What lib/session reads from the environment and saved contexts before any request: retry
 * settings, Connect-Partner -FromEnvironment's variables, the clouds' endpoints and the host's
 * preferences. Pure functions over plain objects (the preferences over a scratch directory).
 */
describe('settings', () => {
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
        const saved = { maxRetryWaitSeconds: seconds } as unknown as {
          maxRetryWaitSeconds: number;
        };
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
        expect(await readPreferences(undefined, { ...env, PARTNERCENTER_CONTEXT: 'prod' })).toEqual(
          {
            outputFormat: 'Table',
          },
        );
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
});

/**
 * What lib/session reads out of an access token (readAccessTokenClaims, accountOf) and shows of a
 * context (viewOf): claims are read without verification, and a view never carries a secret.
 */
describe('claims and views', () => {
  const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const jwt = (claims: unknown) =>
    `${segment({ alg: 'RS256', typ: 'JWT' })}.${segment(claims)}.sig`;

  const usageErrorOf = (fn: () => unknown) => thrownAs(fn, UsageError);

  describe('readAccessTokenClaims', () => {
    it('reads the payload of a JWT without verifying it', () => {
      const claims = {
        exp: 1_800_000_000,
        tid: 'tenant',
        aud: 'https://api.partnercenter.microsoft.com',
      };
      expect(readAccessTokenClaims(jwt(claims))).toEqual(claims);
    });

    it.each(['', 'opaque-token', 'a.b', 'a.b.c.d'])('refuses %p: not three parts', (token) => {
      const error = usageErrorOf(() => readAccessTokenClaims(token));
      expect(error.message).toBe('-AccessToken is not a JWT (expected three dot-separated parts).');
      expect(error.hint).toMatch(
        /az account get-access-token --resource https:\/\/api\.partnercenter/,
      );
    });

    it.each([
      ['a payload that is not JSON', `h.${Buffer.from('{not json').toString('base64url')}.s`],
      ['an array payload', jwt([1, 2])],
      ['a null payload', jwt(null)],
      ['a string payload', jwt('claims')],
      ['an empty payload', 'h..s'],
    ])('refuses %s: no readable claims', (_, token) => {
      const error = usageErrorOf(() => readAccessTokenClaims(token));
      expect(error.message).toBe('-AccessToken has no readable claims.');
      expect(error.hint).toBe('Pass a JWT access token issued by Entra ID.');
    });
  });

  describe('accountOf', () => {
    it('names the principal as a person would, best claim first', () => {
      const all = {
        upn: 'admin@contoso.com',
        preferred_username: 'pref@contoso.com',
        unique_name: 'unique@contoso.com',
        appid: 'app-id',
        azp: 'azp-id',
        oid: 'object-id',
      };
      expect(accountOf(all)).toBe('admin@contoso.com');
      const { upn: _u, ...noUpn } = all;
      expect(accountOf(noUpn)).toBe('pref@contoso.com');
      const { preferred_username: _p, ...noPreferred } = noUpn;
      expect(accountOf(noPreferred)).toBe('unique@contoso.com');
      const { unique_name: _n, ...appOnly } = noPreferred;
      expect(accountOf(appOnly)).toBe('app-id');
      expect(accountOf({ azp: 'azp-id', oid: 'object-id' })).toBe('azp-id');
      expect(accountOf({ oid: 'object-id' })).toBe('object-id');
      expect(accountOf({ tid: 'tenant' })).toBeUndefined();
    });
  });

  describe('viewOf', () => {
    const context: PartnerContext = {
      name: 'prod',
      environment: resolveEnvironment('AzureCloud', { apiEndpoint: 'https://127.0.0.1:8443/' }),
      caCertificatePath: '/etc/pc/ca.pem',
      tenantId: '00000000-0000-0000-0000-0000000000aa',
      authentication: 'RefreshToken',
      applicationId: '00000000-0000-0000-0000-000000000001',
      secretSource: 'TokenStore',
      certificatePath: '/etc/pc/app.pem',
      account: 'admin@contoso.com',
      connectedAt: '2026-01-01T00:00:00.000Z',
      outputFormat: 'Table',
      maxRetry: 2,
    };
    const secrets = {
      accessToken: { token: 'SECRET-ACCESS-TOKEN', expiresOnTimestamp: Date.UTC(2026, 0, 1, 1) },
      clientSecret: 'SECRET-CLIENT',
      certificatePassword: 'SECRET-PFX',
      refreshToken: 'SECRET-REFRESH',
    };

    it('shows what the context is, when its token expires, and its saved settings', () => {
      expect(viewOf(context, secrets, true)).toEqual({
        name: 'prod',
        isDefault: true,
        environment: 'Custom',
        apiEndpoint: 'https://127.0.0.1:8443',
        authorityHost: 'https://login.microsoftonline.com',
        graphEndpoint: 'https://graph.microsoft.com',
        tenantId: '00000000-0000-0000-0000-0000000000aa',
        account: 'admin@contoso.com',
        authentication: 'RefreshToken',
        applicationId: '00000000-0000-0000-0000-000000000001',
        secretSource: 'TokenStore',
        caCertificatePath: '/etc/pc/ca.pem',
        connectedAt: '2026-01-01T00:00:00.000Z',
        tokenExpiresOn: '2026-01-01T01:00:00.000Z',
        // What Set-PartnerContext saved, under its parameters' names.
        defaultOutputFormat: 'Table',
        maxRetry: 2,
      });
    });

    it('never carries a secret, nor the token, in any field', () => {
      const text = JSON.stringify(viewOf(context, secrets, false));
      for (const secret of ['SECRET-ACCESS-TOKEN', 'SECRET-CLIENT', 'SECRET-PFX', 'SECRET-REFRESH'])
        expect(text).not.toContain(secret);
    });

    it('leaves out what a context does not have, rather than showing undefined', () => {
      const bare: PartnerContext = {
        name: 'token',
        environment: resolveEnvironment(undefined, {}),
        tenantId: 't',
        authentication: 'AccessToken',
        connectedAt: '2026-01-01T00:00:00.000Z',
      };
      const view = viewOf(bare, {}, false);
      expect(Object.keys(view).sort()).toEqual(
        [
          'apiEndpoint',
          'authentication',
          'authorityHost',
          'connectedAt',
          'environment',
          'graphEndpoint',
          'isDefault',
          'name',
          'tenantId',
        ].sort(),
      );
      expect(view.environment).toBe('AzureCloud');
    });

    it('has table columns that name fields of the view', () => {
      const view = viewOf(context, secrets, true) as unknown as Record<string, unknown>;
      for (const column of CONTEXT_VIEW_COLUMNS) expect(view[column.path]).toBeDefined();
    });
  });
});

/**
 * translateSignInError: whatever @azure/identity, MSAL or our own refresh-token grant throws
 * becomes one AuthenticationError sentence, Entra's AADSTS code kept. The errors are built the way
 * those libraries shape them (message, errorResponse.errorDescription, cause chains).
 */
describe('sign-in errors', () => {
  const AUTHORITY = 'https://login.microsoftonline.com';

  /** The shape of MSAL's ServerError: a terse message, Entra's text in errorResponse. */
  function msalServerError(message: string, errorDescription: string): Error {
    return Object.assign(new Error(message), { errorResponse: { errorDescription } });
  }

  describe('translateSignInError', () => {
    it.each([
      ['7000215', 'The client secret is wrong.', /copy the secret value, not its id/],
      ['7000222', 'The client secret has expired.', /Create a new secret/],
      [
        '700016',
        'The application was not found in the tenant.',
        /Check -ApplicationId and -Tenant/,
      ],
      ['90002', 'The tenant was not found.', /contoso\.onmicrosoft\.com/],
      ['50076', 'Multi-factor authentication is required.', /-UseDeviceAuthentication/],
      ['700082', 'The refresh token has expired from inactivity.', /Sign in interactively again/],
      ['70008', 'The refresh token or authorization code has expired.', /Sign in interactively/],
      ['65001', 'The application has not been granted consent in the tenant.', /grant consent/],
      [
        '700024',
        'The client assertion is not within its valid time range: this clock may be wrong.',
        /clock/,
      ],
      ['500011', 'The resource (Partner Center API) was not found in the tenant.', /-Environment/],
    ])('says what AADSTS%s means in one line and keeps the code', (code, meaning, hint) => {
      const thrown = new Error(
        `AADSTS${code}: Entra's long text.\r\nTrace ID: 1234\r\nTimestamp: now`,
      );
      const error = translateSignInError(thrown, AUTHORITY);
      expect(error).toBeInstanceOf(AuthenticationError);
      expect(error.exitCode).toBe(ExitCode.Authentication);
      expect(error.message).toBe(`Sign-in failed: ${meaning} (AADSTS${code})`);
      expect(error.aadstsCode).toBe(code);
      expect(error.hint).toMatch(hint);
      expect(error.cause).toBe(thrown);
    });

    it('finds the code in MSAL error responses and in causes', () => {
      const server = msalServerError(
        'invalid_client',
        'AADSTS7000222: The provided client secret keys are expired.',
      );
      expect(translateSignInError(server, AUTHORITY).aadstsCode).toBe('7000222');
      const wrapped = new Error('ClientSecretCredential authentication failed.', {
        cause: new Error('invalid_request', { cause: new Error('AADSTS90002: Tenant not found.') }),
      });
      expect(translateSignInError(wrapped, AUTHORITY).message).toBe(
        'Sign-in failed: The tenant was not found. (AADSTS90002)',
      );
    });

    it("reads Entra's own answer only when what was thrown lost the code", () => {
      const lost = new Error('invalid_grant');
      const answer = 'AADSTS50076: Due to a configuration change made by your administrator...';
      expect(translateSignInError(lost, AUTHORITY, answer).aadstsCode).toBe('50076');
      const kept = new Error('AADSTS700016: Application not found.');
      expect(translateSignInError(kept, AUTHORITY, answer).aadstsCode).toBe('700016');
    });

    it('quotes the first line of a code it does not know, capped, and keeps the code', () => {
      const error = translateSignInError(
        new Error(
          `Failed. AADSTS53003: Access has been blocked by Conditional Access.\nTrace ID: 9`,
        ),
        AUTHORITY,
      );
      expect(error.message).toBe(
        'Sign-in failed: AADSTS53003: Access has been blocked by Conditional Access.',
      );
      expect(error.aadstsCode).toBe('53003');
      expect(error.hint).toBe('Look the code up in the Entra ID sign-in error reference.');
      const long = translateSignInError(new Error(`AADSTS1: ${'x'.repeat(500)}`), AUTHORITY);
      expect(long.message).toHaveLength('Sign-in failed: '.length + 300);
    });

    it.each([
      ['connect ECONNREFUSED 127.0.0.1:1', 'connection refused', /-AuthorityHost \/ -Environment/],
      ['getaddrinfo ENOTFOUND login.example', 'host name not found', /the network/],
      ['getaddrinfo EAI_AGAIN login.example', 'host name not found', /the network/],
      [
        'endpoints_resolution_error: Could not resolve endpoints.',
        'the OpenID configuration could not be fetched',
        /the network/,
      ],
      [
        'request to https://x failed: self-signed certificate',
        'untrusted TLS certificate',
        /-CaCertificatePath/,
      ],
    ])('names the authority it cannot reach: %s', (text, reason, hint) => {
      const error = translateSignInError(new Error(text), 'https://127.0.0.1:1');
      expect(error.message).toBe(
        `Sign-in failed: cannot reach the authority https://127.0.0.1:1 (${reason}).`,
      );
      expect(error.hint).toMatch(hint);
      expect(error.aadstsCode).toBeUndefined();
    });

    it('names a broken connection as the network, not the sign-in parameters', () => {
      // What an interactive sign-in (not retried: it would prompt again) meets when an answer is cut.
      const error = translateSignInError(
        new Error('network_error: See https://aka.ms/msal.js.errors#network_error for details'),
        AUTHORITY,
      );
      expect(error.message).toBe(
        `Sign-in failed: the connection to the authority ${AUTHORITY} broke (network_error: See ` +
          'https://aka.ms/msal.js.errors#network_error for details).',
      );
      expect(error.hint).toBe('The network or Entra ID failed: try again.');
    });

    it('falls back to the first line of anything else, thrown values included', () => {
      const error = translateSignInError(
        new Error('User cancelled the flow.\nstack...'),
        AUTHORITY,
      );
      expect(error.message).toBe('Sign-in failed: User cancelled the flow.');
      expect(error.hint).toBe('Check the sign-in parameters and try again.');
      expect(translateSignInError('plain text', AUTHORITY).message).toBe(
        'Sign-in failed: plain text',
      );
    });
  });
});
