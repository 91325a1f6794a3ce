import { defineCmdlet } from '../lib/cmdlet-support/cmdlet.js';
import { maxRetryParameter } from '../lib/cmdlet-support/parameters.js';
import { fanOutParameters } from '../lib/cmdlet-support/fan-out.js';
import {
  CUSTOMERS,
  CUSTOMER_INPUTS,
  customerIdParameter,
  forCustomer,
  licenseGroupParameter,
  ownedBy,
  requireUserSignIn,
} from '../lib/cmdlet-support/per-customer.js';
import { subscribedSkusCollection } from '../lib/partner-center/customer-resources.js';

const NAME = 'Get-PartnerCustomerSubscribedSku';

export default defineCmdlet({
  name: NAME,
  helpUri: 'https://learn.microsoft.com/partner-center/developer/get-a-list-of-available-licenses',
  synopsis: 'Lists the licenses a customer has: its subscribed SKUs, with units used and free.',
  description:
    'Lists the products (SKUs) a customer is subscribed to, with how many units it has in ' +
    'total, how many are assigned (consumedUnits), active, suspended or in warning, and the ' +
    'service plans each includes. -LicenseGroup limits it to Entra ID licenses (Group1) or ' +
    "Minecraft licenses (Group2). -CustomerId binds from the pipeline (a customer's id, or any " +
    "object's customerId). Each SKU is written with the customer's id first (customerId). " +
    'Partner Center serves this only to App+User sign-ins.',
  parameters: {
    CustomerId: customerIdParameter,
    LicenseGroup: licenseGroupParameter,
    MaxRetry: maxRetryParameter,
    ...fanOutParameters,
  },
  concurrentInput: CUSTOMERS,
  inputs: CUSTOMER_INPUTS,
  outputType: 'SubscribedSku',
  outputs: "With the customer's id first (customerId).",
  view: [
    { name: 'CustomerId', path: 'customerId', kind: 'id', group: true },
    { name: 'Sku', path: 'productSku.name', kind: 'text', minWidth: 20 },
    { name: 'SkuPartNumber', path: 'productSku.skuPartNumber', kind: 'id', drop: 2 },
    { name: 'Total', path: 'totalUnits' },
    { name: 'Consumed', path: 'consumedUnits' },
    { name: 'Available', path: 'availableUnits' },
    { name: 'Status', path: 'capabilityStatus', minWidth: 12, drop: 3 },
    { name: 'ServicePlans', path: 'servicePlans.serviceName', kind: 'text', drop: 1 },
  ],
  examples: [
    {
      title: "One customer's licenses as a table",
      code:
        'Get-PartnerCustomerSubscribedSku -CustomerId c5757d70-06f3-4f23-8367-5a9e55019f94 ' +
        '-OutputFormat Table',
    },
    {
      title: 'Licenses bought but not assigned, across every customer',
      code:
        'Get-PartnerCustomer | Get-PartnerCustomerSubscribedSku | ' +
        "jq -c 'select(.availableUnits > 0) | {customerId, sku: .productSku.name, .availableUnits}'",
    },
    {
      title: "Every customer's licenses as CSV",
      code: 'Get-PartnerCustomer | Get-PartnerCustomerSubscribedSku -OutputFormat Csv > licenses.csv',
      remarks:
        "The ServicePlans column holds the service plans' names as a JSON array (a view path " +
        'through an array reads that path in each element); with -Property, nested objects and ' +
        'arrays are written as compact JSON in one cell.',
    },
  ],
  async *run(p, context) {
    await requireUserSignIn(context, "a customer's subscribed SKUs");
    const customerId = p.CustomerId;
    yield* forCustomer(customerId, context, async function* () {
      const { listResumably } = await import('../lib/cmdlet-support/listing-run.js');
      yield* listResumably(
        {
          cmdletName: NAME,
          collection: subscribedSkusCollection(customerId, p.LicenseGroup),
          transform: ownedBy({ customerId }),
          maxRetry: p.MaxRetry,
        },
        context,
      );
    });
  },
});
