/**
 * Microsoft Graph's GDAP routes under `/v1.0/tenantRelationships/delegatedAdminRelationships`
 * (docs/graph-gdap.md): a Graph-audience token with DelegatedAdminRelationship.Read.All (or
 * ReadWrite.All) in `scp` or `roles`, OData collections (`@odata.context`, `value`,
 * `@odata.nextLink` with an opaque `$skipToken`), `$top`, `$filter`, `$select`, `$count`,
 * `$orderby` where documented, a relationship's requests, and Graph's error body on every failure.
 */
import { BadRequestError } from '../server/bad-request.js';
import type { EmulatorState } from '../server/emulator-state.js';
import {
  MAX_RELATIONSHIPS_PER_CUSTOMER,
  RELATIONSHIP_STATUSES,
  type GdapDataset,
  type RelationshipFacts,
} from './gdap-dataset.js';
import { graphErrorReply, graphErrors, type GraphError } from './graph-errors.js';
import {
  type FilterNode,
  matches,
  MAX_TOP,
  type OrderBy,
  parseCount,
  parseFilter,
  parseOrderBy,
  parseSelect,
  parseTop,
  project,
  requiredValue,
  UnsupportedQueryError,
} from './graph-query.js';
import { bufferReply, jsonReply, type Exchange, type Reply } from '../server/http-exchange.js';
import type { Caller } from '../server/service.js';
import type { JwtClaims } from '../entra/jwt.js';

/** The permissions that let a caller read relationships, their access assignments and requests. */
const READ_PERMISSIONS = [
  'delegatedadminrelationship.read.all',
  'delegatedadminrelationship.readwrite.all',
];
/** The query options of a list, as each list page documents them (`$expand` is not served). */
const LIST_OPTIONS = new Set(['$top', '$filter', '$select', '$skiptoken', '$count', '$orderby']);
const LIST_OPTIONS_WITHOUT_ORDER = new Set(['$top', '$filter', '$select', '$skiptoken', '$count']);
const RELATIONSHIPS_PATH = '/v1.0/tenantRelationships/delegatedAdminRelationships';

export const RELATIONSHIP_PROPERTIES = [
  'id',
  'displayName',
  'duration',
  'customer',
  'accessDetails',
  'status',
  'autoExtendDuration',
  'createdDateTime',
  'lastModifiedDateTime',
  'activatedDateTime',
  'endDateTime',
  'isPartnerConsentPending',
  'indirectProviderTenantId',
] as const;
export const RELATIONSHIP_FILTER_PATHS = [
  'status',
  'customer/tenantId',
  'customer/displayName',
  'displayName',
  'id',
] as const;
export const ASSIGNMENT_PROPERTIES = [
  'id',
  'status',
  'createdDateTime',
  'lastModifiedDateTime',
  'accessContainer',
  'accessDetails',
] as const;
export const ASSIGNMENT_FILTER_PATHS = [
  'status',
  'id',
  'accessContainer/accessContainerId',
] as const;
export const REQUEST_PROPERTIES = [
  'id',
  'action',
  'status',
  'createdDateTime',
  'lastModifiedDateTime',
] as const;
export const REQUEST_FILTER_PATHS = ['action', 'status', 'id'] as const;

/**
 * delegatedAdminAccessAssignmentStatus in its members' order (docs/graph-gdap.md): what
 * `$orderby=status` sorts by, as an OData enumeration sorts by its members' values.
 */
const ASSIGNMENT_STATUS_ORDER = ['pending', 'active', 'deleting', 'deleted', 'error'] as const;

/** What the skip token keeps of the query, so the next page answers the same question. */
interface PagedQuery {
  filter: string | null;
  select: string | null;
  orderby: string | null;
  count: string | null;
}
const PAGED_OPTIONS = ['filter', 'select', 'orderby', 'count'] as const;

