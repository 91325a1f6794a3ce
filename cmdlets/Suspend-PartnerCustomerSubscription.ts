import { statusChangeCmdlet } from '../lib/cmdlet-support/subscription-change.js';

export default statusChangeCmdlet({
  name: 'Suspend-PartnerCustomerSubscription',
  status: 'suspended',
  action: 'Suspend subscription',
  synopsis: "Suspends a customer's subscription.",
  description:
    "Sets the subscription's status to suspended (Resume-PartnerCustomerSubscription undoes it).",
  examples: [
    {
      title: 'Suspend one subscription in a runbook',
      code:
        'Suspend-PartnerCustomerSubscription -CustomerId c5757d70-06f3-4f23-8367-5a9e55019f94 ' +
        '-SubscriptionId 8e9b1d2c-7a1f-4c53-9d7e-1f0a3b5c6d7e -Force',
    },
    {
      title: "The plan for suspending a customer's subscriptions",
      code:
        'Get-PartnerCustomerSubscription -CustomerId c5757d70-06f3-4f23-8367-5a9e55019f94 | ' +
        'Suspend-PartnerCustomerSubscription -WhatIf',
      remarks: 'One line per subscription: `status active → suspended`. Nothing is changed.',
    },
    {
      title: 'Suspend the subscriptions a CSV lists (customerId,subscriptionId)',
      code: 'Import-Csv suspend.csv | Suspend-PartnerCustomerSubscription -Confirm:$false',
    },
  ],
});
