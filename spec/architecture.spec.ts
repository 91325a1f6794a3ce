/**
 * The layers of docs/ARCHITECTURE.md, checked on every import of lib/ and cmdlets/: a module may
 * import its own layer and the layers below it, never one above. The emulator stands apart.
 */
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const root = join(import.meta.dirname, '..');

/** Lowest first. A layer may import itself and anything earlier in this list. */
const LAYERS = [
  'common',
  'json',
  'net',
  'partner-center',
  'session',
  'cmdlet-support',
  'cmdlets',
  'host',
  'entry',
] as const;
type Layer = (typeof LAYERS)[number] | 'emulator';

/** json and net are siblings: neither imports the other. */
const SIBLINGS: ReadonlyArray<[Layer, Layer]> = [['json', 'net']];

/**
 * Imports allowed against the order, each with its reason.
 * Get-Help and Get-Command are the host's own introspection commands: they render the host's help
 * pages and completion scripts and read the module manifest.
 */
const EXCEPTIONS: ReadonlyArray<{ from: string; toLayer: Layer; why: string }> = [
  { from: 'cmdlets/Get-Help.ts', toLayer: 'host', why: 'renders help pages' },
  { from: 'cmdlets/Get-Command.ts', toLayer: 'host', why: 'lists cmdlets, prints completion' },
];

/**
 * Who may import the emulator: the cmdlet that starts it, the demo, and the package's list of
 * output types (the type of Start-PartnerEmulator's first object, a declaration only); nothing of
 * the client.
 */
const EMULATOR_USERS = new Set([
  'cmdlets/Start-PartnerEmulator.ts',
  'lib/demo.ts',
  'lib/output-types.ts',
]);

function layerOf(path: string): Layer {
  const parts = path.split('/');
  if (parts[0] === 'cmdlets') return 'cmdlets';
  if (parts.length === 2) return 'entry';
  const folder = parts[1] as Layer;
  if (folder === 'emulator' || (LAYERS as readonly string[]).includes(folder)) return folder;
  throw new Error(`${path} is in no layer: add lib/${folder} to docs/ARCHITECTURE.md and here`);
}

function sourceFiles(directory: string): string[] {
  return readdirSync(join(root, directory), { withFileTypes: true }).flatMap((entry) => {
    const path = `${directory}/${entry.name}`;
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Relative imports: `import … from`, `export … from`, `import(…)` with a literal. */
function importsOf(path: string): string[] {
  const text = readFileSync(join(root, path), 'utf8');
  const found: string[] = [];
  const pattern = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g;
  for (const match of text.matchAll(pattern)) {
    const target = relative(root, resolve(dirname(join(root, path)), match[1]!));
    found.push(target.split(sep).join('/').replace(/\.js$/, '.ts'));
  }
  return found;
}

function allowed(from: string, to: string): boolean {
  const fromLayer = layerOf(from);
  const toLayer = layerOf(to);
  if (toLayer === 'emulator') return fromLayer === 'emulator' || EMULATOR_USERS.has(from);
  if (fromLayer === 'emulator') return toLayer === 'common';
  if (EXCEPTIONS.some((e) => e.from === from && e.toLayer === toLayer)) return true;
  if (
    SIBLINGS.some(
      ([a, b]) => (a === fromLayer && b === toLayer) || (b === fromLayer && a === toLayer),
    )
  ) {
    return false;
  }
  return LAYERS.indexOf(toLayer as never) <= LAYERS.indexOf(fromLayer as never);
}

describe('layers', () => {
  const files = [...sourceFiles('lib'), ...sourceFiles('cmdlets')];

  it('finds the source files and their imports', () => {
    expect(files.length).toBeGreaterThan(50);
    expect(importsOf('lib/host/run.ts')).toContain('lib/host/cmdlet-run.ts');
  });

  it('every import goes to the same layer or one below it', () => {
    const violations = files.flatMap((from) =>
      importsOf(from)
        .filter((to) => !allowed(from, to))
        .map((to) => `${from} (${layerOf(from)}) imports ${to} (${layerOf(to)})`),
    );
    expect(violations).toEqual([]);
  });

  it('refuses an upward import, a sibling import and the client reaching the emulator', () => {
    expect(allowed('lib/session/session.ts', 'lib/host/run.ts')).toBe(false);
    expect(allowed('lib/partner-center/client.ts', 'lib/cmdlet-support/cmdlet.ts')).toBe(false);
    expect(allowed('lib/json/json-text.ts', 'lib/net/extra-ca.ts')).toBe(false);
    expect(allowed('lib/session/session.ts', 'lib/emulator/index.ts')).toBe(false);
    expect(allowed('lib/emulator/index.ts', 'lib/partner-center/client.ts')).toBe(false);
    expect(allowed('cmdlets/Get-PartnerCustomer.ts', 'lib/host/run.ts')).toBe(false);
    expect(allowed('lib/host/run.ts', 'lib/session/session.ts')).toBe(true);
  });
});
