/**
 * Microsoft Graph's billing exports on the emulator, driven as a hand-written client would drive
 * them (Node's https and zlib): POST, 202 with Location, the operation polled to its end, the
 * manifest, every blob downloaded with its SAS and decompressed, the lines counted and summed.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { StartedEmulator } from '../../lib/emulator/index.js';
import { startEmulator } from '../support/emulator.js';
import {
  allLines,
  BILLING,
  blobUrl,
  download,
  exportManifest,
  graphToken,
  pollOperation,
  readManifest,
  startExport,
  sumCents,
} from './billing-support.js';
import { requestUrl } from './support.js';

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

  it('manifests the blobs, whose lines are the invoice with the Full attributes, adding up to its total', async () => {
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
  });

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
      expect.arrayContaining(['UsageDate', 'MeterCategory', 'BillingPreTaxTotal', 'EntitlementId']),
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
