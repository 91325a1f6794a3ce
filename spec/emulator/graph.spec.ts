/**
 * Microsoft Graph on the emulator over real HTTPS: its answers and errors, what Graph documents
 * for the GDAP lists, and the GDAP collections' paging and data. Each part keeps its own emulator
 * and hooks, in its own describe.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import https from 'node:https';
import { promisify } from 'node:util';
import {
  GDAP_CUSTOMER_KINDS,
  GLOBAL_ADMINISTRATOR_ROLE_ID,
  RELATIONSHIP_STATUSES,
  type StartedEmulator,
} from '../../lib/emulator/index.js';
import { startEmulator } from '../support/emulator.js';
import { appToken, graph, GRAPH, listGraph, RELATIONSHIPS } from './graph-support.js';
import { request, requestUrl, type Response } from './support.js';

/**
 * Graph's answers on the emulator: `request-id` and `client-request-id` on every response, Graph's
 * error body on every failure (a path with no resource, a wrong method, faults the script injects:
 * 429 with Retry-After, 5xx, broken connections, expired tokens), the fault script's `api` target
 * counting Graph and Partner Center requests together, and a client that is neither ours nor Node's
 * (curl) reading the listing.
 */
describe("Graph's answers and errors", () => {
  const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
  let emulator: StartedEmulator;
  let token: string;

  beforeAll(async () => {
    emulator = await startEmulator({ customers: 120, now: '2026-12-01T00:00:00Z' });
    token = await appToken(emulator, GRAPH);
  });
  afterEach(() => emulator.setFaults({}));
  afterAll(() => emulator?.close());

  /** Graph's error body, its ids matching the response's headers. */
  function expectGraphError(response: Response, status: number, code: string): void {
    expect(response.status).toBe(status);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.json).toEqual({
      error: {
        code,
        message: expect.any(String),
        innerError: {
          date: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/),
          'request-id': response.headers['request-id'],
          'client-request-id': response.headers['client-request-id'],
        },
      },
    });
    expect(response.headers['request-id']).toMatch(GUID);
  }

  describe('request ids', () => {
    it('answers a request-id, and echoes client-request-id, on successes and failures', async () => {
      const ok = await graph(emulator, RELATIONSHIPS, {
        token,
        headers: { 'client-request-id': 'my-id-1' },
      });
      expect(ok.status).toBe(200);
      expect(ok.headers['request-id']).toMatch(GUID);
      expect(ok.headers['client-request-id']).toBe('my-id-1');
      const failed = await graph(emulator, `${RELATIONSHIPS}?$top=0`, {
        token,
        headers: { 'client-request-id': 'my-id-2' },
      });
      expectGraphError(failed, 400, 'BadRequest');
      expect(failed.json.error.innerError['client-request-id']).toBe('my-id-2');
      // Without one, Graph's own id stands in for it; every request gets a new one.
      const [a, b] = [
        await graph(emulator, RELATIONSHIPS, { token }),
        await graph(emulator, RELATIONSHIPS, { token }),
      ];
      expect(a.headers['client-request-id']).toBe(a.headers['request-id']);
      expect(a.headers['request-id']).not.toBe(b.headers['request-id']);
      // Partner Center's MS-* headers stay Partner Center's.
      expect(a.headers['ms-requestid']).toBeUndefined();
    });
  });

  describe('paths and methods Graph has no answer for', () => {
    it('answers a path with no resource and a wrong method in Graph error shape', async () => {
      const unknown = await graph(emulator, '/v1.0/tenantRelationships/nothingHere', { token });
      expectGraphError(unknown, 400, 'BadRequest');
      expect(unknown.json.error.message).toBe("Resource not found for the segment 'nothingHere'.");
      const post = await graph(emulator, RELATIONSHIPS, { token, method: 'POST', body: '{}' });
      expectGraphError(post, 405, 'Request_BadRequest');
      expect(post.headers.allow).toBe('GET');
    });
  });

  describe('faults through the same script as Partner Center', () => {
    it('injects 429 with Retry-After, and 5xx, in Graph error shape', async () => {
      emulator.setFaults({
        rules: [
          { at: 1, action: { type: 'throttle', retryAfterSeconds: 7 } },
          { at: 2, action: { type: 'status', status: 503, retryAfterSeconds: 3 } },
          { at: 3, action: { type: 'status', status: 500 } },
          { at: 4, action: { type: 'status', status: 504 } },
        ],
      });
      const throttled = await graph(emulator, RELATIONSHIPS, {
        token,
        headers: { 'client-request-id': 'r1' },
      });
      expectGraphError(throttled, 429, 'TooManyRequests');
      expect(throttled.headers['retry-after']).toBe('7');
      expect(throttled.headers['client-request-id']).toBe('r1');
      const unavailable = await graph(emulator, RELATIONSHIPS, { token });
      expectGraphError(unavailable, 503, 'ServiceNotAvailable');
      expect(unavailable.headers['retry-after']).toBe('3');
      expectGraphError(await graph(emulator, RELATIONSHIPS, { token }), 500, 'InternalServerError');
      expectGraphError(await graph(emulator, RELATIONSHIPS, { token }), 504, 'GatewayTimeout');
      expect((await graph(emulator, RELATIONSHIPS, { token })).status).toBe(200);
      expect(emulator.counters().faultsInjected).toBeGreaterThanOrEqual(4);
    });

    it("counts Graph and Partner Center requests together under the 'api' target", async () => {
      const partnerCenterToken = emulator.issueAccessToken();
      emulator.setFaults({
        rules: [{ every: 2, times: 2, action: { type: 'status', status: 503 } }],
      });
      const first = await request(emulator, '/v1/customers?size=5', { token: partnerCenterToken });
      const second = await graph(emulator, RELATIONSHIPS, { token });
      const third = await graph(emulator, RELATIONSHIPS, { token });
      const fourth = await request(emulator, '/v1/customers?size=5', { token: partnerCenterToken });
      expect([first.status, second.status, third.status, fourth.status]).toEqual([
        200, 503, 200, 503,
      ]);
      expect(second.json.error.code).toBe('ServiceNotAvailable');
      expect(fourth.json).toMatchObject({ source: 'PartnerFD' });
    });

    it('expires tokens and breaks connections on Graph requests too', async () => {
      emulator.setFaults({
        rules: [
          { at: 1, action: { type: 'reset', when: 'before-headers' } },
          { at: 2, action: { type: 'expire-tokens' } },
        ],
      });
      const broken = await new Promise<string>((resolve) => {
        https
          .get(
            `${emulator.graphEndpoint}${RELATIONSHIPS}`,
            {
              ca: emulator.caCertificate,
              agent: false,
              headers: { Authorization: `Bearer ${token}` },
            },
            () => resolve('answered'),
          )
          .on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      });
      expect(broken).toBe('ECONNRESET');
      const expired = await graph(emulator, RELATIONSHIPS, { token });
      expectGraphError(expired, 401, 'InvalidAuthenticationToken');
      expect(expired.json.error.message).toContain('revoked');
      token = await appToken(emulator, GRAPH);
    });

    it('counts Graph requests by route', async () => {
      emulator.resetCounters();
      const [relationship] = emulator.dataset.relationshipsOf(emulator.dataset.idOf(1));
      await graph(emulator, RELATIONSHIPS, { token });
      await graph(emulator, `${RELATIONSHIPS}/${relationship?.id ?? 'x'}`, { token });
      expect(emulator.counters().requests).toMatchObject({
        'GET /v1.0/tenantRelationships/delegatedAdminRelationships': 1,
        'GET /v1.0/tenantRelationships/delegatedAdminRelationships/{id}': 1,
      });
      const recorded = emulator.recentRequests(1)[0];
      expect(recorded.headers.authorization).toBe('Bearer <redacted>');
    });
  });

  describe('any client', () => {
    it('serves curl the first page and the page its @odata.nextLink names', async () => {
      const run = promisify(execFile);
      const curl = async (url: string) => {
        const { stdout } = await run('curl', [
          '--silent',
          '--show-error',
          '--cacert',
          emulator.caCertificatePath ?? '',
          '-H',
          `Authorization: Bearer ${token}`,
          url,
        ]);
        return JSON.parse(stdout);
      };
      const first = await curl(`${emulator.graphEndpoint}${RELATIONSHIPS}?$top=4`);
      const second = await curl(first['@odata.nextLink']);
      const expected = [...emulator.dataset.relationships()].slice(0, 8);
      expect([...first.value, ...second.value]).toEqual(expected);
    });
  });
});

