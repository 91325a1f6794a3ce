/**
 * `npm start`: the main job against the built-in emulator. It starts the emulator in this process,
 * then runs the real commands as a user would (bin/Connect-Partner with a service principal, over
 * HTTPS through @azure/identity, then bin/Get-PartnerCustomer), in a throw-away config directory
 * so the user's own saved context is never touched. Customers go to stdout as NDJSON; what the demo
 * is doing goes to stderr.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from './emulator/index.js';

const bin = (name: string) => join(import.meta.dirname, '..', '..', 'bin', name);

function run(
  name: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  stdout: 'inherit' | 'stderr',
): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin(name), ...args], {
      env,
      stdio: ['ignore', stdout === 'inherit' ? 'inherit' : 'pipe', 'inherit'],
    });
    child.stdout?.pipe(process.stderr);
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal === 'SIGINT' ? 130 : 1)));
  });
}

async function main(): Promise<number> {
  const customers = Number(process.env.PARTNERCENTER_DEMO_CUSTOMERS ?? 2500);
  const emulator = await startEmulator({ customers });
  const configDir = mkdtempSync(join(tmpdir(), 'partnercenter-demo-'));
  // The secret travels in the environment, not on a command line other users could read.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PARTNERCENTER_CONFIG_DIR: configDir,
    PARTNERCENTER_CLIENT_SECRET: emulator.clientSecret,
  };
  delete env.PARTNERCENTER_CONTEXT;
  const stop = () => undefined; // children get the same Ctrl-C from the terminal; we clean up after them
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    process.stderr.write(
      `Emulator: ${emulator.apiEndpoint} with ${customers} customers (tenant ${emulator.tenantId}).\n`,
    );
    process.stderr.write(
      'Connect-Partner -ServicePrincipal (through @azure/identity, over HTTPS):\n',
    );
    const connected = await run(
      'Connect-Partner',
      ['-ServicePrincipal', '-ApplicationId', emulator.applicationId, ...emulator.connectEndpoints],
      env,
      'stderr',
    );
    if (connected !== 0) return connected;
    process.stderr.write(
      'Get-PartnerCustomer (every customer, one NDJSON line each, on stdout):\n',
    );
    const listed = await run('Get-PartnerCustomer', process.argv.slice(2), env, 'inherit');
    const counters = emulator.counters();
    process.stderr.write(
      `Done: ${JSON.stringify(counters.requests)}; access tokens issued: ${counters.tokensIssued}.\n`,
    );
    return listed;
  } finally {
    await emulator.close();
    rmSync(configDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: Error) => {
    process.stderr.write(`npm start: ${error.message}\n`);
    process.exitCode = 1;
  },
);
