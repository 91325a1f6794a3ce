/**
 * `<Cmdlet> -?` into a pipe at the default width takes bin/run.cjs's short way (the page the build
 * rendered, dist/help-pages, written by lib/host/help-process.ts; not the host): the page must be
 * the host's, byte for byte, for each spelling of help, for a cmdlet that lists, for one that loads
 * the others' declarations (Get-Help) and for the emulator's. The host's page is the same command
 * with stdout a file, which takes the usual way. NODE_DEBUG=module shows which way ran (the short
 * way loads its one CommonJS writer, help-page.cjs). With COLUMNS asking for a width, the pipe gets
 * the host's page at that width. A reader that closes early still ends help with 0.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { binPath, cleanEnv, runBash } from '../support/cli.js';
import { requireBuild } from '../support/required-tools.js';

beforeAll(() => requireBuild());

const bin = (name: string) => `"${process.execPath}" "${binPath(name)}"`;

describe('help into a pipe', () => {
  it("is the host's page, byte for byte, for each spelling and for three kinds of cmdlet", async () => {
    const cases = [
      ['Get-PartnerCustomer', '-?'],
      ['Get-PartnerCustomer', '--help'],
      ['Get-Help', '-HELP'],
      ['Start-PartnerEmulator', '-?'],
    ];
    const script = [
      'set -o pipefail',
      'dir="$(mktemp -d)"',
      ...cases.flatMap(([cmdlet, word], index) => [
        `NODE_DEBUG=module ${bin(cmdlet!)} ${word} 2> "$dir/debug-${index}" | cat > "$dir/piped-${index}" ` +
          `|| echo "piped ${index} failed: $?"`,
        `${bin(cmdlet!)} ${word} > "$dir/file-${index}" || echo "file ${index} failed: $?"`,
        `cmp "$dir/piped-${index}" "$dir/file-${index}" && echo "same ${index} $(wc -l < "$dir/file-${index}")"`,
        `grep -q 'help-page\\.cjs' "$dir/debug-${index}" && echo "short way (${index})"`,
      ]),
      `${bin('Get-PartnerCustomer')} -? | head -c 1 > /dev/null; echo "closed early: \${PIPESTATUS[0]}"`,
      'rm -rf "$dir"',
    ].join('\n');
    const result = await runBash(script, { env: withoutColumns() });
    expect(result.stderr).toBe('');
    const lines = result.stdout.trim().split('\n');
    const perCase = lines.slice(0, cases.length * 2);
    expect(perCase.map((line) => line.replace(/ \d+$/, ''))).toEqual(
      cases.flatMap((_, index) => [`same ${index}`, `short way (${index})`]),
    );
    // Pages, not empty files that compare equal.
    for (const line of perCase.filter((line) => line.startsWith('same ')))
      expect(Number(line.split(' ').pop())).toBeGreaterThan(20);
    expect(lines.slice(cases.length * 2)).toEqual(['closed early: 0']);
  });

  it('with COLUMNS set, is the host page at that width, not the page the build rendered', async () => {
    const script = [
      'set -o pipefail',
      'dir="$(mktemp -d)"',
      `NODE_DEBUG=module ${bin('Get-PartnerCustomer')} -? 2> "$dir/debug" | cat > "$dir/narrow"`,
      `${bin('Get-PartnerCustomer')} -? > "$dir/file"`,
      `env -u COLUMNS ${bin('Get-PartnerCustomer')} -? | cat > "$dir/default"`,
      'cmp -s "$dir/narrow" "$dir/file" && echo "same as the host"',
      'cmp -s "$dir/narrow" "$dir/default" || echo "not the default page"',
      `grep -q 'help-page\\.cjs' "$dir/debug" || echo "through the host"`,
      'echo "lines: $(wc -l < "$dir/narrow") $(wc -l < "$dir/default")"',
      'rm -rf "$dir"',
    ].join('\n');
    const result = await runBash(script, { env: { ...withoutColumns(), COLUMNS: '60' } });
    expect(result.stderr).toBe('');
    const lines = result.stdout.trim().split('\n');
    expect(lines.slice(0, 3)).toEqual([
      'same as the host',
      'not the default page',
      'through the host',
    ]);
    // Wrapped at 60 columns: more lines than the page at the default width.
    const [narrow, usual] = lines[3]!.split(': ')[1]!.split(' ').map(Number);
    expect(narrow).toBeGreaterThan(usual! + 10);
  });
});

function withoutColumns(): NodeJS.ProcessEnv {
  const env = cleanEnv({});
  delete env.COLUMNS;
  return env;
}
