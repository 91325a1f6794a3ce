/**
 * OData paging on the listing layer, against the emulator's Graph over real HTTPS: a listing of
 * GDAP relationships through listResumably (the fixture cmdlet in ./fixtures), past 300 items,
 * with -First stopping early, $filter/$select, resume files and resume advice, a refused skip
 * token, client-request-id kept across retries and Graph's errors as one line. (A national cloud's
 * context lists its own Graph: spec/graph/gdap-clouds.spec.ts.)
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCmdletServices } from '../../lib/cmdlet-support/services.js';
import { ServiceError } from '../../lib/common/errors.js';
import { ApiRoot } from '../../lib/partner-center/api-url.js';
import { ExactUrl, requestTargetOf } from '../../lib/partner-center/exact-url.js';
import { nextLinkRequest } from '../../lib/partner-center/graph-api.js';
import { runInProcess } from '../fixtures/host/run-in-process.js';
import { emulatedPartner, type EmulatedPartner } from '../support/emulated-partner.js';
import { ManualClock } from '../support/manual-clock.js';
import { parseNdjson } from '../support/ndjson.js';
import { listRelationships } from './fixtures/relationship-listing.js';

const LIST_ROUTE = 'GET /v1.0/tenantRelationships/delegatedAdminRelationships';

let partner: EmulatedPartner;
let expected: string[];
let scratch: string;
beforeAll(async () => {
  partner = await emulatedPartner({ customers: 600, seed: 11 });
  expected = [...partner.emulator.dataset.relationships()].map((r) => r.id as string);
  scratch = mkdtempSync(join(tmpdir(), 'odata-listing-'));
});
afterAll(async () => {
  rmSync(scratch, { recursive: true, force: true });
  await partner.dispose();
});
beforeEach(() => {
  partner.emulator.setFaults({});
  partner.emulator.resetCounters();
});

const list = (args: string[] = [], env: NodeJS.ProcessEnv = {}) =>
  runInProcess(listRelationships, args, { env: { ...partner.env, ...env } });

/** The Graph listing requests the emulator saw since the counters were reset. */
function graphRequests() {
  return partner.emulator.recentRequests(1000).filter((request) => request.route === LIST_ROUTE);
}

