/**
 * The package as a user gets it: packed by npm, installed into an empty project, imported by name.
 * The install must be quiet (a published package runs no script of its own on install) and link
 * every command of package.json's `bin`; a node script there lists the emulator's customers
 * through `invoke`; and a typed runbook and the README's typed example type-check against the
 * installed declarations under `tsc --strict` without skipLibCheck, with and without @types/node,
 * on the TypeScript the repository builds with (7, what `npm install typescript` gives today, whose
 * native tsc checks as 6 does, being its port, for a third of the CPU 6 took here) and on
 * TypeScript 5. Needs the build (`npm test` runs it first). Installing and the emulator start side
 * by side, and so do the checks once the package is installed.
 *
 * One npm process packs and installs: `npm install --install-links <repository>` packs the
 * directory with the code `npm pack` and `npm publish` use (pacote's directory fetcher: the same
 * files, checked equal to `npm pack`'s tarball when this was written) and installs the packed
 * files as a copy, not a link. A separate `npm pack` cost another npm start, a gzip and a gunzip.
 * It packs a hard-linked copy of the repository without node_modules (`packageSource`).
 *
 * What is proven is the package's own part: the files it holds, its bin links, its exports and
 * its declarations. Its dependencies are the repository's own, at the versions package-lock.json
 * pins: the project starts with them hard-linked from node_modules (every package the lock does
 * not mark dev-only), so npm finds each dependency satisfied and extracts only the package, where
 * a full install extracted 115 packages (98 MB) for about 10 CPU-seconds. Only what the lock
 * reaches from package.json's `dependencies` is there, so an undeclared one still fails.
 * TypeScript 5 comes in the same `npm install` (npm's start-up is most of a small install's CPU),
 * and must be as quiet.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cleanEnv, repoRoot, scratchConfigDir } from '../support/cli.js';
import { type EmulatedPartner, emulatedPartner } from '../support/emulated-partner.js';

const execFileAsync = promisify(execFile);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const scratch = scratchConfigDir();
const project = join(scratch.dir, 'project');
const quietNpm = ['--prefer-offline', '--no-audit', '--no-fund', '--no-package-lock'];
const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
  bundleDependencies?: unknown;
};

/** A finished child: its output, and its exit code (0, or what it failed with). */
interface Finished {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(
  file: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<Finished> {
  try {
    return { code: 0, ...(await execFileAsync(file, args, options)) };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** What a runbook author writes: typed results, typed parameters, the exported errors. */
const RUNBOOK = `
import {
  type AbortSignalLike,
  type CmdletOutput,
  type Customer,
  type GdapStatus,
  getPartnerCustomer,
  getPartnerCustomerSubscription,
  invoke,
  NotConnectedError,
} from 'partnercenter-node';

export async function report(signal?: AbortSignalLike): Promise<string[]> {
  const lines: string[] = [];
  const customers: Customer[] = [];
  for await (const customer of getPartnerCustomer({ PageSize: 100 }, { signal })) {
    customers.push(customer);
    const name: string | undefined = customer.companyProfile?.companyName;
    lines.push(\`\${customer.id} \${name ?? ''}\`);
  }
  for await (const subscription of getPartnerCustomerSubscription({}, { input: customers })) {
    const seats: number | undefined = subscription.quantity;
    lines.push(\`\${subscription.customerId} \${subscription.offerName} \${seats}\`);
  }
  const expiring: GdapStatus[] = [];
  for await (const status of invoke('Get-PartnerCustomerGdapStatus', { ExpiringWithinDays: 7 }))
    if (status.status === 'expiresSoon') expiring.push(status);
  const users: CmdletOutput<'Get-PartnerCustomerUser'>[] = [];
  for await (const user of invoke('Get-PartnerCustomerUser', { CustomerId: customers[0]!.id }))
    users.push(user);
  lines.push(\`\${expiring.length} \${users[0]?.userPrincipalName}\`);
  // The service adds fields: they are there, typed unknown.
  const added: unknown = customers[0]?.someFieldAddedLater;
  lines.push(String(added));
  return lines;
}

// @ts-expect-error PageSize is a number
getPartnerCustomer({ PageSize: '100' });
// @ts-expect-error no such cmdlet
invoke('Get-Nothing');
// @ts-expect-error -CustomerId and -Domain belong to different parameter sets
getPartnerCustomer({ CustomerId: 'c5757d70-06f3-4f23-8367-5a9e55019f94', Domain: 'contoso' });
// @ts-expect-error a status is one of six words
const wrong: GdapStatus['status'] = 'fine';

export function hint(error: unknown): string | undefined {
  return error instanceof NotConnectedError ? error.hint : undefined;
}
export { wrong };
`;

/**
 * A fresh project's settings: strict, Node's module resolution, and the package's declarations
 * type-checked (no skipLibCheck; TypeScript's own lib files are left unchecked, which saves most
 * of the time). With @types/node the declarations were checked already: this run shows that they
 * and Node's types agree, so it skips checking both.
 */
function tsconfig(types: readonly string[]): string {
  return JSON.stringify({
    compilerOptions: {
      strict: true,
      noEmit: true,
      skipLibCheck: types.length > 0,
      skipDefaultLibCheck: true,
      module: 'nodenext',
      target: 'es2022',
      types,
      typeRoots: [join(repoRoot, 'node_modules', '@types')],
    },
    files: ['runbook.ts', 'readme.ts'],
  });
}

/** The README's typed example (the TypeScript block under "From Node"), exactly as printed. */
function readmeTypeScript(): string {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const fromNode = readme.slice(readme.indexOf('## From Node'));
  const block = /```ts\n([\s\S]*?)```/.exec(fromNode.slice(0, fromNode.indexOf('\n## ', 3)));
  if (!block) throw new Error('README.md has no ```ts block under "From Node".');
  return block[1]!;
}

/**
 * The package's dependencies as npm would lay them out, hard-linked into `into`/node_modules from
 * the repository's: every package package-lock.json does not mark dev-only (each with what is
 * nested in it), and their commands in node_modules/.bin (npm reinstalls a package whose command
 * is not linked). Nothing writes to them: npm leaves a package that satisfies its dependent where
 * it is.
 */
async function linkDependencies(into: string): Promise<void> {
  const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean; link?: boolean; bin?: Record<string, string> }>;
  };
  const paths: string[] = [];
  for (const [path, entry] of Object.entries(lock.packages)) {
    // Nested packages come with the package they are nested in.
    if (!path || entry.dev || entry.link || path.lastIndexOf('node_modules/') > 0) continue;
    // An optional package for another platform is not installed; npm leaves it out here too.
    if (!existsSync(join(repoRoot, path))) continue;
    paths.push(path);
    for (const command of Object.keys(entry.bin ?? {})) paths.push(`node_modules/.bin/${command}`);
  }
  expect(paths.length).toBeGreaterThan(0);
  await hardLink(paths, into, ['--parents']);
}

/**
 * The repository as npm packs it, hard-linked into `into`: everything but node_modules and .git,
 * neither of which a package holds (it bundles no dependencies). npm loads the whole installed
 * tree of a directory it packs (about 450 packages here) only to find bundled ones: about 0.8
 * CPU-s. npm pack of such a copy made a tarball byte for byte the same as of the repository.
 */
async function packageSource(into: string): Promise<string> {
  expect(manifest.bundleDependencies).toBeUndefined();
  const entries = readdirSync(repoRoot).filter((name) => !['node_modules', '.git'].includes(name));
  mkdirSync(into);
  await hardLink(entries, into);
  return into;
}

/** `cp -al`: links, not copies, so it costs no more than listing the files. */
async function hardLink(paths: readonly string[], into: string, options: string[] = []) {
  const linked = await run('cp', ['-al', ...options, ...paths, into], { cwd: repoRoot });
  expect(linked).toEqual({ code: 0, stdout: '', stderr: '' });
}

let partner: EmulatedPartner;
let installed: Finished;
let listed: Finished;
let checks: { name: string; result: Finished }[];

beforeAll(async () => {
  expect(existsSync(join(repoRoot, 'dist', 'lib', 'index.js'))).toBe(true);
  mkdirSync(project);
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'runbook', private: true, type: 'module' }),
  );
  const [started] = await Promise.all([
    emulatedPartner({ customers: 230, seed: 11 }),
    (async () => {
      const [source] = await Promise.all([
        packageSource(join(scratch.dir, 'source')),
        linkDependencies(project),
      ]);
      // npm packs the repository as `npm pack` and `npm publish` do (pacote's directory fetcher,
      // no prepack: the build is there already) and installs the packed files, not a link.
      installed = await run(
        npm,
        ['install', ...quietNpm, '--install-links', source, 'typescript@5'],
        { cwd: project, env: cleanEnv({}) },
      );
    })(),
  ]);
  partner = started;
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
  writeFileSync(join(project, 'runbook.ts'), RUNBOOK);
  writeFileSync(join(project, 'readme.ts'), readmeTypeScript());
  writeFileSync(join(project, 'tsconfig.json'), tsconfig([]));
  writeFileSync(join(project, 'tsconfig.node.json'), tsconfig(['node']));
  const tsc = (root: string, name = 'typescript') => join(root, 'node_modules', name, 'bin', 'tsc');
  const compile = async (name: string, compiler: string, args: readonly string[]) => ({
    name,
    result: await run(process.execPath, [compiler, ...args], { cwd: project }),
  });
  [listed, ...checks] = await Promise.all([
    run(process.execPath, ['list.mjs'], { cwd: project, env: partner.env }),
    // Build mode checks both projects in one process, parsing what they share once.
    compile('TypeScript 7, without and with @types/node', tsc(repoRoot, 'typescript-7'), [
      '-b',
      'tsconfig.json',
      'tsconfig.node.json',
    ]),
    compile('TypeScript 5, without @types/node', tsc(project), ['-p', 'tsconfig.json']),
  ]);
}, 180_000);

