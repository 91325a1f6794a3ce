/**
 * Connect-Partner against the emulator as a new user tries it: the default user sign-in (no
 * -ApplicationId: the Azure CLI's public client, known to every tenant) works offline, and an
 * AADSTS answer of any flow reaches the user as the one-line message, never as a JavaScript error.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { StartedEmulator } from '../../lib/emulator/index.js';
import { startEmulator } from '../support/emulator.js';
import { cleanEnv, parseNdjson, runCli, scratchConfigDir } from '../support/cli.js';

const UNKNOWN_APP = '11111111-2222-3333-4444-555555555555';
const AZURE_CLI = '04b07795-8ddb-461a-bbee-02f9e1bf7b46';

let emulator: StartedEmulator;
let config: { dir: string; dispose(): void };
let endpoints: string[];
beforeAll(async () => {
  emulator = await startEmulator({
    customers: 3,
    autoApproveDeviceCode: true,
    deviceCodeIntervalSeconds: 0.2,
  });
  config = scratchConfigDir();
  endpoints = emulator.connectEndpoints;
});
afterAll(async () => {
  await emulator.close();
  config.dispose();
});

const connect = (args: string[], context: string) =>
  runCli('Connect-Partner', [...args, ...endpoints, '-ContextName', context], {
    env: cleanEnv({ PARTNERCENTER_CONFIG_DIR: config.dir }),
  });

describe('Connect-Partner and the emulated Entra ID', () => {
  it('signs in with -UseDeviceAuthentication and no -ApplicationId, as the Azure CLI client', async () => {
    const result = await connect(['-UseDeviceAuthentication'], 'default-client');
    expect(result.stderr).toMatch(/enter the code \w+/);
    expect(result.code).toBe(0);
    expect(parseNdjson(result.stdout)[0]).toMatchObject({
      authentication: 'User',
      applicationId: AZURE_CLI,
      account: emulator.user.userPrincipalName,
    });
  });

  it('reports AADSTS700016 of the device-code endpoint and of the token endpoint alike', async () => {
    const [device, secret] = await Promise.all([
      connect(['-UseDeviceAuthentication', '-ApplicationId', UNKNOWN_APP], 'device'),
      runCli(
        'Connect-Partner',
        ['-ServicePrincipal', '-ApplicationId', UNKNOWN_APP, ...endpoints],
        {
          env: cleanEnv({ PARTNERCENTER_CONFIG_DIR: config.dir, PARTNERCENTER_CLIENT_SECRET: 'x' }),
        },
      ),
    ]);
    for (const result of [device, secret]) {
      expect(result.code).toBe(3);
      expect(result.stdout).toBe('');
      expect(result.stderr).not.toMatch(/Cannot read properties|TypeError|undefined/);
      expect(result.stderr.trim().split('\n')).toEqual([
        'Connect-Partner: Sign-in failed: The application was not found in the tenant. ' +
          '(AADSTS700016) Check -ApplicationId and -Tenant, and that the app is consented in ' +
          'that tenant.',
      ]);
    }
  });
});
