/**
 * Get-PartnerInvoice in-process against the emulator's v1 invoices over real HTTPS: every invoice
 * newest first, in one answer and in size/offset pages; -First, -Skip, the stop line that
 * continues and -ResumeFile; one invoice by number, numbers piped in, an unknown number; the table
 * and the list people see on a terminal; one process smoke (a pipe of two, an exit code). And the
 * client functions beside it: the v1 line items of invoices older than the v2 coverage, every
 * OneTime line item once, page by page with the continuation token, resumed from a position in the
 * middle of a page; and the one line between v1 and v2.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { StartedEmulator } from '../../lib/emulator/index.js';
import { emulatedPartner, type EmulatedPartner } from '../support/emulated-partner.js';
import { binPath, runBash } from '../support/cli.js';
import { parseNdjson, wholeNdjsonLines } from '../support/ndjson.js';
import { errorLines, shellWords } from '../faults/support/listing-runs.js';
import { runInProcess, type InProcessOptions } from '../fixtures/host/run-in-process.js';
import GetPartnerInvoice from '../../cmdlets/Get-PartnerInvoice.js';
import GetPartnerCustomer from '../../cmdlets/Get-PartnerCustomer.js';
import { lineItemsApiFor, V2_LINE_ITEMS_FROM } from '../../lib/common/billing-facts.js';
import {
  NotFoundError,
  PartnerCenterModuleError,
  ServiceError,
  UsageError,
} from '../../lib/common/errors.js';
import {
  v1InvoiceLineItems,
  V1_LINE_ITEMS_MAX_PAGE,
  type V1LineItemsOptions,
} from '../../lib/partner-center/invoice-line-items-v1.js';
import { getInvoice, lineItemsApiOf } from '../../lib/partner-center/invoices.js';
import type { PartnerCenterClient } from '../../lib/partner-center/client.js';
import type { ListingPosition } from '../../lib/partner-center/resumable-listing.js';
import { emulatorClient } from '../partner-center/fixtures/emulator-client.js';

type Json = Record<string, any>;

let partner: EmulatedPartner;
let emulator: StartedEmulator;
/** The emulator's invoices, newest first, as it derives them. */
let expected: string[];
/** The module's own Partner Center client, for the client functions the cmdlets build on. */
let client: PartnerCenterClient;

async function invoiceCmdlet(args: readonly string[], options: InProcessOptions = {}) {
  // The client's own timeouts: a request a busy machine answers slowly is not sent twice, so the
  // requests counted below are the listing's own (the stops use -MaxRetry 0 and a 503).
  const result = await runInProcess(GetPartnerInvoice, [...args], {
    env: partner.env,
    ...options,
  });
  return { ...result, invoices: () => wholeNdjsonLines(result.stdout) as Json[] };
}

const idsOf = (invoices: Json[]) => invoices.map((invoice) => invoice.id as string);
/** The invoice requests the emulator received since `before` (a count of recent requests). */
function invoiceRequests(since: number): string[] {
  return emulator
    .recentRequests(500)
    .slice(since)
    .filter((request) => request.url.startsWith('/v1/invoices'))
    .map((request) => request.url);
}
const requestCount = () => emulator.recentRequests(500).length;

beforeAll(async () => {
  partner = await emulatedPartner({
    customers: 30,
    seed: 22,
    billingLineItems: 60,
    now: '2026-11-20',
  });
  emulator = partner.emulator as StartedEmulator;
  expected = emulator.billing.invoices().map((invoice) => invoice.id);
  // Every total summed once here, not inside the first request of a case.
  for (const id of expected) emulator.billing.totalCents(id);
  client = emulatorClient(emulator).client;
});
afterEach(() => emulator.setFaults({}));
afterAll(async () => {
  client.close();
  await partner.dispose();
});

