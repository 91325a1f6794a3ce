/**
 * A person at a terminal who leaves out a mandatory parameter is asked for it, as PowerShell
 * does; a secret is read without echo. Driven in a real terminal (tmux); nobody is ever asked
 * when stdin is not a terminal (spec/e2e/what-stderr-says.spec.ts and the binder specs).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../support/cli.js';
import { requireTools } from '../support/required-tools.js';
import { emulatedPartner, type EmulatedPartner } from '../support/emulated-partner.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('prompting for mandatory parameters on a terminal', () => {
  requireTools('tmux');
  let partner: EmulatedPartner;
  let socket: string;
  const session = 'prompt';
  const tmux = (...args: string[]) =>
    execFileSync('tmux', ['-S', socket, ...args], { encoding: 'utf8' });
  const screen = () => tmux('capture-pane', '-p', '-t', session);
  async function waitFor(pattern: RegExp): Promise<string> {
    for (let i = 0; i < 100; i++) {
      const text = screen();
      if (pattern.test(text)) return text;
      await sleep(100);
    }
    throw new Error(`the terminal never showed ${pattern}:\n${screen()}`);
  }

  beforeAll(async () => {
    partner = await emulatedPartner({ customers: 3 }, false);
    socket = join(partner.configDir, 'tmux.sock');
    tmux(
      'new-session',
      '-d',
      '-s',
      session,
      '-x',
      '160',
      '-y',
      '40',
      '-e',
      `PARTNERCENTER_CONFIG_DIR=${partner.configDir}`,
      'env',
      '-u',
      'CI',
      '-u',
      'PARTNERCENTER_CLIENT_SECRET',
      'bash',
      '--norc',
      '--noprofile',
    );
  });
  afterAll(async () => {
    spawnSync('tmux', ['-S', socket, 'kill-server']);
    await partner.dispose();
  });

  it('asks for a missing secret without echoing it', async () => {
    const fixture = join(repoRoot, 'spec', 'fixtures', 'host', 'fixture-process.mjs');
    tmux(
      'send-keys',
      '-t',
      session,
      `'${process.execPath}' '${fixture}' Login -OutputFormat Ndjson; echo EXIT=$?`,
      'Enter',
    );
    await waitFor(/Supply values for the following parameters:\s*\n\s*Password:/);
    tmux('send-keys', '-t', session, '-l', 'typed-secret-123');
    tmux('send-keys', '-t', session, 'Enter');
    const text = await waitFor(/EXIT=\d+/);
    expect(text).toMatch(/\{"length":16\}/);
    expect(text).toMatch(/EXIT=0/);
    expect(text).not.toContain('typed-secret-123');
  });

  it('binds a typed value like a command-line one, validation included', async () => {
    await partner.seedContext('asked');
    await partner.seedContext('other');
    tmux('send-keys', '-t', session, 'clear', 'Enter');
    tmux(
      'send-keys',
      '-t',
      session,
      `'${join(repoRoot, 'bin', 'Select-PartnerContext')}' > /dev/null; echo EXIT=$?`,
      'Enter',
    );
    await waitFor(/Name:/);
    tmux('send-keys', '-t', session, 'asked', 'Enter');
    expect(await waitFor(/EXIT=\d+/)).toMatch(/EXIT=0/);
    expect((await partner.run('Get-PartnerContext')).stdout).toContain('"name":"asked"');

    tmux('send-keys', '-t', session, 'clear', 'Enter');
    tmux(
      'send-keys',
      '-t',
      session,
      `'${join(repoRoot, 'bin', 'Get-PartnerCustomer')}' -Domain; echo EXIT=$?`,
      'Enter',
    );
    const refused = await waitFor(/EXIT=\d+/);
    expect(refused).toMatch(/EXIT=2/);
  });
});