/**
 * What Microsoft Graph documents for the GDAP lists and the emulator once lacked
 * (docs/graph-gdap.md, "Query options" and "What the emulator does"): `$count=true` and
 * `@odata.count`, `$orderby` on the documented property and Graph's refusal of any other,
 * `OData-Version` on every answer, and a relationship's requests (list and one).
 */
describe('what Graph documents for the GDAP lists', () => {
  const ASSIGNMENT_STATUS_ORDER = ['pending', 'active', 'deleting', 'deleted', 'error'];
  const REQUEST_ACTIONS = ['lockForApproval', 'approve', 'terminate', 'reject'];
  const REQUEST_STATUSES = ['created', 'pending', 'succeeded', 'failed'];
  const REQUEST_PROPERTIES = [
    '@odata.type',
    '@odata.etag',
    'id',
    'action',
    'status',
    'createdDateTime',
    'lastModifiedDateTime',
  ];

  let emulator: StartedEmulator;
  let token: string;
  let every: any[];

  beforeAll(async () => {
    emulator = await startEmulator({ customers: 400, now: '2026-12-01T00:00:00Z' });
    token = await appToken(emulator, GRAPH);
    every = JSON.parse(JSON.stringify([...emulator.dataset.relationships()]));
  });
  afterAll(() => emulator?.close());

  /** A stable sort by the position of `key(item)` in `order`; values outside it last. */
  function sortedBy<T>(
    items: T[],
    key: (item: T) => string,
    order: readonly string[],
    desc = false,
  ) {
    const rank = (item: T) => {
      const at = order.indexOf(key(item));
      return at < 0 ? order.length : at;
    };
    return items
      .map((item, position) => ({ item, position }))
      .sort(
        (a, b) =>
          (desc ? rank(b.item) - rank(a.item) : rank(a.item) - rank(b.item)) ||
          a.position - b.position,
      )
      .map(({ item }) => item);
  }

  function expectGraphError(response: { status: number; json: any }, status: number, code: string) {
    expect(response.status).toBe(status);
    expect(response.json.error).toMatchObject({
      code,
      message: expect.any(String),
      innerError: { 'request-id': expect.any(String), 'client-request-id': expect.any(String) },
    });
  }

  /** A relationship of the data set whose status is one of these, and that has access assignments. */
  function relationshipWith(statuses: readonly string[], withAssignments = false): any {
    const found = every.find(
      (relationship) =>
        statuses.includes(relationship.status) &&
        (!withAssignments || emulator.dataset.accessAssignmentsOf(relationship.id).length > 1),
    );
    if (!found) throw new Error(`no relationship with status ${statuses.join('|')}`);
    return found;
  }

  describe('$count', () => {
    it('adds @odata.count, every match of the filter, on every page; the next link keeps it', async () => {
      const listing = await listGraph(emulator, token, `${RELATIONSHIPS}?$count=true&$top=100`);
      expect(listing.items).toEqual(every);
      expect(listing.pages.length).toBeGreaterThan(2);
      for (const page of listing.pages) expect(page.json['@odata.count']).toBe(every.length);
      for (const page of listing.pages.slice(0, -1))
        expect(new URL(page.json['@odata.nextLink']).searchParams.get('$count')).toBe('true');
      const active = every.filter((relationship) => relationship.status === 'active');
      const filtered = await graph(
        emulator,
        `${RELATIONSHIPS}?$count=true&$top=5&$filter=${encodeURIComponent("status eq 'active'")}`,
        { token },
      );
      expect(filtered.json['@odata.count']).toBe(active.length);
      expect(filtered.json.value).toEqual(active.slice(0, 5));
    });

    it('counts a relationship’s access assignments; false is none; anything else is a 400', async () => {
      const relationship = relationshipWith(['active'], true);
      const expected = emulator.dataset.accessAssignmentsOf(relationship.id);
      const counted = await graph(
        emulator,
        `${RELATIONSHIPS}/${relationship.id}/accessAssignments?$count=true`,
        { token },
      );
      expect(counted.json['@odata.count']).toBe(expected.length);
      expect(counted.json.value).toEqual(JSON.parse(JSON.stringify(expected)));
      const none = await graph(emulator, `${RELATIONSHIPS}?$count=false&$top=1`, { token });
      expect(none.status).toBe(200);
      expect(none.json).not.toHaveProperty('@odata.count');
      expectGraphError(
        await graph(emulator, `${RELATIONSHIPS}?$count=maybe`, { token }),
        400,
        'BadRequest',
      );
    });
  });

  describe('the $count segment', () => {
    it('answers the number of matches as plain text, for each collection, with $filter', async () => {
      const plain = await graph(emulator, `${RELATIONSHIPS}/$count`, { token });
      expect(plain.status).toBe(200);
      expect(plain.headers['content-type']).toMatch(/^text\/plain/);
      expect(plain.text).toBe(String(every.length));
      const filter = encodeURIComponent("status eq 'expired'");
      const expired = await graph(emulator, `${RELATIONSHIPS}/$count?$filter=${filter}`, { token });
      expect(expired.text).toBe(String(every.filter((item) => item.status === 'expired').length));
      const relationship = relationshipWith(['terminated'], true);
      const assignments = await graph(
        emulator,
        `${RELATIONSHIPS}/${relationship.id}/accessAssignments/$count`,
        { token },
      );
      expect(assignments.text).toBe(
        String(emulator.dataset.accessAssignmentsOf(relationship.id).length),
      );
      const requests = await graph(
        emulator,
        `${RELATIONSHIPS}/${relationship.id}/requests/$count`,
        {
          token,
        },
      );
      expect(requests.text).toBe(
        String(emulator.dataset.relationshipRequestsOf(relationship.id).length),
      );
      expectGraphError(
        await graph(emulator, `${RELATIONSHIPS}/$count?$top=1`, { token }),
        400,
        'BadRequest',
      );
    });
  });

  describe('$orderby', () => {
    it.each([
      ['status', false],
      ['Status DESC', true],
    ])(
      '$orderby=%s lists every relationship once, by the documented status order',
      async (order, desc) => {
        const listing = await listGraph(
          emulator,
          token,
          `${RELATIONSHIPS}?$orderby=${encodeURIComponent(order)}&$top=100`,
        );
        expect(listing.pages.length).toBeGreaterThan(2);
        const expected = sortedBy(every, (item) => item.status, RELATIONSHIP_STATUSES, desc);
        expect(listing.items.map((item) => item.id)).toEqual(expected.map((item) => item.id));
        expect(listing.items).toEqual(expected);
        for (const page of listing.pages.slice(0, -1))
          expect(new URL(page.json['@odata.nextLink']).searchParams.get('$orderby')).toBe(order);
      },
    );

    it('orders within a $filter, and counts alongside', async () => {
      const filter = "status in ('terminated', 'active', 'expired')";
      const listing = await listGraph(
        emulator,
        token,
        `${RELATIONSHIPS}?$orderby=status desc&$filter=${encodeURIComponent(filter)}&$count=true&$top=100`,
      );
      const kept = every.filter((item) =>
        ['terminated', 'active', 'expired'].includes(item.status),
      );
      expect(listing.items).toEqual(
        sortedBy(kept, (item) => item.status, RELATIONSHIP_STATUSES, true),
      );
      expect(listing.pages[0].json['@odata.count']).toBe(kept.length);
    });

    it('orders access assignments by their enumeration’s member order', async () => {
      const relationship = relationshipWith(['active'], true);
      const expected = JSON.parse(
        JSON.stringify(emulator.dataset.accessAssignmentsOf(relationship.id)),
      );
      const path = `${RELATIONSHIPS}/${relationship.id}/accessAssignments`;
      for (const desc of [false, true]) {
        const sorted = await graph(emulator, `${path}?$orderby=status${desc ? ' desc' : ''}`, {
          token,
        });
        expect(sorted.json.value).toEqual(
          sortedBy(expected, (item: any) => item.status, ASSIGNMENT_STATUS_ORDER, desc),
        );
      }
    });

    it('refuses a property it cannot sort by with Graph’s error body, naming what can be', async () => {
      for (const order of ['displayName', 'createdDateTime desc', 'status sideways', 'status,id']) {
        const refused = await graph(
          emulator,
          `${RELATIONSHIPS}?$orderby=${encodeURIComponent(order)}`,
          {
            token,
          },
        );
        expectGraphError(refused, 400, 'Request_UnsupportedQuery');
        expect(refused.json.error.message).toContain('status');
      }
    });

    it('binds the skip token to its $orderby, as to its $filter', async () => {
      const first = await graph(emulator, `${RELATIONSHIPS}?$orderby=status&$top=10`, { token });
      const next = new URL(first.json['@odata.nextLink']);
      next.searchParams.set('$orderby', 'status desc');
      expectGraphError(await requestUrl(emulator, next.toString(), { token }), 400, 'BadRequest');
    });
  });

  describe('OData-Version', () => {
    it('is 4.0 on every Graph answer: lists, one item, requests and errors', async () => {
      const relationship = relationshipWith(['active']);
      const answers = [
        await graph(emulator, `${RELATIONSHIPS}?$top=1`, { token }),
        await graph(emulator, `${RELATIONSHIPS}/${relationship.id}`, { token }),
        await graph(emulator, `${RELATIONSHIPS}/${relationship.id}/requests`, { token }),
        await graph(emulator, `${RELATIONSHIPS}/no-such-relationship`, { token }),
        await graph(emulator, RELATIONSHIPS),
        await graph(emulator, '/v1.0/no/such/segment', { token }),
      ];
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 404, 401, 400]);
      for (const answer of answers) expect(answer.headers['odata-version']).toBe('4.0');
    });

    it('is not on Partner Center answers', async () => {
      const partnerCenter = await requestUrl(emulator, `${emulator.apiEndpoint}/v1/customers`);
      expect(partnerCenter.status).toBe(401);
      expect(partnerCenter.headers['odata-version']).toBeUndefined();
    });
  });

  describe('a relationship’s requests', () => {
    const requestsPath = (relationship: any) => `${RELATIONSHIPS}/${relationship.id}/requests`;

    it('lists them in the documented shape, none for a created relationship', async () => {
      const statuses = RELATIONSHIP_STATUSES.filter((status) =>
        every.some((item) => item.status === status),
      );
      // Every status the enumeration has appears among 400 customers' relationships.
      expect(statuses).toEqual([...RELATIONSHIP_STATUSES]);
      for (const status of statuses) {
        const relationship = every.find((item) => item.status === status);
        const listed = await graph(emulator, requestsPath(relationship), { token });
        expect(listed.status).toBe(200);
        expect(listed.json['@odata.context']).toBe(
          `${emulator.graphEndpoint}/v1.0/tenantRelationships/$metadata#requests`,
        );
        const requests: any[] = listed.json.value;
        expect(requests).toEqual(
          JSON.parse(JSON.stringify(emulator.dataset.relationshipRequestsOf(relationship.id))),
        );
        if (status === 'created') expect(requests).toEqual([]);
        else expect(requests[0]).toMatchObject({ action: 'lockForApproval', status: 'succeeded' });
        if (status === 'terminated')
          expect(requests.at(-1)).toMatchObject({ action: 'terminate', status: 'succeeded' });
        if (status === 'terminating' || status === 'terminationRequested')
          expect(requests.at(-1)).toMatchObject({ action: 'terminate', status: 'pending' });
        for (const request of requests) {
          expect(Object.keys(request).sort()).toEqual([...REQUEST_PROPERTIES].sort());
          expect(request['@odata.type']).toBe('#microsoft.graph.delegatedAdminRelationshipRequest');
          expect(REQUEST_ACTIONS).toContain(request.action);
          expect(REQUEST_STATUSES).toContain(request.status);
          expect(Date.parse(request.createdDateTime)).toBeGreaterThanOrEqual(
            Date.parse(relationship.createdDateTime),
          );
          expect(Date.parse(request.lastModifiedDateTime)).toBeLessThanOrEqual(
            Date.parse(relationship.lastModifiedDateTime),
          );
        }
      }
    });

    it('reads one by id, filters, selects, counts; refuses $orderby and an unknown id', async () => {
      const relationship = relationshipWith(['terminated']);
      const path = requestsPath(relationship);
      const all = (await graph(emulator, path, { token })).json.value;
      expect(all.length).toBeGreaterThan(1);
      const one = await graph(emulator, `${path}/${all[1].id}`, { token });
      expect(one.status).toBe(200);
      expect(one.json).toMatchObject(all[1]);
      expect(one.json['@odata.context']).toContain('/requests/$entity');
      const filter = encodeURIComponent("action eq 'terminate'");
      const filtered = await graph(
        emulator,
        `${path}?$filter=${filter}&$select=action&$count=true`,
        {
          token,
        },
      );
      expect(filtered.json['@odata.count']).toBe(1);
      expect(filtered.json.value).toEqual([
        {
          '@odata.type': all.at(-1)['@odata.type'],
          '@odata.etag': all.at(-1)['@odata.etag'],
          action: 'terminate',
        },
      ]);
      expectGraphError(
        await graph(emulator, `${path}?$orderby=status`, { token }),
        400,
        'BadRequest',
      );
      expectGraphError(
        await graph(emulator, `${path}/00000000-0000-0000-0000-000000000000`, { token }),
        404,
        'Request_ResourceNotFound',
      );
      expectGraphError(
        await graph(emulator, `${RELATIONSHIPS}/no-such-relationship/requests`, { token }),
        404,
        'Request_ResourceNotFound',
      );
    });
  });
});

