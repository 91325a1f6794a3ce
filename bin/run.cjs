'use strict';
// The bin/ shims stay CommonJS (bin/package.json) so they run the same way from a checkout, a
// global install and npm's Windows .cmd wrappers; they only hand over to the compiled host: the
// esbuild bundle `npm run build` makes (one file per command and a few shared chunks instead of
// about 60 modules plus each dependency's own, which roughly halves start-up), else dist/ as tsc
// emitted it. A bundle older than dist/ is stale (only tsc ran since) and is passed over.
const { statSync } = require('node:fs');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

function modifiedAt(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

function hostEntry() {
  const dist = join(__dirname, '..', 'dist');
  const bundled = join(dist, 'bundle', 'main.js');
  const compiled = join(dist, 'lib', 'host', 'main.js');
  const bundledAt = modifiedAt(bundled);
  return bundledAt !== undefined && bundledAt >= (modifiedAt(compiled) ?? 0) ? bundled : compiled;
}

module.exports = function run(cmdletName) {
  import(pathToFileURL(hostEntry()).href)
    .then((module) => module.main(cmdletName))
    .catch((error) => {
      // A clone is built by `npm run build`, not by `npm install` (a `prepare` script would also
      // run, and warn, where the packed module is installed); a packed module ships dist/.
      const missing = error && error.code === 'ERR_MODULE_NOT_FOUND';
      process.stderr.write(
        `${cmdletName}: cannot start: ${missing ? 'the module is not built' : error.message}. ` +
          `Run \`npm run build\` in ${join(__dirname, '..')}.\n`,
      );
      process.exitCode = 1;
    });
};
