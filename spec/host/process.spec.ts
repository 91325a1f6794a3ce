/**
 * The host as real processes (the built dist/, as bin/ runs it): pipes closed early, signals, stdin
 * detection, and a real pseudo-terminal (tmux) for the terminal-only behaviour.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../lib/host/module-manifest.js';
import { spawnCollect } from '../support/cli.js';
import { requireBuild, requireTools } from '../support/required-tools.js';
import { wholeNdjsonLines } from '../support/ndjson.js';

const root = packageRoot();
const fixture = join(root, 'spec', 'fixtures', 'host', 'fixture-process.mjs');
requireBuild();
const configDir = mkdtempSync(join(tmpdir(), 'pc-process-'));
afterAll(() => rmSync(configDir, { recursive: true, force: true }));
const env = { PATH: process.env.PATH, HOME: process.env.HOME, PARTNERCENTER_CONFIG_DIR: configDir };

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts the fixture; `until` decides from stdout when to send `signal`. */
function startFixture(
  args: string[],
  options: { signal?: NodeJS.Signals; until?: (stdout: string) => boolean; input?: string } = {},
): Promise<Finished> {
  let signalled = false;
  return spawnCollect(process.execPath, [fixture, ...args], {
    env,
    input: options.input,
    onOutput: ({ stdout }, child) => {
      if (options.signal && !signalled && options.until?.(stdout)) {
        signalled = true;
        child.kill(options.signal);
      }
    },
  });
}

describe('real processes', () => {
  it('bin/Get-Command lists the cmdlets and exits 0', () => {
    const result = spawnSync(process.execPath, [join(root, 'bin', 'Get-Command'), '-Verb', 'Get'], {
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    expect(
      wholeNdjsonLines(result.stdout).map((command) => (command as { name: string }).name),
    ).toContain('Get-Help');
  });

  // bin/Get-PartnerCustomer -? printing help without connecting (exit 0, its SYNTAX, a config
  // directory with no context) is one of help.spec.ts's runs on a terminal (help pager), and into a
  // pipe one of its help process runs: no process of its own here.

  it('an endless listing piped into head -n 1 ends quietly with status 0', () => {
    // stdin is /dev/null, as for the runs below: it plays no part here, and the idle stdin pipe
    // spawnSync gives by default made this bash + node pipeline take ~1 s instead of ~0.2 s.
    const result = spawnSync(
      'bash',
      ['-c', 'set -o pipefail; "$0" "$1" Numbers | head -n 1', process.execPath, fixture],
      { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({ n: 0, text: 'number 0' });
  });

  it.each<[NodeJS.Signals, number]>([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ])('%s mid-listing leaves whole lines and exits %i', async (signal, code) => {
    const result = await startFixture(['Numbers'], {
      signal,
      until: (stdout) => stdout.length > 200_000,
    });
    expect(result.code).toBe(code);
    expect(wholeNdjsonLines(result.stdout).length).toBeGreaterThan(1000);
    expect(result.stderr).toBe(`Get-Numbers: Stopped by ${signal}.\n`);
  });

  it('reads pipeline input from a pipe, and none from /dev/null', async () => {
    const piped = await startFixture(['Thing'], {
      input:
        '{"id":"c5757d70-06f3-4f23-8367-5a9e55019f94"}\n{"Id":"1b5d4a2e-0000-4000-8000-000000000002"}\n',
    });
    expect(piped.code).toBe(0);
    expect(wholeNdjsonLines(piped.stdout)).toEqual([
      { set: 'ById', customerId: 'c5757d70-06f3-4f23-8367-5a9e55019f94', interactive: false },
      { set: 'ById', customerId: '1b5d4a2e-0000-4000-8000-000000000002', interactive: false },
    ]);
    const none = await startFixture(['Thing']);
    expect(wholeNdjsonLines(none.stdout)).toEqual([
      { set: 'List', customerId: null, interactive: false },
    ]);
    const empty = await startFixture(['Thing'], { input: '' });
    // Not silent (issue 19): an empty pipe says that nothing came.
    expect(empty).toMatchObject({ code: 0, stdout: '' });
    expect(empty.stderr).toMatch(
      /^WARNING: Nothing came on standard input, so Get-Thing read no objects/,
    );
  });
});

describe('on a real terminal (tmux)', () => {
  requireTools('tmux');
  const session = `pc-host-${process.pid}`;
  const socket = join(configDir, 'tmux.sock');
  const tmuxRun = (...args: string[]) =>
    execFileSync('tmux', ['-S', socket, ...args], { encoding: 'utf8' });
  const screen = () => tmuxRun('capture-pane', '-p', '-t', session);

  beforeAll(() => {
    tmuxRun(
      'new-session',
      '-d',
      '-s',
      session,
      '-x',
      '120',
      '-y',
      '40',
      '-e',
      `PARTNERCENTER_CONFIG_DIR=${configDir}`,
      'env',
      '-u',
      'CI',
      'bash',
      '--norc',
      '--noprofile',
    );
    // (CI is unset in the pane: a person at this terminal is what these cases are about, even when
    // CI runs them.)
  });
  afterAll(() => {
    spawnSync('tmux', ['-S', socket, 'kill-server']);
  });

  async function runInPane(command: string, marker: string): Promise<string> {
    tmuxRun('send-keys', '-t', session, 'clear', 'Enter');
    tmuxRun('send-keys', '-t', session, `${command}; echo ${marker}=$?`, 'Enter');
    for (let i = 0; i < 200; i++) {
      const text = screen();
      if (new RegExp(`^${marker}=\\d+`, 'm').test(text)) return text;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`no ${marker} on screen:\n${screen()}`);
  }

  it(
    'writes a table on a terminal by default, Ndjson when the context saved ' +
      'Ndjson, and knows it is interactive',
    async () => {
      const table = await runInPane(`"${process.execPath}" "${fixture}" Items -Count 2`, 'DONE1');
      expect(table).toMatch(
        /^CustomerId {4,}Domain\n-{10} +-{6}\n00000000-0000-4000-8000-000000000000 {2}contoso0\.example\n/m,
      );
      expect(table).toMatch(/^DONE1=0/m);
      const ndjson = await runInPane(
        `PARTNERCENTER_OUTPUT_FORMAT=Ndjson "${process.execPath}" "${fixture}" Items -Count 2`,
        'DONE2',
      );
      expect(ndjson).toContain(
        '{"id":"00000000-0000-4000-8000-000000000000","companyProfile":{"domain":"contoso0.example"}}',
      );
      const thing = await runInPane(
        `"${process.execPath}" "${fixture}" Thing -OutputFormat Ndjson`,
        'DONE3',
      );
      expect(thing).toContain('"interactive":true');
    },
  );

  it('shows a progress line while listing, and erases it at the end', async () => {
    tmuxRun('send-keys', '-t', session, 'clear', 'Enter');
    tmuxRun(
      'send-keys',
      '-t',
      session,
      `"${process.execPath}" "${fixture}" Items -Count 15 -Pause 100 -OutputFormat ` +
        'Table > /dev/null; echo DONE4=$?',
      'Enter',
    );
    let sawProgress = false;
    let finalScreen = '';
    for (let i = 0; i < 300 && !finalScreen; i++) {
      const text = screen();
      if (/Listing items: \d+ pages?, \d+ items?/.test(text)) sawProgress = true;
      if (/^DONE4=0/m.test(text)) finalScreen = text;
      else await new Promise((resolve) => setTimeout(resolve, 30));
    }
    expect(sawProgress).toBe(true);
    expect(finalScreen).not.toMatch(/Listing items/);
  });
});
