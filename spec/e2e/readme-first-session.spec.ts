/**
 * The README's "A first session", pasted: its first block exactly as printed (bin/ on PATH, the
 * emulator started in the background with -OutFile, the wait for its file, the sign-in with jq),
 * then the lines of the second block that need no listing (who am I, sign out, stop the emulator),
 * run by bash in a directory like a checkout's. Needs bash and jq, as the README says (CI installs
 * them): a missing one fails the spec rather than skipping it.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { cleanEnv, repoRoot, runBash, scratchConfigDir } from '../support/cli.js';

const scratch = scratchConfigDir();
afterAll(() => scratch.dispose());

/** The ```sh blocks of the README section `title`, in order. */
function shellBlocks(title: string): string[] {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const start = readme.indexOf(`## ${title}\n`);
  const section = readme.slice(start, readme.indexOf('\n## ', start + 3));
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]!);
}

function installed(tool: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe("the README's first session, pasted into bash", () => {
  it('starts the emulator without a race, signs in, shows the context, signs out and stops it', async () => {
    expect(['bash', 'jq'].filter((tool) => !installed(tool))).toEqual([]);
    const [start, session] = shellBlocks('A first session');
    expect(start).toMatch(/-OutFile emulator\.json &/);
    const kept = (session ?? '')
      .split('\n')
      .filter((line) => /^(Get-PartnerContext|Disconnect-Partner|kill )/.test(line));
    expect(kept).toHaveLength(3);
    // A checkout's layout: bin/ beside where the commands run (emulator.json lands here).
    const checkout = join(scratch.dir, 'checkout');
    execFileSync('mkdir', [checkout]);
    symlinkSync(join(repoRoot, 'bin'), join(checkout, 'bin'));
    const script = ['set -e', start, ...kept, 'wait'].join('\n');
    const result = await runBash(script, {
      cwd: checkout,
      env: cleanEnv({ PARTNERCENTER_CONFIG_DIR: join(scratch.dir, 'config') }),
      timeoutMs: 60_000,
    });
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    // Connect-Partner's context, Get-PartnerContext's, then Disconnect-Partner's.
    expect(lines).toEqual([
      expect.objectContaining({
        name: 'default',
        apiEndpoint: expect.stringMatching(/^https:\/\/127\.0\.0\.1:/),
      }),
      expect.objectContaining({ name: 'default', tenantId: lines[0]?.tenantId }),
      { name: 'default', removed: true },
    ]);
    // The emulator stopped and took its file with it.
    expect(existsSync(join(checkout, 'emulator.json'))).toBe(false);
  }, 70_000);
});

describe("the README's curl listing, pasted into bash", () => {
  it('lists every customer through next links of both forms (the emulator mixes them by default)', async () => {
    expect(['bash', 'jq', 'curl'].filter((tool) => !installed(tool))).toEqual([]);
    const [listing] = shellBlocks('Use the emulator from any client').filter((block) =>
      block.includes('.links.next.uri'),
    );
    expect(listing).toMatch(/case \$next in \/v1\/\*\)/);
    const checkout = join(scratch.dir, 'curl-checkout');
    execFileSync('mkdir', [checkout]);
    symlinkSync(join(repoRoot, 'bin'), join(checkout, 'bin'));
    const script = [
      'set -e',
      'export PATH="$PWD/bin:$PATH"',
      listing,
      'kill %1',
      'wait || true',
    ].join('\n');
    const result = await runBash(script, {
      cwd: checkout,
      env: cleanEnv({ PARTNERCENTER_CONFIG_DIR: join(scratch.dir, 'curl-config') }),
      timeoutMs: 60_000,
    });
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    const domains = result.stdout.trim().split('\n');
    // The default 2,500 customers in five pages, every one once.
    expect(domains).toHaveLength(2500);
    expect(new Set(domains).size).toBe(2500);
    for (const domain of domains) expect(domain).toMatch(/\.onmicrosoft\.com$/);
  }, 70_000);
});
