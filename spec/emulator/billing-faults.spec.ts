/**
 * The billing faults, each declared in the fault script like every other (fault-types.ts): an
 * export that stays running, fails or is slow; 429 on the operation poll; a blob cut mid-stream;
 * a truncated gzip; an expired SAS.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { gunzipSync } from 'node:zlib';
import type { StartedEmulator } from '../../lib/emulator/index.js';
import { startEmulator } from '../support/emulator.js';
import {
  blobUrl,
  download,
  exportManifest,
  graphToken,
  jsonLines,
  pollOperation,
  startExport,
  type Manifest,
} from './billing-support.js';
import { requestUrl } from './support.js';

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
  const started = await startExport(emulator, 'reconciliation/billed', { invoiceId: invoiceId() });
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