describe('an OData listing', () => {
  it('has more than 300 relationships to page through (the data set this spec relies on)', () => {
    expect(expected.length).toBeGreaterThan(600);
    expect(new Set(expected).size).toBe(expected.length);
  });

  it('lists every relationship once, in order, $top=300 pages, each next link sent exactly as given', async () => {
    const result = await list();
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(parseNdjson(result.stdout).map((r) => r.id)).toEqual(expected);
    const requests = graphRequests();
    expect(requests).toHaveLength(Math.ceil(expected.length / 300));
    expect(requests[0]!.url).toBe('/v1.0/tenantRelationships/delegatedAdminRelationships?$top=300');
    // Every later request is the previous page's @odata.nextLink, byte for byte.
    for (const request of requests.slice(1)) expect(request.url).toMatch(/[?&]\$skipToken=/);
    expect(requests.every((r) => r.headers.accept === 'application/json')).toBe(true);
    expect(requests.every((r) => r.headers['ms-correlationid'] === undefined)).toBe(true);
  });

  it('-First stops early: no page is requested after the limit is reached', async () => {
    const first5 = await list(['-First', '5']);
    expect(parseNdjson(first5.stdout).map((r) => r.id)).toEqual(expected.slice(0, 5));
    expect(graphRequests().map((r) => r.url)).toEqual([
      '/v1.0/tenantRelationships/delegatedAdminRelationships?$top=5',
    ]);
    partner.emulator.resetCounters();
    const first350 = await list(['-First', '350']);
    expect(first350.code).toBe(0);
    expect(parseNdjson(first350.stdout).map((r) => r.id)).toEqual(expected.slice(0, 350));
    expect(graphRequests()).toHaveLength(2);
  });

  it('sends $filter and $select, and the next links keep them', async () => {
    const result = await list([
      '-Filter',
      "status eq 'active'",
      '-Select',
      'id,status',
      '-PageSize',
      '50',
    ]);
    expect(result.stderr).toBe('');
    const items = parseNdjson(result.stdout);
    const active = [...partner.emulator.dataset.relationships()].filter(
      (r) => r.status === 'active',
    );
    expect(items.map((r) => r.id)).toEqual(active.map((r) => r.id));
    expect(items.every((r) => r.status === 'active')).toBe(true);
    expect(
      new Set(items.flatMap((r) => Object.keys(r).filter((key) => !key.startsWith('@')))),
    ).toEqual(new Set(['id', 'status']));
    const [first, ...later] = graphRequests();
    expect(first!.url).toBe(
      '/v1.0/tenantRelationships/delegatedAdminRelationships' +
        '?$top=50&$filter=status%20eq%20%27active%27&$select=id,status',
    );
    expect(later.length).toBeGreaterThan(0);
    // The emulator writes the filter's quotes unencoded in its next links; the URL parser would
    // have sent them as %27. They arrive as written: the link was sent exactly as given.
    for (const request of later) {
      expect(request.url).toContain("$filter=status%20eq%20'active'");
      expect(request.url).toMatch(/[?&]\$skipToken=/);
    }
  });

  it('keeps one client-request-id per call across its retries, a new one per call', async () => {
    partner.emulator.setFaults({
      rules: [{ after: 1, times: 2, action: { type: 'status', status: 503 } }],
    });
    const clock = new ManualClock();
    const result = await runInProcess(listRelationships, ['-First', '600'], {
      env: partner.env,
      services: (run) => createCmdletServices({ ...run, clock }),
    });
    expect(result.stderr).toBe('');
    expect(parseNdjson(result.stdout)).toHaveLength(600);
    const requests = graphRequests();
    expect(requests.map((r) => r.status)).toEqual([200, 503, 503, 200]);
    const ids = requests.map((r) => r.headers['client-request-id']);
    expect(ids.every((id) => /^[0-9a-f-]{36}$/.test(id!))).toBe(true);
    expect(ids[1]).toBe(ids[2]);
    expect(ids[2]).toBe(ids[3]);
    expect(ids[0]).not.toBe(ids[1]);
    // The two waits before the repeats, on the run's clock.
    expect(clock.sleeps).toHaveLength(2);
  });

  it("turns Graph's error body into one line with its code, message and request-id", async () => {
    const result = await list(['-Filter', "nosuchproperty eq 'x'"]);
    expect(result.code).toBe(5);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^Get-FixtureGdapRelationship: Microsoft Graph rejected GET \/v1\.0\/tenantRelationships\/delegatedAdminRelationships\?\S+ as invalid \(HTTP 400[^,]*, code \w+: .+\)\./,
    );
    expect(lines[0]).toMatch(
      /request-id [0-9a-f-]{36} \(date [^)]+\) and client-request-id [0-9a-f-]{36}\.$/,
    );
    const served = graphRequests()[0]!;
    expect(served.status).toBe(400);
    expect(lines[0]).toContain(`client-request-id ${served.headers['client-request-id']}.`);
    expect(lines[0]).not.toMatch(/Partner Center/);
  });

  it('stops with resume advice, and -ResumeFile continues with the next relationship', async () => {
    const file = join(scratch, 'relationships.resume');
    partner.emulator.setFaults({
      rules: [{ at: 3, times: 10, action: { type: 'status', status: 503 } }],
    });
    const stopped = await list(['-ResumeFile', file, '-MaxRetry', '0']);
    expect(stopped.code).toBe(5);
    expect(stopped.stderr).toMatch(
      /^Get-FixtureGdapRelationship: GET \/v1\.0\/\S+ to Microsoft Graph failed after 1 attempt; /,
    );
    expect(stopped.stderr).toMatch(/600 relationships were written; .* keeps the position/);
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    expect(saved.kind).toBe('PartnerCenter.GdapRelationshipListing.Resume');
    expect(saved.position.continuationToken).toMatch(
      /^https:\/\/127\.0\.0\.1:\d+\/v1\.0\/.*\$skipToken=/,
    );
    partner.emulator.setFaults({});
    const resumed = await list(['-ResumeFile', file]);
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(
      [...parseNdjson(stopped.stdout), ...parseNdjson(resumed.stdout)].map((r) => r.id),
    ).toEqual(expected);
  });

  it('prints the next link as -ContinuationToken without a resume file, and resumes from it', async () => {
    partner.emulator.setFaults({
      rules: [{ at: 2, times: 10, action: { type: 'status', status: 503 } }],
    });
    const stopped = await list(['-MaxRetry', '0']);
    expect(stopped.code).toBe(5);
    const advice = /-ContinuationToken '([^']+)'/.exec(stopped.stderr);
    expect(advice).not.toBeNull();
    partner.emulator.setFaults({});
    const resumed = await list(['-ContinuationToken', advice![1]!]);
    expect(resumed.stderr).toBe('');
    expect(
      [...parseNdjson(stopped.stdout), ...parseNdjson(resumed.stdout)].map((r) => r.id),
    ).toEqual(expected);
  });

  it('refuses a -ContinuationToken that is not a next link of this Graph', async () => {
    for (const token of ['abc', 'https://graph.example.org/v1.0/x?$skipToken=1']) {
      const result = await list(['-ContinuationToken', token]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        /^Get-FixtureGdapRelationship: -ContinuationToken .*next ?link/i,
      );
    }
    expect(graphRequests()).toHaveLength(0);
  });

  it('lists again from the start and skips what was written when the saved skip token is refused', async () => {
    const file = join(scratch, 'refused.resume');
    partner.emulator.setFaults({
      rules: [{ at: 2, times: 10, action: { type: 'status', status: 503 } }],
    });
    const stopped = await list(['-ResumeFile', file, '-MaxRetry', '0']);
    expect(stopped.code).toBe(5);
    partner.emulator.setFaults({
      rules: [{ at: 1, action: { type: 'invalidate-continuation-tokens' } }],
    });
    const resumed = await list(['-ResumeFile', file]);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toMatch(
      /Microsoft Graph no longer accepts the next link kept in .*listing again from the start and skipping the 300 relationship/,
    );
    expect(
      [...parseNdjson(stopped.stdout), ...parseNdjson(resumed.stdout)].map((r) => r.id),
    ).toEqual(expected);
  });
});