interface GraphCollection {
  /** Binds skip tokens to this collection. */
  scope: string;
  typeName: string;
  properties: readonly string[];
  filterPaths: readonly string[];
  /** `@odata.context` after the version root, before any `(selected,properties)`. */
  context: string;
  /**
   * The `status` values in the order `$orderby=status` lists them (none: it cannot be sorted).
   * Only `status` is sortable: the one property the documentation marks as such.
   */
  statusOrder?: readonly string[];
  /** Every offset `scan` can return is below this. */
  span: number;
  /** Up to `size` matching items from `offset`, and the offset of the next match if there is one. */
  scan(
    offset: number,
    size: number,
    filter?: FilterNode,
  ): { items: Record<string, unknown>[]; next?: number };
}

/** The permissions a route accepts (lower case), and what its refusal says is missing. */
export interface GraphPermissions {
  accepted: readonly string[];
  missing: string;
}

const GDAP_READ: GraphPermissions = {
  accepted: READ_PERMISSIONS,
  missing: 'the token has neither DelegatedAdminRelationship.Read.All nor ReadWrite.All',
};

function grants(claims: JwtClaims, permissions: GraphPermissions): boolean {
  const scopes = typeof claims.scp === 'string' ? claims.scp.split(' ') : [];
  const roles = Array.isArray(claims.roles) ? claims.roles.map(String) : [];
  return [...scopes, ...roles].some((permission) =>
    permissions.accepted.includes(permission.toLowerCase()),
  );
}

type GraphHandler = (
  state: EmulatorState,
  exchange: Exchange,
) => Reply | GraphError | Promise<Reply | GraphError>;

/**
 * Every Graph route runs behind this: the token's permission (its audience is the Graph service's
 * check, service.ts), then the handler, whose refusals (BadRequestError) and bugs become Graph's
 * error body too. GDAP's read permissions unless the route names its own.
 */
export function graphRoute(handler: GraphHandler, permissions: GraphPermissions = GDAP_READ) {
  return async (state: EmulatorState, exchange: Exchange, caller: Caller): Promise<Reply> => {
    if (!grants(caller.claims, permissions))
      return graphErrorReply(exchange, graphErrors.forbidden(permissions.missing));
    let outcome: Reply | GraphError;
    try {
      outcome = await handler(state, exchange);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      outcome =
        error instanceof UnsupportedQueryError
          ? graphErrors.unsupportedQuery(message)
          : error instanceof BadRequestError
            ? graphErrors.badRequest(message)
            : graphErrors.internal(message);
    }
    return 'code' in outcome ? graphErrorReply(exchange, outcome) : outcome;
  };
}

function refuseUnsupportedOptions(exchange: Exchange, allowed: ReadonlySet<string>): void {
  for (const name of new Set(exchange.url.searchParams.keys())) {
    const lower = name.toLowerCase();
    if (lower.startsWith('$') && !allowed.has(lower))
      throw new BadRequestError(
        `The query option '${name}' is not supported here by the emulator; use ${[...allowed].join(', ')}.`,
      );
  }
}

function contextUrl(
  state: EmulatorState,
  collection: GraphCollection,
  select: string[] | undefined,
): string {
  const selected = select ? `(${select.join(',')})` : '';
  return `${state.baseUrl}/v1.0/${collection.context}${selected}`;
}

/** Both filters at once (either may be absent). */
function both(filter: FilterNode | undefined, extra: FilterNode): FilterNode {
  return filter ? { op: 'and', items: [filter, extra] } : extra;
}

/**
 * The collection in `$orderby=status` order, without holding it: one pass over the collection per
 * status value (and one for values outside the enumeration), each a filtered scan in the natural
 * order, so ties keep it. A position is `pass * span + offset`, so a skip token resumes mid-pass.
 */
