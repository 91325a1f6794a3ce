'use strict';
// `node scripts/make-code-caches.cjs <bundle>...` (scripts/bundle.mjs runs it): compiles and runs
// each script bundle as bin/run.cjs does, then writes V8's code cache for it to `<bundle>.cache`.
// A process of its own, started without V8 flags: a cache made under other flags is rejected.
const { writeFileSync } = require('node:fs');
const { compileBundle } = require('../bin/run.cjs');

for (const file of process.argv.slice(2)) {
  writeFileSync(`${file}.cache`, compileBundle(file).script.createCachedData());
}
