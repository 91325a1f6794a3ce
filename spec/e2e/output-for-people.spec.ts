/**
 * What a person sees of the real cmdlets against the emulator, on a terminal of 120 and of 80
 * columns (issue: ids cut while names got 6 columns, every offer "Microsoft 365…", the tenant id
 * cut): in-process with a forced width, and once on a real pseudo-terminal sized with stty.
 * Widths are checked with a reference of the spec's own (the East Asian Width table and
 * nonspacing marks, enough for the emulator's names), not with the module's width function.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eastAsianWidth } from 'get-east-asian-width';
import { loadCmdlet } from '../../lib/host/load-cmdlet.js';
import { runInProcess } from '../fixtures/host/run-in-process.js';
import { binPath, runOnTerminal } from '../support/cli.js';
import { emulatedPartner, type EmulatedPartner } from '../support/emulated-partner.js';
import { parseNdjson } from '../support/ndjson.js';

let partner: EmulatedPartner;
let customers: Array<{ id: string; companyProfile: { companyName: string } }>;
beforeAll(async () => {
  partner = await emulatedPartner({ customers: 40 });
  customers = parseNdjson((await partner.runInProcess('Get-PartnerCustomer')).stdout) as never;
});
afterAll(() => partner.dispose());

/** Terminal cells by a reference independent of the module: wide 2, nonspacing marks 0. */
const cells = (text: string) =>
  [...text].reduce(
    (sum, c) => sum + (/\p{Mn}/u.test(c) ? 0 : eastAsianWidth(c.codePointAt(0)!)),
    0,
  );

/**
 * A command as a person at a terminal of `columns` sees it (no -OutputFormat); a table's lines fit
 * the terminal (a list leaves a long value whole for the terminal to wrap).
 */
async function onTerminal(cmdlet: string, args: string[], columns: number, list = false) {
  const result = await runInProcess(await loadCmdlet(cmdlet), args, {
    env: partner.env,
    stdoutIsTTY: true,
    columns,
  });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const lines = result.stdout.trimEnd().split('\n');
  if (!list) for (const line of lines) expect(cells(line)).toBeLessThanOrEqual(columns - 1);
  return lines;
}

describe('Get-PartnerCustomerGdapStatus on a terminal', () => {
  it('at 120 columns shows every customer id and company name whole', async () => {
    const lines = await onTerminal('Get-PartnerCustomerGdapStatus', [], 120);
    expect(lines[0]).toMatch(/^CustomerId\s+CompanyName\s+Status\s+ExpiresOn\s+GlobalAdmin$/);
    const rows = lines.slice(2);
    expect(rows).toHaveLength(customers.length);
    customers.forEach((customer, i) => {
      expect(rows[i]!.startsWith(`${customer.id}  `)).toBe(true);
      expect(rows[i]).toContain(`  ${customer.companyProfile.companyName}  `);
    });
  });

  it('at 80 columns keeps ids whole and the name readable, leaving out lesser columns', async () => {
    const lines = await onTerminal('Get-PartnerCustomerGdapStatus', ['-First', '20'], 80);
    expect(lines[0]).toMatch(/^CustomerId\s+CompanyName\s+Status$/);
    lines.slice(2).forEach((row, i) => {
      const customer = customers[i]!;
      expect(row.startsWith(`${customer.id}  `)).toBe(true);
      const name = customer.companyProfile.companyName;
      const shown = row.slice(38).split(/ {2,}/)[0]!;
      expect(shown === name || (shown.endsWith('…') && name.startsWith(shown.slice(0, -1)))).toBe(
        true,
      );
      expect(cells(shown)).toBeGreaterThanOrEqual(Math.min(cells(name), 24));
    });
  });
});

