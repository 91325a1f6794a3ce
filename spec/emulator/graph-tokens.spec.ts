/**
 * Tokens for Microsoft Graph from every grant the emulator serves, and the audience check both
 * ways: Graph refuses a Partner Center token and Partner Center refuses a Graph token. The real
 * @azure/identity credentials get the app-only tokens; a refresh token from a Partner Center
 * sign-in is redeemed for Graph, which is how MSAL gets a second resource's token.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ClientCertificateCredential, ClientSecretCredential } from '@azure/identity';
import type { StartedEmulator } from '../../lib/emulator/index.js';
import { startEmulator } from '../support/emulator.js';
import {
  appToken,
  GRAPH,
  graph,
  PARTNER_CENTER,
  RELATIONSHIPS,
  userToken,
} from './graph-support.js';
import { agentFor, decodeJwt, request } from './support.js';

const READ = 'DelegatedAdminRelationship.Read.All';
/** The emulated app is also granted the billing reports' permission (docs/billing.md). */
const BILLING = 'PartnerBilling.Read.All';
let emulator: StartedEmulator;

beforeAll(async () => {
  emulator = await startEmulator({ customers: 40, now: '2026-12-01T00:00:00Z' });
});
afterAll(() => emulator?.close());

const options = () => ({
  authorityHost: emulator.authorityHost,
  disableInstanceDiscovery: true,
  agent: agentFor(emulator),
});

/** Graph's listing answers 200 with this token. */
async function graphAccepts(token: string): Promise<void> {
  const listed = await graph(emulator, `${RELATIONSHIPS}?$top=3`, { token });
  expect(listed.status).toBe(200);
  expect(listed.json.value).toHaveLength(3);
}

describe('app-only Graph tokens', () => {
  it('come from ClientSecretCredential for https://graph.microsoft.com/.default, with roles', async () => {
    const credential = new ClientSecretCredential(
      emulator.tenantId,
      emulator.applicationId,
      emulator.clientSecret,
      options(),
    );
    const { token } = await credential.getToken(`${GRAPH}/.default`);
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({
      aud: GRAPH,
      tid: emulator.tenantId,
      idtyp: 'app',
      roles: [READ, BILLING],
    });
    expect(claims.scp).toBeUndefined();
    await graphAccepts(token);
  });

  it('come from ClientCertificateCredential (certificate sign-in)', async () => {
    const files = await emulator.createClientCertificate();
    const credential = new ClientCertificateCredential(
      emulator.tenantId,
      emulator.applicationId,
      { certificatePath: files.certificatePath },
      options(),
    );
    const { token } = await credential.getToken(`${GRAPH}/.default`);
    expect(decodeJwt(token)).toMatchObject({ aud: GRAPH, appidacr: '2', roles: [READ, BILLING] });
    await graphAccepts(token);
  });

  it('come from the managed-identity endpoint for resource=https://graph.microsoft.com', async () => {
    const issued = await request(
      emulator,
      `/msi/token?resource=${encodeURIComponent(GRAPH)}&api-version=2019-08-01`,
      { headers: { 'X-IDENTITY-HEADER': emulator.identityHeader } },
    );
    expect(issued.status).toBe(200);
    expect(decodeJwt(issued.json.access_token)).toMatchObject({
      aud: GRAPH,
      roles: [READ, BILLING],
    });
    await graphAccepts(issued.json.access_token);
  });

  it("come from the v1 endpoint for resource=https://graph.microsoft.com or Graph's app id", async () => {
    for (const resource of [GRAPH, '00000003-0000-0000-c000-000000000000']) {
      const issued = await request(emulator, `/${emulator.tenantId}/oauth2/token`, {
        body: {
          grant_type: 'client_credentials',
          client_id: emulator.applicationId,
          client_secret: emulator.clientSecret,
          resource,
        },
      });
      expect(decodeJwt(issued.json.access_token)).toMatchObject({
        aud: GRAPH,
        roles: [READ, BILLING],
      });
      await graphAccepts(issued.json.access_token);
    }
  });

  it('carry no roles for Partner Center, which has no application permissions', async () => {
    expect(decodeJwt(await appToken(emulator, PARTNER_CENTER)).roles).toBeUndefined();
  });
});

