/**
 * Help on a real terminal (util-linux `script`): a page longer than the screen goes through the
 * pager ($PARTNERCENTER_PAGER, $PAGER, else `less -FRX`), a short one or one written to a pipe
 * does not, and a pager that cannot start still leaves the help on the screen.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, jest } from '@jest/globals';
import { binPath, cleanEnv, runOnTerminal, scratchConfigDir } from '../support/cli.js';
import { requireBuild, requireTools } from '../support/required-tools.js';

requireBuild();
requireTools('script', 'less');
const config = scratchConfigDir();
afterAll(() => config.dispose());

const node = process.execPath;
const help = `${node} ${binPath('Get-Help')}`;
const customer = `${node} ${binPath('Get-PartnerCustomer')}`;
/** A 100 x 20 terminal, then each command with a line saying how it exited. */
const onTerminal = (commands: string[], extra: NodeJS.ProcessEnv = {}) =>
  runOnTerminal(
    ['stty rows 20 cols 100', ...commands.map((c, i) => `${c}; echo "[${i} exit $?]"`)].join('; '),
    // Several commands on a terminal: on a loaded machine they may take longer than one.
    { env: cleanEnv({ PARTNERCENTER_CONFIG_DIR: config.dir, ...extra }), timeoutMs: 60_000 },
  );
/** The default pager: no PAGER from the developer's own shell. */
function withoutPager(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  delete env.PAGER;
  return env;
}
const lines = (text: string) => text.replace(/\r/g, '').split('\n');
const marked = (text: string) => lines(text).filter((line) => line.startsWith('PAGED:'));

jest.setTimeout(90_000);

describe('help through the pager', () => {
  it('pages a long page on a terminal, and neither a short one nor one written to a pipe', async () => {
    const result = await onTerminal(
      [
        `${help} Get-PartnerCustomer`,
        `${customer} -?`,
        `${help} Get-PartnerCustomer -Parameter PageSize`,
        `${help} Get-PartnerCustomer | cat`,
      ],
      { PAGER: 'sed s/^/PAGED:/' },
    );
    const [long, questionMark, short, piped] = result.stdout
      .replace(/\r/g, '')
      .split(/\[\d exit \d+\]\n/);
    expect(result.stdout).toMatch(
      /\[0 exit 0\][\s\S]*\[1 exit 0\][\s\S]*\[2 exit 0\][\s\S]*\[3 exit 0\]/,
    );
    // Every line of the long page went through the pager, the same for -?.
    expect(lines(long!).filter((line) => line && !line.startsWith('PAGED:'))).toEqual([]);
    expect(marked(long!)).toContain('PAGED:NAME');
    expect(marked(long!).length).toBeGreaterThan(20);
    expect(marked(questionMark!)).toEqual(marked(long!));
    // -? is help without connecting (the config directory has no context): exit 0 above.
    expect(marked(questionMark!)).toContain('PAGED:SYNTAX');
    expect(marked(short!)).toEqual([]);
    expect(short).toContain('-PageSize <Int32>');
    expect(marked(piped!)).toEqual([]);
    expect(piped).toContain('SYNOPSIS');
  });

  it(
    'prefers PARTNERCENTER_PAGER; an empty one or cat turns paging off; one that cannot ' +
      'start still shows the help',
    async () => {
      const result = await onTerminal(
        [
          `PARTNERCENTER_PAGER='sed s/^/PAGED:/' ${help} Get-PartnerCustomer`,
          `PARTNERCENTER_PAGER= ${help} Get-PartnerCustomer`,
          `PAGER=cat ${help} Get-PartnerCustomer`,
          `PAGER=no-such-pager-here ${help} Get-PartnerCustomer`,
        ],
        { PAGER: 'sed s/^/OTHER:/' },
      );
      const [chosen, empty, cat, missing] = result.stdout
        .replace(/\r/g, '')
        .split(/\[\d exit \d+\]\n/);
      expect(result.stdout).toMatch(
        /\[0 exit 0\][\s\S]*\[1 exit 0\][\s\S]*\[2 exit 0\][\s\S]*\[3 exit 0\]/,
      );
      expect(marked(chosen!)).toContain('PAGED:SYNOPSIS');
      for (const page of [empty!, cat!, missing!]) {
        expect(page).not.toMatch(/PAGED:|OTHER:/);
        expect(page).toContain('REMARKS');
      }
    },
  );

  it('waits in less -FRX (the default) for a person, whose Ctrl-C is for less, until q', async () => {
    let quit = false;
    let pressQ: NodeJS.Timeout | undefined;
    // The exit status goes to a file: the terminal's last line may be lost when `script` ends
    // while q is still being typed into it (seen on a loaded CI machine).
    const status = join(config.dir, 'less-exit-status');
    // The shell behind `script` takes the Ctrl-C as well: dash (CI's /bin/sh) would die of it
    // once its child ends, whatever the child did; a trap (not an ignore, which the command would
    // inherit) makes any shell wait and go on, as bash does by itself.
    const result = await runOnTerminal(
      `trap : INT; stty rows 20 cols 100; ${help} Get-PartnerCustomer; echo $? > ${status}`,
      {
        env: withoutPager(cleanEnv({ PARTNERCENTER_CONFIG_DIR: config.dir })),
        timeoutMs: 60_000,
        onOutput: ({ stdout }, child) => {
          // less shows one screen and waits; the rest of the page is not on the terminal yet.
          if (!quit && stdout.includes('SYNTAX')) {
            quit = true;
            expect(stdout).not.toContain('REMARKS');
            // Ctrl-C twice belongs to less (which stays), not to the command behind it (which
            // would otherwise exit 130 on the second, leaving less on the terminal); then q.
            child.stdin!.write('\x03\x03');
            // less drops what was typed ahead when it takes an interrupt, so a q that arrives
            // before it has handled the Ctrl-C is lost: press q until the command has ended.
            pressQ = setInterval(() => child.stdin!.write('q'), 300);
          }
        },
      },
    );
    clearInterval(pressQ);
    expect(quit).toBe(true);
    expect(result.code).toBe(0);
    expect(readFileSync(status, 'utf8').trim()).toBe('0');
    expect(result.stdout).not.toContain('For exit codes, type');
  });
});
