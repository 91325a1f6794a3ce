import { defineCmdlet } from '../lib/cmdlet-support/cmdlet.js';
import { customerIdParameter } from '../lib/cmdlet-support/per-customer.js';
import {
  SUBSCRIPTION_CHANGE_IO,
  changeSubscription,
  subscriptionChangeTail,
  subscriptionIdParameter,
} from '../lib/cmdlet-support/subscription-change.js';

export default defineCmdlet({
  name: 'Set-PartnerCustomerSubscription',
  helpUri: 'https://learn.microsoft.com/partner-center/developer/update-a-subscription-by-id',
  synopsis: "Changes a customer's subscription: seats, auto-renew, name or status.",
  description:
    'Reads the subscription, changes only what was asked (-Quantity, -AutoRenewEnabled, ' +
    '-FriendlyName, -Status) and sends the whole resource with its etag, as Partner Center ' +
    'requires; an answer of 202 (a new-commerce status change) is followed to its end. When ' +
    'nothing would change, nothing is sent (-Verbose says so). Subscriptions piped in (from ' +
    'Get-PartnerCustomerSubscription, or rows of a CSV plan with customerId and subscriptionId) ' +
    'are worked on -ThrottleLimit at a time. -WhatIf reads each subscription and writes one line ' +
    'per subscription with each field before → after, and changes nothing. A refusal of the ' +
    "service (a decrease after the cancellation window, a quantity outside the SKU's bounds, a " +
    'suspended or expired subscription, an etag that changed since it was read) fails that ' +
    "subscription with one line naming the service's code and what is allowed; the run goes on " +
    'and exits 1. Impact Medium: not confirmed by default.',
  changes: { confirmImpact: 'Medium' },
  parameters: {
    CustomerId: customerIdParameter,
    SubscriptionId: subscriptionIdParameter,
    Quantity: {
      type: 'int',
      range: [1, 1_000_000],
      pipeline: 'byPropertyName',
      description:
        'The new seat count. From the pipeline it binds a quantity column (a CSV plan), or ' +
        "the quantity of a piped subscription (then unchanged, unless the service's changed).",
    },
    AutoRenewEnabled: {
      // A value, not a switch: a switch left out reads as false, and left out must mean unchanged.
      type: 'string',
      choices: ['true', 'false'],
      description: 'true turns auto-renew on, false turns it off. Left out: unchanged.',
    },
    FriendlyName: {
      type: 'string',
      pattern: { regex: /^.{1,100}$/, allowed: 'a name of 1 to 100 characters on one line' },
      description: "The subscription's friendly name.",
    },
    Status: {
      type: 'string',
      choices: ['active', 'suspended'],
      description: 'suspended suspends the subscription, active resumes it.',
    },
    ...subscriptionChangeTail,
  },
  ...SUBSCRIPTION_CHANGE_IO,
  examples: [
    {
      title: 'Raise a seat count',
      code:
        'Set-PartnerCustomerSubscription -CustomerId c5757d70-06f3-4f23-8367-5a9e55019f94 ' +
        '-SubscriptionId 8e9b1d2c-7a1f-4c53-9d7e-1f0a3b5c6d7e -Quantity 12 -PassThru',
    },
    {
      title: 'The plan first: what would change, and nothing sent',
      code:
        'Get-PartnerCustomerSubscription -CustomerId c5757d70-06f3-4f23-8367-5a9e55019f94 | ' +
        'Set-PartnerCustomerSubscription -AutoRenewEnabled false -WhatIf',
      remarks:
        'Each subscription gets one line on stderr, e.g. `What if: Performing the operation ' +
        '"Set subscription" on target "customer ...: subscription ... (Office 365 E3)". ' +
        'autoRenewEnabled true → false`. Run the same line without -WhatIf to apply it.',
    },
    {
      title: 'Seat changes from a CSV plan (customerId,subscriptionId,quantity)',
      code: 'Import-Csv plan.csv | Set-PartnerCustomerSubscription -WhatIf',
      remarks:
        'Each row binds -CustomerId, -SubscriptionId and -Quantity by its column names ' +
        '(ConvertFrom-Csv reads the same from standard input). Read the plan, then run the ' +
        'line without -WhatIf; rows the service refuses get one line each and the run exits 1.',
    },
  ],
  async *run(p, context) {
    yield* changeSubscription(
      {
        customerId: p.CustomerId,
        subscriptionId: p.SubscriptionId,
        maxRetry: p.MaxRetry,
        action: 'Set subscription',
        fields: {
          quantity: p.Quantity,
          autoRenewEnabled:
            p.AutoRenewEnabled === undefined ? undefined : p.AutoRenewEnabled === 'true',
          friendlyName: p.FriendlyName,
          status: p.Status,
        },
        passThru: p.PassThru === true,
      },
      context,
    );
  },
});
