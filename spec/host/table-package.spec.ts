/**
 * Tables are drawn by the `table` package measuring cells with the module's own width function
 * (lib/host/output/table-package.ts), in every way the module runs: in-process under Jest
 * (spec/host/output.spec.ts), and here in real processes from dist/lib (the Node API,
 * on Node's own module loader) and from the esbuild bundle that bin/ runs. Columns are checked
 * against widths counted by hand, in every script. Needs the build (`npm test` runs it first).
 */
import { describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { tablePackage } from '../../lib/host/output/table-package.js';
import { expectLinedUpByHand, scriptRows, scriptView } from '../fixtures/text/script-table.js';
import { cleanEnv, repoRoot, scratchConfigDir, spawnCollect } from '../support/cli.js';

const fixture = join(repoRoot, 'spec', 'fixtures', 'host', 'rows-process.mjs');

describe.each(['lib', 'bundle'])('a table drawn by a real process from dist/%s', (build) => {
  it.each([120, 60])('lines up every column at %i columns, in every script', async (columns) => {
    const entry = build === 'bundle' ? 'bundle/host.js' : 'lib/host/main.js';
    expect(existsSync(join(repoRoot, 'dist', entry))).toBe(true);
    const scratch = scratchConfigDir();
    try {
      const args = [
        JSON.stringify(scriptView),
        JSON.stringify(scriptRows),
        '-OutputFormat',
        'Table',
      ];
      const result = await spawnCollect(process.execPath, [fixture, build, ...args], {
        env: cleanEnv({ PARTNERCENTER_CONFIG_DIR: scratch.dir, COLUMNS: String(columns) }),
      });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expectLinedUpByHand(result.stdout, columns);
    } finally {
      scratch.dispose();
    }
  });
});

describe('the table package', () => {
  // One column, no borders or padding: a shorter cell is padded to the widest one's width.
  const draw = (table: typeof import('table').table) =>
    table([['สวัสดี'], ['abcd']], {
      border: tablePackage().getBorderCharacters('void'),
      columnDefault: { paddingLeft: 0, paddingRight: 0 },
      drawHorizontalLine: () => false,
    }).split('\n');

  it('measures with our width: สวัสดี takes 4 columns, its marks none', () => {
    expect(draw(tablePackage().table)).toEqual(['สวัสดี', 'abcd', '']);
  });

  it('is a private copy: the table a program requires itself keeps its own measure', () => {
    const programs = createRequire(import.meta.url)('table') as typeof import('table');
    expect(programs.table).not.toBe(tablePackage().table);
    // string-width 4 counts the two marks as columns: 6.
    expect(draw(programs.table)).toEqual(['สวัสดี', 'abcd  ', '']);
  });
});
