import { defineCmdlet } from '../lib/cmdlet-support/cmdlet.js';
import { fanOutParameters } from '../lib/cmdlet-support/fan-out.js';
import { maxRetryParameter } from '../lib/cmdlet-support/parameters.js';
import {
  USERS,
  customerIdParameter,
  forCustomer,
  licenseGroupParameter,
  ownedBy,
  requireUserSignIn,
} from '../lib/cmdlet-support/per-customer.js';
import { userLicensesCollection } from '../lib/partner-center/customer-resources.js';

const NAME = 'Get-PartnerCustomerUserLicense';

export default defineCmdlet({
  name: NAME,
  helpUri:
    'https://learn.microsoft.com/partner-center/developer/check-which-licenses-are-assigned-to-a-user',
  synopsis: "Lists the licenses assigned to a customer's user.",
  description:
    'Lists the licenses (product SKUs and their service plans) assigned to one user of a ' +
    'customer. -CustomerId and -UserId bind from the pipeline by property name: a user from ' +
    'Get-PartnerCustomerUser carries both (its customerId, and its own id as a CustomerUser), ' +
    "so `Get-PartnerCustomerUser | Get-PartnerCustomerUserLicense` lists every user's licenses. " +
    "Each license is written with the customer's and the user's ids first (customerId, userId). " +
    '-LicenseGroup limits it to Entra ID (Group1) or Minecraft (Group2) licenses. Partner ' +
    'Center serves this only to App+User sign-ins.',
  parameters: {
    CustomerId: customerIdParameter,
    UserId: {
      type: 'guid',
      mandatory: true,
      position: 1,
      idOf: ['CustomerUser'],
      pipeline: 'byPropertyName',
      description:
        "The user's id. From the pipeline it binds the id of a CustomerUser object, or any " +
        "object's userId.",
    },
    LicenseGroup: licenseGroupParameter,
    MaxRetry: maxRetryParameter,
    ...fanOutParameters,
  },
  concurrentInput: USERS,
  inputs:
    'CustomerUser objects from Get-PartnerCustomerUser, or any objects with customerId and ' +
    'userId properties.',
  outputType: 'License',
  outputs: "With the customer's and the user's ids first (customerId, userId).",
  view: [
    { name: 'CustomerId', path: 'customerId', kind: 'id', group: true },
    { name: 'UserId', path: 'userId', kind: 'id' },
    { name: 'Sku', path: 'productSku.name', kind: 'text', minWidth: 20 },
    { name: 'SkuPartNumber', path: 'productSku.skuPartNumber', kind: 'id', drop: 3 },
    { name: 'LicenseGroup', path: 'productSku.licenseGroupId', drop: 2 },
    { name: 'ServicePlans', path: 'servicePlans.serviceName', kind: 'text', drop: 1 },
  ],
  examples: [
    {
      title: 'Every user of a customer with the licenses assigned to them',
      code:
        'Get-PartnerCustomerUser -CustomerId c5757d70-06f3-4f23-8367-5a9e55019f94 | ' +
        'Get-PartnerCustomerUserLicense -OutputFormat Csv > licenses.csv',
    },
    {
      title: "The first five customers, their users and each user's licenses",
      code: 'Get-PartnerCustomer -First 5 | Get-PartnerCustomerUser | Get-PartnerCustomerUserLicense',
    },
  ],
  async *run(p, context) {
    await requireUserSignIn(context, "a user's licenses");
    const customerId = p.CustomerId;
    const userId = p.UserId;
    yield* forCustomer(customerId, context, async function* () {
      const { listResumably } = await import('../lib/cmdlet-support/listing-run.js');
      yield* listResumably(
        {
          cmdletName: NAME,
          collection: userLicensesCollection(customerId, userId, p.LicenseGroup),
          transform: ownedBy({ customerId, userId }),
          maxRetry: p.MaxRetry,
        },
        context,
      );
    });
  },
});
