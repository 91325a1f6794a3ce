import { defineCmdlet } from '../lib/cmdlet-support/cmdlet.js';
import type { RunParameters } from '../lib/cmdlet-support/parameter-types.js';
import {
  customersCollection,
  getCustomer,
  type CustomerFilter,
} from '../lib/partner-center/customers.js';
import { maxRetryParameter, RESUME_FILE_RULES } from '../lib/cmdlet-support/parameters.js';

const LISTING_SETS = ['List', 'ByDomain', 'ByCompanyName', 'ByReseller'] as const;

const getPartnerCustomer = defineCmdlet({
  name: 'Get-PartnerCustomer',
  helpUri: 'https://learn.microsoft.com/partner-center/developer/get-a-list-of-customers',
  synopsis: 'Lists every customer of the partner, searches them, or gets one by id.',
  description:
    'Without parameters, lists every customer of the partner: it follows ' +
    "Partner Center's seek-based paging page by page and writes each customer " +
    'as soon as its page arrives, so memory stays bounded whatever the number ' +
    'of customers. -Domain, -CompanyName and -ResellerId search with Partner ' +
    "Center's filter (a case-insensitive prefix match) and page the same way. " +
    "-CustomerId gets one customer's full record; it binds from the pipeline " +
    "by property name (a customer's id), so a search piped into " +
    'Get-PartnerCustomer returns each match in full.',
  defaultParameterSet: 'List',
  parameters: {
    CustomerId: {
      type: 'guid',
      sets: ['ById'],
      mandatory: true,
      position: 0,
      aliases: ['Id', 'TenantId'],
      pipeline: 'byPropertyName',
      description: "The customer's tenant id (a GUID).",
    },
    Domain: {
      type: 'string',
      sets: ['ByDomain'],
      mandatory: true,
      description: 'Customers whose domain starts with this text (case-insensitive).',
    },
    CompanyName: {
      type: 'string',
      sets: ['ByCompanyName'],
      mandatory: true,
      aliases: ['Name'],
      description: 'Customers whose company name starts with this text (case-insensitive).',
    },
    ResellerId: {
      type: 'guid',
      sets: ['ByReseller'],
      mandatory: true,
      description:
        'Customers of this indirect reseller (its tenant id). Partner Center ' +
        'allows this search only when signed in as a user (App+User).',
    },
    PageSize: {
      type: 'int',
      sets: LISTING_SETS,
      range: [1, 500],
      default: 500,
      description:
        "Customers per request. 500 is the service's maximum and the fewest round trips.",
    },
    First: {
      type: 'int',
      sets: LISTING_SETS,
      range: [1, 2_147_483_647],
      description: 'Stop after this many customers; no further pages are requested.',
    },
    Skip: {
      type: 'int',
      sets: LISTING_SETS,
      range: [0, 2_147_483_647],
      description:
        'Leave out this many customers first (counted from where the listing ' +
        'starts, so with -ContinuationToken from that point). A listing that ' +
        'stopped half-way through a page tells you the -ContinuationToken and ' +
        '-Skip that continue it.',
    },
    ContinuationToken: {
      type: 'string',
      sets: LISTING_SETS,
      pattern: { regex: /\S/, allowed: 'the token a stopped listing reported' },
      description:
        'Continue a listing that stopped: the token its error message gave, which ' +
        'resumes after the last page it finished. Partner Center accepts a token ' +
        'only for a limited time; an expired one is reported as such.',
    },
    ResumeFile: {
      type: 'path',
      sets: LISTING_SETS,
      description:
        "Keep the listing's position in this file, rewritten after every page: if " +
        'the run stops (retries exhausted, expired sign-in, Ctrl-C), the same ' +
        'command continues with the next customer. A resume with other parameters ' +
        '(page size, search, -First, -Skip) is refused. The file is deleted when ' +
        `the listing completes. ${RESUME_FILE_RULES}`,
    },
    MaxRetry: maxRetryParameter,
  },
  inputs:
    'Objects with an id (or CustomerId / TenantId) property, e.g. customers ' +
    'from another Get-PartnerCustomer: each is fetched in full.',
  outputType: 'Customer',
  view: [
    { name: 'CustomerId', path: 'id', kind: 'id' },
    { name: 'Domain', path: 'companyProfile.domain', kind: 'id', drop: 2 },
    { name: 'Name', path: 'companyProfile.companyName', kind: 'text', minWidth: 30 },
    { name: 'Relationship', path: 'relationshipToPartner', drop: 1 },
  ],
  examples: [
    {
      title: 'Every customer, one JSON object per line',
      code: 'Get-PartnerCustomer > customers.ndjson',
    },
    {
      title: 'The first 20 customers as a table',
      code: 'Get-PartnerCustomer -First 20 -OutputFormat Table',
    },
    {
      title: 'One customer in full',
      code: 'Get-PartnerCustomer -CustomerId c5757d70-06f3-4f23-8367-5a9e55019f94',
    },
    {
      title: 'Search by domain, then fetch each match in full',
      code: 'Get-PartnerCustomer -Domain contoso | Get-PartnerCustomer',
    },
    { title: 'Count customers with jq', code: "Get-PartnerCustomer | jq -s 'length'" },
    {
      title: 'A runbook that survives a flaky night',
      code: 'Get-PartnerCustomer -ResumeFile customers.resume -MaxRetry 10 >> customers.ndjson',
      remarks:
        'If the run stops (exit 5 after retries, 3 for an expired sign-in, ' +
        '130/143 for a signal), run the same line again: it continues with the ' +
        'next customer, so customers.ndjson ends with every customer exactly once.',
    },
    {
      title: 'Continue a listing that stopped, with the command its error gave',
      code:
        "Get-PartnerCustomer -ContinuationToken '<token from the error>' -Skip 37 " +
        '>> customers.ndjson',
    },
  ],
  async *run(p, context): AsyncGenerator<unknown> {
    // The listing run loads here rather than at the top: -? and usage errors never need it.
    if (p.parameterSet === 'ById') {
      const client = await context.services.partnerCenter({ maxRetry: p.MaxRetry });
      yield await getCustomer(client, p.CustomerId);
      return;
    }
    const { listResumably, listingControls } = await import('../lib/cmdlet-support/listing-run.js');
    const filter = filterOf(p);
    yield* listResumably(
      {
        cmdletName: 'Get-PartnerCustomer',
        collection: customersCollection(filter),
        selection: filter ?? null,
        continuable: true,
        ...listingControls(p),
      },
      context,
    );
  },
});
export default getPartnerCustomer;

/** The listing and search sets: everything but ById. */
type ListingParameters = Exclude<
  RunParameters<typeof getPartnerCustomer>,
  { parameterSet: 'ById' }
>;

function filterOf(p: ListingParameters): CustomerFilter | undefined {
  if (p.Domain !== undefined) return { field: 'Domain', value: p.Domain };
  if (p.CompanyName !== undefined) return { field: 'CompanyName', value: p.CompanyName };
  if (p.ResellerId !== undefined) return { field: 'IndirectReseller', value: p.ResellerId };
  return undefined;
}
