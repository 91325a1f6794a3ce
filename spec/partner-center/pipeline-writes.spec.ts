/**
 * What the write and export commands (issues 21 and 22) ask of the client, over real HTTPS on
 * 127.0.0.1 against a scripted server: a PATCH with the whole resource and If-Match, repeated
 * with the same MS-RequestId (the caller's, when it gives one); a 202 followed through Location
 * and Retry-After; Graph's operation resource polled to succeeded or failed, with progress and
 * cancellation; a POST to Graph never repeated after its outcome became unknown; a blob streamed
 * with backpressure and no size cap, resumed with Range after a cut.
 */
import { describe, expect, it } from '@jest/globals';
import { createHash, randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { AuthenticationError, ServiceError } from '../../lib/common/errors.js';
import { blobClient } from '../../lib/partner-center/blob-api.js';
import { download } from '../../lib/partner-center/download.js';
import { GraphClient } from '../../lib/partner-center/graph-client.js';
import {
  followOperation,
  GRAPH_OPERATION_STATUS,
  type OperationProgress,
} from '../../lib/partner-center/long-operation.js';
import { changeResource, etagOf } from '../../lib/partner-center/resource-change.js';
import { ManualClock } from '../support/manual-clock.js';
import type { FaultAction, ReceivedRequest } from './fixtures/fault-server.js';
import { useFaultServer } from './fixtures/fault-server-suite.js';
import { opaqueTokens, recordingTokenProvider } from './fixtures/token-provider.js';

const suite = useFaultServer();
const CUSTOMER = '6f4b3b38-5a0c-4b1e-9d6c-0b1c2d3e4f50';
const SUBSCRIPTION = 'a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d';
const path = `/customers/${CUSTOMER}/subscriptions/${SUBSCRIPTION}`;
const subscription = (quantity: number, etag: string) => ({
  id: SUBSCRIPTION,
  quantity,
  status: 'active',
  attributes: { etag, objectType: 'Subscription' },
});

describe('a Partner Center write', () => {
  it('sends the whole resource as JSON with If-Match, and reads the new etag', async () => {
    suite.server.sequence({
      status: 200,
      json: subscription(12, 'etag-2'),
      headers: { ETag: '"etag-2"' },
    });
    const { client } = suite.clientFor();
    const changed = await changeResource<{ quantity: number }>(client, path, {
      resource: subscription(12, 'etag-1'),
      etag: 'etag-1',
    });
    const [sent] = suite.server.received;
    expect(sent.method).toBe('PATCH');
    expect(sent.url).toBe(`/v1${path}`);
    expect(sent.headers['if-match']).toBe('etag-1');
    expect(sent.headers['content-type']).toBe('application/json');
    expect(JSON.parse(sent.body)).toEqual(subscription(12, 'etag-1'));
    expect(changed).toMatchObject({
      resource: { quantity: 12 },
      etag: '"etag-2"',
      followed: false,
    });
    expect(changed.requestId).toBe(sent.headers['ms-requestid']);
  });

  it('repeats a write whose answer was lost with the same MS-RequestId, the one the caller gave', async () => {
    const requestId = randomUUID();
    // Applied, then the connection dropped before the answer: the case a retry must survive.
    suite.server.sequence({ reset: true }, { status: 200, json: subscription(12, 'etag-2') });
    const { client, verbose } = suite.clientFor();
    const changed = await changeResource(client, path, {
      resource: subscription(12, 'etag-1'),
      etag: 'etag-1',
      requestId,
    });
    expect(suite.server.received.map((r) => r.headers['ms-requestid'])).toEqual([
      requestId,
      requestId,
    ]);
    expect(suite.server.received.map((r) => r.body)).toEqual([
      suite.server.received[0].body,
      suite.server.received[0].body,
    ]);
    expect(changed.requestId).toBe(requestId);
    expect(verbose.join('\n')).toMatch(/PATCH .* failed \(.*\): retrying/);
  });

  it('follows a 202 through its Location (written without /v1) after Retry-After', async () => {
    suite.server.respond(
      (request): FaultAction =>
        request.method === 'PATCH'
          ? { status: 202, text: '', headers: { Location: path, 'Retry-After': '4' } }
          : suite.server.received.length === 2 // the first poll: still accepted
            ? { status: 202, text: '', headers: { 'Retry-After': '2' } }
            : { status: 200, json: subscription(15, 'etag-3') },
    );
    const clock = new ManualClock();
    const { client } = suite.clientFor({ clock });
    const progress: OperationProgress[] = [];
    const changed = await changeResource<{ quantity: number }>(client, path, {
      resource: subscription(15, 'etag-1'),
      etag: 'etag-1',
      onProgress: (p) => progress.push(p),
    });
    expect(suite.server.received.map((r) => `${r.method} ${r.url}`)).toEqual([
      `PATCH /v1${path}`,
      `GET /v1${path}`,
      `GET /v1${path}`,
    ]);
    expect(clock.sleeps).toEqual([4_000, 2_000]);
    expect(progress.map((p) => [p.polls, p.status, p.nextPollMs])).toEqual([
      [0, '202', 4_000],
      [1, '202', 2_000],
    ]);
    expect(changed).toMatchObject({ resource: { quantity: 15 }, etag: 'etag-3', followed: true });
  });

  it('reads the changed resource itself after a 202 that names no Location', async () => {
    suite.server.respond(
      (request): FaultAction =>
        request.method === 'PATCH'
          ? { status: 202, text: '', headers: { 'Retry-After': '1' } }
          : { status: 200, json: subscription(9, 'etag-4') },
    );
    const { client } = suite.clientFor({ clock: new ManualClock() });
    const changed = await changeResource<{ quantity: number }>(client, path, {
      resource: subscription(9, 'etag-1'),
    });
    expect(suite.server.received.map((r) => `${r.method} ${r.url}`)).toEqual([
      `PATCH /v1${path}`,
      `GET /v1${path}`,
    ]);
    expect(changed).toMatchObject({ resource: { quantity: 9 }, followed: true });
  });

  it('reads the etag Partner Center keeps in the body when there is no ETag header', () => {
    expect(etagOf({ value: subscription(1, 'body-etag') })).toBe('body-etag');
    expect(etagOf({ value: { attributes: { Etag: 'legacy' } } })).toBe('legacy');
    expect(etagOf({ etag: '"h"', value: subscription(1, 'b') })).toBe('"h"');
  });
});

describe("a Graph export's operation", () => {
  const graphClient = (clock = new ManualClock(), signal?: AbortSignal) => {
    const client = new GraphClient({
      apiEndpoint: suite.server.origin,
      caCertificate: suite.server.ca,
      tokenProvider: recordingTokenProvider(opaqueTokens()),
      correlationId: randomUUID(),
      clock,
      signal,
      retry: { baseDelayMs: 5, requestTimeoutMs: 5_000 },
    });
    clients.push(client);
    return client;
  };
  const clients: GraphClient[] = [];
  const operation = `${'/v1.0'}/reports/partners/billing/operations/op-1`;
  const exportPath = '/reports/partners/billing/reconciliation/billed/export';
  const statuses = (...sequence: Array<Record<string, unknown>>) => {
    let poll = 0;
    suite.server.respond((request: ReceivedRequest): FaultAction => {
      if (request.method === 'POST')
        return {
          status: 202,
          text: '',
          headers: { Location: `${suite.server.origin}${operation}`, 'Retry-After': '10' },
        };
      const body = sequence[Math.min(poll++, sequence.length - 1)];
      return {
        status: 200,
        json: body,
        headers: body.status === 'running' ? { 'Retry-After': '5' } : undefined,
      };
    });
  };

  it('is polled with Retry-After until it succeeds; the POST carries its JSON body', async () => {
    statuses(
      { status: 'notStarted' },
      { status: 'running' },
      {
        status: 'succeeded',
        'resourceLocation@odata.navigationLink': `${suite.server.origin}/v1.0/manifests/m1`,
      },
    );
    const clock = new ManualClock();
    const client = graphClient(clock);
    const started = await client.exchange(exportPath, {
      method: 'POST',
      json: { invoiceId: 'G016907411', attributeSet: 'full' },
    });
    expect(started.status).toBe(202);
    const progress: OperationProgress[] = [];
    const done = await followOperation<Record<string, string>>(client, started, {
      statusOf: GRAPH_OPERATION_STATUS,
      onProgress: (p) => progress.push(p),
      what: 'the billed reconciliation export',
    });
    expect(done.value?.['resourceLocation@odata.navigationLink']).toMatch(/manifests\/m1$/);
    expect(JSON.parse(suite.server.received[0].body)).toEqual({
      invoiceId: 'G016907411',
      attributeSet: 'full',
    });
    expect(suite.server.received.slice(1).map((r) => `${r.method} ${r.url}`)).toEqual([
      `GET ${operation}`,
      `GET ${operation}`,
      `GET ${operation}`,
    ]);
    // The POST's 10 s, then notStarted (no Retry-After: the first default wait), then running's 5 s.
    expect(clock.sleeps).toEqual([10_000, 1_000, 5_000]);
    expect(progress.map((p) => p.status)).toEqual(['202', 'notStarted', 'running']);
    for (const client of clients.splice(0)) client.close();
  });

  it('ends with the service’s reason when it failed', async () => {
    statuses({ status: 'failed', error: { message: 'No data available', code: '5000' } });
    const client = graphClient();
    const started = await client.exchange(exportPath, { method: 'POST', json: {} });
    await expect(
      followOperation(client, started, {
        statusOf: GRAPH_OPERATION_STATUS,
        what: 'the billed reconciliation export',
      }),
    ).rejects.toThrow(
      'Microsoft Graph reports that the billed reconciliation export failed: No data available (code 5000).',
    );
    for (const client of clients.splice(0)) client.close();
  });

  it('gives up past its time limit, saying for how long it was still running', async () => {
    statuses({ status: 'running' });
    const client = graphClient();
    const started = await client.exchange(exportPath, { method: 'POST', json: {} });
    await expect(
      followOperation(client, started, { statusOf: GRAPH_OPERATION_STATUS, timeoutMs: 60_000 }),
    ).rejects.toThrow(
      'the operation was still running after 60 s (11 checks); waiting was given up at 60 s.',
    );
    for (const client of clients.splice(0)) client.close();
  });

  it('stops waiting when its signal is aborted', async () => {
    statuses({ status: 'running' });
    const controller = new AbortController();
    const client = graphClient();
    const started = await client.exchange(exportPath, { method: 'POST', json: {} });
    const following = followOperation(client, started, {
      statusOf: GRAPH_OPERATION_STATUS,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.polls === 2) controller.abort(new Error('stopped by the user'));
      },
    });
    await expect(following).rejects.toThrow('stopped by the user');
    expect(suite.server.received.filter((r) => r.method === 'GET')).toHaveLength(2);
    for (const client of clients.splice(0)) client.close();
  });

  it('starts with a POST that is not sent again once it may have reached Graph', async () => {
    suite.server.sequence({ reset: true }, { status: 202, text: '' });
    const client = graphClient();
    const error = await client
      .exchange(exportPath, { method: 'POST', json: {} })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceError);
    expect((error as ServiceError).message).toMatch(/may or may not have reached Microsoft Graph/);
    expect(suite.server.received).toHaveLength(1);
    for (const client of clients.splice(0)) client.close();
  });
});

