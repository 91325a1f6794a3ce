/**
 * `npm run build` runs this after tsc: writes the files generated from cmdlets/ (module-files.ts)
 * where they differ, and drops what a removed cmdlet left in bin/ and dist/. When the typed
 * functions changed (a cmdlet was added or removed), tsc runs again so dist/ holds them.
 *
 * `--retry`: tsc failed, perhaps only because the typed functions still import a cmdlet file that
 * was removed (tsc emits despite errors, so this script is there to run): regenerate and compile
 * again; if nothing changed, the errors were real and the build stops.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './host/module-manifest.js';
import { cmdletNames, moduleFiles } from './module-files.js';

const root = packageRoot();
const retry = process.argv.includes('--retry');
const changed: string[] = [];
for (const file of await moduleFiles(root)) {
  const path = join(root, file.path);
  if (!existsSync(path) || readFileSync(path, 'utf8') !== file.content) {
    writeFileSync(path, file.content);
    changed.push(file.path);
  }
  if (file.executable) chmodSync(path, 0o755);
}
const names = new Set(cmdletNames(root));
// bin/ holds the shims (no dot in their names), run.cjs and package.json.
for (const entry of readdirSync(join(root, 'bin'))) {
  if (!entry.includes('.') && !names.has(entry)) {
    rmSync(join(root, 'bin', entry));
    changed.push(`bin/${entry}`);
  }
}
const compiled = join(root, 'dist', 'cmdlets');
for (const entry of existsSync(compiled) ? readdirSync(compiled) : []) {
  if (!names.has(entry.replace(/\.(d\.ts|js)$/, ''))) rmSync(join(compiled, entry));
}
if (changed.length > 0) console.log(`Generated ${changed.join(', ')}.`);
if (changed.includes('lib/cmdlet-functions.ts')) {
  // The compiler is package.json's `compile` script (TypeScript 7's native tsc), named once there.
  const compile = ['run', '--silent', 'compile'];
  const npm = process.env.npm_execpath;
  if (npm) execFileSync(process.execPath, [npm, ...compile], { cwd: root, stdio: 'inherit' });
  else
    execFileSync('npm', compile, {
      cwd: root,
      stdio: 'inherit',
      shell: process.platform === 'win32',
    });
} else if (retry) {
  console.error('tsc failed (see above); the generated files were up to date.');
  process.exitCode = 1;
}