/**
 * Microsoft Graph's GDAP collections on the emulator over real HTTPS (docs/graph-gdap.md):
 * server-driven paging past 300 relationships with `@odata.nextLink` followed as given, `$top`,
 * `$filter`, `$select`, one relationship by id, access assignments, and every kind of customer
 * the data set promises, checked against `emulator.dataset`.
 */
describe("Graph's GDAP collections", () => {
  const NOW = '2026-12-01T00:00:00Z';
  const DAY_MS = 86_400_000;
  let emulator: StartedEmulator;
  let token: string;

  beforeAll(async () => {
    // 700 customers hold 778 relationships: three pages of 300, every status and every kind of
    // customer; the default 2,500 (2,834 relationships) proved nothing more at four times the cost.
    emulator = await startEmulator({ now: NOW, customers: 700 });
    token = await appToken(emulator, GRAPH);
  });
  afterAll(() => emulator?.close());

  let derived: any[] | undefined;
  /**
   * The whole listing as the data set derives it (typed loosely, as JSON read back would be), as
   * plain JSON: derived once, since every case compares against it.
   */
  const everyRelationship = (): any[] => {
    derived ??= JSON.parse(JSON.stringify([...emulator.dataset.relationships()]));
    return derived as any[];
  };
  const relationshipsOf = (customerId: string): any[] =>
    emulator.dataset.relationshipsOf(customerId);

  const roleIds = (relationship: any): string[] =>
    relationship.accessDetails.unifiedRoles.map((role: any) => role.roleDefinitionId);

  /** What a customer of `kind` shows (first) and what the kind promises (second), fact by fact. */
  function promisesOf(
    kind: string,
    relationships: any[],
    statuses: string[],
    ends: number[],
    first: any,
    now: number,
  ): [Record<string, unknown>, Record<string, unknown>] {
    const hasGlobalAdministrator = first.accessDetails
      ? roleIds(first).includes(GLOBAL_ADMINISTRATOR_ROLE_ID)
      : 'no relationship';
    switch (kind) {
      case 'none':
        return [{ relationships }, { relationships: [] }];
      case 'active':
        return [
          {
            statuses,
            autoExtendDuration: first.autoExtendDuration,
            hasGlobalAdministrator,
            endsPast30Days: ends[0]! - now > 30 * DAY_MS,
          },
          {
            statuses: ['active'],
            autoExtendDuration: 'P180D',
            hasGlobalAdministrator: false,
            endsPast30Days: true,
          },
        ];
      case 'activeGlobalAdministrator':
        return [
          { statuses, hasGlobalAdministrator, autoExtendDuration: first.autoExtendDuration },
          { statuses: ['active'], hasGlobalAdministrator: true, autoExtendDuration: 'PT0S' },
        ];
      case 'expiresSoon':
        return [
          {
            statuses,
            endsWithin30Days: ends[0]! - now > 0 && ends[0]! - now < 30 * DAY_MS,
            autoExtendDuration: first.autoExtendDuration,
          },
          { statuses: ['active'], endsWithin30Days: true, autoExtendDuration: 'PT0S' },
        ];
      case 'several':
        return [
          { atLeastTwo: relationships.length >= 2, oneActive: statuses.includes('active') },
          { atLeastTwo: true, oneActive: true },
        ];
      case 'expired':
        return [
          { any: relationships.length > 0, statuses, allEnded: ends.every((end) => end < now) },
          {
            any: true,
            statuses: statuses.map(() => expect.stringMatching(/^(expired|expiring)$/)),
            allEnded: true,
          },
        ];
      case 'terminated':
        return [{ statuses: new Set(statuses) }, { statuses: new Set(['terminated']) }];
      case 'pending':
        return [
          {
            statuses,
            activatedDateTime: first.activatedDateTime,
            endDateTime: first.endDateTime,
          },
          {
            statuses: [expect.stringMatching(/^(created|approvalPending|approved|activating)$/)],
            activatedDateTime: null,
            endDateTime: null,
          },
        ];
      case 'reseller':
        return [
          {
            count: relationships.length,
            type: first['@odata.type'],
            indirectProviderTenantId: first.indirectProviderTenantId,
            isPartnerConsentPending: first.isPartnerConsentPending,
          },
          {
            count: 1,
            type: '#microsoft.graph.resellerDelegatedAdminRelationship',
            indirectProviderTenantId: expect.stringMatching(/^[0-9a-f-]{36}$/),
            isPartnerConsentPending: first.status === 'approvalPending',
          },
        ];
      default:
        return [{ kind }, { kind: 'a kind this spec knows' }];
    }
  }

  describe('the relationship listing', () => {
    it('pages past 300 relationships with @odata.nextLink, 300 a page, every one exactly once', async () => {
      const expected = everyRelationship();
      expect(expected.length).toBeGreaterThan(600);
      expect(expected.length).toBe(emulator.dataset.relationshipCount());
      const listing = await listGraph(emulator, token, RELATIONSHIPS);
      expect(listing.items).toEqual(expected);
      const sizes = listing.pages.map((page) => page.json.value.length);
      expect(sizes.slice(0, -1).every((size) => size === 300)).toBe(true);
      expect(listing.pages.length).toBe(Math.ceil(expected.length / 300));
      for (const page of listing.pages)
        expect(page.json['@odata.context']).toBe(
          `${emulator.graphEndpoint}/v1.0/tenantRelationships/$metadata#delegatedAdminRelationships`,
        );
      const last = listing.pages.at(-1)?.json;
      expect(last['@odata.nextLink']).toBeUndefined();
      for (const page of listing.pages.slice(0, -1)) {
        const next = new URL(page.json['@odata.nextLink']);
        expect(next.origin + next.pathname).toBe(`${emulator.graphEndpoint}${RELATIONSHIPS}`);
        expect(next.searchParams.get('$skipToken')).toMatch(/^[\w-]+\.[\w-]+$/);
      }
    });

    it('honours $top from 1 to 300, keeping it in every next link', async () => {
      const expected = everyRelationship().slice(0, 40);
      const first = await graph(emulator, `${RELATIONSHIPS}?$top=7`, { token });
      expect(first.json.value).toEqual(expected.slice(0, 7));
      expect(new URL(first.json['@odata.nextLink']).searchParams.get('$top')).toBe('7');
      const small = await listGraph(
        emulator,
        token,
        `${RELATIONSHIPS}?$filter=${encodeURIComponent(
          `customer/tenantId eq '${emulator.dataset.idOf(4)}'`,
        )}&$top=1`,
      );
      expect(small.items).toEqual(relationshipsOf(emulator.dataset.idOf(4)));
      expect(small.pages.length).toBe(Math.max(1, small.items.length));
    });

    it('refuses $top outside 1..300, in Graph error shape', async () => {
      for (const top of ['0', '301', 'ten', '-1']) {
        const refused = await graph(emulator, `${RELATIONSHIPS}?$top=${top}`, { token });
        expect(refused.status).toBe(400);
        expect(refused.json.error.code).toBe('BadRequest');
        expect(refused.json.error.message).toContain('from 1 to 300');
      }
    });

    it('refuses a damaged, foreign or invalidated $skipToken cleanly', async () => {
      const first = await graph(emulator, `${RELATIONSHIPS}?$top=5`, { token });
      const next = new URL(first.json['@odata.nextLink']);
      const skipToken = next.searchParams.get('$skipToken') ?? '';
      const damaged = `${skipToken.slice(0, -3)}${skipToken.endsWith('AAA') ? 'BBB' : 'AAA'}`;
      for (const bad of [damaged, 'garbage', `${skipToken}x`]) {
        const refused = await graph(
          emulator,
          `${RELATIONSHIPS}?$skipToken=${encodeURIComponent(bad)}`,
          {
            token,
          },
        );
        expect(refused.status).toBe(400);
        expect(refused.json.error.message).toMatch(/^The \$skipToken is not valid/);
      }
      const assignmentsPath = `${RELATIONSHIPS}/${first.json.value[0].id}/accessAssignments`;
      const foreign = await graph(
        emulator,
        `${assignmentsPath}?$skipToken=${encodeURIComponent(skipToken)}`,
        {
          token,
        },
      );
      expect(foreign.status).toBe(400);
      expect(foreign.json.error.message).toContain('another listing');
      const activeOnly = encodeURIComponent("status eq 'active'");
      const otherFilter = await graph(
        emulator,
        `${RELATIONSHIPS}?$filter=${activeOnly}&$skipToken=${encodeURIComponent(skipToken)}`,
        { token },
      );
      expect(otherFilter.status).toBe(400);
      emulator.invalidateContinuationTokens();
      const stale = await graph(emulator, next.pathname + next.search, { token });
      expect(stale.status).toBe(400);
      expect(stale.json.error.message).toContain('no longer valid');
    });
  });

  describe('$filter and $select', () => {
    const all = () => everyRelationship();

    it('filters on status with eq, in and or, ignoring case', async () => {
      const active = await listGraph(
        emulator,
        token,
        `${RELATIONSHIPS}?$filter=${encodeURIComponent("status eq 'active'")}`,
      );
      expect(active.items).toEqual(all().filter((r) => r.status === 'active'));
      const pending = all().filter(
        (r) => r.status === 'approvalPending' || r.status === 'activating',
      );
      const viaIn = await listGraph(
        emulator,
        token,
        `${RELATIONSHIPS}?$filter=${encodeURIComponent("status in ('approvalPending', 'ACTIVATING')")}`,
      );
      const viaOr = await listGraph(
        emulator,
        token,
        `${RELATIONSHIPS}?$filter=${encodeURIComponent("status eq 'approvalPending' or status eq 'activating'")}`,
      );
      expect(pending.length).toBeGreaterThan(0);
      expect(viaIn.items).toEqual(pending);
      expect(viaOr.items).toEqual(pending);
    });

    it("filters one customer's relationships by customer/tenantId, alone or with a status", async () => {
      const customerId = all().find((r) => r.status === 'active')?.customer.tenantId;
      const mine = await listGraph(
        emulator,
        token,
        `${RELATIONSHIPS}?$filter=${encodeURIComponent(`customer/tenantId eq '${customerId}'`)}`,
      );
      expect(mine.items).toEqual(relationshipsOf(customerId));
      const activeMine = await listGraph(
        emulator,
        token,
        `${RELATIONSHIPS}?$filter=${encodeURIComponent(`customer/tenantId eq '${customerId}' and status eq 'active'`)}`,
      );
      expect(activeMine.items).toEqual(
        relationshipsOf(customerId).filter((r) => r.status === 'active'),
      );
      const nobody = await listGraph(
        emulator,
        token,
        `${RELATIONSHIPS}?$filter=${encodeURIComponent("customer/tenantId eq '00000000-0000-0000-0000-000000000000'")}`,
      );
      expect(nobody.items).toEqual([]);
    });

    it('keeps $filter and $select in the next links it writes', async () => {
      const filter = "status eq 'expired' or status eq 'terminated'";
      const listing = await listGraph(
        emulator,
        token,
        `${RELATIONSHIPS}?$filter=${encodeURIComponent(filter)}&$select=id,status&$top=50`,
      );
      const expected = all()
        .filter((r) => r.status === 'expired' || r.status === 'terminated')
        .map((r) => ({
          '@odata.type': r['@odata.type'],
          '@odata.etag': r['@odata.etag'],
          id: r.id,
          status: r.status,
        }));
      expect(expected.length).toBeGreaterThan(50);
      expect(listing.items).toEqual(expected);
      expect(listing.pages[0].json['@odata.context']).toMatch(
        /#delegatedAdminRelationships\(id,status\)$/,
      );
    });

    it('refuses what it cannot filter, select or order by, naming what is allowed', async () => {
      const cases: [string, RegExp][] = [
        [
          `$filter=${encodeURIComponent("duration eq 'P730D'")}`,
          /'duration' cannot be filtered on; use status/,
        ],
        [`$filter=${encodeURIComponent("status gt 'a'")}`, /use eq, ne or in/],
        [`$filter=${encodeURIComponent("status eq 'active")}`, /unterminated string/],
        [`$filter=${encodeURIComponent("(status eq 'active'")}`, /missing '\)'/],
        ['$select=id,nonsense', /Could not find a property named 'nonsense'/],
        // $orderby=status is documented and served (above); other properties are not.
        ['$orderby=displayName', /unsupported property was specified; sort by status/],
        ['$expand=accessAssignments', /'\$expand' is not supported/],
      ];
      for (const [query, message] of cases) {
        const refused = await graph(emulator, `${RELATIONSHIPS}?${query}`, { token });
        expect({ query, status: refused.status, message: refused.json.error.message }).toEqual({
          query,
          status: 400,
          message: expect.stringMatching(message),
        });
      }
    });
  });

  describe('one relationship and its access assignments', () => {
    it('reads a relationship by id, with $select, and answers 404 for one that does not exist', async () => {
      const relationship = everyRelationship()[3];
      const one = await graph(emulator, `${RELATIONSHIPS}/${relationship.id}`, { token });
      expect(one.status).toBe(200);
      const { '@odata.context': context, ...entity } = one.json;
      expect(entity).toEqual(relationship);
      expect(context).toBe(
        `${emulator.graphEndpoint}/v1.0/tenantRelationships/$metadata#delegatedAdminRelationships/$entity`,
      );
      const selected = await graph(emulator, `${RELATIONSHIPS}/${relationship.id}?$select=status`, {
        token,
      });
      expect(Object.keys(selected.json).filter((key) => !key.startsWith('@'))).toEqual(['status']);
      const missing = `${relationship.id.slice(0, 35)}0${relationship.id.slice(36)}`;
      for (const id of [missing, 'not-a-relationship']) {
        const absent = await graph(emulator, `${RELATIONSHIPS}/${id}`, { token });
        expect(absent.status).toBe(404);
        expect(absent.json.error.code).toBe('Request_ResourceNotFound');
        expect(absent.json.error.message).toContain(id);
      }
    });

    it('lists access assignments: live for active relationships, deleted for ended, none for pending', async () => {
      const relationships = everyRelationship();
      const pick = (status: string) => relationships.find((r) => r.status === status);
      for (const status of ['active', 'expired', 'approvalPending']) {
        const relationship = pick(status);
        const listing = await listGraph(
          emulator,
          token,
          `${RELATIONSHIPS}/${relationship.id}/accessAssignments`,
        );
        const expected = emulator.dataset.accessAssignmentsOf(relationship.id);
        expect(listing.items).toEqual(expected);
        expect(listing.pages[0].json['@odata.context']).toBe(
          `${emulator.graphEndpoint}/v1.0/tenantRelationships/$metadata#accessAssignments`,
        );
        if (status === 'active') expect(expected.length).toBeGreaterThan(0);
        if (status === 'approvalPending') expect(expected).toEqual([]);
        for (const assignment of expected) {
          expect(assignment.accessContainer).toEqual({
            accessContainerId: expect.stringMatching(/^[0-9a-f-]{36}$/),
            accessContainerType: 'securityGroup',
          });
          expect(status === 'active' ? ['active', 'pending'] : ['deleted']).toContain(
            assignment.status,
          );
          // An assignment grants only roles its relationship holds.
          for (const role of roleIds(assignment)) expect(roleIds(relationship)).toContain(role);
        }
      }
      const relationship = pick('active');
      const [assignment] = emulator.dataset.accessAssignmentsOf(relationship.id);
      const one = await graph(
        emulator,
        `${RELATIONSHIPS}/${relationship.id}/accessAssignments/${assignment.id}`,
        {
          token,
        },
      );
      const { '@odata.context': _, ...entity } = one.json;
      expect(entity).toEqual(assignment);
      const paged = await listGraph(
        emulator,
        token,
        `${RELATIONSHIPS}/${relationship.id}/accessAssignments?$top=1`,
      );
      expect(paged.items).toEqual(emulator.dataset.accessAssignmentsOf(relationship.id));
      const absent = await graph(
        emulator,
        `${RELATIONSHIPS}/${relationship.id}/accessAssignments/nope`,
        { token },
      );
      expect(absent.status).toBe(404);
    });
  });

  describe('the customers of the data set', () => {
    it('has every kind of customer, each with the relationships its kind promises', () => {
      const { dataset } = emulator;
      const now = Date.parse(NOW);
      expect(dataset.gdapNow).toBe('2026-12-01T00:00:00Z');
      // Each customer's facts beside what its kind promises, compared once for every customer
      // (asymmetric matchers where a fact is a range): the same checks as an expect() per fact.
      const got: unknown[] = [];
      const wanted: unknown[] = [];
      for (const kind of GDAP_CUSTOMER_KINDS) {
        const customers = dataset.customersOfGdapKind(kind);
        expect({ kind, present: customers.length > 0 }).toEqual({ kind, present: true });
        for (const index of customers) {
          const customer = dataset.idOf(index);
          const relationships = relationshipsOf(customer);
          const statuses = relationships.map((r) => r.status);
          const ends = relationships.map((r) => Date.parse(r.endDateTime));
          const first = relationships[0] ?? {};
          const [facts, promised] = promisesOf(kind, relationships, statuses, ends, first, now);
          got.push({ customer, kind, ...facts });
          wanted.push({ customer, kind, ...promised });
        }
      }
      expect(got).toEqual(wanted);
    });

    it('shows each kind among the first customers, whatever the size of the data set', () => {
      const kinds = GDAP_CUSTOMER_KINDS.map((_, index) =>
        emulator.dataset.gdapKindOf(emulator.dataset.idOf(index)),
      );
      expect(new Set(kinds)).toEqual(new Set(GDAP_CUSTOMER_KINDS));
    });

    it('uses every relationship status, and keeps the rules Graph documents', () => {
      const relationships = everyRelationship();
      expect(new Set(relationships.map((r) => r.status))).toEqual(new Set(RELATIONSHIP_STATUSES));
      const ids = new Set<string>();
      const names = new Set<string>();
      // Each relationship's facts beside what the rules say, compared once (an expect() per fact
      // per relationship cost more than deriving them).
      const got: unknown[] = [];
      const wanted: unknown[] = [];
      for (const r of relationships) {
        ids.add(r.id);
        names.add(r.displayName);
        const days = Number(/^P(\d+)D$/.exec(r.duration)?.[1]);
        // A relationship with Global Administrator cannot auto-extend.
        const globalAdministrator = roleIds(r).includes(GLOBAL_ADMINISTRATOR_ROLE_ID);
        const activeTerm = Boolean(r.activatedDateTime) && ['active', 'expired'].includes(r.status);
        const span = Date.parse(r.endDateTime) - Date.parse(r.activatedDateTime);
        got.push({
          id: r.id,
          displayNameUpTo50: r.displayName.length <= 50,
          daysFrom1To730: days >= 1 && days <= 730,
          autoExtendDuration: r.autoExtendDuration,
          activeTermSpan: activeTerm ? span : 'n/a',
        });
        wanted.push({
          id: r.id,
          displayNameUpTo50: true,
          daysFrom1To730: true,
          autoExtendDuration: globalAdministrator
            ? 'PT0S'
            : expect.stringMatching(/^(PT0S|P180D)$/),
          activeTermSpan: activeTerm ? days * DAY_MS : 'n/a',
        });
      }
      expect(got).toEqual(wanted);
      expect(ids.size).toBe(relationships.length);
      expect(names.size).toBe(relationships.length);
    });

    it('derives the same data for the same seed and now, and dates it from now', async () => {
      const again = await startEmulator({ now: Date.parse(NOW), customers: 30 });
      const later = await startEmulator({ now: '2027-01-01T00:00:00Z', customers: 30 });
      try {
        const first30 = (e: StartedEmulator): any[] => [...e.dataset.relationships()];
        expect(first30(again)).toEqual(
          everyRelationship().filter((r) => emulator.dataset.indexOfId(r.customer.tenantId) < 30),
        );
        const shift = Date.parse('2027-01-01T00:00:00Z') - Date.parse(NOW);
        const [a, b] = [first30(again)[0], first30(later)[0]];
        expect(Date.parse(b.endDateTime) - Date.parse(a.endDateTime)).toBe(shift);
      } finally {
        await Promise.all([again.close(), later.close()]);
      }
    });

    it('refuses a now that is not a date', async () => {
      await expect(startEmulator({ now: 'yesterday' })).rejects.toThrow(
        /now must be milliseconds since the epoch/,
      );
    });
  });
});
