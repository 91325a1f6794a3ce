/**
 * The write contract's questions on a real terminal (util-linux `script`): asked on the terminal
 * itself while stdin carries the pipeline's objects, answered as PowerShell's are (Yes, No, Yes to
 * All, ?, Enter for the default), one at a time in a fan-out; Ctrl-C at a question stops the run;
 * without a terminal, the command refuses before anything is changed. The rules themselves
 * (preference, -Confirm, -Force, -WhatIf) are proved in-process: spec/host/write-contract.spec.ts.
 */
import { describe, expect, it } from '@jest/globals';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { type CliResult, cleanEnv, repoRoot, runOnTerminal, spawnCollect } from '../support/cli.js';
import { requireBuild, requireTools } from '../support/required-tools.js';

const fixture = join(repoRoot, 'spec', 'fixtures', 'host', 'fixture-process.mjs');
const resize = (args: string) =>
  `'${process.execPath}' '${fixture}' Resize -OutputFormat Ndjson ${args}`;
const menu = '[Y] Yes  [A] Yes to All  [N] No  [L] No to All  [?] Help (default is "Y"): ';
const input = (names: string[]) =>
  names.map((name, index) => `{"name":"${name}","size":${index + 2}}`).join('\\n');

/** Runs `commandLine` on a terminal, typing each answer once the next question shows. */
function answering(commandLine: string, answers: readonly string[]): Promise<CliResult> {
  let answered = 0;
  return runOnTerminal(commandLine, {
    timeoutMs: 60_000,
    onOutput: ({ stdout }, child: ChildProcess) => {
      const asked = stdout.split(menu).length - 1;
      if (asked > answered && answered < answers.length) child.stdin?.write(answers[answered++]!);
    },
  });
}

/** The objects the command wrote: NDJSON lines among what the terminal showed (progress too). */
const written = (screen: string) =>
  [...screen.matchAll(/\{"name":"(\w+)","size":\d+\}\r?\n/g)].map((match) => match[1]);

describe('confirmations on the terminal', () => {
  requireTools('script', 'setsid');
  requireBuild();

  it('asks on /dev/tty while stdin carries the objects: Y, ? then N, Enter, then Yes to All', async () => {
    const names = ['a', 'b', 'c', 'd', 'e', 'f'];
    const result = await answering(
      `printf '${input(names)}\\n' | ${resize('-ThrottleLimit 1')}; echo EXIT=$?`,
      ['y\r', '?\r', 'n\r', '\r', 'a\r'],
    );
    const screen = result.stdout;
    expect(screen).toMatch(/EXIT=0/);
    expect(screen).toContain(
      'Confirm\r\nAre you sure you want to perform this action?\r\n' +
        'Performing the operation "Resize thing" on target "a". size 1 → 2\r\n',
    );
    expect(screen).toContain('A - Continue with all the steps of the operation.');
    expect(screen).toContain('L - Skip this operation and all subsequent operations.');
    expect(screen).not.toContain('[S] Suspend');
    // Five questions (a, b asked twice around the help, c, d) and every object read: none was
    // taken from stdin as an answer, and d's Yes to All answered e and f.
    expect(screen.split(menu).length - 1).toBe(5);
    expect(written(screen)).toEqual(['a', 'c', 'd', 'e', 'f']);
  });

  it('asks one question at a time in a fan-out; Yes to All answers the objects waiting', async () => {
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    const result = await answering(
      `printf '${input(names)}\\n' | ${resize('-ThrottleLimit 4')}; echo EXIT=$?`,
      ['A\r'],
    );
    expect(result.stdout).toMatch(/EXIT=0/);
    expect(result.stdout.split(menu).length - 1).toBe(1);
    expect(written(result.stdout).sort()).toEqual(names);
  });

  it('No to All changes nothing more; Ctrl-C at a question stops the run (130)', async () => {
    const noToAll = await answering(
      `printf '${input(['a', 'b', 'c'])}\\n' | ${resize('-ThrottleLimit 1')}; echo EXIT=$?`,
      ['l\r'],
    );
    expect(noToAll.stdout).toMatch(/EXIT=0/);
    expect(written(noToAll.stdout)).toEqual([]);
    const interrupted = await answering(
      `printf '${input(['a', 'b'])}\\n' | ${resize('-ThrottleLimit 1')}; echo EXIT=$?`,
      ['\u0003'],
    );
    expect(interrupted.stdout).toMatch(/EXIT=130/);
    expect(written(interrupted.stdout)).toEqual([]);
  });

  it('without a terminal (a new session, as cron or a runbook): refused before any change, exit 2', async () => {
    const result = await spawnCollect('setsid', ['-w', process.execPath, fixture, 'Resize'], {
      env: cleanEnv({}),
      input: `${input(['a', 'b']).replaceAll('\\n', '\n')}\n`,
    });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'Set-Thing: Set-Thing asks before each change: its impact (High) is at least ' +
        'PARTNERCENTER_CONFIRM_PREFERENCE (High), and no terminal is there to ask: nothing was ' +
        'changed. Add -Force or -Confirm:$false to make the changes without asking (in a ' +
        'runbook, that is the choice to make), or -WhatIf to see them first.\n',
    );
    const forced = await spawnCollect(
      'setsid',
      ['-w', process.execPath, fixture, 'Resize', '-Confirm:$false'],
      { env: cleanEnv({}), input: `${input(['a', 'b']).replaceAll('\\n', '\n')}\n` },
    );
    expect(forced.code).toBe(0);
    expect(written(forced.stdout).sort()).toEqual(['a', 'b']);
  });
});
