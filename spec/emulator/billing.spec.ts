/**
 * The billing side of the emulator over real HTTPS, driven as a hand-written client would drive it
 * (Node's https and zlib). One file for what were four (one module registry: the emulator and its
 * billing derivations warm up once, about 1 CPU-s less):
 *
 * - Partner Center's v1 invoices: newest first with totals and currencies, consistent with the
 *   customers and subscriptions, totals equal to the sum of the line items per invoice, and the
 *   OneTime line items of invoices older than the v2 coverage seek-paged with the continuation
 *   token.
 * - Microsoft Graph's billing exports: POST, 202 with Location, the operation polled to its end,
 *   the manifest, every blob downloaded with its SAS and decompressed, the lines counted and summed.
 * - The billing faults, each declared in the fault script like every other (fault-types.ts): an
 *   export that stays running, fails or is slow; 429 on the operation poll; a blob cut mid-stream;
 *   a truncated gzip; an expired SAS.
 * - The blob store as Azure Blob Storage's Get Blob answers it: gzip JSON lines, whole or a byte
 *   range (206, Content-Range; 416 past the end), a SAS that expires (configurable) and the
 *   service's XML error bodies.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { StartedEmulator } from '../../lib/emulator/index.js';
import { startEmulator } from '../support/emulator.js';
import {
  allLines,
  BILLING,
  blobUrl,
  cents,
  download,
  exportManifest,
  graphToken,
  jsonLines,
  pollOperation,
  readManifest,
  startExport,
  sumCents,
  type Manifest,
} from './billing-support.js';
import { listAll, request, requestUrl } from './support.js';

describe("Partner Center's v1 invoices", () => {
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
        expect(new Set(lines.map((line) => line.Currency))).toEqual(
          new Set([invoice.currencyCode]),
        );
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
      const first =
        `/v1/invoices/${invoice.id}/lineitems?provider=onetime&` +
        'invoicelineitemtype=billinglineitems&size=500';
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
      const noToken = await request(
        emulator,
        `${base}/OneTime/BillingLineItems?seekOperation=Next`,
        {
          token,
        },
      );
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
});

describe("Microsoft Graph's billing exports", () => {
  let emulator: StartedEmulator;

  beforeAll(async () => {
    emulator = await startEmulator({ customers: 150, billingLineItems: 1200, now: '2026-11-20' });
  });
  afterAll(() => emulator.close());

  const latest = () => emulator.billing.invoices()[0];

  describe('billed reconciliation export', () => {
    it('answers 202 with the operation in Location, which succeeds and links the manifest', async () => {
      const started = await startExport(emulator, 'reconciliation/billed', {
        invoiceId: latest().id,
        attributeSet: 'full',
      });
      expect(started.status).toBe(202);
      expect(started.raw).toHaveLength(0);
      const location = String(started.headers.location);
      expect(location).toMatch(
        new RegExp(`^${emulator.graphEndpoint}${BILLING}/operations/[0-9a-f-]{36}$`),
      );
      expect(started.headers['request-id']).toBeDefined();
      const { final } = await pollOperation(emulator, location);
      expect(final.json).toMatchObject({
        '@odata.type': '#microsoft.graph.partners.billing.exportSuccessOperation',
        status: 'succeeded',
        'resourceLocation@odata.navigationLink': expect.stringContaining(`${BILLING}/manifests/`),
      });
      const expanded = await requestUrl(emulator, `${location}?$expand=resourceLocation`, {
        token: graphToken(emulator),
      });
      expect(expanded.json.resourceLocation).toMatchObject({
        blobCount: 3,
        dataFormat: 'compressedJSONLines',
      });
    });

    it(
      'manifests the blobs, whose lines are the invoice with the Full attributes, adding up to ' +
        'its total',
      async () => {
        const invoice = latest();
        const manifest = await exportManifest(emulator, 'reconciliation/billed', {
          invoiceId: invoice.id,
        });
        expect(manifest).toMatchObject({
          schemaVersion: '2',
          dataFormat: 'compressedJSONLines',
          partitionType: 'default',
          partnerTenantId: expect.any(String),
          blobCount: manifest.blobs.length,
        });
        expect(manifest.blobs.length).toBeGreaterThan(1);
        expect(manifest.rootDirectory).toContain(`/InvoiceId=${invoice.id}/`);
        expect(manifest.rootDirectory).toContain('/Fragment=full/');
        expect(new URLSearchParams(manifest.sasToken).get('sp')).toBe('rl');
        for (const blob of manifest.blobs)
          expect(blob.name).toMatch(/^part-\d{5}-[0-9a-f-]{36}\.c000\.json\.gz$/);
        const lines = await allLines(emulator, manifest);
        expect(lines).toHaveLength(invoice.lineItemCount);
        expect(sumCents(lines)).toBe(emulator.billing.totalCents(invoice.id));
        expect(lines).toEqual([...emulator.billing.lineItems(invoice.id)]);
        expect(Object.keys(lines[0])).toEqual(
          expect.arrayContaining([
            'PartnerId',
            'CustomerId',
            'CustomerDomainName',
            'InvoiceNumber',
            'Total',
            'Currency',
          ]),
        );
      },
    );

    it('with attributeSet basic, serves the same lines with fewer attributes', async () => {
      const invoice = latest();
      const manifest = await exportManifest(emulator, 'reconciliation/billed', {
        invoiceId: invoice.id,
        attributeSet: 'basic',
      });
      const lines = await allLines(emulator, manifest);
      expect(lines).toHaveLength(invoice.lineItemCount);
      expect(sumCents(lines)).toBe(emulator.billing.totalCents(invoice.id));
      const full = Object.keys([...emulator.billing.lineItems(invoice.id)][0]);
      const basic = Object.keys(lines[0]);
      expect(basic.length).toBeLessThan(full.length);
      expect(basic).not.toContain('CustomerDomainName');
      expect(basic).toEqual(
        expect.arrayContaining(['CustomerId', 'SubscriptionId', 'Total', 'Currency']),
      );
    });

    it('renews an expired SAS at each manifest read, same eTag; a new data version, a new eTag', async () => {
      const started = await startExport(emulator, 'reconciliation/billed', {
        invoiceId: latest().id,
      });
      const { final } = await pollOperation(emulator, String(started.headers.location));
      const link = final.json['resourceLocation@odata.navigationLink'];
      const first = await readManifest(emulator, link);
      expect((await download(emulator, blobUrl(first, 0))).status).toBe(200);
      emulator.expireBlobSignatures();
      expect((await download(emulator, blobUrl(first, 0))).status).toBe(403);
      const again = await readManifest(emulator, link);
      expect(again.eTag).toBe(first.eTag);
      expect(again.createdDateTime).toBe(first.createdDateTime);
      expect(again.sasToken).not.toBe(first.sasToken);
      expect((await download(emulator, blobUrl(again, 0))).status).toBe(200);
      emulator.configure({ billingDataVersion: 2 });
      try {
        const replaced = await exportManifest(emulator, 'reconciliation/billed', {
          invoiceId: latest().id,
        });
        expect(replaced.eTag).not.toBe(first.eTag);
        const stale = await download(emulator, blobUrl(again, 0));
        expect(stale.status).toBe(404);
        expect(stale.headers['x-ms-error-code']).toBe('BlobNotFound');
      } finally {
        emulator.configure({ billingDataVersion: 1 });
      }
    });
  });

  describe('unbilled and usage exports', () => {
    it('exports the current and the last period per currency', async () => {
      for (const billingPeriod of ['current', 'last'])
        for (const currencyCode of ['USD', 'EUR']) {
          const manifest = await exportManifest(emulator, 'reconciliation/unbilled', {
            currencyCode,
            billingPeriod,
            attributeSet: 'full',
          });
          expect(manifest.rootDirectory).toContain(`/BillingPeriod=${billingPeriod}/`);
          const lines = await allLines(emulator, manifest);
          expect(lines.length).toBeGreaterThan(0);
          expect(new Set(lines.map((line) => line.Currency))).toEqual(new Set([currencyCode]));
          expect(new Set(lines.map((line) => line.InvoiceNumber))).toEqual(new Set(['']));
        }
    });

    it('exports billed and unbilled daily rated usage with the usage attributes', async () => {
      const invoice = latest();
      const billed = await allLines(
        emulator,
        await exportManifest(emulator, 'usage/billed', {
          invoiceId: invoice.id,
          attributeSet: 'full',
        }),
      );
      expect(billed).toHaveLength(invoice.usageLineItemCount);
      expect(billed).toEqual([...emulator.billing.lineItems(invoice.id, { usage: true })]);
      expect(Object.keys(billed[0])).toEqual(
        expect.arrayContaining([
          'UsageDate',
          'MeterCategory',
          'BillingPreTaxTotal',
          'EntitlementId',
        ]),
      );
      const unbilled = await allLines(
        emulator,
        await exportManifest(emulator, 'usage/unbilled', {
          currencyCode: 'USD',
          billingPeriod: 'current',
          attributeSet: 'basic',
        }),
      );
      expect(unbilled.length).toBeGreaterThan(0);
      expect(Object.keys(unbilled[0])).not.toContain('MeterCategory');
    });
  });

  describe('refusals', () => {
    it('fails the operation with "No data available" where there is nothing to export', async () => {
      const v1Invoice = emulator.billing.invoices().find((invoice) => invoice.api === 'v1');
      for (const body of [{ invoiceId: 'G000000000' }, { invoiceId: v1Invoice?.id }]) {
        const started = await startExport(emulator, 'reconciliation/billed', body);
        expect(started.status).toBe(202);
        const { final } = await pollOperation(emulator, String(started.headers.location));
        expect(final.json).toMatchObject({
          '@odata.type': '#microsoft.graph.partners.billing.failedOperation',
          status: 'failed',
          error: { code: '5000', message: 'No data available' },
        });
      }
      const unknownCurrency = await startExport(emulator, 'reconciliation/unbilled', {
        currencyCode: 'XTS',
        billingPeriod: 'current',
      });
      const { final } = await pollOperation(emulator, String(unknownCurrency.headers.location));
      expect(final.json.status).toBe('failed');
    });

    it('answers a malformed request with 400 in Graph error shape', async () => {
      const cases: [Parameters<typeof startExport>[1], Record<string, unknown>, string][] = [
        ['reconciliation/billed', {}, 'invoiceId'],
        [
          'reconciliation/billed',
          { invoiceId: latest().id, attributeSet: 'everything' },
          'attributeSet',
        ],
        ['reconciliation/unbilled', { billingPeriod: 'current' }, 'currencyCode'],
        ['usage/unbilled', { currencyCode: 'USD', billingPeriod: 'next' }, 'billingPeriod'],
      ];
      for (const [path, body, named] of cases) {
        const refused = await startExport(emulator, path, body);
        expect(refused.status).toBe(400);
        expect(refused.json.error).toMatchObject({
          code: 'BadRequest',
          message: expect.stringContaining(named),
        });
      }
    });

    it('needs PartnerBilling.Read.All in a Graph token', async () => {
      const withoutPermission = await startExport(
        emulator,
        'reconciliation/billed',
        { invoiceId: latest().id },
        graphToken(emulator, ['User.Read']),
      );
      expect(withoutPermission.status).toBe(403);
      expect(withoutPermission.json.error).toMatchObject({
        code: 'Authorization_RequestDenied',
        message: expect.stringContaining('PartnerBilling.Read.All'),
      });
      const delegated = await startExport(
        emulator,
        'reconciliation/billed',
        { invoiceId: latest().id },
        graphToken(emulator, ['PartnerBilling.Read.All']),
      );
      expect(delegated.status).toBe(202);
      const partnerCenterToken = await startExport(
        emulator,
        'reconciliation/billed',
        { invoiceId: latest().id },
        emulator.issueAccessToken(),
      );
      expect(partnerCenterToken.status).toBe(401);
      expect(partnerCenterToken.json.error.code).toBe('InvalidAuthenticationToken');
    });

    it('answers an unknown operation or manifest with 404', async () => {
      for (const kind of ['operations', 'manifests']) {
        const missing = await requestUrl(
          emulator,
          `${emulator.graphEndpoint}${BILLING}/${kind}/00000000-0000-4000-8000-000000000000`,
          { token: graphToken(emulator) },
        );
        expect(missing.status).toBe(404);
        expect(missing.json.error.code).toBe('Request_ResourceNotFound');
      }
    });
  });
});

describe('the billing faults', () => {
  let emulator: StartedEmulator;
  let manifest: Manifest;

  beforeAll(async () => {
    emulator = await startEmulator({ customers: 100, billingLineItems: 900, now: '2026-11-20' });
    manifest = await exportManifest(emulator, 'reconciliation/billed', {
      invoiceId: emulator.billing.invoices()[0].id,
    });
  });
  afterEach(() => emulator.setFaults({}));
  afterAll(() => emulator.close());

  const invoiceId = () => emulator.billing.invoices()[0].id;

  async function startedLocation(): Promise<string> {
    const started = await startExport(emulator, 'reconciliation/billed', {
      invoiceId: invoiceId(),
    });
    expect(started.status).toBe(202);
    return String(started.headers.location);
  }

  describe('export faults', () => {
    it('an export that stays running answers running with Retry-After at every poll', async () => {
      emulator.setFaults({
        rules: [{ target: 'export', at: 1, action: { type: 'export', outcome: 'running' } }],
      });
      const location = await startedLocation();
      for (let poll = 0; poll < 5; poll++) {
        const running = await requestUrl(emulator, location, { token: graphToken(emulator) });
        expect(running.status).toBe(200);
        expect(running.json).toMatchObject({
          '@odata.type': '#microsoft.graph.partners.billing.runningOperation',
          status: 'running',
        });
        expect(running.headers['retry-after']).toBe('1');
      }
      expect(emulator.counters().faultsInjected).toBe(1);
    });

    it('a failed export ends failed with its error', async () => {
      emulator.setFaults({
        rules: [{ target: 'export', at: 1, action: { type: 'export', outcome: 'failed' } }],
      });
      const { final } = await pollOperation(emulator, await startedLocation());
      expect(final.json).toMatchObject({
        status: 'failed',
        error: { code: '5000', message: 'No data available' },
      });
    });

    it('a slow export runs for its polls, then succeeds; one of minutes keeps running', async () => {
      emulator.configure({ exportRetryAfterSeconds: 30 });
      try {
        emulator.setFaults({
          rules: [
            { target: 'export', at: 1, action: { type: 'export', outcome: 'slow', polls: 3 } },
            { target: 'export', at: 2, action: { type: 'export', outcome: 'slow', seconds: 300 } },
          ],
        });
        const { polls, final } = await pollOperation(emulator, await startedLocation());
        expect(polls.map((poll) => poll.json.status)).toEqual([
          'running',
          'running',
          'running',
          'succeeded',
        ]);
        expect(polls[0].headers['retry-after']).toBe('30');
        expect(final.json.status).toBe('succeeded');
        const minutes = await startedLocation();
        await expect(pollOperation(emulator, minutes, 3)).rejects.toThrow('still running');
      } finally {
        emulator.configure({ exportRetryAfterSeconds: 1 });
      }
    });

    it('answers a poll with 429 and Retry-After in Graph error shape, then the operation again', async () => {
      const location = await startedLocation();
      emulator.setFaults({
        rules: [{ target: 'operation', at: 1, action: { type: 'throttle', retryAfterSeconds: 7 } }],
      });
      const throttled = await requestUrl(emulator, location, { token: graphToken(emulator) });
      expect(throttled.status).toBe(429);
      expect(throttled.headers['retry-after']).toBe('7');
      expect(throttled.json.error.code).toBe('TooManyRequests');
      const { final } = await pollOperation(emulator, location);
      expect(final.json.status).toBe('succeeded');
    });

    it('refuses an export fault it cannot carry out', () => {
      expect(() =>
        emulator.setFaults({
          rules: [
            { target: 'export', at: 1, action: { type: 'export', outcome: 'lost' as 'failed' } },
          ],
        }),
      ).toThrow('outcome must be one of running, failed, slow');
    });
  });

  describe('blob faults', () => {
    it('cuts a blob mid-stream; a Range request from the cut completes it', async () => {
      const whole = (await download(emulator, blobUrl(manifest, 1))).raw;
      emulator.setFaults({
        rules: [{ target: 'blob', at: 1, action: { type: 'reset', when: 'mid-body' } }],
      });
      const cut = await download(emulator, blobUrl(manifest, 1));
      expect(cut.status).toBe(200);
      expect(cut.cut).toBe(true);
      expect(Number(cut.headers['content-length'])).toBe(whole.length);
      expect(cut.raw.length).toBeLessThan(whole.length);
      const rest = await download(emulator, blobUrl(manifest, 1), {
        Range: `bytes=${cut.raw.length}-`,
      });
      expect(rest.status).toBe(206);
      expect(Buffer.concat([cut.raw, rest.raw])).toEqual(whole);
      expect(jsonLines(Buffer.concat([cut.raw, rest.raw]))).toHaveLength(300);
    });

    it('serves a truncated gzip once: a whole answer whose file ends early', async () => {
      const whole = (await download(emulator, blobUrl(manifest, 2))).raw;
      emulator.setFaults({ rules: [{ target: 'blob', at: 1, action: { type: 'truncate' } }] });
      const truncated = await download(emulator, blobUrl(manifest, 2));
      expect(truncated.status).toBe(200);
      expect(truncated.cut).toBe(false);
      expect(truncated.raw).toEqual(whole.subarray(0, Math.floor(whole.length / 2)));
      expect(() => gunzipSync(truncated.raw)).toThrow('unexpected end of file');
      expect((await download(emulator, blobUrl(manifest, 2))).raw).toEqual(whole);
    });

    it('expires every SAS issued so far; the manifest read again gives one that works', async () => {
      emulator.setFaults({ rules: [{ target: 'blob', at: 1, action: { type: 'expire-sas' } }] });
      const expired = await download(emulator, blobUrl(manifest, 0));
      expect(expired.status).toBe(403);
      expect(expired.headers['x-ms-error-code']).toBe('AuthenticationFailed');
      expect(expired.raw.toString()).toContain('Signature not valid in the specified time frame');
      const renewed = await exportManifest(emulator, 'reconciliation/billed', {
        invoiceId: invoiceId(),
      });
      expect((await download(emulator, blobUrl(renewed, 0))).status).toBe(200);
      manifest = renewed;
    });

    it('answers an injected failure in the blob service shape, never rate limited with the API', async () => {
      emulator.setFaults({
        rules: [
          { target: 'blob', at: 1, action: { type: 'status', status: 503, retryAfterSeconds: 2 } },
        ],
        rateLimit: { requests: 1, windowSeconds: 3600 },
      });
      const busy = await download(emulator, blobUrl(manifest, 0));
      expect(busy.status).toBe(503);
      expect(busy.headers['x-ms-error-code']).toBe('ServerBusy');
      expect(busy.headers['retry-after']).toBe('2');
      for (let n = 0; n < 3; n++)
        expect((await download(emulator, blobUrl(manifest, 0))).status).toBe(200);
    });
  });
});

describe('the blob store', () => {
  let emulator: StartedEmulator;
  let manifest: Manifest;
  let whole: Buffer;

  beforeAll(async () => {
    emulator = await startEmulator({ customers: 100, billingLineItems: 900, now: '2026-11-20' });
    manifest = await exportManifest(emulator, 'reconciliation/billed', {
      invoiceId: emulator.billing.invoices()[0].id,
    });
    whole = (await download(emulator, blobUrl(manifest, 0))).raw;
  });
  afterAll(() => emulator.close());

  /** The blob service's error: XML body, its code again in x-ms-error-code. */
  function expectBlobError(
    got: { status: number; headers: Record<string, unknown>; raw: Buffer },
    status: number,
    code: string,
  ) {
    expect(got.status).toBe(status);
    expect(got.headers['x-ms-error-code']).toBe(code);
    expect(got.headers['content-type']).toBe('application/xml');
    const xml = got.raw.toString('utf8');
    expect(xml).toMatch(/^\ufeff?<\?xml version="1\.0" encoding="utf-8"\?><Error><Code>/);
    expect(xml).toContain(`<Code>${code}</Code>`);
    return xml;
  }

  describe('Get Blob', () => {
    it('serves the whole blob: gzip of JSON lines, with the length, an ETag and the service headers', async () => {
      const got = await download(emulator, blobUrl(manifest, 0));
      expect(got.status).toBe(200);
      expect(Number(got.headers['content-length'])).toBe(got.raw.length);
      expect(got.headers).toMatchObject({
        'accept-ranges': 'bytes',
        'x-ms-blob-type': 'BlockBlob',
        'x-ms-version': '2021-08-06',
        etag: expect.stringMatching(/^"0x[0-9A-F]+"$/),
      });
      expect(got.raw.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
      expect(got.raw).toEqual(whole);
      expect(jsonLines(got.raw)).toHaveLength(300);
    });

    it('serves a range with 206 and Content-Range, from an offset to the end or between two', async () => {
      const size = whole.length;
      const tail = await download(emulator, blobUrl(manifest, 0), { Range: 'bytes=1000-' });
      expect(tail.status).toBe(206);
      expect(tail.headers['content-range']).toBe(`bytes 1000-${size - 1}/${size}`);
      expect(tail.raw).toEqual(whole.subarray(1000));
      const middle = await download(emulator, blobUrl(manifest, 0), { Range: 'bytes=10-19' });
      expect(middle.status).toBe(206);
      expect(middle.headers['content-range']).toBe(`bytes 10-19/${size}`);
      expect(middle.raw).toEqual(whole.subarray(10, 20));
      const both = await download(emulator, blobUrl(manifest, 0), {
        Range: 'bytes=0-9',
        'x-ms-range': 'bytes=20-29',
      });
      expect(both.raw).toEqual(whole.subarray(20, 30));
    });

    it('answers a range past the end with 416 InvalidRange', async () => {
      const past = await download(emulator, blobUrl(manifest, 0), {
        Range: `bytes=${whole.length}-`,
      });
      expectBlobError(past, 416, 'InvalidRange');
      expect(past.headers['content-range']).toBe(`bytes */${whole.length}`);
    });

    it('refuses a missing or forged SAS, and a blob that was never listed', async () => {
      const bare = blobUrl(manifest, 0).split('?')[0];
      expectBlobError(await download(emulator, bare), 401, 'NoAuthenticationInformation');
      const forged = blobUrl(manifest, 0).replace(/sig=[^&]+/, 'sig=AAAA');
      expect(
        expectBlobError(await download(emulator, forged), 403, 'AuthenticationFailed'),
      ).toContain('Signature did not match');
      const unknown = blobUrl(manifest, 0).replace('part-00000', 'part-00099');
      expectBlobError(await download(emulator, unknown), 404, 'BlobNotFound');
    });

    it(
      'answers an expired SAS with 403 AuthenticationFailed and its time frame; a new manifest ' +
        'renews it',
      async () => {
        emulator.configure({ sasLifetimeSeconds: -60 });
        let stale: Manifest;
        try {
          stale = await exportManifest(emulator, 'reconciliation/billed', {
            invoiceId: emulator.billing.invoices()[0].id,
          });
        } finally {
          emulator.configure({ sasLifetimeSeconds: 3600 });
        }
        const expired = await download(emulator, blobUrl(stale, 0));
        const xml = expectBlobError(expired, 403, 'AuthenticationFailed');
        expect(xml).toMatch(
          /<AuthenticationErrorDetail>Signature not valid in the specified time frame: Start \[.+\] - Expiry \[.+\] - Current \[.+\]<\/AuthenticationErrorDetail>/,
        );
        const renewed = await exportManifest(emulator, 'reconciliation/billed', {
          invoiceId: emulator.billing.invoices()[0].id,
        });
        const got = await download(emulator, blobUrl(renewed, 0));
        expect(got.status).toBe(200);
        expect(gunzipSync(got.raw).length).toBeGreaterThan(0);
      },
    );
  });

  describe('a blob cache directory (billingBlobCacheDirectory, for benchmarks)', () => {
    it('keeps each measured blob in a file and serves the same bytes from it, whole and in ranges', async () => {
      const directory = mkdtempSync(join(tmpdir(), 'pc-blob-cache-'));
      const cached = await startEmulator({
        customers: 100,
        billingLineItems: 900,
        now: '2026-11-20',
        billingBlobCacheDirectory: directory,
      });
      try {
        const cachedManifest = await exportManifest(cached, 'reconciliation/billed', {
          invoiceId: cached.billing.invoices()[0].id,
        });
        expect(readdirSync(directory).filter((name) => name.endsWith('.gz'))).toHaveLength(
          cachedManifest.blobCount,
        );
        // Nothing made again: the files are what is served (their bytes, as the generator made them).
        const got = await download(cached, blobUrl(cachedManifest, 0));
        expect(got.raw).toEqual(whole);
        const middle = await download(cached, blobUrl(cachedManifest, 0), { Range: 'bytes=10-19' });
        expect(middle.status).toBe(206);
        expect(middle.raw).toEqual(whole.subarray(10, 20));
        const tail = await download(cached, blobUrl(cachedManifest, 0), { Range: 'bytes=1000-' });
        expect(tail.raw).toEqual(whole.subarray(1000));
      } finally {
        await cached.close();
        rmSync(directory, { recursive: true, force: true });
      }
    });
  });
});
