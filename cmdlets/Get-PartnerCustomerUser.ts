import { defineCmdlet } from '../lib/cmdlet-support/cmdlet.js';
import { NotFoundError } from '../lib/common/errors.js';
import type { JsonText } from '../lib/json/json-text.js';
import { maxRetryParameter } from '../lib/cmdlet-support/parameters.js';
import { fanOutParameters } from '../lib/cmdlet-support/fan-out.js';
import {
  CUSTOMERS,
  CUSTOMER_INPUTS,
  customerIdParameter,
  forCustomer,
  ownedBy,
  requireUserSignIn,
  withOwner,
} from '../lib/cmdlet-support/per-customer.js';
import {
  getUser,
  MAX_USER_PAGE_SIZE,
  usersCollection,
} from '../lib/partner-center/customer-resources.js';

const NAME = 'Get-PartnerCustomerUser';

export default defineCmdlet({
  name: NAME,
  helpUri:
    'https://learn.microsoft.com/partner-center/developer/get-a-list-of-all-user-accounts-for-a-customer',
  synopsis: "Lists a customer's user accounts, gets one, or lists the deleted ones.",
  description:
    "Lists every user account of a customer's tenant, following Partner Center's seek paging " +
    'page by page (a customer with many thousands of users streams in bounded memory). -UserId ' +
    'gets one user; -UserPrincipalName finds one by its sign-in name (Partner Center has no ' +
    'search for it, so the listing is read until the user is found); -Deleted lists the users ' +
    'deleted in the last 30 days (state Inactive), which can still be restored. -CustomerId ' +
    "binds from the pipeline (a customer's id, or any object's customerId). Each user is " +
    "written with the customer's id first (customerId). Partner Center serves users only to " +
    'App+User sign-ins: an application sign-in is refused before any request.',
  defaultParameterSet: 'List',
  parameters: {
    CustomerId: customerIdParameter,
    UserId: {
      type: 'guid',
      sets: ['ById'],
      mandatory: true,
      idOf: ['CustomerUser'],
      pipeline: 'byPropertyName',
      description: "One user's id. From the pipeline it binds the id of a CustomerUser object.",
    },
    UserPrincipalName: {
      type: 'string',
      sets: ['ByUserPrincipalName'],
      mandatory: true,
      aliases: ['Upn'],
      pattern: {
        regex: /^[^\s@]+@[^\s@]+$/,
        allowed: 'a user principal name such as ana@contoso.com',
      },
      description: "The user's sign-in name (case-insensitive).",
    },
    Deleted: {
      type: 'switch',
      sets: ['Deleted'],
      mandatory: true,
      description: 'List the deleted users (UserState Inactive) instead of the active ones.',
    },
    PageSize: {
      type: 'int',
      sets: ['List', 'Deleted', 'ByUserPrincipalName'],
      range: [1, MAX_USER_PAGE_SIZE],
      default: MAX_USER_PAGE_SIZE,
      description: 'Users per request; the most is the fewest round trips.',
    },
    MaxRetry: maxRetryParameter,
    ...fanOutParameters,
  },
  concurrentInput: CUSTOMERS,
  inputs: CUSTOMER_INPUTS,
  outputType: 'CustomerUser',
  outputs: "With the customer's id first (customerId).",
  view: [
    { name: 'CustomerId', path: 'customerId', kind: 'id', group: true },
    { name: 'UserId', path: 'id', kind: 'id' },
    { name: 'UserPrincipalName', path: 'userPrincipalName', kind: 'id', drop: 2 },
    { name: 'DisplayName', path: 'displayName', kind: 'text', minWidth: 20 },
    { name: 'State', path: 'state', minWidth: 12, drop: 1 },
  ],
  examples: [
    {
      title: 'The users of one customer with their licenses',
      code:
        'Get-PartnerCustomerUser -CustomerId c5757d70-06f3-4f23-8367-5a9e55019f94 | ' +
        'Get-PartnerCustomerUserLicense -OutputFormat Table',
    },
    {
      title: 'Every user of every customer, one JSON object per line',
      code: 'Get-PartnerCustomer | Get-PartnerCustomerUser > users.ndjson',
    },
    {
      title: 'Users deleted in the last 30 days',
      code: 'Get-PartnerCustomerUser -CustomerId c5757d70-06f3-4f23-8367-5a9e55019f94 -Deleted',
    },
  ],
  async *run(p, context) {
    await requireUserSignIn(context, "a customer's users");
    const customerId = p.CustomerId;
    const ids = { customerId };
    yield* forCustomer(customerId, context, async function* () {
      const client = await context.services.partnerCenter({ maxRetry: p.MaxRetry });
      if (p.parameterSet === 'ById') {
        yield withOwner(ids, await getUser(client, customerId, p.UserId));
        return;
      }
      const { listResumably } = await import('../lib/cmdlet-support/listing-run.js');
      const listing = listResumably(
        {
          cmdletName: NAME,
          collection: usersCollection(customerId, { deleted: p.Deleted }),
          transform: ownedBy(ids),
          pageSize: p.PageSize,
          maxRetry: p.MaxRetry,
        },
        context,
      );
      if (p.parameterSet !== 'ByUserPrincipalName') {
        yield* listing;
        return;
      }
      const wanted = p.UserPrincipalName.toLowerCase();
      for await (const page of listing) {
        for (const user of page.objects as Iterable<JsonText<{ userPrincipalName?: unknown }>>) {
          const upn = user.value.userPrincipalName;
          if (typeof upn === 'string' && upn.toLowerCase() === wanted) {
            yield user;
            return;
          }
        }
      }
      throw new NotFoundError(`No user has the user principal name '${p.UserPrincipalName}'.`, {
        hint: "Check the name; Get-PartnerCustomerUser lists the customer's users.",
      });
    });
  },
});
