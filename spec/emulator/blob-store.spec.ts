/**
 * The emulated blob store as Azure Blob Storage's Get Blob answers it: gzip JSON lines, whole or a
 * byte range (206, Content-Range; 416 past the end), a SAS that expires (configurable) and the
 * service's XML error bodies.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { StartedEmulator } from '../../lib/emulator/index.js';
import { startEmulator } from '../support/emulator.js';
import { blobUrl, download, exportManifest, jsonLines, type Manifest } from './billing-support.js';

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

  it('answers an expired SAS with 403 AuthenticationFailed and its time frame; a new manifest renews it', async () => {
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
  });
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
