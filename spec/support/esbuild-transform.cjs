/**
 * Jest's transform for the TypeScript specs and what they import: esbuild strips the types (the
 * type-check is tsc's, before jest runs), file by file like TypeScript's isolatedModules, in a
 * fraction of the time ts-jest took (the transform before this one). A fresh clone transforms
 * about two hundred files.
 *
 * It also reads the built-in globals a module uses (Math, JSON, Buffer...) once, when the module
 * loads, instead of on every use. Jest runs each spec file in its own `vm` context, and there
 * every read of a global goes through the context's interceptors: measured here, `Math.imul(a, b)`
 * took about 500 ns in a spec against 8 ns in plain Node, which made the emulator's derivations
 * and the client's per-request code ten to sixty times slower than they are outside Jest
 * (jestjs/jest#5163, nodejs/node#31658, the workaround named there: keep the global in a local).
 * esbuild's `define` renames only the free uses of each name (a module's own `Buffer` import or a
 * local `JSON` is left alone), and one line in front of the module binds the names it used. Only
 * built-ins a spec never swaps out are listed: not Date, the timers or console, which Jest's fake
 * timers and console capture replace on the global.
 */
const { createHash } = require('node:crypto');
const { transformSync, version } = require('esbuild');

const KEPT_GLOBALS = [
  'AbortController',
  'AbortSignal',
  'Array',
  'ArrayBuffer',
  'BigInt',
  'Boolean',
  'Buffer',
  'DataView',
  'Error',
  'Float64Array',
  'Int32Array',
  'JSON',
  'Map',
  'Math',
  'Number',
  'Object',
  'Promise',
  'RangeError',
  'Reflect',
  'RegExp',
  'Set',
  'String',
  'Symbol',
  'SyntaxError',
  'TextDecoder',
  'TextEncoder',
  'TypeError',
  'URL',
  'URLSearchParams',
  'Uint8Array',
  'WeakMap',
  'WeakSet',
  'decodeURIComponent',
  'encodeURIComponent',
  'isFinite',
  'isNaN',
  'parseFloat',
  'parseInt',
  'process',
];
const LOCAL_PREFIX = '__jestKeptGlobal_';
const LOCAL_USE = new RegExp(`\\b${LOCAL_PREFIX}(\\w+)`, 'g');

const OPTIONS = {
  loader: 'ts',
  format: 'esm',
  target: 'node20',
  sourcemap: 'external',
  // As tsc compiles the same files (target ES2022): class fields are defined, not assigned.
  tsconfigRaw: { compilerOptions: { useDefineForClassFields: true } },
  define: Object.fromEntries(KEPT_GLOBALS.map((name) => [name, `${LOCAL_PREFIX}${name}`])),
};

module.exports = {
  process(source, path) {
    const { code, map } = transformSync(source, { ...OPTIONS, sourcefile: path });
    const used = [...new Set(Array.from(code.matchAll(LOCAL_USE), (match) => match[1]))];
    if (used.length === 0) return { code, map };
    // One line in front: the source map moves down by one line (one more `;` in its mappings).
    const bindings = used.map((name) => `${LOCAL_PREFIX}${name} = globalThis.${name}`);
    const sourceMap = JSON.parse(map);
    sourceMap.mappings = `;${sourceMap.mappings}`;
    return { code: `const ${bindings.join(', ')};\n${code}`, map: sourceMap };
  },
  getCacheKey(source, path, { configString }) {
    return createHash('sha256')
      .update(version)
      .update(JSON.stringify(OPTIONS))
      .update(configString)
      .update(path)
      .update(source)
      .digest('hex');
  },
};
