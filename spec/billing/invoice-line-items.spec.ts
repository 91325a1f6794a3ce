/**
 * Get-PartnerInvoiceLineItem and Get-PartnerRatedUsage in-process against a real emulator: the
 * Graph export started, followed, its manifest read and its gzip files streamed, line items as
 * NDJSON with the service's names, adding up to the invoice; the faults of a real export (a SAS
 * that expires mid-download, a file cut mid-stream or truncated, 429 on the poll, a failed
 * export); each refusal as one line with its exit code; a stopped run resumed to the line.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCmdletServices } from '../../lib/cmdlet-support/services.js';
import type { StartedEmulator } from '../../lib/emulator/index.js';
import { RECONCILIATION_FULL, attributesOf } from '../../lib/emulator/billing/attribute-sets.js';
import { resolveEnvironment } from '../../lib/session/environments.js';
import { storesFor } from '../../lib/session/session.js';
import { emulatedPartner, type EmulatedPartner } from '../support/emulated-partner.js';
import { ManualClock } from '../support/manual-clock.js';
import { wholeNdjsonLines } from '../support/ndjson.js';
import { Collector, runInProcess } from '../fixtures/host/run-in-process.js';
import { InterruptedError } from '../../lib/common/errors.js';
import { V2_LINE_ITEMS_FROM_TEXT } from '../../lib/common/billing-facts.js';
import GetPartnerInvoiceLineItem from '../../cmdlets/Get-PartnerInvoiceLineItem.js';
import GetPartnerRatedUsage from '../../cmdlets/Get-PartnerRatedUsage.js';
import GetPartnerInvoice from '../../cmdlets/Get-PartnerInvoice.js';

type Json = Record<string, any>;
type Invoice = ReturnType<StartedEmulator['billing']['invoices']>[number];

const GRAPH = 'https://graph.microsoft.com';
let partner: EmulatedPartner;
let emulator: StartedEmulator;
let scratch: string;

beforeAll(async () => {
  // 600 line items in files of 150: four files (three read at once, so one waits), a few pages
  // of output for a stop or a full disk to fall in; more lines would prove nothing more here.
  partner = await emulatedPartner({
    customers: 60,
    billingLineItems: 600,
    billingLinesPerBlob: 150,
    now: '2026-11-20',
    seed: 5,
  });
  emulator = partner.emulator;
  scratch = mkdtempSync(join(tmpdir(), 'line-items-'));
});
afterEach(() => {
  emulator.setFaults({});
  emulator.configure({ billingDataVersion: 1 });
});
afterAll(async () => {
  await partner.dispose();
  rmSync(scratch, { recursive: true, force: true });
});

const invoices = () => emulator.billing.invoices();
const latest = (): Invoice => invoices()[0] as Invoice;
const cents = (lines: Json[]) =>
  lines.reduce((sum, line) => sum + Math.round(Number(line.Total) * 100), 0);
const alternateIds = (lines: Json[]) => lines.map((line) => String(line.AlternateId));
const file = (name: string) => join(scratch, name);

/**
 * Runs a billing cmdlet in-process on a clock of its own (`clock`, or a fresh ManualClock): the
 * waits between looks at the export (100 ms first, then Retry-After) take no real time. The
 * terminal-progress case runs on the real clock.
 */
async function run(
  args: readonly string[],
  options: {
    stdin?: string;
    clock?: ManualClock;
    cmdlet?: typeof GetPartnerRatedUsage;
    env?: Json;
    /** A regular file's descriptor as stdout, as `> file` or `>> file` gives main. */
    stdoutFile?: number;
  } = {},
) {
  const clock = options.clock ?? new ManualClock();
  const result = await runInProcess(options.cmdlet ?? GetPartnerInvoiceLineItem, [...args], {
    env: { ...partner.env, PARTNERCENTER_RETRY_BASE_DELAY_MS: '5', ...options.env },
    stdin: options.stdin,
    stdoutFile: options.stdoutFile,
    services: (description) => createCmdletServices({ ...description, clock }),
  });
  return {
    ...result,
    lines: () => wholeNdjsonLines(result.stdout) as Json[],
    errors: () => result.stderr.split('\n').filter((line) => /^Get-Partner/.test(line)),
  };
}

/** A context `cloud-<cloud>` of a national cloud whose addresses are the emulator's. */
async function saveCloudContext(cloud: 'AzureUSGovernment' | 'AzureChinaCloud') {
  const stores = storesFor(partner.env);
  const seeded = (await stores.contexts.read('default'))!;
  const environment = resolveEnvironment(cloud, {
    apiEndpoint: emulator.apiEndpoint,
    authorityHost: emulator.authorityHost,
    graphEndpoint: emulator.graphEndpoint,
  });
  await stores.contexts.write({ ...seeded, name: `cloud-${cloud}`, environment });
  stores.tokens.write(`cloud-${cloud}`, { clientSecret: emulator.clientSecret });
}

