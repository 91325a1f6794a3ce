// `npm start` on a fresh clone: `npm install` does not build (a `prepare` script would also run,
// and warn, where the packed module is installed), so the first start builds, and a start after
// a source change rebuilds. A build whose bundle is newer than every source file is reused.
import { execSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const modifiedAt = (path) => {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
};
const newestUnder = (dir) =>
  readdirSync(join(root, dir), { recursive: true })
    .map((name) => modifiedAt(join(root, dir, name)) ?? 0)
    .reduce((a, b) => Math.max(a, b), 0);

const builtAt = modifiedAt(join(root, 'dist', 'bundle', 'host.js'));
const sourcesAt = Math.max(
  newestUnder('lib'),
  newestUnder('cmdlets'),
  modifiedAt(join(root, 'package.json')) ?? 0,
);
if (builtAt === undefined || builtAt < sourcesAt) {
  process.stderr.write('Building the module first (npm run build)...\n');
  execSync('npm run build --silent', { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
}
