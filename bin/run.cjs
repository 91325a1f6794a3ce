'use strict';
// The bin/ shims stay CommonJS (bin/package.json) so they run the same way from a checkout, a
// global install and npm's Windows .cmd wrappers; they only hand over to the compiled host.
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

module.exports = function run(cmdletName) {
  const host = pathToFileURL(join(__dirname, '..', 'dist', 'lib', 'host', 'main.js')).href;
  import(host)
    .then((module) => module.main(cmdletName))
    .catch((error) => {
      const missing = error && error.code === 'ERR_MODULE_NOT_FOUND';
      process.stderr.write(
        `${cmdletName}: cannot start: ${missing ? 'the module is not built' : error.message}. ` +
          'Run `npm install` (or `npm run build`) in the module directory.\n',
      );
      process.exitCode = 1;
    });
};
