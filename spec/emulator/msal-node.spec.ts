/**
 * `@azure/msal-node` used directly, as a Node client written elsewhere would: the settings it needs
 * against the emulator are a custom authority, instance discovery answered locally (the known
 * authority, or the emulator's own discovery answer as `cloudDiscoveryMetadata`), and trust of the
 * emulator's CA (msal-node fetches with the global fetch, so here through its `networkClient` hook;
 * a process would set NODE_EXTRA_CA_CERTS instead). The network client refuses every host but the
 * emulator, so the spec also proves nothing reaches login.microsoftonline.com.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  ConfidentialClientApplication,
  type INetworkModule,
  type NetworkRequestOptions,
  type NetworkResponse,
  PublicClientApplication,
} from '@azure/msal-node';
import https from 'node:https';
import type { StartedEmulator } from '../../lib/emulator/index.js';
import { startEmulator } from '../support/emulator.js';
import { agentFor, decodeJwt, request } from './support.js';

const PC = 'https://api.partnercenter.microsoft.com';
const AZURE_CLI = '04b07795-8ddb-461a-bbee-02f9e1bf7b46';

let emulator: StartedEmulator;
let host: string;
const visited: string[] = [];
beforeAll(async () => {
  emulator = await startEmulator({ customers: 7, seed: 23, deviceCodeIntervalSeconds: 0.1 });
  host = new URL(emulator.authorityHost).host;
});
afterAll(() => emulator.close());

/** MSAL's network interface over node:https, trusting the emulator's CA and no other host. */
function emulatorNetwork(): INetworkModule {
  const send = <T>(method: string, url: string, options?: NetworkRequestOptions) =>
    new Promise<NetworkResponse<T>>((resolve, reject) => {
      const target = new URL(url);
      visited.push(target.host);
      if (target.host !== host) return reject(new Error(`refused to call ${target.host}`));
      const req = https.request(
        target,
        { method, headers: options?.headers, agent: agentFor(emulator) },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers as Record<string, string>,
              body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as T,
            }),
          );
        },
      );
      req.on('error', reject);
      req.end(options?.body);
    });
  return {
    sendGetRequestAsync: (url, options) => send('GET', url, options),
    sendPostRequestAsync: (url, options) => send('POST', url, options),
  };
}

const authority = () => `${emulator.authorityHost}/${emulator.tenantId}`;
const system = () => ({ networkClient: emulatorNetwork() });

async function listsWith(accessToken: string): Promise<void> {
  const listed = await request(emulator, '/v1/customers?size=3', { token: accessToken });
  expect(listed.status).toBe(200);
}

describe('@azure/msal-node against the emulator', () => {
  it('gets an app-only token with a secret, the emulator named as a known authority', async () => {
    const app = new ConfidentialClientApplication({
      auth: {
        clientId: emulator.applicationId,
        clientSecret: emulator.clientSecret,
        authority: authority(),
        knownAuthorities: [host],
      },
      system: system(),
    });
    const result = await app.acquireTokenByClientCredential({ scopes: [`${PC}/.default`] });
    expect(decodeJwt(result!.accessToken)).toMatchObject({ aud: PC, appidacr: '1' });
    await listsWith(result!.accessToken);
  });

  it("takes the emulator's own instance discovery answer as cloudDiscoveryMetadata", async () => {
    const discovery = await request(
      emulator,
      `/common/discovery/instance?api-version=1.1&authorization_endpoint=${encodeURIComponent(
        `${authority()}/oauth2/v2.0/authorize`,
      )}`,
    );
    const app = new ConfidentialClientApplication({
      auth: {
        clientId: emulator.applicationId,
        clientSecret: emulator.clientSecret,
        authority: authority(),
        cloudDiscoveryMetadata: discovery.text,
      },
      system: system(),
    });
    const result = await app.acquireTokenByClientCredential({ scopes: [`${PC}/.default`] });
    await listsWith(result!.accessToken);
  });

  it('signs in with a certificate registered on the emulated application', async () => {
    const certificate = await emulator.createClientCertificate();
    const app = new ConfidentialClientApplication({
      auth: {
        clientId: emulator.applicationId,
        authority: authority(),
        knownAuthorities: [host],
        clientCertificate: {
          thumbprint: certificate.thumbprint,
          privateKey: certificate.privateKeyPem,
          x5c: certificate.certificatePem,
        },
      },
      system: system(),
    });
    const result = await app.acquireTokenByClientCredential({ scopes: [`${PC}/.default`] });
    expect(decodeJwt(result!.accessToken).appidacr).toBe('2');
    await listsWith(result!.accessToken);
  });

  it('signs a user in by device code with the Azure CLI public client, then renews silently', async () => {
    const app = new PublicClientApplication({
      auth: { clientId: AZURE_CLI, authority: authority(), knownAuthorities: [host] },
      system: system(),
    });
    const messages: string[] = [];
    const result = await app.acquireTokenByDeviceCode({
      scopes: [`${PC}/user_impersonation`],
      deviceCodeCallback: (response) => {
        messages.push(response.message);
        emulator.approveDeviceCode(response.userCode);
      },
    });
    expect(messages[0]).toMatch(/enter the code/);
    expect(result!.account?.username).toBe(emulator.user.userPrincipalName);
    expect(decodeJwt(result!.accessToken)).toMatchObject({
      appid: AZURE_CLI,
      scp: 'user_impersonation',
    });
    await listsWith(result!.accessToken);
    const renewed = await app.acquireTokenSilent({
      account: result!.account!,
      scopes: [`${PC}/user_impersonation`],
      forceRefresh: true,
    });
    expect(renewed.accessToken).not.toBe(result!.accessToken);
    await listsWith(renewed.accessToken);
  });

  it('signs a user in with the password grant; a wrong password is a ServerError MSAL fully parsed', async () => {
    const app = new PublicClientApplication({
      auth: { clientId: AZURE_CLI, authority: authority(), knownAuthorities: [host] },
      system: system(),
    });
    const result = await app.acquireTokenByUsernamePassword({
      scopes: [`${PC}/user_impersonation`],
      username: emulator.user.userPrincipalName,
      password: emulator.user.password,
    });
    await listsWith(result!.accessToken);
    const correlationId = 'd2a7c1f0-6b3e-4c2a-9f1d-8e7b6a5c4d3e';
    const failure: Record<string, unknown> = await app
      .acquireTokenByUsernamePassword({
        scopes: [`${PC}/user_impersonation`],
        username: emulator.user.userPrincipalName,
        password: 'not the password',
        correlationId,
      })
      .then(
        () => ({}),
        (error: unknown) => error as Record<string, unknown>,
      );
    expect(failure).toMatchObject({
      name: 'ServerError',
      errorCode: 'invalid_grant',
      errorNo: 50126,
      correlationId,
    });
    // MSAL builds its message from every field of Entra's error body; none may be missing.
    const message = String(failure.errorMessage);
    expect(message).toMatch(/^Error\(s\): 50126 - Timestamp: \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ - /);
    expect(message).toContain('Description: AADSTS50126: Error validating credentials');
    expect(message).toMatch(
      new RegExp(`- Correlation ID: ${correlationId} - Trace ID: [0-9a-f-]{36}$`),
    );
  });

  it('called only the emulator', () => {
    expect(new Set(visited)).toEqual(new Set([host]));
  });
});
