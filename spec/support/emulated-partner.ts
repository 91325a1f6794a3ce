/**
 * An emulator plus a private config directory connected to it, the way a user sets one up:
 * by running the real Connect-Partner as a service principal (secret in the environment).
 */
import { expect } from '@jest/globals';
import { startEmulator } from '../../lib/emulator/index.js';
import type { EmulatorOptions, StartedEmulator } from '../../lib/emulator/types.js';
import { cleanEnv, runCli, scratchConfigDir, type CliResult } from './cli.js';

export interface EmulatedPartner {
  emulator: StartedEmulator;
  env: NodeJS.ProcessEnv;
  configDir: string;
  connectArgs: string[];
  run(cmdlet: string, args?: readonly string[], input?: string): Promise<CliResult>;
  dispose(): Promise<void>;
}

export async function emulatedPartner(
  options: EmulatorOptions = {},
  connect = true,
): Promise<EmulatedPartner> {
  const emulator = await startEmulator(options);
  const config = scratchConfigDir();
  const env = cleanEnv({
    PARTNERCENTER_CONFIG_DIR: config.dir,
    PARTNERCENTER_CLIENT_SECRET: emulator.clientSecret,
  });
  const connectArgs = [
    '-ServicePrincipal',
    '-ApplicationId',
    emulator.applicationId,
    '-Tenant',
    emulator.tenantId,
    '-ApiEndpoint',
    emulator.apiEndpoint,
    '-AuthorityHost',
    emulator.authorityHost,
    '-CaCertificatePath',
    emulator.caCertificatePath!,
  ];
  const partner: EmulatedPartner = {
    emulator,
    env,
    configDir: config.dir,
    connectArgs,
    run: (cmdlet, args = [], input) => runCli(cmdlet, args, { env, input }),
    dispose: async () => {
      await emulator.close();
      config.dispose();
    },
  };
  if (connect) {
    const connected = await partner.run('Connect-Partner', connectArgs);
    expect(connected.stderr).toBe('');
    expect(connected.code).toBe(0);
  }
  return partner;
}

export function idsOf(lines: Record<string, unknown>[]): string[] {
  return lines.map((line) => line.id as string);
}

/**
 * Several independent emulated partners started side by side (each start is mostly a key pair and a
 * Connect-Partner process, so they overlap well). If one fails, those already started are disposed.
 */
export async function emulatedPartners(
  optionsList: readonly EmulatorOptions[],
  connect = true,
): Promise<EmulatedPartner[]> {
  const settled = await Promise.allSettled(
    optionsList.map((options) => emulatedPartner(options, connect)),
  );
  const failure = settled.find(
    (result): result is PromiseRejectedResult => result.status === 'rejected',
  );
  if (!failure)
    return settled.map((result) => (result as PromiseFulfilledResult<EmulatedPartner>).value);
  await Promise.all(
    settled.map((result) => (result.status === 'fulfilled' ? result.value.dispose() : undefined)),
  );
  throw failure.reason;
}
