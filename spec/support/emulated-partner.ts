/**
 * An emulator plus a private config directory connected to it as a service principal: by default
 * through a context seeded directly (spec/support/seeded-context.ts: a real token from the
 * emulator's token endpoint, written by the real stores), or, with `connect: 'process'`, by
 * running the real Connect-Partner the way a user does (the sign-in specs).
 */
import { storesFor } from '../../lib/session/session.js';
import { expect } from '@jest/globals';
import type { EmulatorOptions, StartedEmulator } from '../../lib/emulator/types.js';
import { loadCmdlet } from '../../lib/host/load-cmdlet.js';
import { runInProcess } from '../fixtures/host/run-in-process.js';
import { cleanEnv, runCli, scratchConfigDir, type CliResult } from './cli.js';
import { startEmulator } from './emulator.js';
import { seedServicePrincipalContext, type SeededContext } from './seeded-context.js';

export interface EmulatedPartner {
  emulator: StartedEmulator;
  env: NodeJS.ProcessEnv;
  configDir: string;
  connectArgs: string[];
  run(cmdlet: string, args?: readonly string[], input?: string): Promise<CliResult>;
  /**
   * The same command run in this process (the real host, cmdlet, session and client; only the
   * streams are in memory), with the same result shape as `run`: for what does not need a process,
   * at no process start-up. Await it inside a case: jest refuses the imports a run makes lazily
   * (conf, @azure/identity) between cases, so it cannot be started in the background from a hook.
   */
  runInProcess(cmdlet: string, args?: readonly string[], input?: string): Promise<CliResult>;
  /**
   * Saves (or replaces) a service-principal context named `name` and makes it the default, as
   * `Connect-Partner -ServicePrincipal -ContextName <name>` would, without a process.
   */
  seedContext(name?: string): Promise<SeededContext>;
  /**
   * Connects a user (App+User) context named `name` with the real Connect-Partner, in this
   * process: the secure application model's refresh token, which the emulator issues for its user.
   * The default context stays as it was.
   */
  connectUser(name: string): Promise<void>;
  dispose(): Promise<void>;
}

/**
 * How the partner is connected: `true` a seeded default context, `'process'` the real
 * Connect-Partner, `false` not at all.
 */
export type ConnectWay = boolean | 'process';

export async function emulatedPartner(
  options: EmulatorOptions = {},
  connect: ConnectWay = true,
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
    ...emulator.connectEndpoints,
  ];
  const partner: EmulatedPartner = {
    emulator,
    env,
    configDir: config.dir,
    connectArgs,
    run: (cmdlet, args = [], input) => runCli(cmdlet, args, { env, input }),
    runInProcess: (cmdlet, args = [], input) => runInProcessWith(env, cmdlet, args, input),
    seedContext: (name) => seedServicePrincipalContext(emulator, env, name),
    connectUser: async (name) => {
      const stores = storesFor(env);
      const previous = await stores.contexts.resolveName(undefined);
      // The token on stdin, as the command-line warning advises.
      const connected = await partner.runInProcess(
        'Connect-Partner',
        [
          '-RefreshToken',
          '-',
          '-ApplicationId',
          emulator.applicationId,
          ...emulator.connectEndpoints,
          '-ContextName',
          name,
        ],
        `${emulator.issueRefreshToken()}\n`,
      );
      expect(connected.stderr).toBe('');
      expect(connected.code).toBe(0);
      if (await stores.contexts.read(previous)) await stores.contexts.setDefault(previous);
    },
    dispose: async () => {
      await emulator.close();
      config.dispose();
    },
  };
  if (connect === true) await partner.seedContext();
  else if (connect === 'process') {
    const connected = await partner.run('Connect-Partner', connectArgs);
    expect(connected.stderr).toBe('');
    expect(connected.code).toBe(0);
  }
  return partner;
}

/**
 * A command run in this process with an environment of its own, with the result shape of a
 * process run: `partner.runInProcess` with the partner's environment changed (another secret, no
 * secret, a managed identity's endpoint).
 */
export async function runInProcessWith(
  env: NodeJS.ProcessEnv,
  cmdlet: string,
  args: readonly string[] = [],
  input?: string,
): Promise<CliResult> {
  const result = await runInProcess(await loadCmdlet(cmdlet), [...args], { env, stdin: input });
  return { code: result.code, signal: null, stdout: result.stdout, stderr: result.stderr };
}

export function idsOf(lines: Record<string, unknown>[]): string[] {
  return lines.map((line) => line.id as string);
}

/**
 * Several independent emulated partners started side by side. If one fails, those already started are disposed.
 */
export async function emulatedPartners(
  optionsList: readonly EmulatorOptions[],
  connect: ConnectWay = true,
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
