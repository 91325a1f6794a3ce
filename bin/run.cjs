'use strict';
// The bin/ shims stay CommonJS (bin/package.json) so they run the same way from a checkout, a
// global install and npm's Windows .cmd wrappers; they only hand over to the compiled host: the
// one-file CommonJS bundle `npm run build` makes (scripts/bundle.mjs), compiled here with the V8
// code cache the build made for it, else dist/ as tsc emitted it. A bundle older than dist/ is
// stale (only tsc ran since) and is passed over.
const { fstatSync, readFileSync, statSync } = require('node:fs');
const { dirname, join } = require('node:path');
const { pathToFileURL } = require('node:url');

function modifiedAt(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

/** dist/bundle/host.js when it is as new as dist/lib (tsc's output), else undefined. */
function hostBundle() {
  const dist = join(__dirname, '..', 'dist');
  const bundled = join(dist, 'bundle', 'host.js');
  const bundledAt = modifiedAt(bundled);
  const compiledAt = modifiedAt(join(dist, 'lib', 'host', 'main.js')) ?? 0;
  return bundledAt !== undefined && bundledAt >= compiledAt ? bundled : undefined;
}

/**
 * Runs a script bundle of the build (scripts/bundle.mjs: the host, or a vendor package) as
 * require() would run a CommonJS module, but compiled with the V8 code cache the build wrote
 * beside it (`<file>.cache`): V8 then takes the compiled functions from the cache instead of
 * parsing and compiling the file (Node 20 has no module.enableCompileCache). A cache V8 rejects
 * (another Node version, other V8 flags) or a missing one only means compiling as usual. The file
 * is the module already wrapped in the function require() would make of it, and ASCII (the build
 * escapes the rest), read as one-byte text.
 * @returns the module's exports and the compiled script (the build makes the cache from it)
 */
function compileBundle(file) {
  // Required here, not at the top: the help page path (below) needs neither.
  const { Script } = require('node:vm');
  const source = readFileSync(file, 'latin1');
  // V8 checks a cache against the source's length, not its text: a cache older than its file
  // (the file changed by hand since the build) is not used.
  const cache = `${file}.cache`;
  let cachedData;
  try {
    if ((modifiedAt(cache) ?? -1) >= (modifiedAt(file) ?? 0)) cachedData = readFileSync(cache);
  } catch {
    cachedData = undefined;
  }
  const script = new Script(source, { filename: file, cachedData });
  const module = { exports: {} };
  const requireInBundle = bundleRequire(file);
  // What a vendor package's import() of an ES module (@azure/identity's of `open`) calls instead:
  // Node 20 loses a script's dynamic-import callback when the script comes from a code cache.
  const importModule = (specifier) =>
    import(pathToFileURL(requireInBundle.resolve(specifier)).href);
  script
    .runInThisContext()
    .call(
      module.exports,
      module.exports,
      requireInBundle,
      module,
      file,
      dirname(file),
      importModule,
    );
  return { exports: module.exports, script };
}

const vendorExports = new Map();

/** require() for a script bundle: a vendor bundle (./vendor/*.js) is one too, loaded once. */
function bundleRequire(file) {
  const plain = require('node:module').createRequire(file);
  return Object.assign((id) => {
    if (!id.startsWith('./vendor/')) return plain(id);
    const vendor = join(dirname(file), id);
    if (!vendorExports.has(vendor)) vendorExports.set(vendor, compileBundle(vendor).exports);
    return vendorExports.get(vendor);
  }, plain);
}

/**
 * The page the build rendered for `<Verb-Noun> -?` (lib/generate-help-pages.ts) and the module
 * that writes it (lib/host/help-process.ts, bundled alone as CommonJS), when help is the whole
 * command line (`-?`, `-Help` or `--help`, as the binder takes them), stdout is a pipe and COLUMNS
 * asks for no width (the page has the default one, as the host gives a pipe); else undefined (the
 * host shows it). Only files as new as the host's compiled ones are used, like the host's bundle.
 */
function helpPage(cmdletName) {
  const argv = process.argv.slice(2);
  if (argv.length !== 1 || !/^(?:-\?|-help|--help)$/i.test(argv[0])) return undefined;
  if (Number(process.env.COLUMNS)) return undefined;
  try {
    const stdout = fstatSync(1);
    if (!stdout.isFIFO() && !stdout.isSocket()) return undefined;
  } catch {
    return undefined;
  }
  if (!/^[A-Z][A-Za-z]*-[A-Z][A-Za-z]*$/.test(cmdletName)) return undefined;
  const dist = join(__dirname, '..', 'dist');
  const page = join(dist, 'help-pages', `${cmdletName}.txt`);
  const writer = join(dist, 'bundle', 'help-page.cjs');
  const builtAt = modifiedAt(join(dist, 'lib', 'host', 'main.js')) ?? 0;
  const ready = [page, writer].every((path) => (modifiedAt(path) ?? -1) >= builtAt);
  return ready ? { page, writer } : undefined;
}

// Exit codes of a run stopped by a signal (lib/common/exit-codes.ts): 128 + the signal's number.
const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 };

/**
 * SIGINT and SIGTERM from this line on: loading the host takes a moment, and Node's default would
 * kill the process silently in it. A signal is kept for the host, which stops the run with its
 * stop line as soon as it is loaded; a second one means "now", as it does once the host runs.
 */
function holdSignals() {
  const held = [];
  const onSignal = (signal) => {
    if (held.length > 0) process.exit(SIGNAL_EXIT_CODES[signal]);
    held.push(signal);
  };
  for (const signal of Object.keys(SIGNAL_EXIT_CODES)) process.on(signal, onSignal);
  return {
    held,
    release() {
      for (const signal of Object.keys(SIGNAL_EXIT_CODES)) process.off(signal, onSignal);
    },
  };
}

module.exports = function run(cmdletName) {
  const help = helpPage(cmdletName);
  if (help) {
    let page;
    let writeHelpPage;
    try {
      page = readFileSync(help.page);
      ({ writeHelpPage } = require(help.writer));
    } catch {
      return startHost(cmdletName, holdSignals());
    }
    // Synchronous to the end: no signal is handled before the page is written and the process
    // exits with 0, so none needs holding.
    return writeHelpPage(cmdletName, page);
  }
  startHost(cmdletName, holdSignals());
};

function startHost(cmdletName, signals) {
  loadHost()
    .then((module) => {
      // The host installs its own handlers in the same tick, so no signal falls between.
      signals.release();
      return module.main(cmdletName, signals.held);
    })
    .catch((error) => {
      // A clone is built by `npm run build`, not by `npm install` (a `prepare` script would also
      // run, and warn, where the packed module is installed); a packed module ships dist/.
      const missing = error && error.code === 'ERR_MODULE_NOT_FOUND';
      process.stderr.write(
        `${cmdletName}: cannot start: ${missing ? 'the module is not built' : error.message}. ` +
          `Run \`npm run build\` in ${join(__dirname, '..')}.\n`,
      );
      // A signal that came while the host could not even load still ends with its code.
      process.exitCode = signals.held.length > 0 ? SIGNAL_EXIT_CODES[signals.held[0]] : 1;
    });
}

/** The host's exports: from the bundle, else from dist/lib on Node's ES module loader. */
async function loadHost() {
  const bundle = hostBundle();
  if (bundle) return compileBundle(bundle).exports;
  return import(pathToFileURL(join(__dirname, '..', 'dist', 'lib', 'host', 'main.js')).href);
}

module.exports.compileBundle = compileBundle;
