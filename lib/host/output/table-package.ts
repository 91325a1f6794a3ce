/**
 * The `table` package, loaded so that it measures cells in terminal columns as
 * lib/common/text-width.ts counts them.
 *
 * Why: `table` 6 measures every cell with `string-width` 4, which counts a Thai or Devanagari mark
 * as a column of its own (สวัสดี as 6 columns, not 4) and ☕ as one, so rows holding such names
 * came out misaligned or wrapped. The package takes no width function; its one measure is
 * `require("string-width")` in its utils module, read when a table is drawn.
 *
 * How, in the esbuild bundle bin/ runs: the bundle holds `table`, and its `require("string-width")`
 * was bound to ./string-width.ts when it was built (scripts/bundle.mjs: `alias`); the bundler
 * also defines PARTNERCENTER_BUNDLE, which tells this module it runs there.
 *
 * How everywhere else (dist/lib for the Node API, Jest in-process): the package's own files are
 * loaded here as a private copy whose `require("string-width")` answers with our width function;
 * everything else they require (slice-ansi, strip-ansi, ajv's runtime) comes from the ordinary
 * loader. A private copy rather than a string-width entry put into require.cache: Jest's
 * require.cache ignores writes, a `table` loaded before would keep string-width 4, and a program
 * that uses the Node API and `table` itself keeps its own copy as its authors made it.
 *
 * Either way `table` is loaded when the first table is drawn, so a command that prints none does
 * not pay for it. The bundle holds it rather than reading the private copy's 30-odd files: it
 * loads in about 20 to 50 ms instead of 100 or more.
 * Cells reach `table` without control characters (printable.ts), so there is no escape sequence
 * for the width function to skip, as string-width would.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, sep } from 'node:path';
import { compileFunction } from 'node:vm';
import type { getBorderCharacters, table } from 'table';
import { displayWidth } from '../../common/text-width.js';

export interface TablePackage {
  table: typeof table;
  getBorderCharacters: typeof getBorderCharacters;
}

/** Defined (true) by the esbuild bundle only. */
declare const PARTNERCENTER_BUNDLE: true;

let loaded: TablePackage | undefined;

/** `table` and `getBorderCharacters` of the package, measuring by displayWidth. */
export function tablePackage(): TablePackage {
  // esbuild bundles a require() of a literal (lazily evaluated, in this module's chunk).
  loaded ??=
    typeof PARTNERCENTER_BUNDLE === 'undefined'
      ? privateCopy()
      : (require('table') as TablePackage);
  return loaded;
}

/** What `require("string-width")` gives table's files (callable, and as a default export). */
const stringWidth = Object.assign((text: string) => displayWidth(text), { default: displayWidth });

function privateCopy(): TablePackage {
  const ours = createRequire(import.meta.url);
  const packageDirectory = dirname(ours.resolve('table/package.json')) + sep;
  const modules = new Map<string, { exports: unknown }>();
  // CommonJS as Node runs it: the file's text as the body of a function of exports, require,
  // module, __filename and __dirname. A module is recorded before it runs, so a cycle gets the
  // exports made so far, as with require.
  const load = (file: string): unknown => {
    const known = modules.get(file);
    if (known) return known.exports;
    const module = { exports: {} };
    modules.set(file, module);
    const outside = createRequire(file);
    const require = (id: string): unknown => {
      if (id === 'string-width') return stringWidth;
      const resolved = outside.resolve(id);
      const own = resolved.startsWith(packageDirectory) && resolved.endsWith('.js');
      return own ? load(resolved) : outside(id);
    };
    const parameters = ['exports', 'require', 'module', '__filename', '__dirname'];
    const body = compileFunction(readFileSync(file, 'utf8'), parameters, { filename: file });
    body(module.exports, require, module, file, dirname(file));
    return module.exports;
  };
  return load(ours.resolve('table')) as TablePackage;
}