/**
 * The invoice's AlternateIds as the emulator derives them, sorted: derived once per invoice (the
 * cases compare at data version 1 only; afterEach puts it back).
 */
const expectedIds = new Map<string, string[]>();
function expectedIdsOf(invoice: Invoice): string[] {
  let ids = expectedIds.get(invoice.id);
  if (!ids) {
    ids = alternateIds([...emulator.billing.lineItems(invoice.id)]).sort();
    expectedIds.set(invoice.id, ids);
  }
  return ids;
}

/** Each of the invoice's line items exactly once in `lines`, and nothing else. */
function expectExactlyOnce(lines: Json[], invoice: Invoice) {
  const expected = expectedIdsOf(invoice);
  const got = alternateIds(lines);
  expect(got).toHaveLength(expected.length);
  expect(new Set(got).size).toBe(expected.length);
  expect([...got].sort()).toEqual(expected);
  expect(cents(lines)).toBe(emulator.billing.totalCents(invoice.id));
}

describe('billed line items of an invoice', () => {
  it("streams every line item once, with the service's names, adding up to the invoice", async () => {
    const invoice = latest();
    const result = await run(['-InvoiceId', invoice.id]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.lines();
    expectExactlyOnce(lines, invoice);
    expect(Object.keys(lines[0] as Json)).toEqual(RECONCILIATION_FULL);
  });

  it("binds a piped invoice's id, and exports each piped invoice", async () => {
    const v2 = invoices()
      .filter((one) => one.api === 'v2')
      .slice(0, 2);
    const piped = v2.map((one) =>
      JSON.stringify({ id: one.id, attributes: { objectType: 'Invoice' } }),
    );
    const result = await run([], { stdin: `${piped.join('\n')}\n` });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.lines();
    for (const invoice of v2)
      expectExactlyOnce(
        lines.filter((line) => line.InvoiceNumber === invoice.id),
        invoice,
      );
  });

  it('takes the invoices Get-PartnerInvoice writes, as a pipe does', async () => {
    const listed = await runInProcess(GetPartnerInvoice, ['-First', '1'], { env: partner.env });
    expect(listed.code).toBe(0);
    const invoice = latest();
    expect(JSON.parse(listed.stdout).id).toBe(invoice.id);
    const result = await run([], { stdin: listed.stdout });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expectExactlyOnce(result.lines(), invoice);
  });

  it('shows progress on a terminal only: the export, then files and line items; none on a pipe', async () => {
    const invoice = latest();
    const onTerminal = await runInProcess(GetPartnerInvoiceLineItem, ['-InvoiceId', invoice.id], {
      env: partner.env,
      stderrIsTTY: true,
      columns: 200,
    });
    expect(onTerminal.code).toBe(0);
    expect(onTerminal.stderr).toMatch(
      /Waiting for the export: 0:0\d \(accepted; next check in 0:00\)/,
    );
    expect(onTerminal.stderr).toMatch(/Downloading the export: \d of 4 files, [\d,]+ line items/);
    // Erased at the end: the last thing on the terminal is the erase sequence.
    expect(onTerminal.stderr.endsWith('\r\u001b[K')).toBe(true);
    const onPipe = await runInProcess(GetPartnerInvoiceLineItem, ['-InvoiceId', invoice.id], {
      env: partner.env,
      stderrIsTTY: true,
      io: { stdoutIsPipe: true },
    });
    expect(onPipe.code).toBe(0);
    expect(onPipe.stderr).toBe('');
  });

  it('-AttributeSet Basic: the Basic names, in the Basic order, a subset of Full', async () => {
    const invoice = latest();
    const result = await run(['-InvoiceId', invoice.id, '-AttributeSet', 'basic']);
    expect(result.code).toBe(0);
    const lines = result.lines();
    const basic = attributesOf('reconciliation', 'basic');
    expect(Object.keys(lines[0] as Json)).toEqual(basic);
    expect(basic.length).toBeLessThan(RECONCILIATION_FULL.length);
    expect(lines).toHaveLength(invoice.lineItemCount);
  });

  it("-OutputFormat Csv: the service's names in its order as the header, every row as wide", async () => {
    const invoice = latest();
    const result = await run(['-InvoiceId', invoice.id, '-OutputFormat', 'Csv']);
    expect(result.code).toBe(0);
    const rows = result.stdout.split('\r\n').filter(Boolean);
    expect(rows[0]).toBe(RECONCILIATION_FULL.join(','));
    expect(rows).toHaveLength(invoice.lineItemCount + 1);
    // A quoted field may hold a comma: count the fields of each record outside quotes.
    const fields = (row: string) => row.replace(/"(?:[^"]|"")*"/g, 'x').split(',').length;
    for (const row of rows) expect(fields(row)).toBe(RECONCILIATION_FULL.length);
  });
});

