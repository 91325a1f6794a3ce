/**
 * Each step of the client's pipeline alone (lib/partner-center/pipeline/): the step under test and
 * the real transport, nothing else, against a loopback HTTPS server that answers as scripted. What
 * a step does is proven here; that they work together is proven by the client's specs (retry,
 * listing, pipeline-writes).
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { NotFoundError, ServiceError } from '../../lib/common/errors.js';
import { PARTNER_CENTER_API } from '../../lib/partner-center/api-dialect.js';
import { ApiRoot } from '../../lib/partner-center/api-url.js';
import { GRAPH_API } from '../../lib/partner-center/graph-api.js';
import { parseJsonBody } from '../../lib/json/collection-scanner.js';
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
import { resolveRetryOptions } from '../../lib/partner-center/retry-policy.js';
import { Connections } from '../../lib/partner-center/transport.js';
import { ManualClock } from '../support/manual-clock.js';
import { useFaultServer } from './fixtures/fault-server-suite.js';
import { opaqueTokens, recordingTokenProvider } from './fixtures/token-provider.js';

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
    const error = (await send(request({ url: new URL('https://127.0.0.1:9/v1/customers') })).catch(
      (e: unknown) => e,
    )) as ServiceError;
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
    await send(request({ method: 'PATCH', body: Buffer.from('{"quantity":3}'), repeatable: true }));
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
    suite.server.sequence({ status: 302, headers: { Location: 'http://example.com/x' }, json: {} });
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
