/**
 * Partner Center's v1 invoices on the emulator over real HTTPS: newest first with totals and
 * currencies, consistent with the customers and subscriptions, totals equal to the sum of the
 * line items per invoice, and the OneTime line items of invoices older than the v2 coverage
 * seek-paged with the continuation token.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { StartedEmulator } from '../../lib/emulator/index.js';
import { startEmulator } from '../support/emulator.js';
import { cents, sumCents } from './billing-support.js';
import { listAll, request } from './support.js';

const LINES = 3000;
let emulator: StartedEmulator;
let token: string;

beforeAll(async () => {
  emulator = await startEmulator({ customers: 200, billingLineItems: LINES, now: '2026-11-20' });
  token = emulator.issueAccessToken();
});
afterAll(() => emulator.close());

const invoices = () => emulator.billing.invoices();

describe('GET /v1/invoices', () => {
  it('lists every invoice newest first, with its total and currency, in one answer by default', async () => {
    const listed = await request(emulator, '/v1/invoices', { token });
    expect(listed.status).toBe(200);
    const items = listed.json.items as Record<string, any>[];
    expect(items.map((item) => item.id)).toEqual(invoices().map((invoice) => invoice.id));
    const dates = items.map((item) => item.invoiceDate as string);
    expect([...dates].sort().reverse()).toEqual(dates);
    expect(new Set(items.map((item) => item.currencyCode))).toEqual(new Set(['USD', 'EUR']));
    expect(items[0]).toMatchObject({
      billingPeriodStartDate: '2026-10-01T00:00:00Z',
      currencyCode: 'USD',
      currencySymbol: '$',
      paidAmount: 0,
      attributes: { objectType: 'Invoice' },
    });
    expect(items[0].pdfDownloadLink).toBeUndefined();
    for (const item of items)
      expect(cents(item.totalCharges)).toBe(emulator.billing.totalCents(item.id));
    expect(invoices()[0].lineItemCount).toBe(LINES);
  });

  it('pages with size and offset, next link by next link, each invoice once', async () => {
    const listing = await listAll(emulator, token, '/v1/invoices?size=7');
    expect(listing.pages).toHaveLength(Math.ceil(invoices().length / 7));
    expect(listing.ids).toEqual(invoices().map((invoice) => invoice.id));
    expect(['/invoices?size=7&offset=7', '/v1/invoices?size=7&offset=7']).toContain(
      listing.pages[0].links.next.uri,
    );
  });

  it('reads one invoice by id, with its PDF link, and refuses an unknown one', async () => {
    const [latest] = invoices();
    const one = await request(emulator, `/v1/invoices/${latest.id}`, { token });
    expect(one.status).toBe(200);
    expect(one.json).toMatchObject({
      id: latest.id,
      pdfDownloadLink: expect.stringContaining(latest.id),
    });
    const missing = await request(emulator, '/v1/invoices/G000000000', { token });
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ code: 1000, source: 'PartnerFD' });
    expect((await request(emulator, '/v1/invoices')).status).toBe(401);
  });
});

describe('line items and totals', () => {
  it('add up to the invoice total per invoice and currency, newest and oldest alike', () => {
    const all = invoices();
    for (const invoice of [all[0], all[1], all[all.length - 1]]) {
      const lines = [...emulator.billing.lineItems(invoice.id)];
      expect(lines).toHaveLength(invoice.lineItemCount);
      expect(new Set(lines.map((line) => line.Currency))).toEqual(new Set([invoice.currencyCode]));
      expect(sumCents(lines)).toBe(emulator.billing.totalCents(invoice.id));
      // Subtotal + TaxTotal = Total on every line, compared at once.
      expect(
        lines.map((line) => cents(line.Subtotal as number) + cents(line.TaxTotal as number)),
      ).toEqual(lines.map((line) => cents(line.Total as number)));
      expect(new Set(lines.map((line) => line.AlternateId)).size).toBe(lines.length);
    }
  });

  it("name the emulator's customers and their subscriptions", () => {
    const lines = [...emulator.billing.lineItems(invoices()[0].id)].slice(0, 400);
    const subscriptions = new Map<string, Record<string, unknown>[]>();
    for (const line of lines) {
      const customerId = String(line.CustomerId);
      if (!subscriptions.has(customerId)) {
        expect(emulator.dataset.indexOfId(customerId)).toBeGreaterThanOrEqual(0);
        expect(emulator.dataset.hasCommerceRelationship(customerId)).toBe(true);
        subscriptions.set(customerId, emulator.dataset.subscriptionsOf(customerId));
      }
      const subscription = subscriptions
        .get(customerId)
        ?.find((candidate) => candidate.id === line.SubscriptionId);
      expect(subscription).toBeDefined();
      expect(line.OrderId).toBe(subscription?.orderId);
    }
    expect(new Set(lines.map((line) => line.CustomerId)).size).toBeGreaterThan(1);
  });
});

describe('GET /v1/invoices/{id}/lineitems (OneTime, invoices before the v2 coverage)', () => {
  const oldest = () => {
    const v1 = invoices().filter((invoice) => invoice.api === 'v1');
    expect(v1.length).toBeGreaterThan(0);
    for (const invoice of v1)
      expect(invoice.billingPeriodStartDate < emulator.billing.v2CoverageStart).toBe(true);
    return v1[0];
  };

  it('seek-pages with the continuation token until every line came once; the lines add up', async () => {
    const invoice = oldest();
    const first = `/v1/invoices/${invoice.id}/lineitems?provider=onetime&invoicelineitemtype=billinglineitems&size=500`;
    const pages = [];
    let page = await request(emulator, first, { token });
    for (;;) {
      expect(page.status).toBe(200);
      pages.push(page.json);
      const next = page.json.links.next;
      if (!next) break;
      // Next links come with and without /v1, as the service writes them (nextLinkForm mixed).
      const path = `/invoices/${invoice.id}/lineitems/OneTime/BillingLineItems?seekOperation=Next`;
      expect([path, `/v1${path}`]).toContain(next.uri);
      expect(page.json.continuationToken).toBe(next.headers[0].value);
      page = await request(emulator, next.uri.startsWith('/v1/') ? next.uri : `/v1${next.uri}`, {
        token,
        headers: { [next.headers[0].key]: next.headers[0].value },
      });
    }
    const items = pages.flatMap((each) => each.items as Record<string, any>[]);
    expect(pages[0].items).toHaveLength(500);
    expect(items).toHaveLength(invoice.lineItemCount);
    expect(new Set(items.map((item) => item.alternateId)).size).toBe(items.length);
    expect(sumCents(items, 'totalForCustomer')).toBe(emulator.billing.totalCents(invoice.id));
    expect(items[0]).toMatchObject({
      invoiceNumber: invoice.id,
      billingProvider: 'one_time',
      invoiceLineItemType: 'billing_line_items',
      attributes: { objectType: 'OneTimeInvoiceLineItem' },
    });
  });

  it('refuses what it does not serve in Partner Center error bodies', async () => {
    const invoice = oldest();
    const base = `/v1/invoices/${invoice.id}/lineitems`;
    const badSize = await request(
      emulator,
      `${base}?provider=onetime&invoicelineitemtype=billinglineitems&size=x`,
      { token },
    );
    expect(badSize.status).toBe(400);
    const office = await request(
      emulator,
      `${base}?provider=office&invoicelineitemtype=billinglineitems`,
      { token },
    );
    expect(office.status).toBe(400);
    const noToken = await request(emulator, `${base}/OneTime/BillingLineItems?seekOperation=Next`, {
      token,
    });
    expect(noToken.status).toBe(400);
    expect(noToken.json.description).toContain('MS-ContinuationToken');
    const v2 = await request(
      emulator,
      `/v1/invoices/${invoices()[0].id}/lineitems?provider=onetime&invoicelineitemtype=billinglineitems`,
      { token },
    );
    expect(v2.status).toBe(400);
    expect(v2.json.description).toContain('/reconciliation/billed/export');
  });
});