describe('Get-PartnerInvoice lists every invoice', () => {
  it('newest first, from one answer holding them all, each as the service sent it', async () => {
    const before = requestCount();
    const listed = await invoiceCmdlet([]);
    expect(listed.stderr).toBe('');
    expect(listed.code).toBe(0);
    const invoices = listed.invoices();
    expect(idsOf(invoices)).toEqual(expected);
    expect(expected.length).toBe(80);
    expect(invoiceRequests(before)).toEqual(['/v1/invoices?size=200']);
    expect(invoices[0]).toMatchObject({
      invoiceDate: expect.any(String),
      billingPeriodStartDate: '2026-10-01T00:00:00Z',
      currencyCode: 'USD',
      totalCharges: emulator.billing.totalCents(expected[0]) / 100,
      attributes: { objectType: 'Invoice' },
    });
    expect(invoices[0].pdfDownloadLink).toBeUndefined();
  });

  it('from pages linked by size and offset (no continuation token), to the last', async () => {
    const before = requestCount();
    const listed = await invoiceCmdlet(['-PageSize', '7']);
    expect(listed.code).toBe(0);
    expect(idsOf(listed.invoices())).toEqual(expected);
    const asked = invoiceRequests(before);
    expect(asked).toHaveLength(Math.ceil(80 / 7));
    expect(asked.slice(0, 3)).toEqual([
      '/v1/invoices?size=7',
      '/v1/invoices?size=7&offset=7',
      '/v1/invoices?size=7&offset=14',
    ]);
  });

  it('-First and -Skip: the newest ones, no page asked that is not needed', async () => {
    let before = requestCount();
    const first = await invoiceCmdlet(['-First', '10', '-PageSize', '7']);
    expect(idsOf(first.invoices())).toEqual(expected.slice(0, 10));
    expect(invoiceRequests(before)).toHaveLength(2);
    before = requestCount();
    const skipped = await invoiceCmdlet(['-Skip', '9', '-First', '3', '-PageSize', '7']);
    expect(idsOf(skipped.invoices())).toEqual(expected.slice(9, 12));
    expect(invoiceRequests(before)).toHaveLength(2);
    const fewFirst = await invoiceCmdlet(['-First', '3']);
    expect(idsOf(fewFirst.invoices())).toEqual(expected.slice(0, 3));
  });

  it('stops with the command that continues (-Skip), which writes the rest once', async () => {
    emulator.setFaults({ rules: [{ after: 3, action: { type: 'status', status: 503 } }] });
    const failed = await invoiceCmdlet(['-PageSize', '7', '-MaxRetry', '0']);
    expect(failed.code).toBe(5);
    const [line, ...more] = errorLines(failed.stderr);
    expect(more).toEqual([]);
    expect(line).toMatch(
      /21 invoices were written\. To continue with the next one, run: Get-PartnerInvoice -PageSize 7 -Skip 21$/,
    );
    emulator.setFaults({});
    const [cmdlet, ...args] = shellWords(line.slice(line.lastIndexOf(': Get-PartnerInvoice') + 2));
    expect(cmdlet).toBe('Get-PartnerInvoice');
    const resumed = await invoiceCmdlet(args);
    expect(resumed.code).toBe(0);
    expect(idsOf([...failed.invoices(), ...resumed.invoices()])).toEqual(expected);
  });

  it('with -ResumeFile: the same command continues after a stop, and the file goes at the end', async () => {
    const file = join(partner.configDir, 'invoices.resume');
    const args = ['-PageSize', '10', '-MaxRetry', '0', '-ResumeFile', file];
    emulator.setFaults({ rules: [{ after: 4, action: { type: 'status', status: 503 } }] });
    const failed = await invoiceCmdlet(args);
    expect(failed.code).toBe(5);
    expect(failed.invoices()).toHaveLength(40);
    expect(existsSync(file)).toBe(true);
    emulator.setFaults({});
    const other = await invoiceCmdlet(['-PageSize', '20', ...args.slice(2)]);
    expect(other.code).toBe(2);
    const resumed = await invoiceCmdlet(args);
    expect(resumed.code).toBe(0);
    expect(idsOf([...failed.invoices(), ...resumed.invoices()])).toEqual(expected);
    expect(existsSync(file)).toBe(false);
  });
});

