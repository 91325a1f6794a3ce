/**
 * The pipeline's writes, long operations and downloads against the emulator over real HTTPS, as
 * the commands of issues 21 and 22 will call them: a subscription PATCH with its etag and one
 * MS-RequestId (a repeat is the same write; a stale etag is refused, never retried), and a billed
 * reconciliation export started, followed to its end, its manifest read and every blob streamed
 * through gunzip, resumed after a cut, with the line count the invoice has.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { ServiceError } from '../../lib/common/errors.js';
import type { StartedEmulator } from '../../lib/emulator/index.js';
import { blobClient } from '../../lib/partner-center/blob-api.js';
import { download } from '../../lib/partner-center/download.js';
import { GraphClient } from '../../lib/partner-center/graph-client.js';
import {
  followOperation,
  GRAPH_OPERATION_STATUS,
} from '../../lib/partner-center/long-operation.js';
import { changeResource, etagOf } from '../../lib/partner-center/resource-change.js';
import { startEmulator } from '../support/emulator.js';
import { ManualClock } from '../support/manual-clock.js';
import { graphToken } from '../emulator/billing-support.js';
import { emulatorClient } from './fixtures/emulator-client.js';

type Json = Record<string, any>;
let emulator: StartedEmulator;
beforeAll(async () => {
  emulator = await startEmulator({
    customers: 60,
    billingLineItems: 900,
    now: '2026-11-20',
    seed: 7,
  });
});
afterAll(() => emulator.close());
beforeEach(() => {
  emulator.resetStore();
  emulator.setFaults({});
});

describe('a subscription change (issue 21)', () => {
  const target = () => {
    const { dataset } = emulator;
    for (let index = 0; index < emulator.customerCount; index++) {
      const id = dataset.idOf(index);
      if (!dataset.hasCommerceRelationship(id)) continue;
      const subscription = dataset
        .subscriptionsOf(id)
        .find((s) => s.status === 'active' && s.unitType === 'Licenses');
      if (subscription) return { path: `/customers/${id}/subscriptions/${subscription.id}` };
    }
    throw new Error('the seed has no active licence subscription');
  };

  it('sends the read resource back changed, with If-Match; a repeat of its MS-RequestId changes nothing', async () => {
    const { path } = target();
    const { client } = emulatorClient(emulator);
    try {
      const read = await client.exchange<Json>(path);
      const etag = etagOf(read);
      expect(etag).toBeDefined();
      const requestId = randomUUID();
      const resource = { ...read.value, quantity: (read.value?.quantity ?? 0) + 3 };
      const first = await changeResource<Json>(client, path, { resource, etag, requestId });
      expect(first.resource?.quantity).toBe(resource.quantity);
      expect(first.etag).toBeDefined();
      expect(first.etag).not.toBe(etag);
      // Sent again after a "kill" with the journal's request id: the service's first answer.
      const again = await changeResource<Json>(client, path, { resource, etag, requestId });
      expect(again.resource).toEqual(first.resource);
      expect((await client.exchange<Json>(path)).value?.quantity).toBe(resource.quantity);
    } finally {
      client.close();
    }
  });

  it('is refused, not retried, when the subscription changed since it was read', async () => {
    const { path } = target();
    const { client } = emulatorClient(emulator);
    try {
      const read = await client.exchange<Json>(path);
      const stale = etagOf(read);
      await changeResource(client, path, {
        resource: { ...read.value, friendlyName: 'first' },
        etag: stale,
      });
      const error = await changeResource(client, path, {
        resource: { ...read.value, friendlyName: 'second' },
        etag: stale,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ServiceError);
      expect((error as ServiceError).message).toMatch(/changed since it was read \(HTTP 412/);
      expect((await client.exchange<Json>(path)).value?.friendlyName).toBe('first');
    } finally {
      client.close();
    }
  });
});

describe('a billed reconciliation export (issue 22)', () => {
  const graph = (clock = new ManualClock()) => {
    const verbose: string[] = [];
    const client = new GraphClient({
      apiEndpoint: emulator.graphEndpoint,
      caCertificate: emulator.caCertificate,
      tokenProvider: { getToken: async () => graphToken(emulator) },
      correlationId: randomUUID(),
      clock,
      verbose: (line) => verbose.push(line),
      retry: { baseDelayMs: 5 },
    });
    return { client, verbose, clock };
  };
  // The latest invoice, served through Graph's exports.
  const invoice = () => emulator.billing.invoices()[0];
  const start = (client: GraphClient) =>
    client.exchange('/reports/partners/billing/reconciliation/billed/export', {
      method: 'POST',
      json: { invoiceId: invoice().id, attributeSet: 'full' },
    });

  async function lines(stream: NodeJS.ReadableStream): Promise<number> {
    let count = 0;
    for await (const line of createInterface({ input: stream.pipe(createGunzip()) }))
      if (line.trim()) count++;
    return count;
  }

  it('is started, followed through a throttled poll, and its blobs streamed whole through cuts', async () => {
    emulator.setFaults({
      rules: [
        { target: 'operation', at: 1, action: { type: 'throttle', retryAfterSeconds: 7 } },
        { target: 'blob', at: 1, action: { type: 'reset', when: 'mid-body' } },
      ],
    });
    const { client, verbose, clock } = graph();
    const storage: ReturnType<typeof blobClient>[] = [];
    try {
      const started = await start(client);
      expect(started.status).toBe(202);
      const done = await followOperation<Json>(client, started, {
        statusOf: GRAPH_OPERATION_STATUS,
        what: 'the billed reconciliation export',
      });
      expect(clock.sleeps.some((ms) => ms >= 7_000)).toBe(true);
      const manifest = (
        await client.exchange<Json>(new URL(done.value?.['resourceLocation@odata.navigationLink']))
      ).value!;
      const root = new URL(manifest.rootDirectory);
      const blobs = blobClient({
        apiEndpoint: root.origin,
        caCertificate: emulator.caCertificate,
        correlationId: randomUUID(),
        verbose: (line) => verbose.push(line),
        clock,
      });
      storage.push(blobs);
      let total = 0;
      for (const blob of manifest.blobs as { name: string }[]) {
        const url = `${manifest.rootDirectory}/${blob.name}?${manifest.sasToken}`;
        total += await lines(download(blobs, url, { verbose: (line) => verbose.push(line) }));
      }
      expect(total).toBe(invoice().lineItemCount);
      expect(verbose.join('\n')).toMatch(/Throttled .* waiting 7\.\d s/);
      // The cut blob was recovered: resumed with Range where its first bytes arrived, or sent
      // again whole where the connection closed before any (the emulator's streamed blobs are cut
      // before the first half leaves the server; the scripted server of pipeline-writes.spec.ts
      // proves the resume byte by byte).
      expect(verbose.join('\n')).toMatch(
        /GET \/billingexports\/.*(asking for the rest from byte|failed \(.*\): retrying)/,
      );
    } finally {
      client.close();
      for (const blobs of storage) blobs.close();
    }
  });

  it("ends with the service's reason when the export failed", async () => {
    emulator.setFaults({
      rules: [{ target: 'export', at: 1, action: { type: 'export', outcome: 'failed' } }],
    });
    const { client } = graph();
    try {
      const started = await start(client);
      await expect(
        followOperation(client, started, {
          statusOf: GRAPH_OPERATION_STATUS,
          what: 'the billed reconciliation export',
        }),
      ).rejects.toThrow(/the billed reconciliation export failed: No data available \(code 5000\)/);
    } finally {
      client.close();
    }
  });
});
