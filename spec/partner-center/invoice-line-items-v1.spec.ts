/**
 * The v1 line items of invoices older than the v2 coverage, through the module's client against the
 * emulator over real HTTPS: every OneTime line item once, page by page with the continuation token,
 * resumed from a position in the middle of a page; and the one line between v1 and v2.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { StartedEmulator } from '../../lib/emulator/index.js';
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
import { startEmulator } from '../support/emulator.js';
import { emulatorClient } from './fixtures/emulator-client.js';

const LINES = 1500;
let emulator: StartedEmulator;
let client: PartnerCenterClient;

beforeAll(async () => {
  emulator = await startEmulator({ customers: 60, billingLineItems: LINES, now: '2026-11-20' });
  client = emulatorClient(emulator).client;
});
afterAll(() => {
  client.close();
  emulator.close();
});

/** The newest invoice v1 serves (its period started before February 2024). */
function v1Invoice() {
  const invoice = emulator.billing.invoices().find((each) => each.api === 'v1');
  if (!invoice) throw new Error('the emulator has no v1 invoice');
  return invoice;
}

const derived = new Map<string, string[]>();
/** The alternate ids of the invoice's lines as the emulator derives them, in order. */
function expectedIds(invoiceId: string): string[] {
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

describe('v1InvoiceLineItems', () => {
  it('yields every OneTime line item of a v1 invoice once, in order, across seek pages', async () => {
    const invoice = v1Invoice();
    const expected = expectedIds(invoice.id);
    expect(expected.length).toBe(invoice.lineItemCount);
    const all = await take(invoice.id, { pageSize: 400 });
    expect(all.ids).toEqual(expected);
    expect(all.slices).toBe(Math.ceil(expected.length / 400));
    const requests = emulator
      .recentRequests(50)
      .filter((request) => request.url.includes(`/invoices/${invoice.id}/lineitems`));
    const pages = requests.slice(-all.slices);
    expect(pages[0].url).toBe(
      `/v1/invoices/${invoice.id}/lineitems?size=400&provider=onetime&invoicelineitemtype=billinglineitems`,
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
    const expected = expectedIds(invoice.id);
    // 700 items at 300 a page: the run stops 100 items into the third page.
    expect(expected.length).toBeGreaterThan(900);
    const first = await take(invoice.id, { pageSize: 300 }, 700);
    expect(first.ids).toEqual(expected.slice(0, 700));
    expect(first.position).toEqual({
      continuationToken: expect.any(String),
      skip: 100,
      offset: 700,
    });
    const rest = await take(invoice.id, { pageSize: 300, from: first.position });
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
    const expected = expectedIds(invoice.id);
    const first = await take(invoice.id, { pageSize: 250 }, 500);
    expect(first.position).toMatchObject({ skip: 0, offset: 500 });
    const second = await take(invoice.id, { pageSize: 250, from: first.position }, 333);
    expect(second.position).toMatchObject({ skip: 83, offset: 833 });
    const rest = await take(invoice.id, { pageSize: 250, from: second.position });
    expect([...first.ids, ...second.ids, ...rest.ids]).toEqual(expected);
  });

  it('a token the service no longer takes is refused as such; the offset then restarts the rest', async () => {
    const invoice = v1Invoice();
    const expected = expectedIds(invoice.id);
    const stale = { continuationToken: 'not-a-token-the-service-gave', skip: 20, offset: 620 };
    const refused = await take(invoice.id, { pageSize: 300, from: stale }).catch(
      (error: unknown) => error,
    );
    // A token handed back by the caller: reported as the caller's (a usage error), flagged either way.
    expect(refused).toBeInstanceOf(PartnerCenterModuleError);
    expect((refused as PartnerCenterModuleError).continuationTokenRefused).toBe(true);
    // What a caller does then: from the start, leaving out the `offset` items already written.
    const rest = await take(invoice.id, { pageSize: 300, from: { skip: 620, offset: 620 } });
    expect(rest.ids).toEqual(expected.slice(620));
  });

  it('stops after -First-like limits without asking for a page it does not need', async () => {
    const invoice = v1Invoice();
    const expected = expectedIds(invoice.id);
    const before = emulator.recentRequests(200).length;
    const limited = await take(invoice.id, { pageSize: 100, limit: 150 });
    expect(limited.ids).toEqual(expected.slice(0, 150));
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