function orderedScan(
  collection: GraphCollection,
  order: OrderBy,
  position: number,
  size: number,
  filter: FilterNode | undefined,
): { items: Record<string, unknown>[]; next?: number } {
  const values = collection.statusOrder ?? [];
  const outside: FilterNode = {
    op: 'and',
    items: values.map((value) => ({ op: 'ne', path: order.property, value })),
  };
  const passes: FilterNode[] = [
    ...values.map((value): FilterNode => ({ op: 'eq', path: order.property, value })),
    outside,
  ];
  if (order.desc) passes.reverse();
  const { span } = collection;
  const items: Record<string, unknown>[] = [];
  for (let pass = Math.floor(position / span); pass < passes.length; pass++) {
    const offset = pass === Math.floor(position / span) ? position % span : 0;
    const page = collection.scan(offset, size - items.length, both(filter, passes[pass]));
    items.push(...page.items);
    if (page.next !== undefined) return { items, next: pass * span + page.next };
    if (items.length === size) {
      // Full at the end of a pass: the next page starts with the next pass, if it has anything.
      for (let later = pass + 1; later < passes.length; later++)
        if (collection.scan(0, 1, both(filter, passes[later])).items.length > 0)
          return { items, next: later * span };
      return { items };
    }
  }
  return { items };
}

/** `@odata.count`: every item the filter matches, counted without keeping them. */
function countOf(collection: GraphCollection, filter: FilterNode | undefined): number {
  let count = 0;
  let offset: number | undefined = 0;
  while (offset !== undefined) {
    const page = collection.scan(offset, MAX_TOP, filter);
    count += page.items.length;
    offset = page.next;
  }
  return count;
}

/**
 * `{collection}/$count`: the number of items the `$filter` matches, as plain text (Graph's count
 * segment, https://learn.microsoft.com/graph/query-parameters#count-parameter).
 */
function countReply(exchange: Exchange, collection: GraphCollection): Reply {
  refuseUnsupportedOptions(exchange, new Set(['$filter']));
  const text = exchange.query.get('$filter');
  const filter = text === null ? undefined : parseFilter(text, collection.filterPaths);
  return bufferReply(200, Buffer.from(String(countOf(collection, filter)), 'utf8'), {
    'Content-Type': 'text/plain; charset=utf-8',
  });
}

/** One page of a collection, following Graph's server-driven paging. */
function collectionPage(
  state: EmulatorState,
  exchange: Exchange,
  collection: GraphCollection,
): Reply {
  const { query } = exchange;
  refuseUnsupportedOptions(
    exchange,
    collection.statusOrder ? LIST_OPTIONS : LIST_OPTIONS_WITHOUT_ORDER,
  );
  const asked: PagedQuery = {
    filter: query.get('$filter'),
    select: query.get('$select'),
    orderby: query.get('$orderby'),
    count: query.get('$count'),
  };
  const topText = query.get('$top');
  let size = parseTop(topText) ?? MAX_TOP;
  let offset = 0;
  let paged = asked;
  const skipToken = query.get('$skiptoken');
  if (skipToken !== null) {
    const decoded = state.continuation.decode<PagedQuery>(
      skipToken,
      exchange.receivedAt,
      collection.scope,
    );
    if (!decoded.ok) throw new BadRequestError(`The $skipToken is not valid: ${decoded.reason}.`);
    const kept = {
      filter: null,
      select: null,
      orderby: null,
      count: null,
      ...decoded.cursor.filter,
    };
    for (const option of PAGED_OPTIONS)
      if (asked[option] !== null && asked[option] !== kept[option])
        throw new BadRequestError(
          `The $skipToken belongs to another $${option}; start the listing again.`,
        );
    paged = kept;
    offset = decoded.cursor.offset;
    size = topText === null ? decoded.cursor.size : size;
  }
  const filter =
    paged.filter === null ? undefined : parseFilter(paged.filter, collection.filterPaths);
  const select = parseSelect(paged.select, collection.properties, collection.typeName);
  const order = parseOrderBy(paged.orderby, collection.statusOrder ? ['status'] : []);
  const count = parseCount(paged.count);
  const page = order
    ? orderedScan(collection, order, offset, size, filter)
    : collection.scan(offset, size, filter);
  const body: Record<string, unknown> = { '@odata.context': contextUrl(state, collection, select) };
  if (count) body['@odata.count'] = countOf(collection, filter);
  if (page.next !== undefined) {
    const token = state.continuation.encode(
      { offset: page.next, size, filter: paged },
      exchange.receivedAt,
      collection.scope,
    );
    const kept = (name: keyof PagedQuery) =>
      paged[name] === null ? [] : [`$${name}=${encodeURIComponent(paged[name])}`];
    const parts = [
      ...(topText === null && skipToken === null ? [] : [`$top=${size}`]),
      ...kept('filter'),
      ...kept('select'),
      ...kept('orderby'),
      ...kept('count'),
      `$skipToken=${encodeURIComponent(token)}`,
    ];
    body['@odata.nextLink'] = `${state.baseUrl}${exchange.url.pathname}?${parts.join('&')}`;
  }
  body.value = page.items.map((item) => project(item, select));
  return jsonReply(200, body);
}