/** A blob store answering GET and Range from `content`, cutting the first answer after `cutAt`. */
function blobServer(
  content: Buffer,
  options: { cutAt?: number; ranges?: boolean; expiresAfterFirst?: boolean } = {},
) {
  const etag = `"0x${createHash('md5').update(content).digest('hex').slice(0, 15).toUpperCase()}"`;
  let cut = options.cutAt;
  const ranges = options.ranges ?? true;
  suite.server.respond(() => ({
    custom: (request, res: ServerResponse) => {
      if (
        options.expiresAfterFirst &&
        suite.server.received.length > 1 &&
        !request.url.includes('sig=new')
      ) {
        res.writeHead(403, { 'x-ms-error-code': 'AuthenticationFailed' });
        res.end(
          '<?xml version="1.0"?><Error><Code>AuthenticationFailed</Code><Message>expired</Message></Error>',
        );
        return;
      }
      const range = /^bytes=(\d+)-$/.exec(String(request.headers.range ?? ''));
      const start = ranges && range ? Number(range[1]) : 0;
      if (range && ranges && request.headers['if-match'] !== etag) {
        res.writeHead(412, { 'x-ms-error-code': 'ConditionNotMet' });
        res.end();
        return;
      }
      res.writeHead(start > 0 ? 206 : 200, {
        'Content-Length': String(content.length - start),
        ETag: etag,
        ...(ranges ? { 'Accept-Ranges': 'bytes' } : {}),
        ...(start > 0
          ? { 'Content-Range': `bytes ${start}-${content.length - 1}/${content.length}` }
          : {}),
      });
      if (cut !== undefined) {
        const until = cut;
        cut = undefined;
        res.write(content.subarray(start, until), () => res.socket?.destroy());
        return;
      }
      res.end(content.subarray(start));
    },
  }));
  return etag;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('a blob download', () => {
  const storage = () => {
    const client = blobClient({
      apiEndpoint: suite.server.origin,
      caCertificate: suite.server.ca,
      correlationId: randomUUID(),
      retry: { baseDelayMs: 5, requestTimeoutMs: 5_000 },
    });
    return client;
  };
  const blobUrl = () => `${suite.server.origin}/container/part-00001.json.gz?sv=2021-08-06&sig=abc`;

  it('resumes a cut body with Range from the byte where it stopped, If-Match its ETag', async () => {
    const content = Buffer.from(Array.from({ length: 20_000 }, (_, i) => `line ${i}\n`).join(''));
    const etag = blobServer(content, { cutAt: 70_000 });
    const client = storage();
    const verbose: string[] = [];
    const resumes: number[] = [];
    const bytes = await readAll(
      download(client, blobUrl(), {
        verbose: (line) => verbose.push(line),
        onProgress: (p) => resumes.push(p.resumes),
      }),
    );
    client.close();
    expect(bytes.equals(content)).toBe(true);
    const [first, second] = suite.server.received;
    expect(first.headers.range).toBeUndefined();
    expect(first.headers['x-ms-version']).toBe('2021-08-06');
    expect(first.headers.authorization).toBeUndefined();
    expect(first.url).toBe('/container/part-00001.json.gz?sv=2021-08-06&sig=abc');
    const resumedAt = Number(/bytes=(\d+)-/.exec(String(second.headers.range))?.[1]);
    expect(resumedAt).toBeGreaterThan(0);
    expect(resumedAt).toBeLessThanOrEqual(70_000);
    expect(second.headers['if-match']).toBe(etag);
    expect(suite.server.received).toHaveLength(2);
    expect(verbose.join('\n')).toMatch(/cut off after \d+ bytes .*from byte \d+, resume 1 of 5/);
    expect(resumes.at(-1)).toBe(1);
  });

  it('goes on at a renewed link when the SAS expired while the body was cut', async () => {
    const content = Buffer.from(Array.from({ length: 20_000 }, (_, i) => `row ${i}\n`).join(''));
    const etag = blobServer(content, { cutAt: 50_000, expiresAfterFirst: true });
    const client = storage();
    const verbose: string[] = [];
    const bytes = await readAll(
      download(client, blobUrl(), {
        verbose: (line) => verbose.push(line),
        renewUrl: async () => blobUrl().replace('sig=abc', 'sig=new'),
      }),
    );
    client.close();
    expect(bytes.equals(content)).toBe(true);
    expect(suite.server.received.map((r) => r.url.includes('sig=new'))).toEqual([
      false,
      false,
      true,
    ]);
    expect(suite.server.received[2].headers['if-match']).toBe(etag);
    expect(verbose.join('\n')).toMatch(/was refused .*AuthenticationFailed.*asking for a new link/);
    expect(verbose.join('\n')).not.toContain('sig=abc');
  });

  it('refuses to resume where the server takes no ranges, rather than repeat bytes', async () => {
    blobServer(Buffer.alloc(50_000, 7), { cutAt: 10_000, ranges: false });
    const client = storage();
    await expect(readAll(download(client, blobUrl()))).rejects.toThrow(
      /cut off after \d+ bytes .*does not take ranges, so it cannot be resumed/,
    );
    client.close();
  });

  it('streams past the 64 MB a buffered answer may have, at the reader’s pace', async () => {
    const size = 65 * 1024 * 1024;
    const piece = Buffer.alloc(1024 * 1024, 1);
    let written = 0;
    let waitingForDrain = false;
    suite.server.respond(() => ({
      custom: (_request, res: ServerResponse) => {
        res.writeHead(200, { 'Content-Length': String(size) });
        const pump = () => {
          while (written < size) {
            written += piece.length;
            waitingForDrain = !res.write(piece);
            if (waitingForDrain) return void res.once('drain', pump);
          }
          res.end();
        };
        pump();
      },
    }));
    const client = storage();
    const stream = download(client, blobUrl());
    const iterator = stream[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.done).toBe(false);
    // The reader holds still: the server's writes stop (TCP backpressure) until it reads again,
    // with the socket buffers full, far from the end of the body.
    let still = 0;
    for (let seen = -1; still < 200; still = waitingForDrain && written === seen ? still + 1 : 0) {
      seen = written;
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(written).toBeLessThan(size / 2);
    let total = (first.value as Buffer).length;
    for (let step = await iterator.next(); !step.done; step = await iterator.next())
      total += (step.value as Buffer).length;
    expect(total).toBe(size);
    client.close();
  });

  it("reports the blob service's XML error (an expired SAS) as a refusal with its code", async () => {
    suite.server.sequence({
      status: 403,
      text:
        '<?xml version="1.0" encoding="utf-8"?><Error><Code>AuthenticationFailed</Code><Message>' +
        'Server failed to authenticate the request.\nRequestId:1</Message><AuthenticationErrorDetail>' +
        'Signature not valid in the specified time frame</AuthenticationErrorDetail></Error>',
      headers: { 'x-ms-error-code': 'AuthenticationFailed', 'x-ms-request-id': 'srv-1' },
    });
    const client = storage();
    const error = await readAll(download(client, blobUrl())).catch((e: unknown) => e);
    client.close();
    expect(error).toBeInstanceOf(AuthenticationError);
    const refusal = error as AuthenticationError;
    expect(refusal.message).toMatch(
      /Azure Blob Storage denied access to GET .*code AuthenticationFailed: Server failed to authenticate the request.*Signature not valid/,
    );
    expect(refusal.serviceCode).toBe('AuthenticationFailed');
    expect(refusal.hint).toMatch(/read the export manifest again/);
  });
});
