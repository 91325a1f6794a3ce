import { defineCmdlet } from '../lib/cmdlet-support/cmdlet.js';
import { fanOutParameters } from '../lib/cmdlet-support/fan-out.js';
import { maxRetryParameter } from '../lib/cmdlet-support/parameters.js';
import { ownedBy } from '../lib/cmdlet-support/per-customer.js';
import {
  accessAssignmentsCollection,
  MAX_GDAP_PAGE_SIZE,
} from '../lib/partner-center/gdap-relationships.js';

const NAME = 'Get-PartnerGdapAccessAssignment';

export default defineCmdlet({
  name: NAME,
  helpUri:
    'https://learn.microsoft.com/graph/api/delegatedadminrelationship-list-accessassignments',
  synopsis:
    'Lists the access assignments of a GDAP relationship: which security groups of the partner ' +
    'hold which roles in the customer tenant.',
  description:
    'Lists the access assignments of one granular delegated admin (GDAP) relationship from ' +
    'Microsoft Graph (GET /tenantRelationships/delegatedAdminRelationships/{id}/accessAssignments), ' +
    "following Graph's @odata.nextLink page by page. -RelationshipId binds from the pipeline: a " +
    "relationship's id (Get-PartnerGdapRelationship), or any object's relationshipId. A piped " +
    'Partner Center object (a customer, a user) never binds its own id here. Each assignment is ' +
    "written as Graph returns it, with the relationship's id first (relationshipId) and, when " +
    "the piped relationship names its customer, the customer's tenant id (customerId). With many " +
    'relationships piped in, up to -ThrottleLimit are listed at once. App-only contexts: the ' +
    'current Graph documentation of this request lists the application permission ' +
    'DelegatedAdminRelationship.Read.All (least privileged) as it does for users, so the module ' +
    'calls it with app-only tokens too; an earlier revision of that page said application ' +
    'access was not supported, so a 403 for an app-only context that can list relationships ' +
    'means the tenant still refuses it: use a user (App+User) context then.',
  parameters: {
    RelationshipId: {
      type: 'string',
      mandatory: true,
      position: 0,
      aliases: ['Id'],
      // No Partner Center object is of this kind: their ids never bind, a relationship's does.
      idOf: ['DelegatedAdminRelationship'],
      pipeline: 'byPropertyName',
      pattern: { regex: /^\S+$/, allowed: "a relationship's id, as Graph lists it" },
      description:
        "The relationship's id. From the pipeline it binds a relationship's id or any object's " +
        'relationshipId.',
    },
    PageSize: {
      type: 'int',
      range: [1, MAX_GDAP_PAGE_SIZE],
      default: MAX_GDAP_PAGE_SIZE,
      description: "Access assignments per request ($top); 300 is Graph's maximum.",
    },
    MaxRetry: maxRetryParameter,
    ...fanOutParameters,
  },
  concurrentInput: { one: 'relationship', many: 'relationships' },
  inputs:
    'Relationships from Get-PartnerGdapRelationship (their id), or any object with a ' +
    'relationshipId.',
  outputType: 'GdapAccessAssignment',
  outputs:
    "With the relationship's id first (relationshipId), and the customer's " +
    'tenant id (customerId) when known.',
  view: [
    { name: 'CustomerId', path: 'customerId', kind: 'id', drop: 1 },
    { name: 'RelationshipId', path: 'relationshipId', kind: 'id', group: true },
    { name: 'Status', path: 'status', minWidth: 8 },
    { name: 'SecurityGroup', path: 'accessContainer.accessContainerId', kind: 'id' },
    { name: 'Id', path: 'id', kind: 'id', drop: 2 },
  ],
  examples: [
    {
      title: "One relationship's assignments",
      code: "Get-PartnerGdapAccessAssignment -RelationshipId '<id from Get-PartnerGdapRelationship>'",
    },
    {
      title: 'Every assignment of every active relationship, as CSV',
      code:
        'Get-PartnerGdapRelationship -Status active | Get-PartnerGdapAccessAssignment ' +
        '-OutputFormat Csv > assignments.csv',
    },
    {
      title: 'The security groups that hold a role anywhere',
      code:
        'Get-PartnerGdapRelationship -Status active | Get-PartnerGdapAccessAssignment | ' +
        'jq -r \'select(.status == "active") | .accessContainer.accessContainerId\' | sort -u',
    },
  ],
  async *run(p, context): AsyncGenerator<unknown> {
    const ids: Record<string, string> = { relationshipId: p.RelationshipId };
    const customerId = customerOf(context.pipelineObject);
    if (customerId) ids.customerId = customerId;
    const { listResumably } = await import('../lib/cmdlet-support/listing-run.js');
    yield* listResumably(
      {
        cmdletName: NAME,
        collection: accessAssignmentsCollection(p.RelationshipId),
        transform: ownedBy(ids),
        pageSize: p.PageSize,
        maxRetry: p.MaxRetry,
      },
      context,
    );
  },
});

/** The customer a piped relationship (or access assignment) names, if it names one. */
function customerOf(input: Readonly<Record<string, unknown>> | undefined): string | undefined {
  if (!input) return undefined;
  if (typeof input.customerId === 'string' && input.customerId) return input.customerId;
  const customer = input.customer as { tenantId?: unknown } | null | undefined;
  return typeof customer?.tenantId === 'string' && customer.tenantId
    ? customer.tenantId
    : undefined;
}
