/**
 * What Microsoft Graph documents for the GDAP lists and the emulator once lacked
 * (docs/graph-gdap.md, "Query options" and "What the emulator does"): `$count=true` and
 * `@odata.count`, `$orderby` on the documented property and Graph's refusal of any other,
 * `OData-Version` on every answer, and a relationship's requests (list and one).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RELATIONSHIP_STATUSES, type StartedEmulator } from '../../lib/emulator/index.js';
import { startEmulator } from '../support/emulator.js';
import { appToken, GRAPH, graph, listGraph, RELATIONSHIPS } from './graph-support.js';
import { requestUrl } from './support.js';

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
function sortedBy<T>(items: T[], key: (item: T) => string, order: readonly string[], desc = false) {
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
    const requests = await graph(emulator, `${RELATIONSHIPS}/${relationship.id}/requests/$count`, {
      token,
    });
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
    const kept = every.filter((item) => ['terminated', 'active', 'expired'].includes(item.status));
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
    const filtered = await graph(emulator, `${path}?$filter=${filter}&$select=action&$count=true`, {
      token,
    });
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
