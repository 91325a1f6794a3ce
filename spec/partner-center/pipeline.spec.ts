/**
 * The client's pipeline: each step alone, the writes, long operations and downloads against a
 * scripted server, then against the emulator. Each part keeps its own servers and hooks, in its
 * own describe.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createHash, randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { AuthenticationError, NotFoundError, ServiceError } from '../../lib/common/errors.js';
import type { StartedEmulator } from '../../lib/emulator/index.js';
import { parseJsonBody } from '../../lib/json/collection-scanner.js';
import { PARTNER_CENTER_API } from '../../lib/partner-center/api-dialect.js';
import { ApiRoot } from '../../lib/partner-center/api-url.js';
import { blobClient } from '../../lib/partner-center/blob-api.js';
import { download } from '../../lib/partner-center/download.js';
import { GRAPH_API } from '../../lib/partner-center/graph-api.js';
import { GraphClient } from '../../lib/partner-center/graph-client.js';
import {
  followOperation,
  GRAPH_OPERATION_STATUS,
  type OperationProgress,
} from '../../lib/partner-center/long-operation.js';
import { answerErrorsStep } from '../../lib/partner-center/pipeline/answer-errors.js';
import { authenticationStep } from '../../lib/partner-center/pipeline/authentication.js';
import { callIdentityStep } from '../../lib/partner-center/pipeline/call-identity.js';
import { decodingStep } from '../../lib/partner-center/pipeline/decoding.js';
import { traceStep } from '../../lib/partner-center/pipeline/exchange-trace.js';
import {
  composeSteps,
  type PipelineRequest,
  type PipelineStep,
} from '../../lib/partner-center/pipeline/pipeline.js';
import { redirectsStep } from '../../lib/partner-center/pipeline/redirects.js';
import { retryStep } from '../../lib/partner-center/pipeline/retry.js';
import type { StepContext } from '../../lib/partner-center/pipeline/step-context.js';
import { transportOf } from '../../lib/partner-center/pipeline/steps.js';
import { throttleStep } from '../../lib/partner-center/pipeline/throttle.js';
import { RequestLimiter } from '../../lib/partner-center/request-limiter.js';
import { changeResource, etagOf } from '../../lib/partner-center/resource-change.js';
import { resolveRetryOptions } from '../../lib/partner-center/retry-policy.js';
import { Connections } from '../../lib/partner-center/transport.js';
import { graphToken } from '../emulator/billing-support.js';
import { startEmulator } from '../support/emulator.js';
import { ManualClock } from '../support/manual-clock.js';
import { emulatorClient } from './fixtures/emulator-client.js';
import { useFaultServer } from './fixtures/fault-server-suite.js';
import type { FaultAction, ReceivedRequest } from './fixtures/fault-server.js';
import { opaqueTokens, recordingTokenProvider } from './fixtures/token-provider.js';

/**
 * Each step of the client's pipeline alone (lib/partner-center/pipeline/): the step under test and
 * the real transport, nothing else, against a loopback HTTPS server that answers as scripted. What
 * a step does is proven here; that they work together is proven by the client's specs
 * (scripted-faults, listing, and the scripted-server cases below).
 */
