/**
 * The package as a user gets it: `npm pack`, installed into an empty project, imported by name.
 * A node script there lists the emulator's customers through `invoke`, and tsc checks a file that
 * uses the typed functions against the installed declarations. Needs the build (`npm test` runs
 * it first).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cleanEnv, repoRoot, scratchConfigDir } from '../support/cli.js';
import { type EmulatedPartner, emulatedPartner } from '../support/emulated-partner.js';

const run = promisify(execFile);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const scratch = scratchConfigDir();
const project = join(scratch.dir, 'project');
let partner: EmulatedPartner;
let installOutput: { stdout: string; stderr: string };

beforeAll(async () => {
  expect(existsSync(join(repoRoot, 'dist', 'lib', 'index.js'))).toBe(true);
  const [started, packed] = await Promise.all([
    emulatedPartner({ customers: 230, seed: 11 }),
    // The build is there already; packing must not run it again.
    run(npm, ['pack', '--ignore-scripts', '--pack-destination', scratch.dir], { cwd: repoRoot }),
  ]);
  partner = started;
  const tarball = join(scratch.dir, packed.stdout.trim().split('\n').pop()!);
  mkdirSync(project);
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({
      name: 'runbook',
      private: true,
      type: 'module',
      // A tarball from a file is not a registry package, so npm would run its `prepare` (the
      // build of a clone); this one is built already. A registry install never considers it.
      allowScripts: { [`file:${tarball}`]: false },
    }),
  );
  installOutput = await run(
    npm,
    ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball],
    { cwd: project, env: cleanEnv({}) },
  );
}, 180_000);

afterAll(async () => {
  await partner?.dispose();
  scratch.dispose();
});

describe('the packed module', () => {
  it('installs quietly', () => {
    expect(installOutput.stderr).toBe('');
    expect(installOutput.stdout).toMatch(/added \d+ packages?/);
  });

  it('lists the emulator customers through invoke, imported by the package name', async () => {
    writeFileSync(
      join(project, 'list.mjs'),
      [
        "import { invoke } from 'partnercenter-node';",
        'const ids = [];',
        "for await (const customer of invoke('Get-PartnerCustomer', { PageSize: 100 }))",
        '  ids.push(customer.id);',
        'process.stdout.write(JSON.stringify(ids));',
      ].join('\n'),
    );
    const listed = await run(process.execPath, ['list.mjs'], { cwd: project, env: partner.env });
    expect(listed.stderr).toBe('');
    expect(JSON.parse(listed.stdout)).toEqual([...partner.emulator.customerIds()]);
  }, 60_000);

  it('ships declarations that type the parameters', async () => {
    writeFileSync(
      join(project, 'check.ts'),
      [
        "import { getPartnerCustomer, invoke, UsageError } from 'partnercenter-node';",
        'const listing: AsyncIterable<unknown> = getPartnerCustomer({ PageSize: 100 });',
        "const named: AsyncIterable<unknown> = invoke('Get-PartnerCustomer', { First: 3 });",
        '// @ts-expect-error PageSize is a number',
        "getPartnerCustomer({ PageSize: '100' });",
        '// @ts-expect-error no such cmdlet',
        "invoke('Get-Nothing');",
        'export const checked = [listing, named, UsageError];',
      ].join('\n'),
    );
    const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    const options = ['--noEmit', '--strict', '--module', 'nodenext', '--skipLibCheck'];
    const types = ['--types', 'node', '--typeRoots', join(repoRoot, 'node_modules', '@types')];
    const checked = await run(process.execPath, [tsc, ...options, ...types, 'check.ts'], {
      cwd: project,
    });
    expect(checked.stdout).toBe('');
  }, 60_000);
});
