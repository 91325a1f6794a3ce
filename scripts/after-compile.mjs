#!/usr/bin/env node
/**
 * `npm run build`'s steps after tsc, side by side: the files generated from cmdlets/
 * (dist/lib/generate-module-files.js), the bundles bin/ runs (scripts/bundle.mjs) and the help
 * pages (dist/lib/generate-help-pages.js). Each but the first uses one core for about a second,
 * and `npm test` waits for the build, so running them one after another cost about 1.5 s of wall
 * time on two cores.
 *
 * The bundles and pages are made from dist/ as tsc left it. The generated files change only when a
 * cmdlet's declaration did (a cmdlet added, removed or given a parameter); the generator then
 * writes them, runs tsc again and says "Generated ...", and the bundles and pages are made once
 * more from the new dist/ (bin/run.cjs passes over a bundle or page older than dist/lib/host/
 * main.js, so a stale one would only be slow, never wrong, but the build leaves none).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const GENERATE = join(root, 'dist', 'lib', 'generate-module-files.js');
const FROM_DIST = [
  join(root, 'scripts', 'bundle.mjs'),
  join(root, 'dist', 'lib', 'generate-help-pages.js'),
];

/** Runs a node script; resolves with its stdout (its stderr goes through), rejects on a failure. */
function node(script) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const chunks = [];
    child.stdout.on('data', (chunk) => chunks.push(chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const stdout = Buffer.concat(chunks).toString();
      process.stdout.write(stdout);
      if (code === 0) resolve(stdout);
      else reject(new Error(`${script} failed (${signal ?? `exit code ${code}`}).`));
    });
  });
}

// When the generator rewrote files (manifest.json among them) while the others read them, what
// the others made, or how they failed, no longer counts: they run again.
try {
  const [generated, ...fromDist] = await Promise.allSettled([
    node(GENERATE),
    ...FROM_DIST.map(node),
  ]);
  if (generated.status === 'rejected') throw generated.reason;
  if (generated.value.includes('Generated ')) for (const script of FROM_DIST) await node(script);
  else for (const step of fromDist) if (step.status === 'rejected') throw step.reason;
} catch (error) {
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 1;
}
