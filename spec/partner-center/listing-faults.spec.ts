/**
 * Listings that survive the emulator's scripted faults (issue 5): throttling, resets before and
 * in the middle of a body, 5xx, an answer slower than the timeout, access tokens revoked mid-run.
 * The proof is always the same: the ids written equal the emulator's set, none lost, none twice.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { StartedEmulator } from '../../lib/emulator/index.js';
import { startEmulator } from '../support/emulator.js';
import { ServiceError } from '../../lib/common/errors.js';
import type { ClientOptions, PartnerCenterClient } from '../../lib/partner-center/client.js';
import { listCustomers } from '../../lib/partner-center/customers.js';
import { emulatorClient } from './fixtures/emulator-client.js';

let emulator: StartedEmulator;
const clients: PartnerCenterClient[] = [];

beforeAll(async () => {
  emulator = await startEmulator({ customers: 1234, seed: 3 });
});
afterEach(() => {
  while (clients.length) clients.pop()!.close();
  emulator.setFaults({});
  emulator.resetCounters();
});
afterAll(() => emulator.close());

function newClient(overrides: Partial<ClientOptions> = {}) {
  const made = emulatorClient(emulator, overrides);
  clients.push(made.client);
  return made;
}

async function allIds(client: PartnerCenterClient, pageSize: number) {
  const ids: string[] = [];
  for await (const page of listCustomers(client, { pageSize }))
    ids.push(...page.items.map((c) => c.value.id));
  return ids;
}

const expectedIds = () => emulator.customers.map((c) => c.id as string);
const listingRequests = () => emulator.counters().requests['GET /v1/customers'] ?? 0;

describe('a listing under a mixed fault schedule', () => {
  it('writes every customer exactly once', async () => {
    emulator.setFaults({
      rules: [
        { every: 5, action: { type: 'throttle', retryAfterSeconds: 0 } },
        { at: 3, action: { type: 'reset', when: 'mid-body' } },
        { at: 7, action: { type: 'reset', when: 'before-headers' } },
        { at: 8, action: { type: 'reset', when: 'before-body' } },
        { at: 9, action: { type: 'status', status: 503 } },
        { at: 11, action: { type: 'delay', ms: 1_500 } },
        { at: 13, action: { type: 'expire-tokens' } },
        { at: 17, action: { type: 'status', status: 502 } },
      ],
    });
    const correlationId = randomUUID();
    const { client, verbose, tokens } = newClient({
      correlationId,
      retry: { requestTimeoutMs: 300 },
    });
    const ids = await allIds(client, 100);
    expect(ids).toEqual(expectedIds());
    expect(emulator.counters().faultsInjected).toBeGreaterThanOrEqual(10);
    expect(tokens.forcedRefreshes).toBe(1);
    expect(verbose.some((line) => /Throttled/.test(line))).toBe(true);
    expect(verbose.some((line) => /renewing it/.test(line))).toBe(true);
    // Each page (one logical call) kept its MS-RequestId across its retries: as many ids as pages.
    const seen = emulator
      .recentRequests(100)
      .filter((r) => r.headers['ms-correlationid'] === correlationId);
    expect(new Set(seen.map((r) => r.headers['ms-requestid'])).size).toBe(Math.ceil(1234 / 100));
  });

  it(
    'gives up on a page that keeps failing, saying how many attempts and the ' + 'last status',
    async () => {
      emulator.setFaults({ rules: [{ after: 2, action: { type: 'status', status: 503 } }] });
      const { client } = newClient({ retry: { maxAttempts: 4 } });
      const written: string[] = [];
      let resumeToken: string | undefined;
      const error = await (async () => {
        for await (const page of listCustomers(client, { pageSize: 100 })) {
          written.push(...page.items.map((c) => c.value.id));
          resumeToken = page.continuationToken;
        }
      })().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ServiceError);
      expect((error as ServiceError).message).toMatch(
        /^GET \/v1\/customers\?size=100&seekOperation=Next failed after 4 attempts; last problem: HTTP 503 Service Unavailable, code \d+: [^.]+\.$/,
      );
      expect((error as ServiceError).status).toBe(503);
      expect(written).toEqual(expectedIds().slice(0, 200));

      // The run that resumes from the last written page's token completes the set.
      emulator.setFaults({});
      const { client: resumed } = newClient();
      const rest: string[] = [];
      for await (const page of listCustomers(resumed, {
        pageSize: 100,
        continuationToken: resumeToken,
      }))
        rest.push(...page.items.map((c) => c.value.id));
      expect([...written, ...rest]).toEqual(expectedIds());
    },
  );

  it(
    'reports continuation tokens invalidated mid-listing as no longer ' +
      'accepted, after the pages already handed out',
    async () => {
      emulator.setFaults({
        rules: [{ at: 3, action: { type: 'invalidate-continuation-tokens' } }],
      });
      const { client } = newClient();
      const written: string[] = [];
      const error = await (async () => {
        for await (const page of listCustomers(client, { pageSize: 100 }))
          written.push(...page.items.map((c) => c.value.id));
      })().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ServiceError);
      expect((error as ServiceError).message).toMatch(
        /^Partner Center no longer accepts the continuation token \(HTTP 400/,
      );
      expect(written).toEqual(expectedIds().slice(0, 200));
    },
  );
});

describe('pacing', () => {
  it(
    'keeps exactly one page in flight ahead of a slow consumer (emulator ' + 'request counter)',
    async () => {
      const { client } = newClient();
      for await (const page of listCustomers(client, { pageSize: 100 })) {
        const total = Math.ceil(1234 / 100);
        const ahead = Math.min(page.pageNumber + 1, total);
        while (listingRequests() < ahead) await new Promise((resolve) => setTimeout(resolve, 2));
        await new Promise((resolve) => setTimeout(resolve, 20));
        expect(listingRequests()).toBe(ahead);
      }
      expect(client.stats.connections).toBe(1);
    },
  );
});