describe('Get-PartnerInvoice -InvoiceId', () => {
  it('reads one invoice in full, with the link to its PDF', async () => {
    const id = expected[5];
    const one = await invoiceCmdlet(['-InvoiceId', id]);
    expect(one.stderr).toBe('');
    expect(one.code).toBe(0);
    const [invoice, ...more] = one.invoices();
    expect(more).toEqual([]);
    expect(invoice).toMatchObject({ id, pdfDownloadLink: `/invoices/${id}/documents/statement` });
    const byPosition = await invoiceCmdlet([id.toLowerCase()]);
    expect(idsOf(byPosition.invoices())).toEqual([id]);
  });

  it('takes invoices piped in by their id and writes each in full, in order', async () => {
    const listed = (await invoiceCmdlet(['-First', '4'])).invoices();
    const piped = await invoiceCmdlet([], {
      stdin: `${listed.map((invoice) => JSON.stringify(invoice)).join('\n')}\n`,
    });
    expect(piped.stderr).toBe('');
    expect(piped.code).toBe(0);
    const full = piped.invoices();
    expect(idsOf(full)).toEqual(expected.slice(0, 4));
    for (const invoice of full) expect(invoice.pdfDownloadLink).toContain(invoice.id);
    const byName = await invoiceCmdlet([], { stdin: `{"InvoiceId":"${expected[7]}"}\n` });
    expect(idsOf(byName.invoices())).toEqual([expected[7]]);
  });

  it('an unknown number is one line and the exit code of an unknown customer', async () => {
    const unknown = await invoiceCmdlet(['-InvoiceId', 'G000000000']);
    const customer = await runInProcess(
      GetPartnerCustomer,
      ['-CustomerId', '00000000-0000-4000-8000-000000000000'],
      { env: partner.env },
    );
    expect(customer.code).toBe(4);
    expect(unknown.code).toBe(customer.code);
    expect(unknown.stdout).toBe('');
    expect(errorLines(unknown.stderr)).toEqual([
      "Get-PartnerInvoice: Invoice G000000000 was not found among this partner's invoices. " +
        'Check the number; Get-PartnerInvoice lists the invoices this partner has.',
    ]);
  });

  it('one unknown among piped numbers fails alone: the others are written', async () => {
    const input = [expected[0], 'G000000000', expected[1]]
      .map((id) => JSON.stringify({ id }))
      .join('\n');
    const piped = await invoiceCmdlet([], { stdin: `${input}\n` });
    expect(idsOf(piped.invoices())).toEqual([expected[0], expected[1]]);
    const lines = errorLines(piped.stderr);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('G000000000');
    expect(piped.code).toBe(1);
  });

  it('a blank number is refused before any request (no form is documented, so no other check)', async () => {
    const before = requestCount();
    const blank = await invoiceCmdlet(['-InvoiceId', ' ']);
    expect(blank.code).toBe(2);
    expect(errorLines(blank.stderr)).toHaveLength(1);
    expect(invoiceRequests(before)).toEqual([]);
  });
});

describe('Get-PartnerInvoice for people', () => {
  it('a table of number, date, billing period, total and currency', async () => {
    const shown = await invoiceCmdlet(['-First', '3', '-OutputFormat', 'Table'], { columns: 120 });
    expect(shown.code).toBe(0);
    const [heading, rule, ...rows] = shown.stdout.trimEnd().split('\n');
    expect(heading.split(/\s+/)).toEqual([
      'InvoiceId',
      'Date',
      'PeriodStart',
      'PeriodEnd',
      'Total',
      'Currency',
    ]);
    expect(rule).toMatch(/^[-\s]+$/);
    expect(rows).toHaveLength(3);
    const invoices = (await invoiceCmdlet(['-First', '3'])).invoices();
    invoices.forEach((invoice, n) => {
      expect(rows[n]).toMatch(new RegExp(`^${invoice.id}\\s`));
      expect(rows[n]).toContain(invoice.invoiceDate.slice(0, 10));
      expect(rows[n]).toContain(invoice.billingPeriodStartDate.slice(0, 10));
      expect(rows[n]).toContain(String(invoice.totalCharges));
      expect(rows[n]).toMatch(new RegExp(`\\s${invoice.currencyCode}$`));
    });
  });

  it('on a terminal: the listing as a table, one invoice as a list', async () => {
    const table = await invoiceCmdlet(['-First', '2'], { stdoutIsTTY: true, columns: 120 });
    expect(table.stdout.split('\n')[0]).toMatch(/^InvoiceId\s+Date\s/);
    const list = await invoiceCmdlet(['-InvoiceId', expected[0]], {
      stdoutIsTTY: true,
      columns: 120,
    });
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`^id\\s+: ${expected[0]}$`, 'm'));
    expect(list.stdout).toMatch(/^pdfDownloadLink\s+: \/invoices\//m);
  });
});

describe('Get-PartnerInvoice as processes', () => {
  it('the newest invoices piped into another Get-PartnerInvoice; an unknown number exits 4', async () => {
    const bin = (name: string) => `"${process.execPath}" "${binPath(name)}"`;
    const piped = await runBash(
      `${bin('Get-PartnerInvoice')} -First 3 | ${bin('Get-PartnerInvoice')}; ` +
        // biome-ignore lint/suspicious/noTemplateCurlyInString: bash's ${PIPESTATUS[n]}, not ours
        'echo "codes:${PIPESTATUS[0]},${PIPESTATUS[1]}"',
      { env: partner.env },
    );
    expect(piped.stderr).toBe('');
    const lines = piped.stdout.trimEnd().split('\n');
    expect(lines.pop()).toBe('codes:0,0');
    const full = parseNdjson(lines.join('\n'));
    expect(idsOf(full)).toEqual(expected.slice(0, 3));
    for (const invoice of full) expect(invoice.pdfDownloadLink).toContain(invoice.id);
    const unknown = await partner.run('Get-PartnerInvoice', ['-InvoiceId', 'G000000000']);
    expect(unknown.code).toBe(4);
    expect(unknown.stdout).toBe('');
    expect(errorLines(unknown.stderr)).toEqual([
      expect.stringMatching(/^Get-PartnerInvoice: Invoice G000000000 was not found/),
    ]);
  });
});

