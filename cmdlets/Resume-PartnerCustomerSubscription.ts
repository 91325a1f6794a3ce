import { statusChangeCmdlet } from '../lib/cmdlet-support/subscription-change.js';

export default statusChangeCmdlet({
  name: 'Resume-PartnerCustomerSubscription',
  status: 'active',
  action: 'Resume subscription',
  synopsis: "Resumes (reactivates) a customer's suspended subscription.",
  description: "Sets the subscription's status back to active.",
  examples: [
    {
      title: 'Resume one subscription, showing it afterwards',
      code:
        'Resume-PartnerCustomerSubscription -CustomerId c5757d70-06f3-4f23-8367-5a9e55019f94 ' +
        '-SubscriptionId 8e9b1d2c-7a1f-4c53-9d7e-1f0a3b5c6d7e -Force -PassThru',
    },
    {
      title: "Resume a customer's suspended subscriptions, asked one by one on a terminal",
      code:
        'Get-PartnerCustomerSubscription -CustomerId c5757d70-06f3-4f23-8367-5a9e55019f94 | ' +
        'Resume-PartnerCustomerSubscription',
      remarks:
        'Each is asked first; [A] Yes to All resumes the rest without asking. Active ones are ' +
        'left as they are.',
    },
    {
      title: 'Resume from a CSV plan (customerId,subscriptionId), the plan first',
      code: 'Import-Csv resume.csv | Resume-PartnerCustomerSubscription -WhatIf',
    },
  ],
});
