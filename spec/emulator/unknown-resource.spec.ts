/**
 * A token for a resource the directory does not have is refused, as Entra ID refuses it:
 * AADSTS500011, `invalid_resource`, 400 (docs/partner-center-api.md, "Tokens, scopes and sign-in
 * kinds"), on every way a token is asked for; Partner Center's and Graph's own audiences, in every
 * cloud, are still issued.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { StartedEmulator } from '../../lib/emulator/index.js';
import { startEmulator } from '../support/emulator.js';
import { request, requestUrl, type Response } from './support.js';

const UNKNOWN = 'https://unknown.example';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

let emulator: StartedEmulator;
beforeAll(async () => {
  emulator = await startEmulator({ customers: 3 });
});
afterAll(() => emulator?.close());

function expect500011(response: Response, resource = UNKNOWN) {
  expect(response.status).toBe(400);
  expect(response.json).toMatchObject({
    error: 'invalid_resource',
    error_codes: [500011],
    trace_id: expect.stringMatching(GUID),
    correlation_id: expect.stringMatching(GUID),
    error_uri: expect.stringContaining('500011'),
  });
  expect(response.json.error_description).toMatch(
    new RegExp(
      `^AADSTS500011: The resource principal named ${resource} was not found in the tenant`,
    ),
  );
}

const v2 = () => `/${emulator.tenantId}/oauth2/v2.0/token`;
const secret = () => ({ client_id: emulator.applicationId, client_secret: emulator.clientSecret });

describe('a scope of an unknown resource', () => {
  it('is refused for client credentials, v2 scope and v1 resource', async () => {
    expect500011(
      await request(emulator, v2(), {
        body: { grant_type: 'client_credentials', ...secret(), scope: `${UNKNOWN}/.default` },
      }),
    );
    expect500011(
      await request(emulator, `/${emulator.tenantId}/oauth2/token`, {
        body: { grant_type: 'client_credentials', ...secret(), resource: UNKNOWN },
      }),
    );
  });

  it('is refused for a refresh token, delegated or .default, and the refresh token still works', async () => {
    const refreshToken = emulator.issueRefreshToken();
    for (const scope of [`${UNKNOWN}/.default`, `${UNKNOWN}/user_impersonation offline_access`])
      expect500011(
        await request(emulator, v2(), {
          body: { grant_type: 'refresh_token', ...secret(), refresh_token: refreshToken, scope },
        }),
      );
    const good = await request(emulator, v2(), {
      body: {
        grant_type: 'refresh_token',
        ...secret(),
        refresh_token: refreshToken,
        scope: 'https://api.partnercenter.microsoft.com/user_impersonation',
      },
    });
    expect(good.status).toBe(200);
  });

  it('is refused for a password grant and a device-code start', async () => {
    expect500011(
      await request(emulator, v2(), {
        body: {
          grant_type: 'password',
          client_id: emulator.publicClientIds[0],
          username: emulator.user.userPrincipalName,
          password: emulator.user.password,
          scope: `${UNKNOWN}/user_impersonation`,
        },
      }),
    );
    expect500011(
      await request(emulator, `/${emulator.tenantId}/oauth2/v2.0/devicecode`, {
        body: { client_id: emulator.publicClientIds[0], scope: `${UNKNOWN}/.default` },
      }),
    );
  });

  it('is refused by the managed-identity endpoint, carrying Entra’s code', async () => {
    const refused = await requestUrl(
      emulator,
      `${emulator.identityEndpoint}?api-version=2019-08-01&resource=${encodeURIComponent(UNKNOWN)}`,
      { headers: { 'X-IDENTITY-HEADER': emulator.identityHeader } },
    );
    expect(refused.status).toBe(400);
    expect(refused.json).toMatchObject({ statusCode: 400, error: 'invalid_resource' });
    expect(refused.json.message).toMatch(/^AADSTS500011: The resource principal named /);
  });

  it.each([
    'https://api.partnercenter.microsoft.com',
    'https://partner.partnercenterapi.microsoftonline.cn',
    'https://graph.microsoft.com',
    'https://graph.microsoft.us',
    'https://dod-graph.microsoft.us',
    'https://microsoftgraph.chinacloudapi.cn',
    'fa3d9a0c-3fb0-42cc-9193-47c7ecd2edbd',
    '00000003-0000-0000-c000-000000000000',
  ])('still issues a token for %s', async (resource) => {
    const issued = await request(emulator, v2(), {
      body: { grant_type: 'client_credentials', ...secret(), scope: `${resource}/.default` },
    });
    expect(issued.status).toBe(200);
  });
});
