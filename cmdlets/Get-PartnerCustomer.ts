import { defineCmdlet } from '../lib/host/cmdlet.js';
import { getCustomer, listCustomers, type CustomerFilter } from '../lib/partner-center/customers.js';
import { clientForRun } from '../lib/session/client-for-run.js';

interface Parameters extends Record<string, unknown> {
  CustomerId?: string;
  Domain?: string;
  CompanyName?: string;
  ResellerId?: string;
  PageSize?: number;
  First?: number;
}

export default defineCmdlet<Parameters>({
  name: 'Get-PartnerCustomer',
  synopsis: 'Lists every customer of the partner, searches them, or gets one by id.',
  description:
    'Without parameters, lists every customer of the partner: it follows Partner Center\'s seek-based paging page by page and writes each customer as soon as its page arrives, so memory stays bounded whatever the number of customers. -Domain, -CompanyName and -ResellerId search with Partner Center\'s filter (a case-insensitive prefix match) and page the same way. -CustomerId gets one customer\'s full record; it binds from the pipeline by property name (a customer\'s id), so a search piped into Get-PartnerCustomer returns each match in full.',
  defaultParameterSet: 'List',
  parameters: {
    CustomerId: { type: 'guid', sets: ['ById'], mandatory: true, position: 0, aliases: ['Id', 'TenantId'], pipeline: 'byPropertyName', description: 'The customer\'s tenant id (a GUID).' },
    Domain: { type: 'string', sets: ['ByDomain'], mandatory: true, description: 'Customers whose domain starts with this text (case-insensitive).' },
    CompanyName: { type: 'string', sets: ['ByCompanyName'], mandatory: true, aliases: ['Name'], description: 'Customers whose company name starts with this text (case-insensitive).' },
    ResellerId: { type: 'guid', sets: ['ByReseller'], mandatory: true, description: 'Customers of this indirect reseller (its tenant id). Partner Center allows this search only when signed in as a user (App+User).' },
    PageSize: { type: 'int', sets: ['List', 'ByDomain', 'ByCompanyName', 'ByReseller'], range: [1, 500], default: 500, description: 'Customers per request. 500 is the service\'s maximum and the fewest round trips.' },
    First: { type: 'int', sets: ['List', 'ByDomain', 'ByCompanyName', 'ByReseller'], range: [1, 2_147_483_647], description: 'Stop after this many customers; no further pages are requested.' },
  },
  inputs: 'Objects with an id (or CustomerId / TenantId) property, e.g. customers from another Get-PartnerCustomer: each is fetched in full.',
  outputs: 'Customer objects exactly as Partner Center returns them (id, companyProfile, relationshipToPartner, links, attributes, ...).',
  view: [
    { name: 'CustomerId', path: 'id' },
    { name: 'Domain', path: 'companyProfile.domain' },
    { name: 'Name', path: 'companyProfile.companyName' },
    { name: 'Relationship', path: 'relationshipToPartner' },
  ],
  examples: [
    { title: 'Every customer, one JSON object per line', code: 'Get-PartnerCustomer > customers.ndjson' },
    { title: 'The first 20 customers as a table', code: 'Get-PartnerCustomer -First 20 -OutputFormat Table' },
    { title: 'One customer in full', code: 'Get-PartnerCustomer -CustomerId c5757d70-06f3-4f23-8367-5a9e55019f94' },
    { title: 'Search by domain, then fetch each match in full', code: 'Get-PartnerCustomer -Domain contoso | Get-PartnerCustomer' },
    { title: 'Count customers with jq', code: "Get-PartnerCustomer | jq -s 'length'" },
  ],
  async *run(p, context) {
    const client = await clientForRun(context);
    if (context.parameterSet === 'ById') {
      yield await getCustomer(client, p.CustomerId!);
      return;
    }
    const filter = filterOf(p);
    const pageSize = p.First !== undefined ? Math.min(p.PageSize ?? 500, p.First) : p.PageSize;
    let written = 0;
    let pages = 0;
    for await (const page of listCustomers(client, { pageSize, filter, limit: p.First })) {
      pages++;
      for (const customer of page.items) {
        yield customer;
        if (++written === p.First) return;
      }
      context.progress({ activity: 'Listing customers', pages, items: written });
    }
    context.verbose(`Listed ${written} customer(s) in ${pages} page(s).`);
  },
});

function filterOf(p: Parameters): CustomerFilter | undefined {
  if (p.Domain !== undefined) return { field: 'Domain', value: p.Domain };
  if (p.CompanyName !== undefined) return { field: 'CompanyName', value: p.CompanyName };
  if (p.ResellerId !== undefined) return { field: 'IndirectReseller', value: p.ResellerId };
  return undefined;
}
