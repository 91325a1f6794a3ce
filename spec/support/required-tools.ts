/**
 * Programs some specs drive (a terminal multiplexer, shells, util-linux `script`). A spec that
 * needs one says so with requireTools(): where it is missing the spec FAILS, naming what to
 * install, instead of being skipped, so a machine without it cannot pass for green. CI installs
 * them (.ci/run); spec/README.md lists them.
 */
import { beforeAll } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './cli.js';

/** Each tool, how to ask it whether it runs, and the Debian package that has it. */
const tools = {
  tmux: { probe: ['-V'], apt: 'tmux' },
  bash: { probe: ['--version'], apt: 'bash' },
  zsh: { probe: ['--version'], apt: 'zsh' },
  fish: { probe: ['--version'], apt: 'fish' },
  script: { probe: ['--version'], apt: 'bsdutils' },
  setsid: { probe: ['--version'], apt: 'util-linux' },
  less: { probe: ['--version'], apt: 'less' },
  openssl: { probe: ['version'], apt: 'openssl' },
} as const;

export type Tool = keyof typeof tools;

export function hasTool(tool: Tool): boolean {
  return spawnSync(tool, tools[tool].probe, { stdio: 'ignore' }).status === 0;
}

/** Fails every case of the calling spec file (or describe block) when a tool is missing. */
export function requireTools(...needed: Tool[]): void {
  const missing = needed.filter((tool) => !hasTool(tool));
  if (missing.length === 0) return;
  beforeAll(() => {
    throw new Error(
      `This spec needs ${missing.join(', ')}, not found on PATH: install it ` +
        `(apt-get install ${missing.map((tool) => tools[tool].apt).join(' ')}); ` +
        'CI installs it in .ci/run.',
    );
  });
}

/** Fails the calling spec when the build (dist/ and the bundle bin/ runs) is missing. */
export function requireBuild(): void {
  if (existsSync(join(repoRoot, 'dist', 'lib', 'host', 'main.js'))) return;
  beforeAll(() => {
    throw new Error('This spec runs the built bin/ commands: run `npm run build` first.');
  });
}
