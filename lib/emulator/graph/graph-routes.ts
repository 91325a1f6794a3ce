/**
 * Microsoft Graph's GDAP routes under `/v1.0/tenantRelationships/delegatedAdminRelationships`
 * (docs/graph-gdap.md): a Graph-audience token with DelegatedAdminRelationship.Read.All (or
 * ReadWrite.All) in `scp` or `roles`, OData collections (`@odata.context`, `value`,
 * `@odata.nextLink` with an opaque `$skipToken`), `$top`, `$filter`, `$select`, and Graph's error
 * body on every failure.
 */
import { BadRequestError } from '../server/bad-request.js';
import type { EmulatorState } from '../server/emulator-state.js';
import {
  MAX_RELATIONSHIPS_PER_CUSTOMER,
  type GdapDataset,
  type RelationshipFacts,
} from './gdap-dataset.js';
import { graphErrorReply, graphErrors, type GraphError } from './graph-errors.js';
import {
  type FilterNode,
  matches,
  MAX_TOP,
  parseFilter,
  parseSelect,
  parseTop,
  project,
  requiredValue,
} from './graph-query.js';
import { jsonReply, type Exchange, type Reply } from '../server/http-exchange.js';
import type { Caller } from '../server/service.js';
import type { JwtClaims } from '../entra/jwt.js';

/** The permissions that let a caller read relationships and their access assignments. */
const READ_PERMISSIONS = [
  'delegatedadminrelationship.read.all',
  'delegatedadminrelationship.readwrite.all',
];
const SUPPORTED_OPTIONS = new Set(['$top', '$filter', '$select', '$skiptoken']);
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

/** What the skip token keeps of the query, so the next page answers the same question. */
interface PagedQuery {
  filter: string | null;
  select: string | null;
}

interface GraphCollection {
  /** Binds skip tokens to this collection. */
  scope: string;
  typeName: string;
  properties: readonly string[];
  filterPaths: readonly string[];
  /** `@odata.context` after the version root, before any `(selected,properties)`. */
  context: string;
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
        error instanceof BadRequestError
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

/** One page of a collection, following Graph's server-driven paging. */
function collectionPage(
  state: EmulatorState,
  exchange: Exchange,
  collection: GraphCollection,
): Reply {
  const { query } = exchange;
  refuseUnsupportedOptions(exchange, SUPPORTED_OPTIONS);
  const asked: PagedQuery = { filter: query.get('$filter'), select: query.get('$select') };
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
    const kept = decoded.cursor.filter ?? { filter: null, select: null };
    for (const option of ['filter', 'select'] as const)
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
  const page = collection.scan(offset, size, filter);
  const body: Record<string, unknown> = { '@odata.context': contextUrl(state, collection, select) };
  if (page.next !== undefined) {
    const token = state.continuation.encode(
      { offset: page.next, size, filter: paged },
      exchange.receivedAt,
      collection.scope,
    );
    const parts = [
      ...(topText === null && skipToken === null ? [] : [`$top=${size}`]),
      ...(paged.filter === null ? [] : [`$filter=${encodeURIComponent(paged.filter)}`]),
      ...(paged.select === null ? [] : [`$select=${encodeURIComponent(paged.select)}`]),
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
    scan: (offset, size, filter) => {
      const items: Record<string, unknown>[] = [];
      for (let position = offset; position < assignments.length; position++) {
        if (filter && !matches(filter, assignments[position])) continue;
        if (items.length === size) return { items, next: position };
        items.push(assignments[position]);
      }
      return { items };
    },
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

export const listRelationships = graphRoute((state, exchange) =>
  collectionPage(state, exchange, relationshipCollection(state.gdap)),
);

export const getRelationship = graphRoute((state, exchange) => {
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

export const listAccessAssignments = graphRoute((state, exchange) => {
  const relationship = relationshipOf(state, exchange);
  if ('code' in relationship) return relationship;
  return collectionPage(state, exchange, assignmentCollection(state.gdap, relationship));
});

export const getAccessAssignment = graphRoute((state, exchange) => {
  const relationship = relationshipOf(state, exchange);
  if ('code' in relationship) return relationship;
  const { assignmentId } = exchange.params;
  const assignment = state.gdap
    .accessAssignmentsOf(relationship)
    .find((candidate) => candidate.id === assignmentId.toLowerCase());
  if (!assignment) return graphErrors.notFound(assignmentId);
  return entityReply(
    state,
    exchange,
    assignment,
    `tenantRelationships/$metadata#delegatedAdminRelationships('${relationship.id}')/accessAssignments`,
    ASSIGNMENT_PROPERTIES,
    'microsoft.graph.delegatedAdminAccessAssignment',
  );
});

/** The route table's entries for Graph, in one place. */
export const GRAPH_ROUTES = [
  { path: RELATIONSHIPS_PATH, handle: listRelationships },
  { path: `${RELATIONSHIPS_PATH}/{id}`, handle: getRelationship },
  { path: `${RELATIONSHIPS_PATH}/{id}/accessAssignments`, handle: listAccessAssignments },
  {
    path: `${RELATIONSHIPS_PATH}/{id}/accessAssignments/{assignmentId}`,
    handle: getAccessAssignment,
  },
] as const;