/** The newest invoice v1 serves (its period started before February 2024). */
function v1Invoice() {
  const invoice = emulator.billing.invoices().find((each) => each.api === 'v1');
  if (!invoice) throw new Error('the emulator has no v1 invoice');
  return invoice;
}

const derived = new Map<string, string[]>();
/** The alternate ids of the invoice's lines as the emulator derives them, in order. */
function expectedLineIds(invoiceId: string): string[] {
  let ids = derived.get(invoiceId);
  if (!ids) {
    ids = [...emulator.billing.lineItems(invoiceId)].map((line) => String(line.AlternateId));
    derived.set(invoiceId, ids);
  }
  return ids;
}

interface Taken {
  ids: string[];
  slices: number;
  /** The position after the last item taken. */
  position?: ListingPosition;
}

/** Takes at most `stopAfter` items, recording the position after each one as a resume would. */
async function take(
  invoiceId: string,
  options: V1LineItemsOptions,
  stopAfter = Number.POSITIVE_INFINITY,
): Promise<Taken> {
  const taken: Taken = { ids: [], slices: 0, position: options.from };
  for await (const slice of v1InvoiceLineItems(client, invoiceId, options)) {
    taken.slices++;
    const { items } = slice;
    for (let index = 0; index < items.length; index++) {
      if (taken.ids.length === stopAfter) return taken;
      taken.ids.push(String(items.at(index).value.alternateId));
      taken.position = slice.positionAfter(index + 1);
    }
  }
  return taken;
}