describe('delegated Graph tokens', () => {
  it("redeem a Partner Center sign-in's refresh token for Graph, with the scope in scp", async () => {
    const issued = await userToken(emulator, `${GRAPH}/${READ} offline_access`);
    expect(issued.status).toBe(200);
    expect(issued.json.scope).toBe(`${GRAPH}/${READ}`);
    const claims = decodeJwt(issued.json.access_token);
    expect(claims).toMatchObject({
      aud: GRAPH,
      scp: READ,
      idtyp: 'user',
      upn: emulator.user.userPrincipalName,
    });
    expect(claims.roles).toBeUndefined();
    await graphAccepts(issued.json.access_token);
    // The rotated refresh token still gets Partner Center tokens.
    const back = await request(emulator, `/${emulator.tenantId}/oauth2/v2.0/token`, {
      body: {
        grant_type: 'refresh_token',
        client_id: emulator.applicationId,
        client_secret: emulator.clientSecret,
        refresh_token: issued.json.refresh_token,
        scope: `${PARTNER_CENTER}/user_impersonation`,
      },
    });
    expect(decodeJwt(back.json.access_token)).toMatchObject({
      aud: PARTNER_CENTER,
      scp: 'user_impersonation',
    });
  });

  it('come from a device-code sign-in for the Graph scope, through the same path', async () => {
    const started = await request(emulator, `/${emulator.tenantId}/oauth2/v2.0/devicecode`, {
      body: { client_id: emulator.applicationId, scope: `${GRAPH}/${READ} openid offline_access` },
    });
    expect(emulator.approveDeviceCode(started.json.user_code)).toBe(1);
    const issued = await request(emulator, `/${emulator.tenantId}/oauth2/v2.0/token`, {
      body: {
        grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
        client_id: emulator.applicationId,
        device_code: started.json.device_code,
      },
    });
    expect(issued.status).toBe(200);
    expect(decodeJwt(issued.json.access_token)).toMatchObject({ aud: GRAPH, scp: READ });
    await graphAccepts(issued.json.access_token);
  });

  it('accept ReadWrite.All too, and expand /.default to what the user consented to', async () => {
    const readWrite = await userToken(
      emulator,
      `${GRAPH}/DelegatedAdminRelationship.ReadWrite.All`,
    );
    await graphAccepts(readWrite.json.access_token);
    const all = await userToken(emulator, `${GRAPH}/.default`);
    expect(decodeJwt(all.json.access_token).scp.split(' ')).toEqual([READ, BILLING, 'User.Read']);
    expect(all.json.scope).toBe(`${GRAPH}/${READ} ${GRAPH}/${BILLING} ${GRAPH}/User.Read`);
    await graphAccepts(all.json.access_token);
  });

  it('without a GDAP permission are refused with 403 in Graph error shape', async () => {
    const userRead = await userToken(emulator, `${GRAPH}/User.Read`);
    const refused = await graph(emulator, RELATIONSHIPS, { token: userRead.json.access_token });
    expect(refused.status).toBe(403);
    expect(refused.json.error).toMatchObject({
      code: 'Authorization_RequestDenied',
      message: expect.stringContaining(READ),
    });
  });
});

describe('the audience check, both ways', () => {
  it('Graph refuses a Partner Center token (401 InvalidAuthenticationToken, Graph shape)', async () => {
    for (const token of [
      await appToken(emulator, PARTNER_CENTER),
      (await userToken(emulator, `${PARTNER_CENTER}/user_impersonation`)).json.access_token,
    ]) {
      for (const path of [
        RELATIONSHIPS,
        `${RELATIONSHIPS}/x`,
        `${RELATIONSHIPS}/x/accessAssignments`,
      ]) {
        const refused = await graph(emulator, path, { token });
        expect(refused.status).toBe(401);
        expect(refused.json.error.code).toBe('InvalidAuthenticationToken');
        expect(refused.json.error.message).toContain(
          `audience '${PARTNER_CENTER}' is not Microsoft Graph`,
        );
        expect(refused.headers['www-authenticate']).toContain(
          '00000003-0000-0000-c000-000000000000',
        );
      }
    }
  });

  it('Partner Center refuses a Graph token (401, Partner Center shape)', async () => {
    for (const token of [
      await appToken(emulator, GRAPH),
      (await userToken(emulator, `${GRAPH}/${READ}`)).json.access_token,
    ]) {
      const refused = await request(emulator, '/v1/customers', { token });
      expect(refused.status).toBe(401);
      expect(refused.json).toMatchObject({ code: 400, source: 'PartnerFD' });
      expect(refused.json.description).toContain(`audience '${GRAPH}' is not Partner Center`);
    }
  });

  it('Graph refuses no token, a malformed one, an expired one and a revoked one', async () => {
    const expired = emulator.issueAccessToken({ audience: GRAPH, lifetimeSeconds: -60 });
    const cases: [Record<string, string>, string][] = [
      [{}, 'no Authorization header'],
      [{ Authorization: 'Basic abc' }, 'not a Bearer token'],
      [{ Authorization: `Bearer ${expired}` }, 'expired'],
    ];
    for (const [headers, reason] of cases) {
      const refused = await graph(emulator, RELATIONSHIPS, { headers });
      expect(refused.status).toBe(401);
      expect(refused.json.error).toMatchObject({ code: 'InvalidAuthenticationToken' });
      expect(refused.json.error.message).toContain(reason);
    }
    const live = emulator.issueAccessToken({ audience: GRAPH });
    await graphAccepts(live);
    emulator.revokeAccessTokens();
    const revoked = await graph(emulator, RELATIONSHIPS, { token: live });
    expect(revoked.json.error.message).toContain('revoked');
  });

  it('issueAccessToken mints Graph tokens as the token endpoint would', async () => {
    expect(decodeJwt(emulator.issueAccessToken({ audience: GRAPH }))).toMatchObject({
      roles: [READ, BILLING],
    });
    const delegated = decodeJwt(emulator.issueAccessToken({ audience: GRAPH, delegated: true }));
    expect(delegated.scp).toBe(`${READ} ${BILLING} User.Read`);
    const chosen = emulator.issueAccessToken({
      audience: GRAPH,
      delegated: true,
      scopes: ['User.Read'],
    });
    expect((await graph(emulator, RELATIONSHIPS, { token: chosen })).status).toBe(403);
  });
});
