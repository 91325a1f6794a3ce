/**
 * Kill tests (issue 5): the real Get-PartnerCustomer stopped by SIGINT or SIGTERM in the middle of a
 * listing (the emulator slows every page so the signal lands mid-way) leaves only whole NDJSON
 * lines, exits 130/143, says in one stderr line how many customers were written and how to
 * continue, and that continuation completes the emulator's set exactly.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { emulatedPartner, type EmulatedPartner } from '../support/emulated-partner.js';
import { errorLines, idsOf, resumeCommandOf, runUntilSignalled } from '../faults/support/listing-runs.js';

let partner: EmulatedPartner;
const expected = () => partner.emulator.customers.map((customer) => customer.id as string);

beforeAll(async () => {
  partner = await emulatedPartner({ customers: 3000, seed: 11 });
});
afterAll(() => partner.dispose());

describe('a listing stopped by a signal', () => {
  it('SIGINT exits 130 and SIGTERM 143, with whole lines, one resume line, and a resume that completes the set', async () => {
    partner.emulator.configure({ pageLatencyMs: 120 });
    const cases = [
      { signal: 'SIGINT' as const, code: 130 },
      { signal: 'SIGTERM' as const, code: 143 },
    ];
    const runs = await Promise.all(cases.map(({ signal }) => runUntilSignalled(['-PageSize', '50'], partner.env, { signal, afterLines: 120 })));
    partner.emulator.configure({ pageLatencyMs: 0 });
    for (const [index, run] of runs.entries()) {
      const { signal, code } = cases[index]!;
      expect(run.signal).toBeNull();
      expect(run.code).toBe(code);
      const written = idsOf(run.stdout);
      expect(written.length).toBeGreaterThanOrEqual(120);
      expect(written.length).toBeLessThan(3000);
      const [line, ...more] = errorLines(run.stderr);
      expect(more).toEqual([]);
      expect(line).toMatch(new RegExp(`^Get-PartnerCustomer: Stopped by ${signal}\\. ${written.length} customers were written\\. To continue with the next one, run: Get-PartnerCustomer -PageSize 50 -ContinuationToken \\S+$`));
      const resumed = await partner.run('Get-PartnerCustomer', resumeCommandOf(line!));
      expect(resumed.stderr).toBe('');
      expect(resumed.code).toBe(0);
      expect([...written, ...idsOf(resumed.stdout)]).toEqual(expected());
    }
  });

  it('a run held mid-page by a stalled reader stops between two lines, and -ContinuationToken with -Skip continues inside that page', async () => {
    const run = await runUntilSignalled(['-PageSize', '400'], partner.env, { signal: 'SIGTERM', afterLines: 500, stallReader: true });
    expect(run.code).toBe(143);
    const written = idsOf(run.stdout);
    const [line, ...more] = errorLines(run.stderr);
    expect(more).toEqual([]);
    const args = resumeCommandOf(line!);
    // Stopped inside a page: the page's token plus how many of its customers are already out.
    expect(written.length).toBeLessThan(3000);
    if (written.length % 400 !== 0) expect(args).toContain('-Skip');
    expect(args.slice(0, 2)).toEqual(['-PageSize', '400']);
    const resumed = await partner.run('Get-PartnerCustomer', args);
    expect(resumed.code).toBe(0);
    expect([...written, ...idsOf(resumed.stdout)]).toEqual(expected());
  });

  it('with -ResumeFile, SIGINT leaves the file at the position reached and the same command finishes the listing', async () => {
    const file = join(partner.configDir, 'customers.resume');
    const args = ['-PageSize', '50', '-ResumeFile', file];
    partner.emulator.configure({ pageLatencyMs: 120 });
    const run = await runUntilSignalled(args, partner.env, { signal: 'SIGINT', afterLines: 100 });
    partner.emulator.configure({ pageLatencyMs: 0 });
    expect(run.code).toBe(130);
    const written = idsOf(run.stdout);
    const [line] = errorLines(run.stderr);
    expect(line).toContain(`${written.length} customers were written; ${file} keeps the position. To continue with the next one, run: Get-PartnerCustomer -PageSize 50 -ResumeFile ${file}`);
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { written: number; listing: { pageSize: number } };
    expect(saved).toMatchObject({ written: written.length, listing: { pageSize: 50 } });
    const resumed = await partner.run('Get-PartnerCustomer', args);
    expect(resumed.code).toBe(0);
    expect([...written, ...idsOf(resumed.stdout)]).toEqual(expected());
    expect(existsSync(file)).toBe(false);
  });
});