describe('next links', () => {
  const root = new ApiRoot('https://127.0.0.1:8443', {
    versionSegment: '/v1.0',
    service: 'Microsoft Graph',
    endpointParameter: '-GraphEndpoint',
  });

  it('are sent as written, quotes and all, to their own origin', () => {
    const link = "https://127.0.0.1:8443/v1.0/x?$filter=status%20eq%20'active'&$skipToken=a%2Bb";
    const request = nextLinkRequest(root, link, 'service');
    expect(request.url).toBeInstanceOf(ExactUrl);
    expect(requestTargetOf(request.url)).toBe(
      "/v1.0/x?$filter=status%20eq%20'active'&$skipToken=a%2Bb",
    );
    expect(request.continuationToken).toBe('service');
  });

  it('to another host, or relative, are refused (the token never leaves the endpoint)', () => {
    for (const link of ['https://graph.example.org/v1.0/x?$skipToken=1', '/v1.0/x?$skipToken=1']) {
      const thrown = (() => {
        try {
          nextLinkRequest(root, link, 'service');
        } catch (error) {
          return error as Error;
        }
        return undefined;
      })();
      expect(thrown).toBeInstanceOf(ServiceError);
      expect(thrown!.message).toMatch(
        /^Microsoft Graph returned a next link that .*; it was not followed\.$/,
      );
    }
  });
});