describe('the v1 line items of an older invoice (v1InvoiceLineItems)', () => {
  it('yields every OneTime line item of a v1 invoice once, in order, across seek pages', async () => {
    const invoice = v1Invoice();
    const expected = expectedLineIds(invoice.id);
    expect(expected.length).toBe(invoice.lineItemCount);
    const all = await take(invoice.id, { pageSize: 7 });
    expect(all.ids).toEqual(expected);
    expect(all.slices).toBe(Math.ceil(expected.length / 7));
    const requests = emulator
      .recentRequests(50)
      .filter((request) => request.url.includes(`/invoices/${invoice.id}/lineitems`));
    const pages = requests.slice(-all.slices);
    expect(pages[0].url).toBe(
      `/v1/invoices/${invoice.id}/lineitems?size=7&provider=onetime&invoicelineitemtype=billinglineitems`,
    );
    for (const next of pages.slice(1)) {
      expect(next.url).toMatch(
        /\/invoices\/[^/]+\/lineitems\/OneTime\/BillingLineItems\?seekOperation=Next$/,
      );
      expect(next.headers['ms-continuationtoken']).toEqual(expect.any(String));
    }
  });

  it('asks for 2,000 a page by default, the most the service serves', async () => {
    const invoice = v1Invoice();
    const first = await take(invoice.id, {}, 1);
    expect(first.ids).toHaveLength(1);
    const asked = emulator
      .recentRequests(5)
      .filter((request) => request.url.includes(`/invoices/${invoice.id}/lineitems`));
    expect(asked.at(-1)?.url).toContain(`size=${V1_LINE_ITEMS_MAX_PAGE}`);
  });

  it('resumes from a position in the middle of a page: the rest, each item once', async () => {
    const invoice = v1Invoice();
    const expected = expectedLineIds(invoice.id);
    // 17 items at 7 a page: the run stops 3 items into the third page.
    expect(expected.length).toBeGreaterThan(30);
    const first = await take(invoice.id, { pageSize: 7 }, 17);
    expect(first.ids).toEqual(expected.slice(0, 17));
    expect(first.position).toEqual({
      continuationToken: expect.any(String),
      skip: 3,
      offset: 17,
    });
    const rest = await take(invoice.id, { pageSize: 7, from: first.position });
    expect([...first.ids, ...rest.ids]).toEqual(expected);
    // The resumed run's first request is the documented next-page GET with the kept token.
    const resumed = emulator
      .recentRequests(30)
      .filter((request) => request.url.includes(`/invoices/${invoice.id}/lineitems`))
      .at(-rest.slices);
    expect(resumed?.url).toBe(
      `/v1/invoices/${invoice.id}/lineitems/OneTime/BillingLineItems?seekOperation=Next`,
    );
    expect(resumed?.headers['ms-continuationtoken']).toBe(first.position?.continuationToken);
  });

  it('after a whole page the position is the next page boundary; resumed there, nothing repeats', async () => {
    const invoice = v1Invoice();
    const expected = expectedLineIds(invoice.id);
    const first = await take(invoice.id, { pageSize: 5 }, 10);
    expect(first.position).toMatchObject({ skip: 0, offset: 10 });
    const second = await take(invoice.id, { pageSize: 5, from: first.position }, 8);
    expect(second.position).toMatchObject({ skip: 3, offset: 18 });
    const rest = await take(invoice.id, { pageSize: 5, from: second.position });
    expect([...first.ids, ...second.ids, ...rest.ids]).toEqual(expected);
  });

  it('a token the service no longer takes is refused as such; the offset then restarts the rest', async () => {
    const invoice = v1Invoice();
    const expected = expectedLineIds(invoice.id);
    const stale = { continuationToken: 'not-a-token-the-service-gave', skip: 2, offset: 22 };
    const refused = await take(invoice.id, { pageSize: 7, from: stale }).catch(
      (error: unknown) => error,
    );
    // A token handed back by the caller: reported as the caller's (a usage error), flagged either way.
    expect(refused).toBeInstanceOf(PartnerCenterModuleError);
    expect((refused as PartnerCenterModuleError).continuationTokenRefused).toBe(true);
    // What a caller does then: from the start, leaving out the `offset` items already written.
    const rest = await take(invoice.id, { pageSize: 7, from: { skip: 22, offset: 22 } });
    expect(rest.ids).toEqual(expected.slice(22));
  });

  it('stops after -First-like limits without asking for a page it does not need', async () => {
    const invoice = v1Invoice();
    const expected = expectedLineIds(invoice.id);
    const before = emulator.recentRequests(200).length;
    const limited = await take(invoice.id, { pageSize: 4, limit: 6 });
    expect(limited.ids).toEqual(expected.slice(0, 6));
    const pagesAsked = emulator
      .recentRequests(200)
      .slice(before)
      .filter((request) => request.url.includes('/lineitems'));
    expect(pagesAsked).toHaveLength(2);
  });

  it('refuses a page size the service does not serve, and an unknown invoice is not found', async () => {
    await expect(take(v1Invoice().id, { pageSize: 2001 })).rejects.toThrow(UsageError);
    await expect(take('G000000000', {})).rejects.toThrow(NotFoundError);
  });

  it('a v2 invoice is refused by the v1 API (the cmdlet asks lineItemsApiOf first)', async () => {
    const v2 = emulator.billing.invoices().find((each) => each.api === 'v2');
    if (!v2) throw new Error('no v2 invoice');
    await expect(take(v2.id, {})).rejects.toThrow(ServiceError);
  });
});

describe('the line between v1 and v2', () => {
  it('is the billing period starting on 1 February 2024', () => {
    expect(V2_LINE_ITEMS_FROM).toBe('2024-02-01');
    expect(lineItemsApiFor('2024-01-01T00:00:00Z')).toBe('v1');
    expect(lineItemsApiFor('2024-01-31')).toBe('v1');
    expect(lineItemsApiFor('2024-02-01T00:00:00Z')).toBe('v2');
    expect(lineItemsApiFor('2024-02-01T00:00:00-08:00')).toBe('v2');
    expect(lineItemsApiFor('2019-12-01T00:00:00')).toBe('v1');
    expect(lineItemsApiFor('2026-10-01T00:00:00Z')).toBe('v2');
    for (const bad of [undefined, null, '', 'January 2024', '2024-13-01', 20240101])
      expect(lineItemsApiFor(bad)).toBeUndefined();
  });

  it('agrees with the emulator for every invoice, read by id as a client reads it', async () => {
    const invoices = emulator.billing.invoices();
    expect(new Set(invoices.map((invoice) => invoice.api))).toEqual(new Set(['v1', 'v2']));
    for (const invoice of invoices.filter((_, index) => index % 3 === 0)) {
      const read = await getInvoice(client, invoice.id);
      expect(lineItemsApiOf(read)).toBe(invoice.api);
    }
  });

  it("an invoice without a readable period start is the service's fault, not a guess", () => {
    expect(() => lineItemsApiOf({ id: 'G1', billingPeriodStartDate: undefined })).toThrow(
      /without a billing period start date/,
    );
  });
});
