/**
 * What the GDAP cmdlets share: each relationship written with its customer's tenant id first
 * (`customerId`, so it binds onward to every per-customer cmdlet), and the run's one listing of
 * every relationship, indexed by customer, which every piped customer of the run reads instead of
 * asking Graph again (CmdletServices.shared).
 *
 * Memory: the index keeps, per relationship, only what its cmdlet writes or needs. For
 * Get-PartnerGdapRelationship that is the relationship's JSON as Graph sent it, with customerId
 * first; for Get-PartnerCustomerGdapStatus a handful of fields and the customer's name. Measured
 * on Node 20 over 9,271 emulated relationships of 6,817 customers (900 bytes of JSON each, with
 * one to five roles): about 1.2 KB and 0.65 KB a relationship, map and arrays included, so a
 * partner with 10,000 relationships holds about 12 MB or 6.5 MB for the run.
 */
import {
  InterruptedError,
  PartnerCenterModuleError,
  SharedListingFailure,
} from '../common/errors.js';
import { type JsonText, type JsonTextList, withLeadingPropertiesOf } from '../json/json-text.js';
import {
  type GdapRelationship,
  type RelationshipFacts,
  relationshipFactsOf,
} from '../partner-center/gdap-status.js';
import { relationshipsCollection } from '../partner-center/gdap-relationships.js';
import type { CmdletContext } from './cmdlet.js';

/** The tenant id of the customer a relationship names (lower case), if it names one. */
export function tenantIdOf(relationship: { customer?: unknown }): string | undefined {
  const customer = relationship.customer as { tenantId?: unknown } | null | undefined;
  const tenantId = customer?.tenantId;
  return typeof tenantId === 'string' && tenantId ? tenantId.toLowerCase() : undefined;
}

/**
 * Each relationship of a page with `customerId` (its customer's tenant id) first, Graph's bytes
 * otherwise unchanged; `tenantIds[n]` is item n's.
 */
export function withCustomerIds(items: JsonTextList<GdapRelationship>): {
  list: JsonTextList<GdapRelationship>;
  tenantIds: (string | undefined)[];
} {
  const tenantIds: (string | undefined)[] = [];
  const list = withLeadingPropertiesOf(items, (item) => {
    const tenantId = tenantIdOf(item.value);
    tenantIds.push(tenantId);
    return { customerId: tenantId };
  });
  return { list, tenantIds };
}

/** What one listing of the run keeps per relationship, and under which name it is shared. */
export interface RelationshipIndexKind<V> {
  /** Names what is kept, for the run's shared work (two kinds are two listings). */
  name: string;
  /** Adds each relationship of a page that names its customer: `add(tenantId, value)`. */
  indexPage(page: JsonTextList<GdapRelationship>, add: (tenantId: string, value: V) => void): void;
}

export interface RelationshipIndex<V> {
  /** By the customer's tenant id in lower case, in listing order. */
  byCustomer: ReadonlyMap<string, readonly V[]>;
  /** How many relationships the listing had. */
  count: number;
}

export interface RelationshipIndexRequest {
  cmdletName: string;
  /** Server-side filter on these statuses (-Status). */
  statuses?: readonly string[];
  pageSize?: number;
  maxRetry?: number;
}

/**
 * Every relationship of the partner, listed once per run (and per kind and filter) however many
 * invocations ask, and indexed by customer. A failed listing ends the run: every later customer
 * would fail the same way, since the failure is shared too.
 */
export function relationshipIndex<V>(
  context: CmdletContext,
  request: RelationshipIndexRequest,
  kind: RelationshipIndexKind<V>,
): Promise<RelationshipIndex<V>> {
  const collection = relationshipsCollection({ statuses: request.statuses });
  const key = `gdap-relationships:${kind.name}:${collection.filter ?? ''}:${request.pageSize ?? ''}`;
  return context.services.shared(key, async () => {
    const { listResumably } = await import('./listing-run.js');
    const byCustomer = new Map<string, V[]>();
    let count = 0;
    const add = (tenantId: string, value: V) => {
      const known = byCustomer.get(tenantId);
      if (known) known.push(value);
      else byCustomer.set(tenantId, [value]);
    };
    const listing = listResumably(
      {
        cmdletName: request.cmdletName,
        collection,
        pageSize: request.pageSize,
        maxRetry: request.maxRetry,
        transform: (page: JsonTextList<GdapRelationship>) => {
          count += page.length;
          kind.indexPage(page, add);
          return [];
        },
      },
      context,
    );
    try {
      for await (const _ of listing);
    } catch (error) {
      throw endsTheRun(error);
    }
    context.verbose(
      `Indexed ${count} relationship(s) of ${byCustomer.size} customer(s) for this run.`,
    );
    return { byCustomer, count };
  });
}

/** Relationships as written: Graph's JSON with `customerId` first. */
export const RELATIONSHIPS_AS_WRITTEN: RelationshipIndexKind<JsonText<GdapRelationship>> = {
  name: 'written',
  indexPage(page, add) {
    const { list, tenantIds } = withCustomerIds(page);
    // The new list's items are unparsed spans of one copy of the page: nothing parsed is kept.
    let index = 0;
    for (const item of list) {
      const tenantId = tenantIds[index++];
      if (tenantId) add(tenantId, item);
    }
  },
};

/** The cause as the run's end: its message, hint and exit code, whatever -ErrorAction says. */
function endsTheRun(error: unknown): unknown {
  if (!(error instanceof PartnerCenterModuleError) || error.endsRun) return error;
  if (error instanceof InterruptedError) return error;
  return new SharedListingFailure(error);
}

/** What Get-PartnerCustomerGdapStatus keeps of a relationship: its facts and the customer's name. */
export interface CustomerRelationshipFacts extends RelationshipFacts {
  customerName: string | null;
}

export const RELATIONSHIP_FACTS: RelationshipIndexKind<CustomerRelationshipFacts> = {
  name: 'facts',
  indexPage(page, add) {
    for (const item of page) {
      const relationship = item.value;
      const tenantId = tenantIdOf(relationship);
      if (!tenantId) continue;
      const name = relationship.customer?.displayName;
      add(tenantId, {
        ...relationshipFactsOf(relationship),
        customerName: typeof name === 'string' && name ? name : null,
      });
    }
  },
};