function relationshipCollection(gdap: GdapDataset): GraphCollection {
  return {
    scope: 'graph:delegatedAdminRelationships',
    typeName: 'microsoft.graph.delegatedAdminRelationship',
    properties: RELATIONSHIP_PROPERTIES,
    filterPaths: RELATIONSHIP_FILTER_PATHS,
    context: 'tenantRelationships/$metadata#delegatedAdminRelationships',
    statusOrder: RELATIONSHIP_STATUSES,
    span: gdap.customers.count * MAX_RELATIONSHIPS_PER_CUSTOMER,
    scan: (offset, size, filter) => {
      let start = offset;
      let end = gdap.customers.count * MAX_RELATIONSHIPS_PER_CUSTOMER;
      const tenant = filter && requiredValue(filter, 'customer/tenantId');
      if (tenant !== undefined) {
        // One customer's relationships: no need to visit anybody else's.
        const index = gdap.customers.indexOfId(tenant);
        if (index < 0) return { items: [] };
        start = Math.max(offset, index * MAX_RELATIONSHIPS_PER_CUSTOMER);
        end = Math.min(end, (index + 1) * MAX_RELATIONSHIPS_PER_CUSTOMER);
      }
      const items: Record<string, unknown>[] = [];
      for (
        let customer = Math.floor(start / MAX_RELATIONSHIPS_PER_CUSTOMER);
        customer * MAX_RELATIONSHIPS_PER_CUSTOMER < end;
        customer++
      )
        for (const relationship of gdap.relationshipsOf(customer)) {
          if (relationship.offset < start || (filter && !matches(filter, relationship.json)))
            continue;
          if (items.length === size) return { items, next: relationship.offset };
          items.push(relationship.json);
        }
      return { items };
    },
  };
}

function assignmentCollection(gdap: GdapDataset, relationship: RelationshipFacts): GraphCollection {
  const assignments = gdap.accessAssignmentsOf(relationship);
  return {
    scope: `graph:accessAssignments:${relationship.id}`,
    typeName: 'microsoft.graph.delegatedAdminAccessAssignment',
    properties: ASSIGNMENT_PROPERTIES,
    filterPaths: ASSIGNMENT_FILTER_PATHS,
    context: 'tenantRelationships/$metadata#accessAssignments',
    statusOrder: ASSIGNMENT_STATUS_ORDER,
    span: assignments.length,
    scan: (offset, size, filter) => listScan(assignments, offset, size, filter),
  };
}

/** A short list's scan: the items from `offset` that match, up to `size`. */
function listScan(
  list: readonly Record<string, unknown>[],
  offset: number,
  size: number,
  filter: FilterNode | undefined,
): { items: Record<string, unknown>[]; next?: number } {
  const items: Record<string, unknown>[] = [];
  for (let position = offset; position < list.length; position++) {
    if (filter && !matches(filter, list[position])) continue;
    if (items.length === size) return { items, next: position };
    items.push(list[position]);
  }
  return { items };
}

function requestCollection(gdap: GdapDataset, relationship: RelationshipFacts): GraphCollection {
  const requests = gdap.requestsOf(relationship);
  return {
    scope: `graph:requests:${relationship.id}`,
    typeName: 'microsoft.graph.delegatedAdminRelationshipRequest',
    properties: REQUEST_PROPERTIES,
    filterPaths: REQUEST_FILTER_PATHS,
    context: 'tenantRelationships/$metadata#requests',
    span: requests.length,
    scan: (offset, size, filter) => listScan(requests, offset, size, filter),
  };
}

