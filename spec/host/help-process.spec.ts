/**
 * `<Cmdlet> -?` into a pipe takes bin/run.cjs's short way (lib/host/help-process.ts: the
 * cmdlet's help bundle and the renderer, not the host): the page must be the host's, byte for byte,
 * for each spelling of help, for a cmdlet that lists, for one that loads the others' declarations
 * (Get-Help) and for the emulator's. The host's page is the same command with stdout a file, which
 * takes the usual way. A reader that closes early still ends help with 0.
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
        `${bin(cmdlet!)} ${word} | cat > "$dir/piped-${index}" || echo "piped ${index} failed: $?"`,
        `${bin(cmdlet!)} ${word} > "$dir/file-${index}" || echo "file ${index} failed: $?"`,
        `cmp "$dir/piped-${index}" "$dir/file-${index}" && echo "same ${index} $(wc -l < "$dir/file-${index}")"`,
      ]),
      `${bin('Get-PartnerCustomer')} -? | head -c 1 > /dev/null; echo "closed early: \${PIPESTATUS[0]}"`,
      'rm -rf "$dir"',
    ].join('\n');
    const result = await runBash(script, { env: cleanEnv({ COLUMNS: '100' }) });
    expect(result.stderr).toBe('');
    const lines = result.stdout.trim().split('\n');
    expect(lines.slice(0, cases.length).map((line) => line.replace(/ \d+$/, ''))).toEqual(
      cases.map((_, index) => `same ${index}`),
    );
    // Pages, not empty files that compare equal.
    for (const line of lines.slice(0, cases.length))
      expect(Number(line.split(' ').pop())).toBeGreaterThan(20);
    expect(lines.slice(cases.length)).toEqual(['closed early: 0']);
  });
});
