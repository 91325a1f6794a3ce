// `npm run build`'s bundling step (after tsc): what bin/ runs, made from dist/lib.
//
// dist/bundle/host.cjs: the host, every cmdlet and the emulator in one CommonJS file that
// bin/run.cjs compiles with V8's code cache (dist/bundle/host.cjs.cache, made here). One file
// and no ES module graph: Node 20's ES module loader (resolving, linking, compiling each chunk of
// a split bundle, and its own internal modules) cost a command listing one customer about as
// much CPU as the command's own work. Dynamic imports become lazy requires inside the file, so a
// command still runs only the modules it uses; the file is ASCII (non-ASCII escaped) so the shim
// reads it as one-byte text.
//
// dist/bundle/help-page.cjs: lib/host/help-process.ts alone, which the shim runs for `-?` into a
// pipe without loading the host.
//
// dist/bundle/vendor/*.cjs: the heavy third-party packages only some commands load
// (@azure/identity for sign-in, selfsigned for the emulator's certificates, conf for writing a
// context file), bundled alone so a command that does not use them neither reads nor compiles
// them, and one that does loads one file instead of a package tree.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = join(import.meta.dirname, '..');
const out = join(root, 'dist', 'bundle');
const vendors = { '@azure/identity': 'azure-identity', selfsigned: 'selfsigned', conf: 'conf' };

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const common = { bundle: true, platform: 'node', target: 'node20', logLevel: 'warning' };

await Promise.all([
  ...Object.entries(vendors).map(([name, file]) =>
    build({
      ...common,
      entryPoints: [new URL(import.meta.resolve(name)).pathname],
      format: 'cjs',
      outfile: join(out, 'vendor', `${file}.cjs`),
      // ES-module-only; @azure/identity imports it for interactive sign-in.
      external: ['open'],
    }),
  ),
  build({
    ...common,
    entryPoints: [join(root, 'dist', 'lib', 'host', 'help-process.js')],
    format: 'cjs',
    outfile: join(out, 'help-page.cjs'),
  }),
  build({
    ...common,
    entryPoints: [join(root, 'dist', 'lib', 'host', 'main.js')],
    format: 'cjs',
    outfile: join(out, 'host.cjs'),
    charset: 'ascii',
    // import() becomes a require of the module inside the file (or of a vendor file), so the
    // shim's vm.Script needs no dynamic-import callback and no ES module loader starts.
    supported: { 'dynamic-import': false },
    define: { PARTNERCENTER_BUNDLE: 'true', 'import.meta.url': '__importMetaUrl' },
    alias: { 'string-width': join(root, 'dist', 'lib', 'host', 'output', 'string-width.js') },
    banner: { js: "var __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
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
            const file = JSON.stringify(`./vendor/${vendors[path]}.cjs`);
            return { contents: `export * from ${file};\nexport { default } from ${file};\n` };
          });
          bundler.onResolve({ filter: /^\.\/vendor\// }, ({ path }) => ({ path, external: true }));
        },
      },
    ],
  }),
]);

// The code cache bin/run.cjs compiles the host with: made by this Node (V8 rejects it on another
// version, and the shim then compiles as usual), after the file's top level ran, so it holds the
// functions that ran too.
const host = join(out, 'host.cjs');
const { compileBundle } = createRequire(import.meta.url)('../bin/run.cjs');
writeFileSync(`${host}.cache`, compileBundle(host).script.createCachedData());
