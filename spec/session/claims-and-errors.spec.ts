/**
 * What lib/session makes of Entra's answers: the claims of an access token, a context's view, and
 * a sign-in's failure as one sentence. No server; each part in its own describe.
 */
import { describe, expect, it } from '@jest/globals';
import { AuthenticationError, UsageError } from '../../lib/common/errors.js';
import { ExitCode } from '../../lib/common/exit-codes.js';
import type { PartnerContext } from '../../lib/session/context-store.js';
import { CONTEXT_VIEW_COLUMNS, viewOf } from '../../lib/session/context-view.js';
import { resolveEnvironment } from '../../lib/session/environments.js';
import { accountOf, readAccessTokenClaims } from '../../lib/session/jwt-claims.js';
import { translateSignInError } from '../../lib/session/sign-in-errors.js';
import { thrownAs } from '../support/thrown.js';

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
