/**
 * cmdlets/ is the one list of cmdlets: manifest.json, package.json `bin`, the bin/ shims and the
 * typed in-process functions are generated from it by `npm run build` (lib/module-files.ts), and
 * the committed files must be exactly what the generator writes.
 */
import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { functionName, moduleFiles } from '../lib/module-files.js';

const root = join(import.meta.dirname, '..');
const manifest = JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8')) as {
  name: string;
  version: string;
  description: string;
  cmdlets: { name: string; file: string; synopsis: string }[];
};
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  version: string;
  bin: Record<string, string>;
};

describe('the files generated from cmdlets/', () => {
  it('are committed exactly as the generator writes them (run `npm run build`)', async () => {
    const files = await moduleFiles(root);
    expect(files.map((file) => file.path)).toEqual(
      expect.arrayContaining([
        'manifest.json',
        'package.json',
        'bin/Get-PartnerCustomer',
        'lib/cmdlet-functions.ts',
      ]),
    );
    for (const file of files) {
      const path = join(root, file.path);
      expect({
        path: file.path,
        content: existsSync(path) ? readFileSync(path, 'utf8') : null,
      }).toEqual({ path: file.path, content: file.content });
    }
  });

  it('include one typed function per cmdlet, named after it', () => {
    const functions = readFileSync(join(root, 'lib', 'cmdlet-functions.ts'), 'utf8');
    for (const cmdlet of manifest.cmdlets)
      expect(functions).toContain(`export function ${functionName(cmdlet.name)}<`);
    expect(functionName('Get-PartnerCustomer')).toBe('getPartnerCustomer');
  });
});

describe('manifest.json', () => {
  it('names the module and agrees with package.json on the version', () => {
    expect(manifest.name).toBe('PartnerCenter');
    expect(manifest.description.length).toBeGreaterThan(20);
    expect(manifest.version).toBe(pkg.version);
  });

  it(
    'lists each cmdlet once, as Verb-Noun, with a synopsis and an existing ' +
      'file named like the command',
    () => {
      const names = manifest.cmdlets.map((c) => c.name);
      expect(new Set(names).size).toBe(names.length);
      for (const cmdlet of manifest.cmdlets) {
        // One word for the verb, or PowerShell's approved two-word ConvertFrom (Get-Verb).
        expect(cmdlet.name).toMatch(/^(?:[A-Z][a-z]+|ConvertFrom)-[A-Z][A-Za-z]+$/);
        expect(cmdlet.file).toBe(`cmdlets/${cmdlet.name}.ts`);
        expect(existsSync(join(root, cmdlet.file))).toBe(true);
        expect(cmdlet.synopsis).toMatch(/\.$/);
      }
    },
  );

  it('has no cmdlet file that the manifest does not export', () => {
    const files = readdirSync(join(root, 'cmdlets'))
      .filter((f) => f.endsWith('.ts'))
      .sort();
    expect(files).toEqual(manifest.cmdlets.map((c) => `${c.name}.ts`).sort());
  });

  it('is mirrored exactly by package.json bin', () => {
    const expected = Object.fromEntries(manifest.cmdlets.map((c) => [c.name, `bin/${c.name}`]));
    expect(pkg.bin).toEqual(expected);
  });

  it('has one executable shim per cmdlet in bin/, and no other', () => {
    const shims = readdirSync(join(root, 'bin'))
      .filter((f) => !f.includes('.'))
      .sort();
    expect(shims).toEqual(manifest.cmdlets.map((c) => c.name).sort());
    for (const cmdlet of manifest.cmdlets) {
      const shim = join(root, 'bin', cmdlet.name);
      expect(readFileSync(shim, 'utf8')).toContain(`require('./run.cjs')('${cmdlet.name}');`);
      if (process.platform !== 'win32') expect(statSync(shim).mode & 0o111).toBe(0o111);
    }
  });

  it('declares each cmdlet with the same name and synopsis as its definition', async () => {
    for (const cmdlet of manifest.cmdlets) {
      const definition = (await import(join(root, cmdlet.file))).default as {
        name: string;
        synopsis: string;
      };
      expect(definition.name).toBe(cmdlet.name);
      expect(definition.synopsis).toBe(cmdlet.synopsis);
    }
  });
});