describe('an invoice older than the v2 coverage', () => {
  it("comes from Partner Center's v1 line items, adding up to the invoice", async () => {
    const invoice = invoices().find((one) => one.api === 'v1' && one.currencyCode === 'USD')!;
    expect(invoice.billingPeriodStartDate < '2024-02-01').toBe(true);
    // The line as -Verbose words it, written out from the date without Intl.
    expect(V2_LINE_ITEMS_FROM_TEXT).toBe('1 February 2024');
    emulator.resetCounters();
    const result = await run(['-InvoiceId', invoice.id]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.lines();
    expect(lines).toHaveLength(invoice.lineItemCount);
    expect(new Set(lines.map((line) => line.invoiceNumber))).toEqual(new Set([invoice.id]));
    const total = lines.reduce(
      (sum, line) => sum + Math.round(Number(line.totalForCustomer) * 100),
      0,
    );
    expect(total).toBe(emulator.billing.totalCents(invoice.id));
    const routes = Object.keys(emulator.counters().requests);
    expect(routes.some((route) => route.includes('lineitems'))).toBe(true);
    expect(routes.filter((route) => route.includes('/v1.0/'))).toEqual([]);
  });

  it('on a terminal the progress says it reads v1 line items (no export, no files)', async () => {
    const invoice = invoices().find((one) => one.api === 'v1' && one.currencyCode === 'EUR')!;
    const onTerminal = await runInProcess(GetPartnerInvoiceLineItem, ['-InvoiceId', invoice.id], {
      env: partner.env,
      stderrIsTTY: true,
      columns: 200,
    });
    expect(onTerminal.code).toBe(0);
    expect(onTerminal.stderr).toMatch(/Reading the invoice's v1 line items: [\d,]+ line items/);
    expect(onTerminal.stderr).not.toMatch(/export|files/);
  });

  it('-AttributeSet Basic does not apply to v1 line items: a warning, every field', async () => {
    const invoice = invoices().find((one) => one.api === 'v1' && one.currencyCode === 'EUR')!;
    const result = await run(['-InvoiceId', invoice.id, '-AttributeSet', 'Basic']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^WARNING: -AttributeSet Basic does not apply to invoice \S+/);
    expect(result.lines()).toHaveLength(invoice.lineItemCount);
  });
});

describe('unbilled line items and rated usage', () => {
  it('-Unbilled -BillingPeriod Current -CurrencyCode usd: the open period in dollars', async () => {
    const result = await run(['-Unbilled', '-BillingPeriod', 'Current', '-CurrencyCode', 'usd']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.lines();
    expect(lines.length).toBeGreaterThan(0);
    expect(new Set(lines.map((line) => line.Currency))).toEqual(new Set(['USD']));
    expect(new Set(alternateIds(lines)).size).toBe(lines.length);
  });

  it('-CurrencyCode must be three letters, refused before any request', async () => {
    emulator.resetCounters();
    const result = await run(['-Unbilled', '-CurrencyCode', 'US$']);
    expect(result.code).toBe(2);
    expect(result.errors()).toEqual([
      expect.stringMatching(/CurrencyCode.*three-letter currency code/),
    ]);
    expect(emulator.counters().requests).toEqual({});
  });

  it("Get-PartnerRatedUsage: an invoice's daily rated usage, billed and unbilled", async () => {
    const invoice = latest();
    const billed = await run(['-InvoiceId', invoice.id], { cmdlet: GetPartnerRatedUsage });
    expect(billed.stderr).toBe('');
    expect(billed.code).toBe(0);
    const lines = billed.lines();
    expect(lines).toHaveLength(invoice.usageLineItemCount);
    expect(Object.keys(lines[0] as Json)).toEqual(attributesOf('usage', 'full'));
    const expected = [...emulator.billing.lineItems(invoice.id, { usage: true })];
    // Files are read a few at a time: the same line items, in the order they arrived.
    const sorted = (items: Json[]) => items.map((item) => JSON.stringify(item)).sort();
    expect(sorted(lines)).toEqual(sorted(expected));
    const unbilled = await run(['-Unbilled', '-CurrencyCode', 'EUR', '-BillingPeriod', 'Last'], {
      cmdlet: GetPartnerRatedUsage,
    });
    expect(unbilled.code).toBe(0);
    expect(unbilled.lines().length).toBeGreaterThan(0);
  });
});

describe('the export under faults', () => {
  it("waits out a 429 on the poll for the service's Retry-After", async () => {
    emulator.setFaults({
      rules: [{ target: 'operation', at: 1, action: { type: 'throttle', retryAfterSeconds: 7 } }],
    });
    const clock = new ManualClock();
    const invoice = latest();
    const result = await run(['-InvoiceId', invoice.id], { clock });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expectExactlyOnce(result.lines(), invoice);
    expect(clock.sleeps.some((ms) => ms >= 7000 && ms < 8000)).toBe(true);
  });

  it('renews a SAS that expired mid-download by reading the manifest again', async () => {
    emulator.setFaults({ rules: [{ target: 'blob', at: 2, action: { type: 'expire-sas' } }] });
    const invoice = latest();
    const result = await run(['-InvoiceId', invoice.id, '-Verbose']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/Read the manifest again for a new download link/);
    expect(result.stderr).not.toMatch(/sig=/);
    expectExactlyOnce(result.lines(), invoice);
  });

  it.each([
    ['cut mid-stream', { type: 'reset', when: 'mid-body' }],
    ['truncated (a gzip stream without its end)', { type: 'truncate' }],
  ])('reads a file %s again without repeating a line', async (_name, action) => {
    emulator.resetCounters();
    emulator.setFaults({ rules: [{ target: 'blob', at: 1, action: action as any }] });
    const invoice = latest();
    const result = await run(['-InvoiceId', invoice.id]);
    expect(result.code).toBe(0);
    expectExactlyOnce(result.lines(), invoice);
    expect(emulator.counters().faultsInjected).toBe(1);
  });

  it('one file failing stops the others at once, even one whose download stalls', async () => {
    emulator.setFaults({
      rules: [
        // The first file stops half-way; the fourth starts once two others are done, and fails.
        { target: 'blob', at: 1, action: { type: 'stall', ms: 120_000 } },
        { target: 'blob', at: 4, action: { type: 'status', status: 503 } },
      ],
    });
    const result = await run(['-InvoiceId', latest().id, '-MaxRetry', '0']);
    expect(result.code).toBe(5);
    expect(result.errors()).toEqual([expect.stringMatching(/ServerBusy|503/)]);
  });

  it('a failed export ("No data available") is one line and exit 5', async () => {
    emulator.setFaults({
      rules: [{ target: 'export', at: 1, action: { type: 'export', outcome: 'failed' } }],
    });
    const result = await run(['-InvoiceId', latest().id]);
    expect(result.code).toBe(5);
    expect(result.stdout).toBe('');
    expect(result.errors()).toEqual([
      expect.stringMatching(
        /export of invoice .* failed: No data available \(code 5000\)\. .*check the invoice number/,
      ),
    ]);
    // Unbilled, what to check is what was given: the currency and period, not an invoice.
    const unbilled = await run(['-Unbilled', '-CurrencyCode', 'XYZ']);
    expect(unbilled.code).toBe(5);
    expect(unbilled.errors()).toEqual([
      expect.stringMatching(/in XYZ failed: No data available .*check the currency and the period/),
    ]);
    expect(unbilled.errors()[0]).not.toContain('invoice number');
  });

  it('takes every invoice number Get-PartnerInvoice takes: one of another form is "not found"', async () => {
    const args = ['-InvoiceId', 'CN.2024_001'];
    const listed = await runInProcess(GetPartnerInvoice, args, { env: partner.env });
    const items = await run(args);
    expect([listed.code, items.code]).toEqual([4, 4]);
    expect(items.errors()).toEqual([expect.stringMatching(/Invoice CN\.2024_001 was not found/)]);
    // A blank one is refused by both alike, before any request.
    const blank = await run(['-InvoiceId', ' ']);
    expect(blank.code).toBe(2);
    expect(blank.errors()).toEqual([expect.stringMatching(/'InvoiceId'.*e\.g\. G016907411/)]);
  });

  it('an unknown piped invoice: one line that names it once, and the next invoice is done', async () => {
    const invoice = latest();
    const stdin = `{"id":"G000000000"}\n{"id":"${invoice.id}"}\n`;
    const result = await run([], { stdin });
    expect(result.code).toBe(1);
    expect(result.errors()[0]).toMatch(
      /^Get-PartnerInvoiceLineItem: Invoice G000000000 was not found among this partner's invoices\./,
    );
    expectExactlyOnce(result.lines(), invoice);
  });

  it('a piped invoice that may pass later: the summary offers no -ResumeFile (the export has its own)', async () => {
    const invoice = latest();
    // On the poll, one request at a time: no download is left in flight for the next test.
    emulator.setFaults({
      rules: [{ target: 'operation', at: 1, action: { type: 'status', status: 503 } }],
    });
    const result = await run(['-MaxRetry', '0'], { stdin: `{"id":"${invoice.id}"}\n` });
    expect(result.code).toBe(1);
    const summary = result.errors().at(-1);
    expect(summary).toMatch(/1 of 1 input object failed: .* It may pass later\.$/);
    expect(summary).not.toContain('ResumeFile');
  });

  it('an unknown invoice is one line and exit 4, before any export', async () => {
    emulator.resetCounters();
    const result = await run(['-InvoiceId', 'G000000000']);
    expect(result.code).toBe(4);
    expect(result.errors()).toEqual([
      expect.stringMatching(/Invoice G000000000 was not found.*Get-PartnerInvoice/),
    ]);
    expect(
      Object.keys(emulator.counters().requests).filter((route) => route.includes('billing')),
    ).toEqual([]);
  });
});

describe('refusals', () => {
  it('-OutputFormat Json with -ResumeFile: refused before any request (a JSON array cannot be continued)', async () => {
    const resume = file('resume-json.json');
    emulator.resetCounters();
    const result = await run([
      '-InvoiceId',
      latest().id,
      '-OutputFormat',
      'Json',
      '-ResumeFile',
      resume,
    ]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.errors()).toEqual([
      expect.stringMatching(
        /-OutputFormat Json writes one JSON array, .*-ResumeFile.*Use -OutputFormat Ndjson/,
      ),
    ]);
    expect(existsSync(resume)).toBe(false);
    expect(emulator.counters().requests).toEqual({});
  });

  it('a Graph token without PartnerBilling.Read.All: one line naming the permission, exit 3', async () => {
    const stores = storesFor(partner.env);
    const record = stores.tokens.read('default')!;
    const token = emulator.issueAccessToken({
      audience: GRAPH,
      delegated: true,
      scopes: ['User.Read'],
    });
    stores.tokens.write('default', {
      ...record,
      accessTokensByResource: { [GRAPH]: { token, expiresOnTimestamp: Date.now() + 3_600_000 } },
    });
    try {
      const result = await run(['-InvoiceId', latest().id]);
      expect(result.code).toBe(3);
      expect(result.errors()).toEqual([
        expect.stringMatching(
          /Microsoft Graph denied the billed reconciliation export .* PartnerBilling\.Read\.All/,
        ),
      ]);
    } finally {
      stores.tokens.write('default', { ...record, accessTokensByResource: {} });
    }
  });

  it.each(['AzureUSGovernment', 'AzureChinaCloud'] as const)(
    'a %s context is refused before any request',
    async (cloud) => {
      await saveCloudContext(cloud);
      emulator.resetCounters();
      const refusal = expect.stringMatching(
        /not available in the context's cloud .*global service only; nothing was sent/,
      );
      const unbilled = await run([
        '-Unbilled',
        '-CurrencyCode',
        'USD',
        '-Context',
        `cloud-${cloud}`,
      ]);
      expect(unbilled.code).toBe(2);
      expect(unbilled.errors()).toEqual([refusal]);
      expect(emulator.counters().requests).toEqual({});
      expect(emulator.counters().tokensIssued).toBe(0);
    },
  );
});

describe('a US Government context and an invoice', () => {
  it('reads the invoice (Partner Center), then refuses its v2 export before any Graph request', async () => {
    const cloud = 'AzureUSGovernment';
    await saveCloudContext(cloud);
    emulator.resetCounters();
    const refusal = expect.stringMatching(
      /not available in the context's cloud .*global service only/,
    );
    // An invoice's line items: the invoice (Partner Center, in every cloud) says which API holds
    // them; a v2 invoice is then refused before any Graph request.
    const billed = await run(['-InvoiceId', latest().id, '-Context', `cloud-${cloud}`]);
    expect(billed.code).toBe(2);
    expect(billed.errors()).toEqual([refusal]);
    expect(
      Object.keys(emulator.counters().requests).filter((route) => route.includes('/v1.0/')),
    ).toEqual([]);
  });
});

describe('a stopped export continues where its output stopped', () => {
  const stopAtThirdFile = () =>
    emulator.setFaults({
      rules: [{ target: 'blob', at: 4, action: { type: 'status', status: 503 } }],
    });

  it('-ResumeFile: the same command continues; every line item exactly once', async () => {
    const invoice = latest();
    const resume = file('resume-1.json');
    stopAtThirdFile();
    const args = ['-InvoiceId', invoice.id, '-ResumeFile', resume, '-MaxRetry', '0'];
    const first = await run(args);
    expect(first.code).toBe(5);
    const stop = first.errors();
    expect(stop).toHaveLength(1);
    expect(stop[0]).toMatch(
      /line items? (was|were) written; .* keeps the position\. To continue with the next one, run: Get-PartnerInvoiceLineItem -InvoiceId \S+ -ResumeFile /,
    );
    expect(existsSync(resume)).toBe(true);
    const saved = JSON.parse(readFileSync(resume, 'utf8'));
    expect(saved.position.written).toBe(first.lines().length);
    emulator.setFaults({});
    const second = await run(args);
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    expect(existsSync(resume)).toBe(false);
    expectExactlyOnce([...first.lines(), ...second.lines()], invoice);
  });

  it('-OutputFormat Csv appended (>>) and resumed: one header, then every line item once', async () => {
    const invoice = latest();
    const resume = file('resume-csv.json');
    const csv = file('resumed.csv');
    const args = ['-InvoiceId', invoice.id, '-OutputFormat', 'Csv', '-Encoding', 'utf8BOM'];
    const appendRun = async () => {
      const fd = openSync(csv, 'a');
      try {
        return await run([...args, '-ResumeFile', resume, '-MaxRetry', '0'], { stdoutFile: fd });
      } finally {
        closeSync(fd);
      }
    };
    stopAtThirdFile();
    const first = await appendRun();
    expect(first.code).toBe(5);
    // The command that continues writes Csv too: NDJSON appended to a CSV file would ruin it.
    expect(first.errors()[0]).toContain(
      `run: Get-PartnerInvoiceLineItem -InvoiceId ${invoice.id} -OutputFormat Csv -ResumeFile ${resume}`,
    );
    emulator.setFaults({});
    const second = await appendRun();
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    const text = readFileSync(csv, 'utf8');
    // The byte-order mark and the header once, at the start of the file: Excel's first row.
    expect(text.startsWith(`\ufeff${RECONCILIATION_FULL.join(',')}\r\n`)).toBe(true);
    expect(text.lastIndexOf('\ufeff')).toBe(0);
    const rows = text.split('\r\n').filter(Boolean);
    expect(rows.filter((row) => row.includes(RECONCILIATION_FULL.join(',')))).toHaveLength(1);
    expect(rows).toHaveLength(invoice.lineItemCount + 1);
    // Each line item's AlternateId once (its column of the header).
    const column = RECONCILIATION_FULL.indexOf('AlternateId');
    const fields = (row: string) => row.replace(/"(?:[^"]|"")*"/g, 'x').split(',');
    const ids = rows.slice(1).map((row) => fields(row)[column]);
    expect(new Set(ids).size).toBe(invoice.lineItemCount);
  });

  it('piped invoices and -ResumeFile: a stop ends the run at its invoice; the rerun repeats none', async () => {
    const [one, two] = invoices().filter((invoice) => invoice.api === 'v2') as [Invoice, Invoice];
    const stdin = `${[one, two].map((invoice) => JSON.stringify({ id: invoice.id })).join('\n')}\n`;
    const blobs = () => emulator.counters().requests['GET /billingexports/{*blob}'] ?? 0;
    const before = blobs();
    expect((await run(['-InvoiceId', one.id])).code).toBe(0);
    // The first file of the second invoice fails: the first invoice is out whole by then.
    emulator.setFaults({
      rules: [
        { target: 'blob', at: blobs() - before + 1, action: { type: 'status', status: 503 } },
      ],
    });
    const resume = file('resume-piped.json');
    const args = ['-ResumeFile', resume, '-MaxRetry', '0'];
    const first = await run(args, { stdin });
    expect(first.code).toBe(5);
    const stop = first.errors();
    expect(stop).toHaveLength(1);
    // The line names the invoice that stopped, and the command that continues names it too.
    expect(stop[0]).toContain(`Invoice ${two.id}: `);
    expect(stop[0]).toContain(
      `run: Get-PartnerInvoiceLineItem -InvoiceId ${two.id} -ResumeFile ${resume}, then pipe in`,
    );
    expect(existsSync(resume)).toBe(true);
    emulator.setFaults({});
    // The same pipeline again: the invoice done already is refused, not exported twice.
    const second = await run(args, { stdin });
    expect(second.code).toBe(1);
    expect(second.errors()[0]).toMatch(
      new RegExp(`^Get-PartnerInvoiceLineItem: Invoice ${one.id}: .*belongs to another export`),
    );
    expect(existsSync(resume)).toBe(false);
    const lines = [...first.lines(), ...second.lines()];
    expectExactlyOnce(
      lines.filter((line) => line.InvoiceNumber === one.id),
      one,
    );
    expectExactlyOnce(
      lines.filter((line) => line.InvoiceNumber === two.id),
      two,
    );
  });

  it('a full disk without a resume file: the stop line gives the -ContinuationToken that continues', async () => {
    const invoice = latest();
    const disk = file('disk');
    mkdirSync(disk);
    // A real filesystem that fills up (root, here and in CI), as spec/faults/stdout-faults.spec.ts.
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', disk]);
    const out = join(disk, 'items.ndjson');
    let first: Awaited<ReturnType<typeof run>>;
    try {
      const fd = openSync(out, 'a');
      try {
        first = await run(['-InvoiceId', invoice.id], { stdoutFile: fd });
      } finally {
        closeSync(fd);
      }
      execFileSync('mount', ['-o', 'remount,size=8m', disk]);
      expect(first.code).toBe(1);
      const stop = first.errors();
      expect(stop).toHaveLength(1);
      expect(stop[0]).toMatch(/Cannot write the output to .*ENOSPC/);
      const token = /-ContinuationToken (\S+)$/.exec(stop[0] ?? '')?.[1];
      expect(token).toBeDefined();
      const fd2 = openSync(out, 'a');
      try {
        const rest = await run(['-InvoiceId', invoice.id, '-ContinuationToken', token!], {
          stdoutFile: fd2,
        });
        expect(rest.stderr).toBe('');
        expect(rest.code).toBe(0);
      } finally {
        closeSync(fd2);
      }
      expectExactlyOnce(wholeNdjsonLines(readFileSync(out, 'utf8')) as Json[], invoice);
    } finally {
      execFileSync('umount', [disk]);
    }
  });

  it('without a resume file the stop line gives the -ContinuationToken that continues', async () => {
    const invoice = latest();
    stopAtThirdFile();
    const first = await run(['-InvoiceId', invoice.id, '-MaxRetry', '0']);
    expect(first.code).toBe(5);
    const token = /-ContinuationToken (\S+)$/.exec(first.errors()[0] ?? '')?.[1];
    expect(token).toBeDefined();
    expect(first.errors()[0]).toMatch(
      /run: Get-PartnerInvoiceLineItem -InvoiceId \S+ -ContinuationToken/,
    );
    emulator.setFaults({});
    // The token names its manifest: with any other export it would write that invoice's line
    // items as this one's. Refused before any request, nothing written.
    const other = invoices().find((one) => one.api === 'v2' && one.id !== invoice.id) as Invoice;
    emulator.resetCounters();
    for (const [cmdlet, args] of [
      [GetPartnerInvoiceLineItem, ['-InvoiceId', other.id]],
      [GetPartnerInvoiceLineItem, ['-InvoiceId', invoice.id, '-AttributeSet', 'Basic']],
      [GetPartnerInvoiceLineItem, ['-Unbilled', '-CurrencyCode', 'USD']],
      [GetPartnerRatedUsage, ['-InvoiceId', invoice.id]],
    ] as const) {
      const refused = await run([...args, '-ContinuationToken', token!], { cmdlet });
      expect(refused.code).toBe(2);
      expect(refused.stdout).toBe('');
      expect(refused.errors()).toEqual([
        expect.stringMatching(
          new RegExp(`-ContinuationToken belongs to another export \\(.*invoice ${invoice.id}, `),
        ),
      ]);
    }
    // (A download the stopped run had in flight may still land: no refused run reads a blob
    // without the manifest first.)
    const routes = Object.keys(emulator.counters().requests);
    expect(routes.filter((route) => !route.startsWith('GET /billingexports/'))).toEqual([]);
    const second = await run(['-InvoiceId', invoice.id, '-ContinuationToken', token!]);
    expect(second.code).toBe(0);
    expectExactlyOnce([...first.lines(), ...second.lines()], invoice);
  });

  it('Ctrl-C: exit 130, the stop line with the resume command, the rerun completes the set', async () => {
    const invoice = latest();
    const resume = file('resume-int.json');
    const args = ['-InvoiceId', invoice.id, '-ResumeFile', resume];
    const controller = new AbortController();
    // SIGINT once some line items are out: the stdout collector fires it.
    const stdout = new Collector();
    const write = stdout._write.bind(stdout);
    stdout._write = (chunk, encoding, callback) => {
      write(chunk, encoding, callback);
      if (stdout.text.length > 100_000 && !controller.signal.aborted)
        controller.abort(new InterruptedError('SIGINT'));
    };
    const first = await runInProcess(GetPartnerInvoiceLineItem, args, {
      env: partner.env,
      stdout,
      signal: controller.signal,
    });
    expect(first.code).toBe(130);
    const stop = first.stderr.split('\n').filter(Boolean);
    expect(stop).toEqual([
      expect.stringMatching(
        /line items were written; .* keeps the position\. To continue .*-ResumeFile/,
      ),
    ]);
    const before = wholeNdjsonLines(stdout.text) as Json[];
    expect(before.length).toBeGreaterThan(0);
    expect(before.length).toBeLessThan(invoice.lineItemCount);
    const second = await run(args);
    expect(second.code).toBe(0);
    expectExactlyOnce([...before, ...second.lines()], invoice);
  });

  it('Ctrl-C while the export is prepared: the rerun follows the same export, no second one', async () => {
    const invoice = latest();
    const resume = file('resume-wait.json');
    const args = ['-InvoiceId', invoice.id, '-ResumeFile', resume];
    // Running for its first 3 looks, then ready (Retry-After 0).
    emulator.setFaults({
      rules: [{ target: 'export', at: 1, action: { type: 'export', outcome: 'slow', polls: 3 } }],
    });
    emulator.resetCounters();
    const controller = new AbortController();
    // SIGINT at the second wait between looks: the export is started and still running.
    class InterruptingClock extends ManualClock {
      override async sleep(ms: number, signal?: AbortSignal): Promise<void> {
        if (this.sleeps.length === 1) controller.abort(new InterruptedError('SIGINT'));
        return super.sleep(ms, signal);
      }
    }
    const clock = new InterruptingClock();
    const first = await runInProcess(GetPartnerInvoiceLineItem, args, {
      env: { ...partner.env, PARTNERCENTER_RETRY_BASE_DELAY_MS: '5' },
      signal: controller.signal,
      services: (description) => createCmdletServices({ ...description, clock }),
    });
    expect(first.code).toBe(130);
    expect(first.stdout).toBe('');
    expect(first.stderr.split('\n').filter(Boolean)).toEqual([
      expect.stringMatching(
        /Stopped by SIGINT\..* 0 line items were written; .* keeps the export that was started\. To go on with it, run: .*-ResumeFile/,
      ),
    ]);
    const kept = JSON.parse(readFileSync(resume, 'utf8')) as Json;
    expect(kept.position).toEqual({
      api: 'started',
      operationUrl: expect.stringMatching(/^https:\/\/.*\/operations\//),
      written: 0,
    });
    const second = await run([...args, '-Verbose']);
    expect(second.code).toBe(0);
    expect(second.stderr).toMatch(/Following .* an earlier run started/);
    expectExactlyOnce(second.lines(), invoice);
    const exportsStarted = Object.entries(emulator.counters().requests)
      .filter(([route]) => /^POST .*reconciliation\/billed\/export/.test(route))
      .reduce((sum, [, n]) => sum + n, 0);
    expect(exportsStarted).toBe(1);
    expect(existsSync(resume)).toBe(false);
  });

  it('data changed since (a new eTag): refused with one line, nothing written', async () => {
    const invoice = latest();
    const resume = file('resume-2.json');
    stopAtThirdFile();
    const args = ['-InvoiceId', invoice.id, '-ResumeFile', resume, '-MaxRetry', '0'];
    expect((await run(args)).code).toBe(5);
    emulator.setFaults({});
    emulator.configure({ billingDataVersion: 2 });
    const second = await run(args);
    expect(second.code).toBe(2);
    expect(second.stdout).toBe('');
    expect(second.errors()).toEqual([
      expect.stringMatching(
        /data of the billed reconciliation export .* changed since the earlier run began .*mix two versions/,
      ),
    ]);
    expect(existsSync(resume)).toBe(true);
  });

  it('a resume file of another export is refused before any request', async () => {
    const resume = file('resume-3.json');
    stopAtThirdFile();
    const invoice = latest();
    expect(
      (await run(['-InvoiceId', invoice.id, '-ResumeFile', resume, '-MaxRetry', '0'])).code,
    ).toBe(5);
    emulator.setFaults({});
    emulator.resetCounters();
    const other = await run([
      '-InvoiceId',
      invoice.id,
      '-AttributeSet',
      'Basic',
      '-ResumeFile',
      resume,
    ]);
    expect(other.code).toBe(2);
    expect(other.errors()).toEqual([
      expect.stringMatching(
        /belongs to another export \(the billed reconciliation export of invoice \S+, attribute set full\), not .*attribute set basic\./,
      ),
    ]);
    expect(emulator.counters().requests).toEqual({});
  });
});
