import { defineCmdlet } from '../lib/cmdlet-support/cmdlet.js';
import { maxRetryParameter } from '../lib/cmdlet-support/parameters.js';
import { fanOutParameters } from '../lib/cmdlet-support/fan-out.js';
import {
  CUSTOMERS,
  CUSTOMER_INPUTS,
  customerIdParameter,
  forCustomer,
  ownedBy,
  withOwner,
} from '../lib/cmdlet-support/per-customer.js';
import {
  getSubscription,
  subscriptionsCollection,
} from '../lib/partner-center/customer-resources.js';
import { SUBSCRIPTION_VIEW } from '../lib/cmdlet-support/subscription-change.js';

export default defineCmdlet({
  name: 'Get-PartnerCustomerSubscription',
  helpUri:
    'https://learn.microsoft.com/partner-center/developer/get-all-of-a-customer-s-subscriptions',
  synopsis: "Lists a customer's subscriptions, or gets one by id or by order.",
  description:
    'Lists every subscription of a customer, legacy and new-commerce alike, as Partner Center ' +
    'returns them (one collection per customer). -SubscriptionId gets one subscription; ' +
    '-OrderId lists the subscriptions one order created. -CustomerId binds from the pipeline ' +
    "(a customer's id, or any object's customerId); customers piped in are worked on " +
    "-ThrottleLimit at a time, each one's subscriptions written together. Each subscription " +
    "is written with the customer's id first (customerId), since " +
    "Partner Center's own object does not carry it. Statuses and other values pass through " +
    'exactly as the service sends them, including values added after this module was written. ' +
    'Works with app-only and App+User sign-ins.',
  defaultParameterSet: 'List',
  parameters: {
    CustomerId: customerIdParameter,
    SubscriptionId: {
      type: 'guid',
      sets: ['ById'],
      mandatory: true,
      idOf: ['Subscription'],
      pipeline: 'byPropertyName',
      description:
        "One subscription's id. From the pipeline it binds the id of a Subscription object.",
    },
    OrderId: {
      type: 'string',
      sets: ['ByOrder'],
      mandatory: true,
      pattern: { regex: /^\S+$/, allowed: 'an order id (no spaces)' },
      description: 'List only the subscriptions this order created.',
    },
    MaxRetry: maxRetryParameter,
    ...fanOutParameters,
  },
  concurrentInput: CUSTOMERS,
  inputs: CUSTOMER_INPUTS,
  outputType: 'Subscription',
  outputs: "With the customer's id first (customerId).",
  view: SUBSCRIPTION_VIEW,
  examples: [
    {
      title: "One customer's subscriptions as a table",
      code:
        'Get-PartnerCustomerSubscription -CustomerId c5757d70-06f3-4f23-8367-5a9e55019f94 ' +
        '-OutputFormat Table',
    },
    {
      title: "Every customer's subscriptions, to CSV, each row with its customer's id",
      code: 'Get-PartnerCustomer | Get-PartnerCustomerSubscription -OutputFormat Csv > subscriptions.csv',
      remarks:
        'The CSV has the columns of the subscription view (CustomerId first); -Property ' +
        'chooses others, e.g. -Property customerId,id,offerName,status,quantity. A ' +
        'customer the partner has no commerce relationship with gets one line on stderr ' +
        'and the run goes on; it ends with a summary line and exit code 1.',
    },
    {
      title: "Every customer's subscriptions, continuing where a stopped run stopped",
      code:
        'Get-PartnerCustomer | Get-PartnerCustomerSubscription ' +
        '-ResumeFile subs.resume >> subscriptions.ndjson',
      remarks:
        'After a stop (throttling past the retries, sign-in expired, Ctrl-C), run the same ' +
        'line again: the customers subs.resume records are skipped, so subscriptions.ndjson ' +
        "ends with every customer's subscriptions once. Customers that failed are retried.",
    },
    {
      title: 'Subscriptions that are not active, with jq',
      code: 'Get-PartnerCustomer | Get-PartnerCustomerSubscription | jq -c \'select(.status != "active")\'',
    },
  ],
  async *run(p, context) {
    const ids = { customerId: p.CustomerId };
    yield* forCustomer(p.CustomerId, context, async function* () {
      const client = await context.services.partnerCenter({ maxRetry: p.MaxRetry });
      if (p.parameterSet === 'ById') {
        yield withOwner(ids, await getSubscription(client, p.CustomerId, p.SubscriptionId));
        return;
      }
      const { listResumably } = await import('../lib/cmdlet-support/listing-run.js');
      yield* listResumably(
        {
          cmdletName: 'Get-PartnerCustomerSubscription',
          collection: subscriptionsCollection(p.CustomerId, p.OrderId),
          transform: ownedBy(ids),
          maxRetry: p.MaxRetry,
        },
        context,
      );
    });
  },
});
