// `npm run build`'s bundling step (after tsc): what bin/ runs, made from dist/lib.
//
// dist/bundle/host.js: the host, every cmdlet and the emulator in one CommonJS module that
// bin/run.cjs compiles with a V8 code cache made here (host.js.cache). One file and no ES module
// graph: in Node 20's ES module loader (resolving, linking and compiling each chunk of a split
// bundle, and the loader's own internal modules) a command listing one customer spent about as
// much CPU as on its own work. Dynamic imports become lazy requires inside the file, so a command
// still runs only the modules it uses.
//
// dist/bundle/vendor/*.js: the heavy third-party packages only some commands load
// (@azure/identity for sign-in, conf for writing a context file), each bundled alone with its own cache, so a command that does not use them
// neither reads nor compiles them, and one that does loads one file instead of a package tree.
//
// These "script bundles" are written as the function Node's CommonJS wrapper makes of a module
// (the shim compiles the text as it is: wrapping it there made a second copy of a string of up to
// a megabyte, and such copies fill the young generation, whose collections at start-up copy
// everything alive), and in ASCII (the rest escaped), so the shim reads them as one-byte text.
//
// dist/bundle/help-page.cjs: lib/host/help-process.ts alone, which the shim runs for `-?` into a
// pipe without loading the host.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(import.meta.dirname, '..');
const out = join(root, 'dist', 'bundle');
const vendors = { '@azure/identity': 'azure-identity', conf: 'conf' };

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const common = { bundle: true, platform: 'node', target: 'node20', logLevel: 'warning' };
const scriptBundle = {
  ...common,
  format: 'cjs',
  charset: 'ascii',
  // Smaller to read and to keep in memory; names stay (error classes name themselves).
  minifyWhitespace: true,
  minifySyntax: true,
  banner: {
    // Strict as the ES modules it is made of were (the directive must come first). import.meta.url
    // (packageRoot() finds manifest.json from it) becomes this file's URL.
    js:
      "(function (exports, require, module, __filename, __dirname, __importModule) {'use strict';" +
      "var __importMetaUrl = require('node:url').pathToFileURL(__filename).href;",
  },
  footer: { js: '\n})' },
  define: { 'import.meta.url': '__importMetaUrl' },
};

const vendorFile = (name) => `./vendor/${vendors[name]}.js`;

// @azure/identity's HTTP pipeline (@typespec/ts-http-runtime) asks of every request body whether
// it is a FormData, and the first touch of the global FormData loads Node's whole fetch
// implementation (undici): about a tenth of Connect-Partner's CPU, for token requests whose body
// is a string. Asking first whether the body is an object gives the same answer without that load
// (instanceof is false for a string); should a new version word the check otherwise, it stays as
// it is.
const formDataCheck = {
  name: 'form-data-check',
  setup(bundler) {
    bundler.onLoad(
      { filter: /[\\/]ts-http-runtime[\\/]dist[\\/]esm[\\/]formData\.js$/ },
      ({ path }) => ({
        contents: readFileSync(path, 'utf8').replace(
          'typeof FormData !== "undefined" && body instanceof FormData',
          'typeof body === "object" && body !== null && typeof FormData !== "undefined" && body instanceof FormData',
        ),
      }),
    );
  },
};
// ES modules a vendor package imports from node_modules. Node 20 loses a script's dynamic-import
// callback when the script comes from a code cache (the import() throws), so the vendor file calls
// the shim's __importModule (the wrapper's sixth parameter) instead.
const esmImports = ['open'];

await Promise.all([
  ...Object.keys(vendors).map((name) =>
    build({
      ...scriptBundle,
      entryPoints: [fileURLToPath(import.meta.resolve(name))],
      outfile: join(out, vendorFile(name)),
      // ES-module-only, and it finds its xdg-open script from its own URL; @azure/identity
      // imports it for interactive sign-in (see esmImports below).
      external: [...esmImports],
      plugins: [formDataCheck],
    }),
  ),
  build({
    ...common,
    entryPoints: [join(root, 'dist', 'lib', 'host', 'help-process.js')],
    format: 'cjs',
    outfile: join(out, 'help-page.cjs'),
  }),
  build({
    ...scriptBundle,
    entryPoints: [join(root, 'dist', 'lib', 'host', 'main.js')],
    outfile: join(out, 'host.js'),
    // import() becomes a require of the module inside the file (or of a vendor file), so no ES
    // module loader starts.
    supported: { 'dynamic-import': false },
    define: { ...scriptBundle.define, PARTNERCENTER_BUNDLE: 'true' },
    alias: { 'string-width': join(root, 'dist', 'lib', 'host', 'output', 'string-width.js') },
    plugins: [
      {
        name: 'vendor',
        setup(bundler) {
          const names = new RegExp(
            `^(${Object.keys(vendors)
              .map((name) => name.replace(/[/]/g, '\\/'))
              .join('|')})$`,
          );
          bundler.onResolve({ filter: names }, ({ path }) => ({ path, namespace: 'vendor' }));
          // An ES module that re-exports the vendor file, so that import() gives what it gives
          // for the package itself: its default export as `default` (conf's class), not the
          // CommonJS module.exports Node's interop would put there.
          bundler.onLoad({ filter: /.*/, namespace: 'vendor' }, ({ path }) => {
            const file = JSON.stringify(vendorFile(path));
            return { contents: `export * from ${file};\nexport { default } from ${file};\n` };
          });
          bundler.onResolve({ filter: /^\.\/vendor\// }, ({ path }) => ({ path, external: true }));
        },
      },
    ],
  }),
]);

for (const name of Object.keys(vendors)) {
  const file = join(out, vendorFile(name));
  let text = readFileSync(file, 'latin1');
  for (const specifier of esmImports)
    text = text.replaceAll(
      `import(${JSON.stringify(specifier)})`,
      `__importModule(${JSON.stringify(specifier)})`,
    );
  writeFileSync(file, text, 'latin1');
}

// The code caches bin/run.cjs compiles with, made by this Node (V8 rejects a cache on another
// version or with other V8 flags, and the shim then compiles as usual) in a process of their own
// with no flags, after each file's top level ran, so they hold the functions that ran too.
const files = [
  join(out, 'host.js'),
  ...Object.keys(vendors).map((name) => join(out, vendorFile(name))),
];
execFileSync(process.execPath, [join(import.meta.dirname, 'make-code-caches.cjs'), ...files], {
  stdio: 'inherit',
});
