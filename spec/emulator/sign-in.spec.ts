import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  ClientCertificateCredential,
  DeviceCodeCredential,
  ManagedIdentityCredential,
} from '@azure/identity';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StartedEmulator } from '../../lib/emulator/index.js';
import { startEmulator } from '../support/emulator.js';
import { createClientCertificate } from '../../lib/emulator/server/certificates.js';
import { agentFor, decodeJwt, filterQuery, request } from './support.js';
import { repoRoot, spawnCollect } from '../support/cli.js';

const USER_SCOPE = 'https://api.partnercenter.microsoft.com/user_impersonation';
const APP_SCOPE = 'https://api.partnercenter.microsoft.com/.default';

describe('delegated, certificate and managed-identity sign-ins', () => {
  let emulator: StartedEmulator;
  const common = () => ({
    authorityHost: emulator.authorityHost,
    disableInstanceDiscovery: true,
    agent: agentFor(emulator),
  });

  beforeAll(async () => {
    emulator = await startEmulator({ customers: 40, seed: 11 });
  });
  afterAll(() => emulator.close());

  const token = (form: Record<string, string>, tenant = emulator.tenantId) =>
    request(emulator, `/${tenant}/oauth2/v2.0/token`, { body: form });
  const startDeviceCode = async () =>
    (
      await request(emulator, `/organizations/oauth2/v2.0/devicecode`, {
        body: {
          client_id: emulator.applicationId,
          scope: `${USER_SCOPE} openid profile offline_access`,
        },
      })
    ).json;

  it(
    'signs in the real DeviceCodeCredential once the code is approved, with a ' +
      'user token the API accepts',
    async () => {
      const prompts: string[] = [];
      const credential = new DeviceCodeCredential({
        tenantId: emulator.tenantId,
        clientId: emulator.applicationId,
        ...common(),
        userPromptCallback: (info) => {
          prompts.push(info.message);
          emulator.approveDeviceCode(info.userCode);
        },
      });
      const accessToken = await credential.getToken(USER_SCOPE);
      expect(prompts[0]).toMatch(/enter the code [A-Z0-9]{9}/);
      expect(decodeJwt(accessToken.token)).toMatchObject({
        scp: 'user_impersonation',
        upn: emulator.user.userPrincipalName,
        tid: emulator.tenantId,
        idtyp: 'user',
      });
      const reseller = emulator.indirectResellers[0];
      const search = await request(
        emulator,
        `/v1/customers?filter=${filterQuery({ Field: 'IndirectReseller', Value: reseller, Operator: 'starts_with' })}`,
        { token: accessToken.token },
      );
      expect(search.status).toBe(200);
    },
  );

  it(
    'answers authorization_pending until a test approves over HTTP, then user ' +
      'tokens with id_token and client_info',
    async () => {
      const code = await startDeviceCode();
      expect(code).toMatchObject({
        user_code: expect.any(String),
        device_code: expect.any(String),
        verification_uri: `${emulator.authorityHost}/devicelogin`,
        interval: 1,
        expires_in: 900,
      });
      const poll = () =>
        token({
          grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
          client_id: emulator.applicationId,
          device_code: code.device_code,
        });
      const pending = await poll();
      expect(pending.status).toBe(400);
      expect(pending.json).toMatchObject({ error: 'authorization_pending', error_codes: [70016] });
      const approved = await request(emulator, '/_emulator/devicecode/approve', {
        method: 'POST',
        body: JSON.stringify({ userCode: code.user_code }),
      });
      expect(approved.json).toEqual({ ok: true, approved: 1 });
      const granted = await poll();
      expect(granted.status).toBe(200);
      expect(granted.json).toMatchObject({
        token_type: 'Bearer',
        scope: expect.stringContaining(USER_SCOPE),
        refresh_token: expect.any(String),
        id_token: expect.any(String),
      });
      expect(JSON.parse(Buffer.from(granted.json.client_info, 'base64url').toString())).toEqual({
        uid: emulator.user.objectId,
        utid: emulator.tenantId,
      });
      expect(decodeJwt(granted.json.id_token)).toMatchObject({
        aud: emulator.applicationId,
        tid: emulator.tenantId,
        oid: emulator.user.objectId,
        preferred_username: emulator.user.userPrincipalName,
      });
      expect((await poll()).json.error).toBe('invalid_grant');
    },
  );

  it('reports a declined device code', async () => {
    const code = await startDeviceCode();
    expect(emulator.declineDeviceCode(code.user_code)).toBe(1);
    const declined = await token({
      grant_type: 'device_code',
      client_id: emulator.applicationId,
      device_code: code.device_code,
    });
    expect(declined.json.error).toBe('authorization_declined');
  });

  describe('refresh tokens', () => {
    const redeem = (refreshToken: string, extra: Record<string, string> = {}) =>
      token({
        grant_type: 'refresh_token',
        client_id: emulator.applicationId,
        refresh_token: refreshToken,
        scope: `${USER_SCOPE} offline_access`,
        ...extra,
      });

    it('rotate: each redemption answers a new refresh token and a user token', async () => {
      const first = emulator.issueRefreshToken();
      const answer = await redeem(first, { client_secret: emulator.clientSecret });
      expect(answer.status).toBe(200);
      expect(answer.json.refresh_token).not.toBe(first);
      expect(decodeJwt(answer.json.access_token)).toMatchObject({
        scp: 'user_impersonation',
        appidacr: '1',
      });
      expect((await redeem(answer.json.refresh_token)).status).toBe(200);
    });

    it(
      'fail with AADSTS50173 once revoked (over HTTP), AADSTS700082 once ' +
        'expired, AADSTS50076 when MFA is required',
      async () => {
        const revoked = emulator.issueRefreshToken();
        await request(emulator, '/_emulator/refresh-tokens/revoke', {
          method: 'POST',
          body: JSON.stringify({ refreshToken: revoked }),
        });
        expect((await redeem(revoked)).json).toMatchObject({
          error: 'invalid_grant',
          error_codes: [50173],
        });
        expect(
          (await redeem(emulator.issueRefreshToken({ lifetimeSeconds: -1 }))).json.error_codes,
        ).toEqual([700082]);
        const mfa = await redeem(emulator.issueRefreshToken({ mfaRequired: true }));
        expect(mfa.status).toBe(400);
        expect(mfa.json).toMatchObject({
          error: 'invalid_grant',
          error_codes: [50076],
          error_description: expect.stringMatching(/^AADSTS50076: .*multi-factor/),
        });
        expect((await redeem('1.AQnot-a-token')).json.error).toBe('invalid_grant');
        const overHttp = await request(emulator, '/_emulator/refresh-tokens', {
          method: 'POST',
          body: JSON.stringify({ mfaRequired: true }),
        });
        expect((await redeem(overHttp.json.refreshToken)).json.error_codes).toEqual([50076]);
      },
    );

    it('refuses a wrong client secret on redemption', async () => {
      expect(
        (await redeem(emulator.issueRefreshToken(), { client_secret: 'wrong' })).json.error_codes,
      ).toEqual([7000215]);
    });
  });

  it('gives tokens the lifetime configured for their flow', async () => {
    emulator.configure({ tokenLifetimes: { refreshToken: 5, clientCredentials: 7 } });
    try {
      const refreshed = await token({
        grant_type: 'refresh_token',
        client_id: emulator.applicationId,
        refresh_token: emulator.issueRefreshToken(),
        scope: USER_SCOPE,
      });
      expect(refreshed.json.expires_in).toBe(5);
      const app = await token({
        grant_type: 'client_credentials',
        client_id: emulator.applicationId,
        client_secret: emulator.clientSecret,
        scope: APP_SCOPE,
      });
      expect(app.json.expires_in).toBe(7);
    } finally {
      emulator.configure({ tokenLifetimes: { refreshToken: 3600, clientCredentials: 3600 } });
    }
  });

  it(
    'signs in the real ClientCertificateCredential with a registered ' +
      'certificate, and refuses an unregistered one',
    async () => {
      const registered = await emulator.createClientCertificate();
      expect(registered.thumbprint).toMatch(/^[0-9A-F]{40}$/);
      const credential = new ClientCertificateCredential(
        emulator.tenantId,
        emulator.applicationId,
        registered.certificatePath,
        common(),
      );
      const accessToken = await credential.getToken(APP_SCOPE);
      expect(decodeJwt(accessToken.token)).toMatchObject({
        appid: emulator.applicationId,
        appidacr: '2',
        aud: 'https://api.partnercenter.microsoft.com',
      });
      expect((await request(emulator, '/v1/customers', { token: accessToken.token })).status).toBe(
        200,
      );

      const stranger = await createClientCertificate('not registered');
      const strangerCredential = new ClientCertificateCredential(
        emulator.tenantId,
        emulator.applicationId,
        { certificate: `${stranger.key}${stranger.cert}` },
        common(),
      );
      await expect(strangerCredential.getToken(APP_SCOPE)).rejects.toThrow(/AADSTS700027/);
    },
  );

  it(
    'serves the App Service managed-identity shape to the real ' +
      'ManagedIdentityCredential (system and user assigned)',
    async () => {
      const saved = {
        endpoint: process.env.IDENTITY_ENDPOINT,
        header: process.env.IDENTITY_HEADER,
      };
      process.env.IDENTITY_ENDPOINT = emulator.identityEndpoint;
      process.env.IDENTITY_HEADER = emulator.identityHeader;
      try {
        const system = await new ManagedIdentityCredential({ agent: agentFor(emulator) }).getToken(
          APP_SCOPE,
        );
        expect(decodeJwt(system.token)).toMatchObject({
          appid: emulator.managedIdentityClientId,
          tid: emulator.tenantId,
          aud: 'https://api.partnercenter.microsoft.com',
        });
        expect((await request(emulator, '/v1/customers', { token: system.token })).status).toBe(
          200,
        );
        const user = await new ManagedIdentityCredential(emulator.userAssignedIdentityClientId, {
          agent: agentFor(emulator),
        }).getToken(APP_SCOPE);
        expect(decodeJwt(user.token).appid).toBe(emulator.userAssignedIdentityClientId);
      } finally {
        for (const [name, value] of [
          ['IDENTITY_ENDPOINT', saved.endpoint],
          ['IDENTITY_HEADER', saved.header],
        ] as const) {
          if (value === undefined) delete process.env[name];
          else process.env[name] = value;
        }
      }
      const wrongHeader = await request(
        emulator,
        `/msi/token?resource=${encodeURIComponent('https://api.partnercenter.microsoft.com')}&api-version=2019-08-01`,
        { headers: { 'X-IDENTITY-HEADER': 'nope' } },
      );
      expect(wrongHeader.status).toBe(401);
    },
  );

  describe('browser sign-in (authorization code with PKCE, loopback redirect)', () => {
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const redirectUri = 'http://localhost:53123';
    const authorizePath = (extra = '') =>
      `/${emulator.tenantId}/oauth2/v2.0/authorize?client_id=${emulator.applicationId}` +
      `&response_type=code&redirect_uri=${encodeURIComponent(redirectUri)}` +
      `&scope=${encodeURIComponent(`${USER_SCOPE} openid offline_access`)}&state=s1` +
      `&code_challenge=${challenge}&code_challenge_method=S256${extra}`;

    it(
      'shows an approval link, redirects back with a code, and redeems it only ' +
        'with the right verifier',
      async () => {
        const page = await request(emulator, authorizePath());
        expect(page.status).toBe(200);
        const link = /href="([^"]+)"/
          .exec(page.text)![1]
          .replace(/&amp;/g, '&')
          .replace(/&#38;/g, '&');
        const redirect = await request(emulator, link);
        expect(redirect.status).toBe(302);
        const location = new URL(String(redirect.headers.location));
        expect(location.origin + location.pathname).toBe(`${redirectUri}/`);
        expect(location.searchParams.get('state')).toBe('s1');
        const code = location.searchParams.get('code')!;
        const wrong = await token({
          grant_type: 'authorization_code',
          client_id: emulator.applicationId,
          code,
          redirect_uri: redirectUri,
          code_verifier: 'wrong',
        });
        expect(wrong.json.error_codes).toEqual([501481]);
        const second = new URL(
          String((await request(emulator, authorizePath('&emulator_approve=1'))).headers.location),
        ).searchParams.get('code')!;
        const granted = await token({
          grant_type: 'authorization_code',
          client_id: emulator.applicationId,
          code: second,
          redirect_uri: redirectUri,
          code_verifier: verifier,
        });
        expect(granted.status).toBe(200);
        expect(granted.json).toMatchObject({
          refresh_token: expect.any(String),
          id_token: expect.any(String),
          client_info: expect.any(String),
        });
      },
    );

    it(
      'signs in the real InteractiveBrowserCredential (in a child process) when ' +
        'the "browser" follows the redirect',
      async () => {
        emulator.configure({ autoApproveAuthorization: true });
        const dir = mkdtempSync(join(tmpdir(), 'pc-browser-'));
        try {
          // xdg-open (bundled with the `open` package) hands the URL to $BROWSER on a machine
          // without a desktop. A child process, because a spawned browser sees the real
          // environment, not jest's copy of it.
          const follower = join(dir, 'follow.mjs');
          writeFileSync(
            follower,
            `import https from 'node:https'; import http from 'node:http';
           https.get(process.argv[2], { ca: process.env.EMULATOR_CA }, (res) => {
             res.resume();
             http.get(res.headers.location, (r) => r.resume());
           });`,
          );
          const browser = join(dir, 'browser.sh');
          writeFileSync(browser, `#!/bin/sh\nexec "${process.execPath}" "${follower}" "$1"\n`);
          chmodSync(browser, 0o755);
          const script = `
          import { InteractiveBrowserCredential } from '@azure/identity';
          import https from 'node:https';
          setTimeout(() => { console.error('timed out'); process.exit(3); }, 20000).unref();
          const e = JSON.parse(process.env.EMULATOR);
          const credential = new InteractiveBrowserCredential({
            tenantId: e.tenantId, clientId: e.applicationId, redirectUri: 'http://localhost',
            authorityHost: e.authorityHost, disableInstanceDiscovery: true,
            agent: new https.Agent({ ca: process.env.EMULATOR_CA }),
          });
          const token = await credential.getToken('${USER_SCOPE}');
          process.stdout.write(token.token);
          process.exit(0);`;
          const env: NodeJS.ProcessEnv = {
            ...process.env,
            BROWSER: browser,
            EMULATOR_CA: readFileSync(emulator.caCertificatePath!, 'utf8'),
            EMULATOR: JSON.stringify({
              tenantId: emulator.tenantId,
              applicationId: emulator.applicationId,
              authorityHost: emulator.authorityHost,
            }),
          };
          delete env.DISPLAY;
          delete env.WAYLAND_DISPLAY;
          const { code, stdout, stderr } = await spawnCollect(
            process.execPath,
            ['--input-type=module', '-e', script],
            { cwd: repoRoot, env, timeoutMs: 30_000 },
          );
          expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
          expect(decodeJwt(stdout)).toMatchObject({
            scp: 'user_impersonation',
            upn: emulator.user.userPrincipalName,
          });
        } finally {
          rmSync(dir, { recursive: true, force: true });
          emulator.configure({ autoApproveAuthorization: false });
        }
      },
    );
  });
});
