/**
 * Start-PartnerEmulator's first line is enough to try every sign-in by hand: each way is tried here
 * with nothing but what that line says (raw HTTP, as curl would), and its help names every lever.
 */
import { bareCmdletContext } from '../support/bare-context.js';
import { boundParameters } from '../support/bound-parameters.js';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ClientCertificateCredential } from '@azure/identity';
import { existsSync, readFileSync } from 'node:fs';
import https from 'node:https';
import definition from '../../cmdlets/Start-PartnerEmulator.js';
import { CONTROL_ROUTES } from '../../lib/emulator/index.js';
import { renderHelp } from '../../lib/host/help/render-help.js';

const PC = 'https://api.partnercenter.microsoft.com';
const controller = new AbortController();
let run: AsyncIterator<unknown>;
let info: Record<string, any>;
let agent: https.Agent;

function fetchJson(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method: options.method ?? 'GET',
        // The levers take the key the first line gives, as a person's curl would send it.
        headers: new URL(url).pathname.startsWith('/_emulator/')
          ? { 'x-emulator-key': info.controlKey, ...options.headers }
          : options.headers,
        agent,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const form = (fields: Record<string, string>, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
  body: new URLSearchParams(fields).toString(),
});

async function listsWith(token: string): Promise<void> {
  const page = await fetchJson(`${info.apiEndpoint}/v1/customers?size=2`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  expect(page.status).toBe(200);
}

beforeAll(async () => {
  const context = bareCmdletContext(controller.signal);
  run = definition
    .run(await boundParameters(definition, ['-Customers', '5']), context)
    [Symbol.asyncIterator]();
  info = (await run.next()).value as Record<string, any>;
  agent = new https.Agent({ ca: readFileSync(info.caCertificatePath, 'utf8') });
});
afterAll(async () => {
  const rest = run.next();
  controller.abort();
  await rest;
});

describe("Start-PartnerEmulator's first line", () => {
  it('gives the application secret for both token endpoints, the v1 one by Basic authentication', async () => {
    const v2 = await fetchJson(
      info.tokenEndpoint,
      form({
        grant_type: 'client_credentials',
        client_id: info.applicationId,
        client_secret: info.clientSecret,
        scope: `${PC}/.default`,
      }),
    );
    await listsWith(v2.json.access_token);
    const basic = Buffer.from(`${info.applicationId}:${info.clientSecret}`).toString('base64');
    const v1 = await fetchJson(
      info.tokenEndpointV1,
      form({ grant_type: 'client_credentials', resource: PC }, { Authorization: `Basic ${basic}` }),
    );
    await listsWith(v1.json.access_token);
  });

  it("gives the user's password and public client, and how to approve a device code", async () => {
    const password = await fetchJson(
      info.tokenEndpoint,
      form({
        grant_type: 'password',
        client_id: info.user.publicClientId,
        username: info.user.userPrincipalName,
        password: info.user.password,
        scope: `${PC}/user_impersonation`,
      }),
    );
    await listsWith(password.json.access_token);
    const started = await fetchJson(
      info.tokenEndpoint.replace(/token$/, 'devicecode'),
      form({ client_id: info.user.publicClientId, scope: `${PC}/user_impersonation` }),
    );
    const [method, url] = info.user.approveDeviceCode.split(' ');
    const body = JSON.stringify({ userCode: started.json.user_code });
    expect(
      (await fetchJson(url!, { method, body, headers: { 'x-emulator-key': '' } })).status,
    ).toBe(403);
    const approved = await fetchJson(url!, { method, body });
    expect(approved.json).toEqual({ ok: true, approved: 1 });
    const redeemed = await fetchJson(
      info.tokenEndpoint,
      form({
        grant_type: 'device_code',
        client_id: info.user.publicClientId,
        device_code: started.json.device_code,
      }),
    );
    await listsWith(redeemed.json.access_token);
  });

  it('gives the App Service managed-identity endpoint and header, and says IMDS is not served', async () => {
    const { IDENTITY_ENDPOINT, IDENTITY_HEADER, imdsServed } = info.managedIdentity;
    expect(imdsServed).toBe(false);
    const minted = await fetchJson(
      `${IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=${encodeURIComponent(PC)}`,
      { headers: { 'X-IDENTITY-HEADER': IDENTITY_HEADER } },
    );
    expect(minted.json.client_id).toBe(info.managedIdentity.clientId);
    await listsWith(minted.json.access_token);
  });

  it('says how to get a client certificate, which then signs in', async () => {
    const [method, url] = info.clientCertificate.create.split(' ');
    const created = await fetchJson(url!, {
      method,
      headers: { 'x-emulator-key': info.controlKey },
    });
    expect(created.json).toMatchObject({
      ok: true,
      thumbprint: expect.stringMatching(/^[0-9A-F]{40}$/),
    });
    expect(existsSync(created.json.certificatePath)).toBe(true);
    const credential = new ClientCertificateCredential(
      info.tenantId,
      info.applicationId,
      { certificatePath: created.json.certificatePath },
      { authorityHost: info.authorityHost, disableInstanceDiscovery: true, agent },
    );
    await listsWith((await credential.getToken(`${PC}/.default`)).token);
    const pem = readFileSync(created.json.certificatePath, 'utf8').replace(
      /^[\s\S]*?(?=-----BEGIN CERTIFICATE)/,
      '',
    );
    const registered = await fetchJson(url, {
      method,
      body: JSON.stringify({ certificatePem: pem }),
    });
    expect(registered.json).toEqual({ ok: true, thumbprint: created.json.thumbprint });
    const bad = await fetchJson(url, { method, body: JSON.stringify({ certificatePem: 'nope' }) });
    expect(bad.status).toBe(400);
  });

  it('is explained by the help, whose notes list every lever', () => {
    for (const route of CONTROL_ROUTES) expect(definition.notes).toContain(route);
    expect(definition.notes).toContain('POST /_emulator/devicecode/decline');
    expect(definition.notes).toContain('POST /_emulator/client-certificates');
    for (const word of [
      'IDENTITY_ENDPOINT',
      'IDENTITY_HEADER',
      'IMDS',
      'clientCertificate.create',
      'user.password',
    ])
      expect(definition.description).toContain(word);
    // Help's OUTPUTS names every property of the first line (from its declared output type).
    const page = renderHelp(definition, { view: 'full', width: 200 });
    const outputs = page.slice(page.indexOf('\nOUTPUTS\n'), page.indexOf('\nNOTES\n'));
    for (const key of Object.keys(info)) expect(outputs).toContain(`${key}: `);
  });
});
