/**
 * Kill tests (issue 5): the real Get-PartnerCustomer stopped by SIGINT or SIGTERM in the middle of
 * a listing (the emulator slows every page so the signal lands mid-way) leaves only whole NDJSON
 * lines, exits 130/143, says in one stderr line how many customers were written and how to
 * continue, and that continuation completes the emulator's set exactly. The signalled runs are real
 * processes; the continuations run the same host and cmdlet in-process (what they prove is the
 * set they complete, not a process).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, runCli } from '../support/cli.js';
import { emulatedPartner, type EmulatedPartner } from '../support/emulated-partner.js';
import {
  errorLines,
  idsOf,
  resumeCommandOf,
  runUntilSignalled,
} from '../faults/support/listing-runs.js';

const CUSTOMERS = 2000;
let partner: EmulatedPartner;
const expected = () => partner.emulator.customers.map((customer) => customer.id as string);

beforeAll(async () => {
  // Enough customers that each signal lands mid-listing: 20 pages of 100 at 150 ms; behind a
  // stalled reader the run was held at 1,200 customers (three pages of 400) in every run seen,
  // with 3,000 customers as with fewer, so 2,000 leave two pages to spare. The resumes that
  // complete the set run in this process, where fewer customers cost less.
  partner = await emulatedPartner({ customers: CUSTOMERS, seed: 11 });
});
afterAll(() => partner.dispose());

describe('a listing stopped by a signal', () => {
  it(
    'SIGINT exits 130 and SIGTERM 143 (also with -ResumeFile), with whole ' +
      'lines, one resume line, and a resume that completes the set',
    async () => {
      const file = join(partner.configDir, 'customers.resume');
      const cases = [
        { signal: 'SIGINT' as const, code: 130, args: ['-PageSize', '100'] },
        { signal: 'SIGTERM' as const, code: 143, args: ['-PageSize', '100'] },
        { signal: 'SIGINT' as const, code: 130, args: ['-PageSize', '100', '-ResumeFile', file] },
      ];
      partner.emulator.configure({ apiLatencyMs: 150 });
      const runs = await Promise.all(
        cases.map(({ signal, args }) =>
          runUntilSignalled(args, partner.env, { signal, afterLines: 150 }),
        ),
      );
      partner.emulator.configure({ apiLatencyMs: 0 });

      const resumes = runs.map((run, index) => {
        const { signal, code, args } = cases[index]!;
        expect(run.signal).toBeNull();
        expect(run.code).toBe(code);
        const written = idsOf(run.stdout);
        expect(written.length).toBeGreaterThanOrEqual(150);
        expect(written.length).toBeLessThan(CUSTOMERS);
        const [line, ...more] = errorLines(run.stderr);
        expect(more).toEqual([]);
        const start = `^Get-PartnerCustomer: Stopped by ${signal}\\. ${written.length} customers were written`;
        if (args.includes('-ResumeFile')) {
          expect(line).toMatch(
            new RegExp(
              `${start}; \\S+ keeps the position\\. To continue with the next one, run: ` +
                'Get-PartnerCustomer -PageSize 100 -ResumeFile \\S+$',
            ),
          );
          const saved = JSON.parse(readFileSync(file, 'utf8')) as unknown;
          expect(saved).toMatchObject({
            written: written.length,
            listing: { pageSize: 100, filter: null },
            position: { continuationToken: expect.any(String) },
          });
        } else {
          expect(line).toMatch(
            new RegExp(
              `${start}\\. To continue with the next one, run: Get-PartnerCustomer -PageSize ` +
                '100 -ContinuationToken \\S+$',
            ),
          );
        }
        return { written, args: resumeCommandOf(line!) };
      });
      const resumed = await Promise.all(
        resumes.map(({ args }) => partner.runInProcess('Get-PartnerCustomer', args)),
      );
      resumed.forEach((result, index) => {
        expect(result.stderr).toBe('');
        expect(result.code).toBe(0);
        expect([...resumes[index]!.written, ...idsOf(result.stdout)]).toEqual(expected());
      });
      expect(existsSync(file)).toBe(false);
    },
  );

  it(
    'a run held mid-page by a stalled reader stops between two lines, and ' +
      '-ContinuationToken with -Skip continues inside that page',
    async () => {
      const run = await runUntilSignalled(['-PageSize', '400'], partner.env, {
        signal: 'SIGTERM',
        afterLines: 500,
        stallReader: true,
      });
      expect(run.code).toBe(143);
      const written = idsOf(run.stdout);
      expect(written.length).toBeLessThan(CUSTOMERS);
      const [line, ...more] = errorLines(run.stderr);
      expect(more).toEqual([]);
      const args = resumeCommandOf(line!);
      // Stopped inside a page: the page's token plus how many of its customers are already out.
      if (written.length % 400 !== 0)
        expect(args).toEqual([
          '-PageSize',
          '400',
          '-ContinuationToken',
          expect.any(String),
          '-Skip',
          String(written.length % 400),
        ]);
      const resumed = await partner.runInProcess('Get-PartnerCustomer', args);
      expect(resumed.code).toBe(0);
      expect([...written, ...idsOf(resumed.stdout)]).toEqual(expected());
    },
  );
});

describe('a signal during start-up', () => {
  const preload = join(repoRoot, 'spec', 'fixtures', 'host', 'signal-at-start-up.cjs');
  it.each([
    ['SIGTERM', 'shim', 143],
    ['SIGINT', 'shim', 130],
    ['SIGTERM', 'host', 143],
    ['SIGINT', 'host', 130],
  ] as const)(
    '%s once the %s has started (the next part still loading) ends with the stop line and exit %i, nothing sent',
    async (signal, stage, code) => {
      partner.emulator.resetCounters();
      const result = await runCli('Get-PartnerCustomer', [], {
        env: {
          ...partner.env,
          NODE_OPTIONS: `--require ${preload}`,
          SIGNAL_AT_START_UP: signal,
          SIGNAL_AT_START_UP_STAGE: stage,
        },
      });
      expect(result).toMatchObject({ signal: null, code, stdout: '' });
      expect(result.stderr).toBe(`Get-PartnerCustomer: Stopped by ${signal}.\n`);
      expect(partner.emulator.counters().requests).toEqual({});
    },
  );
});
