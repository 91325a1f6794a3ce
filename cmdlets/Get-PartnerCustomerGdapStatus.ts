import { defineCmdlet, ObjectList } from '../lib/cmdlet-support/cmdlet.js';
import {
  type CustomerRelationshipFacts,
  RELATIONSHIP_FACTS,
  type RelationshipIndex,
  relationshipIndex,
} from '../lib/cmdlet-support/gdap-listing.js';
import { maxRetryParameter } from '../lib/cmdlet-support/parameters.js';
import {
  CUSTOMER_INPUTS,
  companyNameOf,
  customerIdParameter,
} from '../lib/cmdlet-support/per-customer.js';
import { customersCollection, type Customer } from '../lib/partner-center/customers.js';
import { type GdapStatus, gdapStatusOf } from '../lib/partner-center/gdap-status.js';
import type { JsonText } from '../lib/json/json-text.js';

const NAME = 'Get-PartnerCustomerGdapStatus';

export default defineCmdlet({
  name: NAME,
  helpUri:
    'https://learn.microsoft.com/graph/api/tenantrelationship-list-delegatedadminrelationships',
  synopsis:
    'Tells, for every customer, whether the partner can administer it through GDAP, until when, ' +
    'and whether that renews itself.',
  description:
    'Writes one object per customer: its granular delegated admin (GDAP) status, from every ' +
    'relationship Microsoft Graph lists with it. status is active (an active relationship that ' +
    'auto-extends, or whose latest end is more than -ExpiringWithinDays away), expiresSoon (active, ' +
    'but every active relationship ends within -ExpiringWithinDays and none auto-extends), ' +
    'pending (none active, one on its way: created, approvalPending, approved or activating), ' +
    'expired (only ended ones; Graph\'s "expiring" is one past its end being deprovisioned), ' +
    'terminated (only terminated ones, or ones whose termination was asked for) or none. ' +
    'expiresOn is the latest end of the active relationships; autoExtends says whether one of ' +
    'them renews itself; hasGlobalAdministrator whether one grants Global Administrator (such a ' +
    'relationship cannot auto-extend). Customers come from the pipeline (Get-PartnerCustomer, ' +
    "or any object's customerId) or, with nothing piped, from Partner Center's customer listing. " +
    'Either way Graph is listed once for the whole run, whatever the number of customers ' +
    '(ceil(relationships / 300) requests; about 0.65 KB kept per relationship). "Now" is the ' +
    "run's clock. -OutputFormat Csv gives the account manager's report.",
  defaultParameterSet: 'All',
  parameters: {
    CustomerId: {
      ...customerIdParameter,
      sets: ['ByCustomer'],
      description:
        "The customer's tenant id. From the pipeline it binds a customer's id or any object's " +
        'customerId; without it every customer of the partner is reported.',
    },
    ExpiringWithinDays: {
      type: 'int',
      range: [0, 730],
      default: 30,
      description:
        'An active customer whose access ends within this many days (and does not auto-extend) ' +
        "is reported as expiresSoon. 30 matches Partner Center's own first warning.",
    },
    First: {
      type: 'int',
      sets: ['All'],
      range: [1, 2_147_483_647],
      description: 'Report only the first this many customers of the customer listing.',
    },
    MaxRetry: maxRetryParameter,
  },
  inputs: `${CUSTOMER_INPUTS} Nothing: every customer of the partner is reported.`,
  outputType: 'GdapStatus',
  outputs: 'One object per customer.',
  view: [
    { name: 'CustomerId', path: 'customerId', kind: 'id' },
    { name: 'CompanyName', path: 'companyName', kind: 'text', minWidth: 30 },
    { name: 'Status', path: 'status', minWidth: 11 },
    { name: 'ActiveRelationships', path: 'activeRelationships', shortName: 'Active', drop: 3 },
    { name: 'ExpiresOn', path: 'expiresOn', kind: 'date', minWidth: 17, drop: 5 },
    { name: 'AutoExtends', path: 'autoExtends', drop: 2 },
    {
      name: 'HasGlobalAdministrator',
      path: 'hasGlobalAdministrator',
      shortName: 'GlobalAdmin',
      drop: 4,
    },
    { name: 'RelationshipIds', path: 'relationshipIds', drop: 1 },
  ],
  examples: [
    {
      title: 'The customers that need attention',
      code: 'Get-PartnerCustomerGdapStatus | jq \'select(.status != "active")\'',
    },
    {
      title: "The account manager's report",
      code: 'Get-PartnerCustomerGdapStatus -OutputFormat Csv > gdap-status.csv',
    },
    {
      title: 'Who loses access within a week',
      code:
        'Get-PartnerCustomerGdapStatus -ExpiringWithinDays 7 | ' +
        'jq -r \'select(.status == "expiresSoon") | [.companyName, .expiresOn] | @tsv\'',
    },
    {
      title: 'Some customers only (still one Graph listing)',
      code: 'Get-PartnerCustomer -Domain contoso | Get-PartnerCustomerGdapStatus -OutputFormat Table',
    },
    {
      title: 'Customers still relying on Global Administrator',
      code: "Get-PartnerCustomerGdapStatus | jq -c 'select(.hasGlobalAdministrator)'",
    },
  ],
  async *run(p, context): AsyncGenerator<unknown> {
    const { services } = context;
    // One instant for the whole run, so two customers are judged against the same "now".
    const now = await services.shared('gdap-status:now', async () => services.clock.now());
    const options = { now, expiringWithinDays: p.ExpiringWithinDays };
    const indexed = relationshipIndex(
      context,
      { cmdletName: NAME, maxRetry: p.MaxRetry },
      RELATIONSHIP_FACTS,
    );
    if (p.parameterSet === 'ByCustomer') {
      const index = await indexed;
      yield statusOf(p.CustomerId, companyNameOf(context.pipelineObject), index, options);
      return;
    }
    // The customers are listed while Graph is, and judged once its listing is indexed.
    const { listResumably } = await import('../lib/cmdlet-support/listing-run.js');
    const customers = listResumably<Customer>(
      { cmdletName: NAME, collection: customersCollection(), first: p.First, maxRetry: p.MaxRetry },
      context,
    );
    for await (const page of customers) {
      const index = await indexed;
      const statuses: GdapStatus[] = [];
      for (const customer of page.objects as Iterable<JsonText<Customer>>) {
        const value = customer.value as unknown as Record<string, unknown>;
        statuses.push(statusOf(String(value.id), companyNameOf(value), index, options));
      }
      yield new ObjectList(statuses);
    }
    // A partner without customers still waits for (and reports a failure of) the Graph listing.
    await indexed;
  },
});

function statusOf(
  customerId: string,
  companyName: string | null,
  index: RelationshipIndex<CustomerRelationshipFacts>,
  options: { now: number; expiringWithinDays: number },
): GdapStatus {
  const relationships = index.byCustomer.get(customerId.toLowerCase()) ?? [];
  const name = companyName ?? relationships.find((r) => r.customerName)?.customerName ?? null;
  return gdapStatusOf({ customerId, companyName: name }, relationships, options);
}
