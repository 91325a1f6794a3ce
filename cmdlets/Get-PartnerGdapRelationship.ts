import { defineCmdlet } from '../lib/cmdlet-support/cmdlet.js';
import { ObjectList } from '../lib/cmdlet-support/cmdlet.js';
import {
  RELATIONSHIPS_AS_WRITTEN,
  relationshipIndex,
  tenantIdOf,
  withCustomerIds,
} from '../lib/cmdlet-support/gdap-listing.js';
import { maxRetryParameter, RESUME_FILE_RULES } from '../lib/cmdlet-support/parameters.js';
import {
  CUSTOMER_INPUTS,
  customerIdParameter,
  withOwner,
} from '../lib/cmdlet-support/per-customer.js';
import {
  getRelationship,
  MAX_GDAP_PAGE_SIZE,
  RELATIONSHIP_STATUSES,
  relationshipsCollection,
} from '../lib/partner-center/gdap-relationships.js';

const NAME = 'Get-PartnerGdapRelationship';
const LISTING_SETS = ['List'] as const;

export default defineCmdlet({
  name: NAME,
  helpUri:
    'https://learn.microsoft.com/graph/api/tenantrelationship-list-delegatedadminrelationships',
  synopsis:
    "Lists the partner's granular delegated admin (GDAP) relationships from Microsoft Graph, " +
    "or one customer's, or one by id.",
  description:
    'Without parameters, lists every GDAP relationship of the partner, with every customer, ' +
    "from Microsoft Graph (GET /tenantRelationships/delegatedAdminRelationships), following Graph's " +
    '@odata.nextLink page by page (up to 300 a page) and writing each relationship as its page ' +
    'arrives. -Status keeps only relationships in those statuses (a server-side $filter). ' +
    '-RelationshipId reads one relationship. With customers piped in (or -CustomerId), it writes ' +
    "each customer's relationships, and still lists Graph only once for the whole run: the first " +
    'customer lists every relationship and keeps them by customer (about 1.2 KB each), the ' +
    'others read what was kept. Each relationship is written as Graph returns it (reseller ones ' +
    "included, with their @odata.type) with the customer's tenant id first (customerId), so it pipes on to " +
    'every per-customer cmdlet and to Get-PartnerGdapAccessAssignment. The Graph token comes from ' +
    "the context's own sign-in (no new sign-in): app-only contexts need the application " +
    'permission DelegatedAdminRelationship.Read.All, user contexts the delegated one. In a ' +
    "national cloud the context's own Graph is used (Graph documents these APIs for the global " +
    'service, US Government L4 and L5 and China operated by 21Vianet).',
  defaultParameterSet: 'List',
  parameters: {
    RelationshipId: {
      type: 'string',
      sets: ['ById'],
      mandatory: true,
      pattern: { regex: /^\S+$/, allowed: "a relationship's id, as Graph lists it" },
      description: "One relationship's id (as Graph lists it; treat it as opaque).",
    },
    CustomerId: {
      ...customerIdParameter,
      sets: ['ByCustomer'],
      description:
        "Only this customer's relationships (its tenant id). From the pipeline it binds a " +
        "customer's id or any object's customerId; the run still lists Graph only once.",
    },
    Status: {
      type: 'string[]',
      sets: ['List', 'ByCustomer'],
      choices: RELATIONSHIP_STATUSES,
      description:
        "Only relationships in these statuses (Graph's values: active, approvalPending, " +
        'activating, approved, created, expiring, expired, terminationRequested, terminating, ' +
        "terminated). Sent as Graph's $filter (status eq '...' or ...). Graph's `expiring` is a " +
        'relationship already past its end, being deprovisioned.',
    },
    PageSize: {
      type: 'int',
      sets: ['List', 'ByCustomer'],
      range: [1, MAX_GDAP_PAGE_SIZE],
      default: MAX_GDAP_PAGE_SIZE,
      description:
        "Relationships per request ($top). 300 is Graph's maximum and the fewest requests.",
    },
    First: {
      type: 'int',
      sets: LISTING_SETS,
      range: [1, 2_147_483_647],
      description: 'Stop after this many relationships; no further pages are requested.',
    },
    Skip: {
      type: 'int',
      sets: LISTING_SETS,
      range: [0, 2_147_483_647],
      description:
        'Leave out this many relationships first (with -ContinuationToken, counted from there). ' +
        'A listing that stopped tells you the -ContinuationToken and -Skip that continue it.',
    },
    ContinuationToken: {
      type: 'string',
      sets: LISTING_SETS,
      pattern: { regex: /\S/, allowed: 'the next link a stopped listing reported' },
      description:
        "Continue a listing that stopped: the @odata.nextLink its error message gave (Graph's own " +
        'URL with its skip token, sent exactly as given). Graph accepts it only for a limited time.',
    },
    ResumeFile: {
      type: 'path',
      sets: LISTING_SETS,
      description:
        "Keep the listing's position (Graph's next link) in this file, rewritten after every " +
        'page: if the run stops, the same command continues with the next relationship. Deleted ' +
        `when the listing completes. ${RESUME_FILE_RULES}`,
    },
    MaxRetry: maxRetryParameter,
  },
  inputs: `${CUSTOMER_INPUTS} Each customer's relationships are written.`,
  outputType: 'GdapRelationship',
  outputs:
    "With the customer's tenant id first (customerId); reseller " +
    'relationships add indirectProviderTenantId and isPartnerConsentPending.',
  view: [
    { name: 'CustomerId', path: 'customerId', kind: 'id', group: true },
    { name: 'Customer', path: 'customer.displayName', kind: 'text', group: true },
    { name: 'Status', path: 'status', minWidth: 20 },
    { name: 'EndDateTime', path: 'endDateTime', kind: 'date', minWidth: 17, drop: 2 },
    { name: 'AutoExtend', path: 'autoExtendDuration', drop: 1 },
    { name: 'Id', path: 'id', kind: 'id' },
  ],
  examples: [
    {
      title: 'Every relationship as a table',
      code: 'Get-PartnerGdapRelationship -OutputFormat Table',
    },
    {
      title: 'Only the active ones and those waiting for the customer',
      code: 'Get-PartnerGdapRelationship -Status active,approvalPending',
    },
    {
      title: "Some customers' relationships, with one Graph listing for all of them",
      code: 'Get-PartnerCustomer -Domain contoso | Get-PartnerGdapRelationship',
    },
    {
      title: 'Active relationships that hold Global Administrator (they cannot auto-extend)',
      code:
        "Get-PartnerGdapRelationship -Status active | jq -c 'select(any(.accessDetails." +
        'unifiedRoles[]; .roleDefinitionId == "62e90394-69f5-4237-9190-012177145e10"))\'',
    },
    {
      title: 'The security groups and roles of every active relationship',
      code: 'Get-PartnerGdapRelationship -Status active | Get-PartnerGdapAccessAssignment',
    },
    {
      title: 'A listing that survives a flaky night',
      code: 'Get-PartnerGdapRelationship -ResumeFile gdap.resume >> relationships.ndjson',
    },
  ],
  async *run(p, context): AsyncGenerator<unknown> {
    if (p.parameterSet === 'ById') {
      const client = await context.services.graph({ maxRetry: p.MaxRetry });
      const relationship = await getRelationship(client, p.RelationshipId);
      const tenantId = tenantIdOf(relationship);
      yield tenantId ? withOwner({ customerId: tenantId }, relationship) : relationship;
      return;
    }
    if (p.parameterSet === 'ByCustomer') {
      const index = await relationshipIndex(
        context,
        { cmdletName: NAME, statuses: p.Status, pageSize: p.PageSize, maxRetry: p.MaxRetry },
        RELATIONSHIPS_AS_WRITTEN,
      );
      yield new ObjectList(index.byCustomer.get(p.CustomerId.toLowerCase()) ?? []);
      return;
    }
    const { listResumably, listingControls } = await import('../lib/cmdlet-support/listing-run.js');
    yield* listResumably(
      {
        cmdletName: NAME,
        collection: relationshipsCollection({ statuses: p.Status }),
        continuable: true,
        transform: (items: Parameters<typeof withCustomerIds>[0]) => withCustomerIds(items).list,
        ...listingControls(p),
      },
      context,
    );
  },
});