function relationshipOf(state: EmulatorState, exchange: Exchange): RelationshipFacts | GraphError {
  const { id } = exchange.params;
  return state.gdap.relationshipById(id) ?? graphErrors.notFound(id);
}

/** A single entity: `@odata.context` names its entity set, `$select` applies. */
function entityReply(
  state: EmulatorState,
  exchange: Exchange,
  item: Record<string, unknown>,
  context: string,
  properties: readonly string[],
  typeName: string,
): Reply {
  refuseUnsupportedOptions(exchange, new Set(['$select']));
  const select = parseSelect(exchange.query.get('$select'), properties, typeName);
  const selected = select ? `(${select.join(',')})` : '';
  return jsonReply(200, {
    '@odata.context': `${state.baseUrl}/v1.0/${context}${selected}/$entity`,
    ...project(item, select),
  });
}

const listRelationships = graphRoute((state, exchange) =>
  collectionPage(state, exchange, relationshipCollection(state.gdap)),
);

const countRelationships = graphRoute((state, exchange) =>
  countReply(exchange, relationshipCollection(state.gdap)),
);

const getRelationship = graphRoute((state, exchange) => {
  const relationship = relationshipOf(state, exchange);
  if ('code' in relationship) return relationship;
  return entityReply(
    state,
    exchange,
    relationship.json,
    'tenantRelationships/$metadata#delegatedAdminRelationships',
    RELATIONSHIP_PROPERTIES,
    'microsoft.graph.delegatedAdminRelationship',
  );
});

/** A route under one relationship: Graph's 404 when there is no such relationship. */
function underRelationship(
  handler: (
    state: EmulatorState,
    exchange: Exchange,
    relationship: RelationshipFacts,
  ) => Reply | GraphError,
) {
  return graphRoute((state, exchange) => {
    const relationship = relationshipOf(state, exchange);
    return 'code' in relationship ? relationship : handler(state, exchange, relationship);
  });
}

/** One item of a relationship's collection by its id, or Graph's 404. */
function memberReply(
  state: EmulatorState,
  exchange: Exchange,
  relationship: RelationshipFacts,
  collection: GraphCollection,
  segment: string,
): Reply | GraphError {
  const { itemId } = exchange.params;
  const item = collection
    .scan(0, collection.span, undefined)
    .items.find((candidate) => candidate.id === itemId.toLowerCase());
  if (!item) return graphErrors.notFound(itemId);
  return entityReply(
    state,
    exchange,
    item,
    `tenantRelationships/$metadata#delegatedAdminRelationships('${relationship.id}')/${segment}`,
    collection.properties,
    collection.typeName,
  );
}

/** A relationship's collections: each is listed, counted and read by id the same way. */
const RELATIONSHIP_COLLECTIONS = [
  { segment: 'accessAssignments', collectionOf: assignmentCollection },
  { segment: 'requests', collectionOf: requestCollection },
] as const;

/** The route table's entries for Graph, in one place. */
export const GRAPH_ROUTES = [
  { path: RELATIONSHIPS_PATH, handle: listRelationships },
  // The count segments come before the `{id}` routes they would otherwise match.
  { path: `${RELATIONSHIPS_PATH}/$count`, handle: countRelationships },
  { path: `${RELATIONSHIPS_PATH}/{id}`, handle: getRelationship },
  ...RELATIONSHIP_COLLECTIONS.flatMap(({ segment, collectionOf }) => {
    const path = `${RELATIONSHIPS_PATH}/{id}/${segment}`;
    return [
      {
        path,
        handle: underRelationship((state, exchange, relationship) =>
          collectionPage(state, exchange, collectionOf(state.gdap, relationship)),
        ),
      },
      {
        path: `${path}/$count`,
        handle: underRelationship((state, exchange, relationship) =>
          countReply(exchange, collectionOf(state.gdap, relationship)),
        ),
      },
      {
        path: `${path}/{itemId}`,
        handle: underRelationship((state, exchange, relationship) =>
          memberReply(
            state,
            exchange,
            relationship,
            collectionOf(state.gdap, relationship),
            segment,
          ),
        ),
      },
    ];
  }),
];