describe('Get-PartnerCustomerSubscription on a terminal', () => {
  it('at 120 columns shows every offer name whole, grouped by customer, ids whole', async () => {
    const input = customers
      .slice(0, 8)
      .map((customer) => JSON.stringify(customer))
      .join('\n');
    const piped = await partner.runInProcess(
      'Get-PartnerCustomerSubscription',
      ['-ErrorAction', 'SilentlyContinue', '-ThrottleLimit', '1'],
      input,
    );
    const subscriptions = parseNdjson(piped.stdout) as Array<Record<string, string>>;
    expect(subscriptions.length).toBeGreaterThan(10);
    const result = await runInProcess(
      await loadCmdlet('Get-PartnerCustomerSubscription'),
      ['-ErrorAction', 'SilentlyContinue', '-ThrottleLimit', '1'],
      { env: partner.env, stdoutIsTTY: true, columns: 120, stdin: input },
    );
    const lines = result.stdout.trimEnd().split('\n');
    for (const line of lines) expect(cells(line)).toBeLessThanOrEqual(119);
    expect(lines.find((line) => line.startsWith('SubscriptionId'))).toMatch(
      /^SubscriptionId\s+Offer\s+Qty\s+Status\s+AutoRenew\s+EndDate$/,
    );
    for (const subscription of subscriptions) {
      const row = lines.find((line) => line.startsWith(`${subscription.id}  `));
      expect(row).toContain(`  ${subscription.offerName}  `);
    }
    const groups = lines.filter((line) => line.startsWith('CustomerId: '));
    expect(groups).toEqual([...new Set(subscriptions.map((s) => `CustomerId: ${s.customerId}`))]);
    expect(result.stdout).not.toContain('…');
  });
});

describe('contexts on a terminal', () => {
  it('Get-PartnerContext -ListAvailable keeps the tenant id whole at 120 and at 80 columns', async () => {
    await partner.seedContext('second');
    for (const columns of [120, 80]) {
      const lines = await onTerminal('Get-PartnerContext', ['-ListAvailable'], columns);
      expect(lines[0]).toMatch(/^Name\s+Default\s+Environment\s+Tenant/);
      expect(lines.slice(2)).toHaveLength(2);
      for (const row of lines.slice(2)) expect(row).toContain(partner.emulator.tenantId);
    }
  });

  it('Get-PartnerContext shows one context as a list, and NDJSON when piped', async () => {
    const lines = await onTerminal('Get-PartnerContext', [], 80, true);
    expect(lines).toContainEqual(expect.stringMatching(/^name +: \S+$/));
    expect(lines).toContainEqual(
      expect.stringMatching(new RegExp(`^tenantId +: ${partner.emulator.tenantId}$`)),
    );
    expect(lines.some((line) => /^apiEndpoint +: https:\/\/127\.0\.0\.1:\d+$/.test(line))).toBe(
      true,
    );
    const piped = await partner.runInProcess('Get-PartnerContext');
    expect(parseNdjson(piped.stdout)).toEqual([
      expect.objectContaining({ tenantId: partner.emulator.tenantId }),
    ]);
  });

  it('Get-Command shows one named command as a list, several as a table', async () => {
    expect(await onTerminal('Get-Command', ['Get-PartnerCustomer'], 80, true)).toEqual([
      'name     : Get-PartnerCustomer',
      'verb     : Get',
      'noun     : PartnerCustomer',
      expect.stringMatching(/^synopsis : Lists every customer/),
      // The module's version and name, as PowerShell's Get-Command shows them.
      expect.stringMatching(/^version {2}: \d+\.\d+\.\d+/),
      'source   : PartnerCenter',
    ]);
    expect((await onTerminal('Get-Command', ['-Noun', '*Context'], 80))[0]).toMatch(
      /^Name\s+Version\s+Synopsis$/,
    );
  });
});

describe('on a real terminal', () => {
  it.each([120, 80])(
    'Get-PartnerCustomerGdapStatus at %i columns: a table sized to the terminal, ids whole',
    async (columns) => {
      const command = `stty cols ${columns} rows 50; ${binPath('Get-PartnerCustomerGdapStatus')} -First 10`;
      const result = await runOnTerminal(command, { env: partner.env });
      expect(result.code).toBe(0);
      const lines = result.stdout.replace(/\r/g, '').trimEnd().split('\n');
      expect(lines[0]).toMatch(
        columns === 120
          ? /^CustomerId\s+CompanyName\s+Status\s+ExpiresOn\s+GlobalAdmin$/
          : /^CustomerId\s+CompanyName\s+Status$/,
      );
      for (const line of lines) expect(cells(line)).toBeLessThanOrEqual(columns - 1);
      customers.slice(0, 10).forEach((customer, i) => {
        expect(lines[2 + i]!.startsWith(`${customer.id}  `)).toBe(true);
      });
    },
  );
});