describe('each pipeline step alone', () => {
  const suite = useFaultServer();
  const ok = { status: 200, json: { id: 'c1' } };

  /** One step over the real transport, and what it said on -Verbose. */
  function alone(make: (context: StepContext) => PipelineStep, dialect = PARTNER_CENTER_API) {
    const verbose: string[] = [];
    const clock = new ManualClock();
    const context: StepContext = {
      dialect,
      root: new ApiRoot(suite.server.origin, {
        versionSegment: dialect.versionSegment,
        service: dialect.wording.service,
        endpointParameter: dialect.endpointParameter,
      }),
      correlationId: randomUUID(),
      verbose: (line) => verbose.push(line),
      clock,
      retry: resolveRetryOptions({ baseDelayMs: 5, requestTimeoutMs: 5_000 }),
    };
    const connections = new Connections(suite.server.ca);
    const send = composeSteps([make(context)], transportOf(connections, context));
    connectionsToClose.push(connections);
    const request = (overrides: Partial<PipelineRequest> = {}): PipelineRequest => ({
      method: 'GET',
      url: new URL(`${suite.server.origin}/v1/customers/c1`),
      headers: {},
      requestId: randomUUID(),
      repeatable: true,
      attempt: 0,
      ...overrides,
    });
    return { send, request, verbose, clock, context };
  }
  const connectionsToClose: Connections[] = [];
  afterEach(() => {
    while (connectionsToClose.length) connectionsToClose.pop()!.close();
  });

  describe('call-identity', () => {
    it("sets the service's headers and the call's id, which a caller's header cannot replace", async () => {
      suite.server.sequence(ok);
      const { send, request, context } = alone((c) =>
        callIdentityStep(c, PARTNER_CENTER_API.commonHeaders({ correlationId: 'corr-1' })),
      );
      const call = request({ headers: { 'MS-RequestId': 'mine', 'X-Locale': 'de-DE' } });
      await send(call);
      const [received] = suite.server.received;
      expect(received.headers['ms-requestid']).toBe(call.requestId);
      expect(received.headers['ms-correlationid']).toBe('corr-1');
      expect(received.headers['x-locale']).toBe('de-DE');
      expect(received.headers['ms-partnercenter-application']).toBe('PartnerCenter-Node');
      expect(context.dialect.callIdHeader).toBe('MS-RequestId');
    });

    it("uses Graph's client-request-id in Graph's dialect", async () => {
      suite.server.sequence(ok);
      const { send, request } = alone((c) => callIdentityStep(c, {}), GRAPH_API);
      const call = request();
      await send(call);
      expect(suite.server.received[0].headers['client-request-id']).toBe(call.requestId);
      expect(suite.server.received[0].headers['ms-requestid']).toBeUndefined();
    });
  });

  describe('answer-errors', () => {
    it('passes a 2xx through and turns other answers into named errors', async () => {
      suite.server.sequence(ok, {
        status: 404,
        json: { code: 20003, description: 'Subscription with ID s1 not found.' },
      });
      const { send, request } = alone(answerErrorsStep);
      await expect(send(request())).resolves.toMatchObject({ status: 200 });
      const missing = await send(request()).catch((error: unknown) => error);
      expect(missing).toBeInstanceOf(NotFoundError);
      expect((missing as NotFoundError).message).toMatch(/code 20003: Subscription with ID s1/);
    });

    it('says that a resource changed since it was read (412 to If-Match), for this object only', async () => {
      suite.server.sequence({
        status: 412,
        json: { code: 800036, description: 'Pre-condition failed' },
      });
      const { send, request } = alone(answerErrorsStep);
      const error = (await send(request({ method: 'PATCH' })).catch(
        (e: unknown) => e,
      )) as ServiceError;
      expect(error).toBeInstanceOf(ServiceError);
      expect(error.message).toMatch(/changed since it was read \(HTTP 412.*800036/);
      expect(error.endsRun).toBe(false);
      expect(error.hint).toMatch(/not applied/);
    });

    it('turns a refused connection into one line naming the address and what to check', async () => {
      const { send, request } = alone(answerErrorsStep);
      const error = (await send(
        request({ url: new URL('https://127.0.0.1:9/v1/customers') }),
      ).catch((e: unknown) => e)) as ServiceError;
      expect(error.message).toMatch(
        /Could not complete GET \/v1\/customers at https:\/\/127\.0\.0\.1:9: the connection was refused/,
      );
      expect(error.hint).toMatch(/-ApiEndpoint/);
    });
  });

  describe('retry', () => {
    const unavailable = { status: 503, json: { code: 5000, description: 'busy' } };

    it('repeats a read until it is answered, counting attempts', async () => {
      suite.server.sequence(unavailable, { reset: true }, ok);
      const { send, request, verbose, clock } = alone(retryStep);
      const call = request();
      await expect(send(call)).resolves.toMatchObject({ status: 200 });
      expect(suite.server.received).toHaveLength(3);
      expect(call.attempt).toBe(3);
      expect(clock.sleeps).toHaveLength(2);
      expect(verbose.join('\n')).toMatch(/HTTP 503.*attempt 2 of 6/);
    });

    it('repeats a write the service makes idempotent, after a connection lost mid-answer', async () => {
      suite.server.sequence({ reset: true }, ok);
      const { send, request } = alone(retryStep);
      await send(
        request({ method: 'PATCH', body: Buffer.from('{"quantity":3}'), repeatable: true }),
      );
      expect(suite.server.received.map((r) => `${r.method} ${r.body}`)).toEqual([
        'PATCH {"quantity":3}',
        'PATCH {"quantity":3}',
      ]);
    });

    it('never sends again a write whose outcome is unknown and that no id makes safe', async () => {
      suite.server.sequence({ reset: true }, ok);
      const { send, request } = alone(retryStep, GRAPH_API);
      const error = (await send(
        request({ method: 'POST', body: Buffer.from('{}'), repeatable: false }),
      ).catch((e: unknown) => e)) as ServiceError;
      expect(suite.server.received).toHaveLength(1);
      expect(error).toBeInstanceOf(ServiceError);
      expect(error.message).toMatch(
        /POST \/v1\/customers\/c1 may or may not have reached Microsoft Graph .*not sent again/,
      );
      expect(error.reason).toBe('outcome unknown');
    });

    it('hands such a write its 5xx as the answer, but repeats it after a 429 (refused unread)', async () => {
      suite.server.sequence(unavailable);
      const once = alone(retryStep, GRAPH_API);
      await expect(
        once.send(once.request({ method: 'POST', repeatable: false })),
      ).resolves.toMatchObject({ status: 503 });
      expect(suite.server.received).toHaveLength(1);
      suite.server.reset();
      suite.server.sequence({ status: 429, headers: { 'Retry-After': '2' }, json: {} }, ok);
      const throttled = alone(retryStep, GRAPH_API);
      await expect(
        throttled.send(throttled.request({ method: 'POST', repeatable: false })),
      ).resolves.toMatchObject({ status: 200 });
      expect(suite.server.received).toHaveLength(2);
      expect(throttled.clock.sleeps[0]).toBeGreaterThanOrEqual(2_000);
    });

    it('leaves an answer that settles the call alone (404 is sent once)', async () => {
      suite.server.sequence({ status: 404, json: {} });
      const { send, request } = alone(retryStep);
      await expect(send(request())).resolves.toMatchObject({ status: 404 });
      expect(suite.server.received).toHaveLength(1);
    });
  });

  describe('decoding', () => {
    it('decodes a 2xx JSON body, leaves an empty 202 without a value, refuses what is not JSON', async () => {
      suite.server.sequence(ok, { status: 202, text: '' }, { status: 200, text: '<html>' });
      const { send, request } = alone(decodingStep);
      const decode = parseJsonBody;
      await expect(send(request({ decode }))).resolves.toMatchObject({ value: { id: 'c1' } });
      const accepted = await send(request({ decode }));
      expect(accepted.status).toBe(202);
      expect(accepted.value).toBeUndefined();
      await expect(send(request({ decode }))).rejects.toThrow(/with a body that is not JSON/);
    });
  });

  describe('authentication', () => {
    it('sends the bearer token, renews it once after a 401 and repeats the request', async () => {
      suite.server.sequence({ status: 401, json: { code: 400, description: 'Access denied' } }, ok);
      const tokens = recordingTokenProvider(opaqueTokens());
      const { send, request, verbose } = alone((c) => authenticationStep(c, tokens));
      const call = request();
      await expect(send(call)).resolves.toMatchObject({ status: 200 });
      expect(suite.server.received.map((r) => r.headers.authorization)).toEqual([
        'Bearer opaque-test-token-1',
        'Bearer opaque-test-token-2',
      ]);
      expect(tokens.forcedRefreshes).toBe(1);
      expect(call.attempt).toBe(1);
      expect(verbose.join('\n')).toMatch(/refused the access token \(HTTP 401\)/);
    });

    it('sends no token to another origin', async () => {
      suite.server.sequence(ok);
      const tokens = recordingTokenProvider(opaqueTokens());
      const { send, request } = alone((c) => ({
        ...authenticationStep({ ...c, root: new ApiRoot('https://elsewhere.example') }, tokens),
      }));
      await send(request());
      expect(suite.server.received[0].headers.authorization).toBeUndefined();
      expect(tokens.issued).toHaveLength(0);
    });
  });

  describe('throttle', () => {
    it("closes the gate for every request until a 429's Retry-After", async () => {
      suite.server.sequence({ status: 429, headers: { 'Retry-After': '3' }, json: {} }, ok);
      const clock = new ManualClock();
      const limiter = new RequestLimiter({ maxConcurrency: 4, clock });
      const { send, request } = alone(() => throttleStep(limiter));
      await expect(send(request())).resolves.toMatchObject({ status: 429 });
      await expect(send(request())).resolves.toMatchObject({ status: 200 });
      expect(clock.sleeps).toEqual([3_000]);
      expect(limiter.stats.throttled).toBe(1);
    });
  });

  describe('redirects', () => {
    it('follows a 307 with the same method and body, and a 303 as a GET without it', async () => {
      suite.server.sequence(
        { status: 307, headers: { Location: '/v1/moved' }, json: {} },
        { status: 303, headers: { Location: '/v1/result' }, json: {} },
        ok,
      );
      const { send, request, verbose } = alone(redirectsStep);
      const response = await send(
        request({
          method: 'POST',
          body: Buffer.from('{"a":1}'),
          headers: { 'Content-Type': 'application/json' },
        }),
      );
      expect(response.url.pathname).toBe('/v1/result');
      expect(suite.server.received.map((r) => `${r.method} ${r.url} ${r.body}`)).toEqual([
        'POST /v1/customers/c1 {"a":1}',
        'POST /v1/moved {"a":1}',
        'GET /v1/result ',
      ]);
      expect(verbose).toHaveLength(2);
    });

    it('refuses a redirect to plain HTTP on a public host', async () => {
      suite.server.sequence({
        status: 302,
        headers: { Location: 'http://example.com/x' },
        json: {},
      });
      const { send, request } = alone(redirectsStep);
      await expect(send(request())).rejects.toThrow(
        /not HTTPS \(http:\/\/example\.com\); it was not followed/,
      );
    });
  });

  describe('trace', () => {
    it('writes one line per exchange with its outcome, the token redacted', async () => {
      suite.server.sequence(ok);
      const lines: string[] = [];
      const { send, request } = alone(() => traceStep((line) => lines.push(line)));
      await send(request({ headers: { Authorization: 'Bearer secret-token-value' }, attempt: 1 }));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        /^GET https:\/\/127\.0\.0\.1:\d+\/v1\/customers\/c1 → 200 \(\d+ ms\) attempt 1/,
      );
      expect(lines[0]).not.toContain('secret-token-value');
    });
  });

  describe('the order', () => {
    it('is fixed, outermost first', async () => {
      const { clientFor } = suite;
      const { client } = clientFor();
      expect(client.steps).toEqual([
        'call-identity',
        'answer-errors',
        'retry',
        'decoding',
        'authentication',
        'throttle',
        'redirects',
        'trace',
      ]);
    });
  });
});

