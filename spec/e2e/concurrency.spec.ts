/**
 * Many processes at once against one emulator and ONE config directory (issue 5): listings,
 * Connect-Partner to new and to the same context names, Select-PartnerContext and
 * Get-PartnerContext, all started together. Afterwards every file is whole JSON and private, no
 * temp file is left, every context is intact and usable, and the default is one that was chosen.
 * The race is real processes; what is set up before it (contexts a, b and c, seeded by the real
 * stores) and what is checked after it (the contexts listed, one customer through each) reads only
 * what the processes left on disk, so it runs in this process (spec/README.md, "Process or
 * in-process").
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, type CliResult } from '../support/cli.js';
import { emulatedPartner, type EmulatedPartner } from '../support/emulated-partner.js';
import { storesFor } from '../../lib/session/session.js';
import { idsOf } from '../faults/support/listing-runs.js';

let partner: EmulatedPartner;
const expected = () => partner.emulator.customers.map((customer) => customer.id as string);
const run = (cmdlet: string, args: readonly string[]) =>
  runCli(cmdlet, args, { env: partner.env, timeoutMs: 60_000 });
const connect = (name: string) =>
  run('Connect-Partner', [...partner.connectArgs, '-ContextName', name]);

beforeAll(async () => {
  partner = await emulatedPartner({ customers: 250 });
  // Three more saved contexts for the race to list through, select and reconnect; the race itself
  // connects two new names (d, e) and one existing name twice (a) at once.
  for (const name of ['a', 'b', 'c']) await partner.seedContext(name);
  // A seeded context becomes the default; a Connect-Partner -ContextName would have left it alone.
  await storesFor(partner.env).contexts.setDefault('default');
});
afterAll(() => partner.dispose());

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

describe('one config directory, many processes at once', () => {
  it(
    'listings, reconnects (new and same names) and context switches leave ' +
      'every file whole and every context usable',
    async () => {
      const chosen = ['a', 'b', 'c', 'default', 'd', 'e'];
      const started: Array<{ label: string; result: Promise<CliResult> }> = [
        ...['default', 'a', 'b'].map((name) => ({
          label: `list ${name}`,
          result: run('Get-PartnerCustomer', ['-Context', name, '-PageSize', '50']),
        })),
        ...['a', 'a', 'd', 'e'].map((name) => ({
          label: `connect ${name}`,
          result: connect(name),
        })),
        ...['a', 'b', 'c', 'default'].map((name) => ({
          label: `select ${name}`,
          result: run('Select-PartnerContext', [name]),
        })),
        { label: 'list contexts', result: run('Get-PartnerContext', ['-ListAvailable']) },
      ];
      const results = await Promise.all(
        started.map(async ({ label, result }) => ({ label, ...(await result) })),
      );

      for (const result of results) {
        expect({ label: result.label, code: result.code, stderr: result.stderr }).toEqual({
          label: result.label,
          code: 0,
          stderr: '',
        });
        if (result.label.startsWith('list ') && result.label !== 'list contexts')
          expect(idsOf(result.stdout)).toEqual(expected());
      }

      const files = filesUnder(partner.configDir);
      expect(files.filter((file) => /\.tmp$|~$/.test(file))).toEqual([]);
      for (const file of files) {
        expect({ file, mode: (statSync(file).mode & 0o777).toString(8) }).toEqual({
          file,
          mode: '600',
        });
        const value = JSON.parse(readFileSync(file, 'utf8')) as unknown;
        expect({
          file,
          isObject: typeof value === 'object' && value !== null && !Array.isArray(value),
        }).toEqual({ file, isObject: true });
      }

      const settings = JSON.parse(
        readFileSync(join(partner.configDir, 'settings.json'), 'utf8'),
      ) as {
        defaultContext: string;
      };
      expect(chosen).toContain(settings.defaultContext);
      const listed = await partner.runInProcess('Get-PartnerContext', ['-ListAvailable']);
      const contexts = listed.stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { name: string; isDefault: boolean });
      expect(contexts.map((context) => context.name).sort()).toEqual([...chosen].sort());
      expect(
        contexts.filter((context) => context.isDefault).map((context) => context.name),
      ).toEqual([settings.defaultContext]);

      // Every context still works: one customer through each, in parallel once more.
      const usable = await Promise.all(
        chosen.map((name) =>
          partner.runInProcess('Get-PartnerCustomer', ['-Context', name, '-First', '1']),
        ),
      );
      for (const [index, result] of usable.entries()) {
        expect({ context: chosen[index], code: result.code, stderr: result.stderr }).toEqual({
          context: chosen[index],
          code: 0,
          stderr: '',
        });
        expect(idsOf(result.stdout)).toEqual(expected().slice(0, 1));
      }
    },
  );
});