afterAll(async () => {
  await partner?.dispose();
  scratch.dispose();
});

describe('the packed module', () => {
  it('installs quietly: no script of its own, no warning', () => {
    expect(installed.stderr).toBe('');
    expect(installed.code).toBe(0);
    expect(installed.stdout).toMatch(/added \d+ packages?/);
  });

  it('links every command of package.json into node_modules/.bin', () => {
    const bin = join(project, 'node_modules', '.bin');
    const commands = Object.entries(manifest.bin);
    expect(commands.length).toBeGreaterThan(0);
    for (const [command, file] of commands)
      expect({ command, target: realpathSync(join(bin, command)) }).toEqual({
        command,
        target: join(realpathSync(project), 'node_modules', 'partnercenter-node', file),
      });
  });

  it('lists the emulator customers through invoke, imported by the package name', () => {
    expect(listed.stderr).toBe('');
    expect(JSON.parse(listed.stdout)).toEqual([...partner.emulator.customerIds()]);
  });

  it('types a runbook strictly, with and without @types/node, on TypeScript 5 and later', () => {
    for (const { name, result } of checks)
      expect({ name, code: result.code, output: result.stdout + result.stderr }).toEqual({
        name,
        code: 0,
        output: '',
      });
    expect(checks).toHaveLength(2);
  });
});