/**
 * What the write and export commands (issues 21 and 22) ask of the client, over real HTTPS on
 * 127.0.0.1 against a scripted server: a PATCH with the whole resource and If-Match, repeated
 * with the same MS-RequestId (the caller's, when it gives one); a 202 followed through Location
 * and Retry-After; Graph's operation resource polled to succeeded or failed, with progress and
 * cancellation; a POST to Graph never repeated after its outcome became unknown; a blob streamed
 * with backpressure and no size cap, resumed with Range after a cut.
 */
describe('writes, long operations and downloads on a scripted server', () => {
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
      expect((error as ServiceError).message).toMatch(
        /may or may not have reached Microsoft Graph/,
      );
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
    const blobUrl = () =>
      `${suite.server.origin}/container/part-00001.json.gz?sv=2021-08-06&sig=abc`;

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
      expect(verbose.join('\n')).toMatch(
        /was refused .*AuthenticationFailed.*asking for a new link/,
      );
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
      for (
        let seen = -1;
        still < 200;
        still = waitingForDrain && written === seen ? still + 1 : 0
      ) {
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
});

/**
 * The pipeline's writes, long operations and downloads against the emulator over real HTTPS, as
 * the commands of issues 21 and 22 will call them: a subscription PATCH with its etag and one
 * MS-RequestId (a repeat is the same write; a stale etag is refused, never retried), and a billed
 * reconciliation export started, followed to its end, its manifest read and every blob streamed
 * through gunzip, resumed after a cut, with the line count the invoice has.
 */
describe('writes, long operations and downloads on the emulator', () => {
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

    it(
      'sends the read resource back changed, with If-Match; a ' +
        'repeat of its MS-RequestId changes nothing',
      async () => {
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
      },
    );

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
          await client.exchange<Json>(
            new URL(done.value?.['resourceLocation@odata.navigationLink']),
          )
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
        // before the first half leaves the server; the scripted server of the cases above
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
        ).rejects.toThrow(
          /the billed reconciliation export failed: No data available \(code 5000\)/,
        );
      } finally {
        client.close();
      }
    });
  });
});
