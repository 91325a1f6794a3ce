/**
 * Preferences saved with a context: the terminal's output format and the retry limits. What a
 * terminal and a pipe show runs as processes (a real pseudo-terminal, a real pipe); saving and
 * refusing preferences runs the real host and cmdlet in this process.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { binPath, parseNdjson, runOnTerminal } from '../support/cli.js';
import { emulatedPartner, type EmulatedPartner } from '../support/emulated-partner.js';

let partner: EmulatedPartner;
beforeAll(async () => {
  partner = await emulatedPartner({ customers: 4 });
});
afterAll(() => partner.dispose());

/** What a person at a 120-column terminal sees of a command. */
async function onTerminal(command: string, args: string[]): Promise<string> {
  const commandLine = [binPath(command), ...args].join(' ');
  return (await runOnTerminal(commandLine, { env: { ...partner.env, COLUMNS: '120' } })).stdout;
}

describe('Set-PartnerContext', () => {
  it('saves a terminal output format that pipes and files never see', async () => {
    const set = await partner.runInProcess('Set-PartnerContext', ['-DefaultOutputFormat', 'table']);
    expect(set.code).toBe(0);
    expect(
      JSON.parse(readFileSync(join(partner.configDir, 'contexts', 'default.json'), 'utf8'))
        .outputFormat,
    ).toBe('Table');

    const piped = await partner.run('Get-PartnerCustomer');
    expect(parseNdjson(piped.stdout)).toHaveLength(4);

    const terminal = await onTerminal('Get-PartnerCustomer', []);
    // At 120 columns the customers' long domains leave Relationship out (it goes first).
    expect(terminal).toMatch(/CustomerId\s.*Domain\s.*Name/);
    expect(terminal).not.toMatch(/^\{"id"/m);
    // The saved format wins over what the command shows by default (a list for one context).
    expect(await onTerminal('Get-PartnerContext', [])).toMatch(
      /^Name\s+Default\s+Environment\s+Tenant/m,
    );
  });

  it(
    'saves retry limits, and refuses a call with nothing to change or a value ' + 'out of range',
    async () => {
      const set = await partner.runInProcess('Set-PartnerContext', [
        '-MaxRetry',
        '9',
        '-MaxRetryWaitSeconds',
        '60',
      ]);
      expect(set.code).toBe(0);
      const saved = JSON.parse(
        readFileSync(join(partner.configDir, 'contexts', 'default.json'), 'utf8'),
      );
      expect(saved).toMatchObject({ maxRetry: 9, maxRetryWaitSeconds: 60, outputFormat: 'Table' });

      const nothing = await partner.runInProcess('Set-PartnerContext');
      expect(nothing.code).toBe(2);
      expect(nothing.stderr).toMatch(/Nothing to change/);
      const tooMany = await partner.runInProcess('Set-PartnerContext', ['-MaxRetry', '99']);
      expect(tooMany.code).toBe(2);
      expect(tooMany.stderr).toMatch(/MaxRetry.*99.*0.*20/);
    },
  );
});
