/**
 * Per-item failures go on by default, as PowerShell's non-terminating errors: the README's report
 * `Get-PartnerCustomer | Get-PartnerCustomerSubscription -OutputFormat Csv > subscriptions.csv`
 * runs to its end against the emulator (in-process, and once as a real shell pipeline), with one
 * line per customer the partner may not read and one summary line; -ErrorAction and
 * PARTNERCENTER_ERROR_ACTION_PREFERENCE as PowerShell's; what ends a run still ends it; the one line
 * fits a terminal.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import getPartnerCustomer from '../../cmdlets/Get-PartnerCustomer.js';
import getSubscription from '../../cmdlets/Get-PartnerCustomerSubscription.js';
import { ItemFailure, ServiceError } from '../../lib/common/errors.js';
import { itemFailureLine, terminalOf } from '../../lib/host/item-failures.js';
import { displayWidth } from '../../lib/common/text-width.js';
import { runInProcess } from '../fixtures/host/run-in-process.js';
import { binPath, runBash } from '../support/cli.js';
import { type EmulatedPartner, emulatedPartner } from '../support/emulated-partner.js';
import { parseNdjson } from '../support/ndjson.js';

type Json = Record<string, any>;
const CMDLET = 'Get-PartnerCustomerSubscription';

let partner: EmulatedPartner;
let customers: Json[];
let listed: string;

interface JsonDataset {
  hasCommerceRelationship(customerId: string): boolean;
  subscriptionsOf(customerId: string): Json[];
}
const data = () => partner.emulator.dataset as unknown as JsonDataset;
const refused = () => customers.filter((c) => !data().hasCommerceRelationship(c.id));
const served = () => customers.filter((c) => data().hasCommerceRelationship(c.id));
const subscriptionCount = () =>
  served().reduce((sum, c) => sum + data().subscriptionsOf(c.id).length, 0);

const run = (argv: string[], options: Parameters<typeof runInProcess>[2] = {}) =>
  runInProcess(getSubscription, argv, { env: partner.env, stdin: listed, ...options });

/** The CSV's data rows (a header, then one row per subscription; no field here spans lines). */
const csvRows = (csv: string) => csv.split(/\r?\n/).filter(Boolean).slice(1);

const summaryOf = (failed: number) =>
  `${CMDLET}: ${failed} of ${customers.length} customers failed: ${failed} × no commerce ` +
  'relationship (403, 20002).';

beforeAll(async () => {
  // Enough customers for several refused among the served (the data set's own mix); the size is
  // not the point, and every full run pays for each customer in this process.
  partner = await emulatedPartner({ customers: 12 });
  const result = await runInProcess(getPartnerCustomer, [], { env: partner.env });
  expect(result.code).toBe(0);
  listed = result.stdout;
  customers = parseNdjson(listed) as Json[];
  expect(refused().length).toBeGreaterThan(1);
  expect(served().length).toBeGreaterThan(refused().length);
});

afterAll(() => partner?.dispose());

