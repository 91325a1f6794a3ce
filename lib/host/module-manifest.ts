/**
 * manifest.json, the module manifest (generated from cmdlets/ by the build). Found by walking up
 * from this file, so it works from lib/ (specs), from dist/lib/ (the build) and from an npm global
 * install alike.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigFileError } from '../common/errors.js';

export interface ManifestCmdlet {
  name: string;
  file: string;
  synopsis: string;
  /** What it writes, read by the build from the type its declaration names (lib/output-types.ts). */
  outputType?: OutputTypeHelp;
}

/** An output type as help shows it (OUTPUTS): its name, its doc comment, its properties. */
export interface OutputTypeHelp {
  name: string;
  description: string;
  properties: { name: string; type: string; description?: string }[];
  /** It keeps properties it does not declare (the service adds fields). */
  openEnded: boolean;
}

export interface ModuleManifest {
  name: string;
  version: string;
  description: string;
  author?: string;
  cmdlets: ManifestCmdlet[];
}

let cached: ModuleManifest | undefined;

export function packageRoot(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 8; depth++) {
    if (existsSync(join(directory, 'manifest.json')) && existsSync(join(directory, 'package.json')))
      return directory;
    const parent = dirname(directory);
    if (parent === directory) break;
    directory = parent;
  }
  throw new ConfigFileError('manifest.json was not found above the installed module.', {
    hint: 'Reinstall the module (npm install).',
  });
}

export function readManifest(): ModuleManifest {
  if (cached) return cached;
  const path = join(packageRoot(), 'manifest.json');
  try {
    const manifest = JSON.parse(readFileSync(path, 'utf8')) as ModuleManifest;
    if (!Array.isArray(manifest.cmdlets)) throw new Error('it has no "cmdlets" list');
    cached = manifest;
    return manifest;
  } catch (error) {
    throw new ConfigFileError(
      `The module manifest ${path} cannot be read: ${error instanceof Error ? error.message : String(error)}.`,
      {
        hint: 'Reinstall the module (npm install).',
        cause: error,
      },
    );
  }
}

/** The manifest entry for a cmdlet name typed in any case, or undefined. */
export function findManifestCmdlet(name: string): ManifestCmdlet | undefined {
  const lower = name.toLowerCase();
  return readManifest().cmdlets.find((cmdlet) => cmdlet.name.toLowerCase() === lower);
}

/** What -Version prints: `PartnerCenter 1.2.3`, the module's name and version, as scripts read it. */
export function moduleVersionLine(): string {
  const { name, version } = readManifest();
  return `${name} ${version}`;
}
