/**
 * What lib/session reads out of an access token (readAccessTokenClaims, accountOf) and shows of a
 * context (viewOf): claims are read without verification, and a view never carries a secret.
 */
import { thrownAs } from '../support/thrown.js';
import { describe, expect, it } from '@jest/globals';
import { UsageError } from '../../lib/common/errors.js';
import type { PartnerContext } from '../../lib/session/context-store.js';
import { CONTEXT_VIEW_COLUMNS, viewOf } from '../../lib/session/context-view.js';
import { resolveEnvironment } from '../../lib/session/environments.js';
import { accountOf, readAccessTokenClaims } from '../../lib/session/jwt-claims.js';

const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const jwt = (claims: unknown) => `${segment({ alg: 'RS256', typ: 'JWT' })}.${segment(claims)}.sig`;

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