describe("the README's subscription report", () => {
  it('runs to its end in-process: every readable customer, one line per refused one, a summary, exit 1', async () => {
    const result = await run(['-OutputFormat', 'Csv']);
    expect(result.code).toBe(1);
    expect(csvRows(result.stdout)).toHaveLength(subscriptionCount());
    const failures = result.stderrLines.slice(0, -1);
    expect(failures).toHaveLength(refused().length);
    for (const c of refused())
      expect(
        failures.filter((line) => line.includes(`(${c.id}): no commerce relationship`)),
      ).toEqual([
        expect.stringMatching(
          new RegExp(`^${CMDLET}: .+ \\(${c.id}\\): no commerce relationship \\(403, 20002\\)\\. `),
        ),
      ]);
    // Every refusal is for good: no rerun is offered.
    expect(result.stderrLines.at(-1)).toBe(summaryOf(refused().length));
  });

  it('runs to its end as a real shell pipeline (exit statuses 0 and 1)', async () => {
    const bin = (name: string) => `"${process.execPath}" "${binPath(name)}"`;
    const result = await runBash(
      `cd "${partner.configDir}" && ${bin('Get-PartnerCustomer')} | ` +
        `${bin(CMDLET)} -OutputFormat Csv > subscriptions.csv; ` +
        // biome-ignore lint/suspicious/noTemplateCurlyInString: bash's ${PIPESTATUS[n]}, not ours
        'echo "status:${PIPESTATUS[0]},${PIPESTATUS[1]}"; cat subscriptions.csv',
      { env: partner.env },
    );
    const [status, ...csv] = result.stdout.split('\n');
    expect(status).toBe('status:0,1');
    expect(csvRows(csv.join('\n'))).toHaveLength(subscriptionCount());
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(refused().length + 1);
    expect(lines.at(-1)).toBe(summaryOf(refused().length));
  });

  it('cut short by its reader after a failure (| head), exits 1 without a summary', async () => {
    const bin = (name: string) => `"${process.execPath}" "${binPath(name)}"`;
    // A refused customer first, one at a time: the failure comes before the reader leaves.
    writeFileSync(
      join(partner.configDir, 'input.ndjson'),
      [refused()[0], ...served()].map((c) => `${JSON.stringify(c)}\n`).join(''),
    );
    const result = await runBash(
      `cd "${partner.configDir}" && ${bin(CMDLET)} -ThrottleLimit 1 < input.ndjson | head -n 2; ` +
        // biome-ignore lint/suspicious/noTemplateCurlyInString: bash's ${PIPESTATUS[n]}, not ours
        'echo "status:${PIPESTATUS[0]}"',
      { env: partner.env },
    );
    expect(result.stdout.trim().split('\n').at(-1)).toBe('status:1');
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^${CMDLET}: .+ \\(${refused()[0]!.id}\\): no commerce`)),
    ]);
  });

  it('on a terminal, each failure is one line that fits, naming the customer and the reason', async () => {
    for (const columns of [120, 80]) {
      const result = await run(['-OutputFormat', 'Csv'], { stderrIsTTY: true, columns });
      expect(result.code).toBe(1);
      // What stays on the screen once the progress line (redrawn with \r) is erased.
      const shown = result.stderr
        .split('\n')
        .map((line) => line.split('\u001b[K').at(-1)!)
        .filter(Boolean);
      const failures = shown.filter((line) => line.includes(': no commerce relationship'));
      expect(failures).toHaveLength(refused().length);
      for (const line of failures) expect(displayWidth(line)).toBeLessThan(columns);
      // The summary is one line too, whole (it may wrap on a narrow screen).
      expect(shown.filter((line) => line === summaryOf(refused().length))).toHaveLength(1);
      if (columns === 120)
        for (const c of refused())
          expect(failures).toContain(
            `${CMDLET}: ${c.companyProfile.companyName} (${c.id.slice(0, 8)}…): no commerce ` +
              'relationship (403, 20002)',
          );
    }
  });
});

describe('a name the customer chose', () => {
  it('never drives the terminal: control characters are blanked in the line and the stop line', async () => {
    const hostile = {
      ...refused()[0]!,
      companyProfile: { companyName: 'Evil\u001b[2J\rCorp\nLtd' },
    };
    for (const argv of [[], ['-ErrorAction', 'Stop']]) {
      const result = await run(argv, { stdin: `${JSON.stringify(hostile)}\n` });
      expect(result.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
      expect(result.stderrLines[0]).toContain(`Evil [2J Corp Ltd`);
    }
  });
});

describe('-ErrorAction and the preference', () => {
  it('Stop ends the run at the first refused customer with its own exit code', async () => {
    const result = await run(['-ErrorAction', 'Stop', '-ThrottleLimit', '1']);
    expect(result.code).toBe(3);
    expect(result.stderrLines).toHaveLength(1);
    expect(result.stderrLines[0]).toMatch(
      / A rerun stops at the same customer: without -ErrorAction Stop the run goes on past it\.$/,
    );
  });

  it('SilentlyContinue writes no line (the summary with -Verbose); Ignore not even that; both exit 1', async () => {
    const silent = await run(['-ErrorAction', 'SilentlyContinue']);
    expect([silent.code, silent.stderr]).toEqual([1, '']);
    const verbose = await run(['-ErrorAction', 'SilentlyContinue', '-Verbose']);
    expect(verbose.stderrLines.filter((line) => !line.startsWith('VERBOSE: '))).toEqual([]);
    expect(verbose.stderrLines).toContain(`VERBOSE: ${summaryOf(refused().length)}`);
    const ignored = await run(['-ErrorAction', 'Ignore', '-Verbose']);
    expect(ignored.code).toBe(1);
    expect(ignored.stderrLines.filter((line) => line.includes('failed'))).toEqual([]);
    expect(parseNdjson(ignored.stdout)).toHaveLength(subscriptionCount());
  });

  it('PARTNERCENTER_ERROR_ACTION_PREFERENCE plays $ErrorActionPreference; the parameter wins', async () => {
    const env = { ...partner.env, PARTNERCENTER_ERROR_ACTION_PREFERENCE: 'stop' };
    const stopped = await run(['-ThrottleLimit', '1'], { env });
    expect(stopped.code).toBe(3);
    expect(stopped.stderrLines).toHaveLength(1);
    const overridden = await run(['-ErrorAction', 'Continue'], { env });
    expect(overridden.code).toBe(1);
    expect(overridden.stderrLines.at(-1)).toBe(summaryOf(refused().length));
  });

  it('refuses a preference PowerShell refuses, before any request (exit 2)', async () => {
    for (const [value, hint] of [
      ['Ignore', /Ignore is only for one command, as in PowerShell: give -ErrorAction Ignore\.$/],
      ['Inquire', /Set it to one of them, or unset it \(the default is Continue\)\.$/],
    ] as const) {
      const before = partner.emulator.counters().requests;
      const result = await run([], {
        env: { ...partner.env, PARTNERCENTER_ERROR_ACTION_PREFERENCE: value },
      });
      expect(result.code).toBe(2);
      expect(result.stderrLines).toHaveLength(1);
      expect(result.stderrLines[0]).toMatch(
        new RegExp(
          `^${CMDLET}: PARTNERCENTER_ERROR_ACTION_PREFERENCE is "${value}", which is not one of ` +
            'Stop, Continue, SilentlyContinue\\. ',
        ),
      );
      expect(result.stderrLines[0]).toMatch(hint);
      expect(partner.emulator.counters().requests).toEqual(before);
    }
  });
});

describe('what a rerun can do', () => {
  it('a customer the service failed past the retries may pass later: the summary says how', async () => {
    const first = served()[0]!;
    partner.emulator.setFaults({ rules: [{ at: 1, action: { type: 'status', status: 503 } }] });
    try {
      const result = await run(['-MaxRetry', '0', '-ThrottleLimit', '1'], {
        stdin: `${JSON.stringify(first)}\n`,
      });
      expect(result.code).toBe(1);
      expect(result.stderrLines).toHaveLength(2);
      expect(result.stderrLines[1]).toBe(
        `${CMDLET}: 1 of 1 customer failed: 1 × Partner Center still failing after 1 attempt ` +
          '(503). It may pass later. Ending the pipeline in -ResumeFile <file> lets a rerun ' +
          'retry only the failed ones.',
      );
    } finally {
      partner.emulator.setFaults({});
    }
  });

  it('throttling past the retries ends the run whatever -ErrorAction says, with how to continue', async () => {
    partner.emulator.setFaults({
      rules: [{ at: 2, action: { type: 'throttle', retryAfterSeconds: 0 } }],
    });
    try {
      const result = await run([
        '-MaxRetry',
        '0',
        '-ThrottleLimit',
        '1',
        '-ErrorAction',
        'Continue',
      ]);
      expect(result.code).toBe(5);
      expect(result.stderrLines.at(-1)).toMatch(
        /To make a run continue where it stopped, end the pipeline in: Get-PartnerCustomerSubscription -MaxRetry 0 -ThrottleLimit 1 -ErrorAction Continue -ResumeFile Get-PartnerCustomerSubscription\.resume$/,
      );
      // Nothing after it: the run ended there.
      expect(
        result.stderrLines.filter((line) =>
          line.includes(` of ${customers.length} customers failed`),
        ),
      ).toEqual([]);
    } finally {
      partner.emulator.setFaults({});
    }
  });
});

describe('the one line', () => {
  const failure = (name: string) =>
    new ItemFailure(
      { kind: 'customer', id: '7c1e2f3a-0000-4000-8000-000000000001', name },
      new ServiceError('Partner Center failed GET /v1/customers/x (HTTP 503).', {
        reason: 'Partner Center failed',
        status: 503,
      }),
    );

  it('fits every width, wide scripts and hostile names included; the id and name give way first', async () => {
    for (const name of [
      'Contoso',
      '서울테크 주식회사 한국 지사 본부',
      'Ørsted\u001b[31m Rådgivning AS '.repeat(4),
    ]) {
      for (const columns of [200, 120, 100, 80, 60, 40]) {
        const line = itemFailureLine(CMDLET, failure(name), await terminalOf(columns));
        expect(line).not.toMatch(/[\u0000-\u001f]/);
        expect(displayWidth(line)).toBeLessThan(columns);
        expect(line.startsWith(`${CMDLET}: `)).toBe(true);
        if (columns >= 100) expect(line.endsWith(': Partner Center failed (503)')).toBe(true);
      }
    }
    expect(itemFailureLine(CMDLET, failure('Contoso'), await terminalOf(200))).toBe(
      `${CMDLET}: Contoso (7c1e2f3a-0000-4000-8000-000000000001): Partner Center failed (503)`,
    );
  });
});
