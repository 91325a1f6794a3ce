/**
 * Every error class a caller of the Node API can receive (a rejection, or `onError`) is exported
 * from the package, so `instanceof` works: any class of the module that extends its error base
 * (outside the emulator, which a caller never receives errors from) must be among the exports.
 */
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as api from '../../lib/index.js';

const root = join(import.meta.dirname, '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'emulator' ? [] : sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('the exported errors', () => {
  it('include every error class of the module', () => {
    const declared: { name: string; extends: string; file: string }[] = [];
    for (const file of [...sources(join(root, 'lib')), ...sources(join(root, 'cmdlets'))]) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/class (\w+) extends (\w+)/g))
        declared.push({ name: match[1]!, extends: match[2]!, file: relative(root, file) });
    }
    // The module's errors: PartnerCenterModuleError and whatever extends it, at any depth.
    const errors = new Set(['PartnerCenterModuleError']);
    for (let grown = true; grown; ) {
      grown = false;
      for (const c of declared)
        if (errors.has(c.extends) && !errors.has(c.name)) {
          errors.add(c.name);
          grown = true;
        }
    }
    expect(errors.size).toBeGreaterThan(10);
    const missing = declared
      .filter((c) => errors.has(c.name) && !(c.name in api))
      .map((c) => `${c.name} (${c.file})`);
    expect(missing).toEqual([]);
    for (const name of [...errors].filter((n) => n !== 'PartnerCenterModuleError')) {
      const exported = (api as Record<string, unknown>)[name];
      expect(typeof exported).toBe('function');
      expect((exported as { prototype: unknown }).prototype).toBeInstanceOf(
        api.PartnerCenterModuleError,
      );
    }
  });
});
