/**
 * `npm run build` runs this last: renders each cmdlet's help page as `<Verb-Noun> -?` shows it into
 * a pipe (the default view at the default width) to dist/help-pages/<Verb-Noun>.txt, which
 * bin/run.cjs writes without loading the host (lib/host/help-process.ts). The page depends only on
 * the declaration and the manifest, both final here; a page older than dist/lib/host/main.js (tsc
 * ran again since) is passed over by the shim, as a stale bundle is.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderHelp } from './host/help/render-help.js';
import { loadCmdlet } from './host/load-cmdlet.js';
import { packageRoot } from './host/module-manifest.js';
import { cmdletNames } from './module-files.js';

const root = packageRoot();
const pages = join(root, 'dist', 'help-pages');
// Whole: a removed cmdlet's page goes with it.
rmSync(pages, { recursive: true, force: true });
mkdirSync(pages, { recursive: true });
for (const name of cmdletNames(root)) {
  const page = renderHelp(await loadCmdlet(name), { view: 'default', width: undefined });
  writeFileSync(join(pages, `${name}.txt`), page);
}
