/**
 * `<Cmdlet> -?` into a pipe at the default width takes bin/run.cjs's short way (the page the build
 * rendered, dist/help-pages, written by lib/host/help-process.ts; not the host): the page must be
 * the host's, byte for byte, for each spelling of help, for a cmdlet that lists, for one that loads
 * the others' declarations (Get-Help) and for the emulator's. The host's page is the same command
 * run by the host in this process (stdout no terminal, the width main() would take from COLUMNS),
 * which is what the usual way of a process writes to a file, at no process start-up.
 * NODE_DEBUG=module shows which way ran (the short way loads its one CommonJS writer,
 * help-page.cjs). With COLUMNS asking for a width, the pipe gets the host's page at that width. A
 * reader that closes early still ends help with 0.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCmdlet } from '../../lib/host/load-cmdlet.js';
import { runInProcess } from '../fixtures/host/run-in-process.js';
import { binPath, cleanEnv, runBash } from '../support/cli.js';
import { requireBuild } from '../support/required-tools.js';

let dir: string;
beforeAll(() => {
  requireBuild();
  dir = mkdtempSync(join(tmpdir(), 'pc-help-process-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The host's help page of a command, as main() runs it with stdout a file (no terminal). */
async function hostPage(cmdlet: string, word: string, columns?: number): Promise<string> {
  const result = await runInProcess(await loadCmdlet(cmdlet), [word], {
    env: withoutColumns(),
    columns,
  });
  expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
  return result.stdout;
}
const lineCount = (text: string) => text.split('\n').length - 1;

const bin = (name: string) => `"${process.execPath}" "${binPath(name)}"`;

describe('help into a pipe', () => {
  it("is the host's page, byte for byte, for each spelling and for three kinds of cmdlet", async () => {
    const cases = [
      ['Get-PartnerCustomer', '-?'],
      ['Get-PartnerCustomer', '--help'],
      ['Get-Help', '-HELP'],
      ['Start-PartnerEmulator', '-?'],
    ];
    const script = [
      'set -o pipefail',
      `dir="${dir}"`,
      ...cases.flatMap(([cmdlet, word], index) => [
        `NODE_DEBUG=module ${bin(cmdlet!)} ${word} 2> "$dir/debug-${index}" | cat > "$dir/piped-${index}" ` +
          `|| echo "piped ${index} failed: $?"`,
        `grep -q 'help-page\\.cjs' "$dir/debug-${index}" && echo "short way (${index})"`,
      ]),
      `${bin('Get-PartnerCustomer')} -? | head -c 1 > /dev/null; echo "closed early: \${PIPESTATUS[0]}"`,
    ].join('\n');
    const result = await runBash(script, { env: withoutColumns() });
    expect(result.stderr).toBe('');
    expect(result.stdout.trim().split('\n')).toEqual([
      ...cases.map((_, index) => `short way (${index})`),
      'closed early: 0',
    ]);
    for (const [index, [cmdlet, word]] of cases.entries()) {
      const piped = readFileSync(join(dir, `piped-${index}`), 'utf8');
      expect({ index, piped }).toEqual({ index, piped: await hostPage(cmdlet!, word!) });
      // Pages, not empty texts that compare equal.
      expect(lineCount(piped)).toBeGreaterThan(20);
    }
  });

  it('with COLUMNS set, is the host page at that width, not the page the build rendered', async () => {
    const script = [
      'set -o pipefail',
      `dir="${dir}"`,
      `NODE_DEBUG=module ${bin('Get-PartnerCustomer')} -? 2> "$dir/debug" | cat > "$dir/narrow"`,
      `grep -q 'help-page\\.cjs' "$dir/debug" || echo "through the host"`,
    ].join('\n');
    const result = await runBash(script, { env: { ...withoutColumns(), COLUMNS: '60' } });
    expect(result.stderr).toBe('');
    expect(result.stdout.trim().split('\n')).toEqual(['through the host']);
    const narrow = readFileSync(join(dir, 'narrow'), 'utf8');
    // The page at the default width, which the case above shows the pipe gets without COLUMNS.
    const usual = await hostPage('Get-PartnerCustomer', '-?');
    expect(narrow).toBe(await hostPage('Get-PartnerCustomer', '-?', 60));
    expect(narrow).not.toBe(usual);
    // Wrapped at 60 columns: more lines than the page at the default width.
    expect(lineCount(narrow)).toBeGreaterThan(lineCount(usual) + 10);
  });
});

function withoutColumns(): NodeJS.ProcessEnv {
  const env = cleanEnv({});
  delete env.COLUMNS;
  return env;
}
