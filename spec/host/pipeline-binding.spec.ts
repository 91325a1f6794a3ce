/**
 * Which parameter set a pipeline object binds to (lib/host/pipeline-binding.ts), as PowerShell
 * chooses: of the sets still possible, the one where the object binds the most parameters by
 * property name; the default set only breaks a tie. The real Get-PartnerCustomerSubscription
 * declaration (a seat-plan row, a subscription, a customer) and a fixture for a tie between sets.
 */
import { describe, expect, it } from '@jest/globals';
import { defineCmdlet } from '../../lib/cmdlet-support/cmdlet.js';
import { bindGivenValues } from '../../lib/host/binder.js';
import { loadCmdlet } from '../../lib/host/load-cmdlet.js';
import { bindPipelineObject } from '../../lib/host/pipeline-binding.js';

const customerId = 'c5757d70-06f3-4f23-8367-5a9e55019f94';
const subscriptionId = '2ad1d1a9-7b1b-4e06-a2c6-0b4ad7d2d2a3';

async function bindToSubscriptions(object: Record<string, unknown>, given = {}) {
  const definition = await loadCmdlet('Get-PartnerCustomerSubscription');
  return bindPipelineObject(definition, bindGivenValues(definition, given), object, 1, {});
}

describe('the parameter set of a pipeline object', () => {
  it('a seat-plan row (customerId, subscriptionId, quantity) gets its one subscription', async () => {
    const row = { customerId, subscriptionId, quantity: '12' };
    const bound = await bindToSubscriptions(row);
    expect(bound.parameterSet).toBe('ById');
    expect(bound.parameters).toMatchObject({
      CustomerId: customerId,
      SubscriptionId: subscriptionId,
    });
  });

  it('so does a subscription as Get-PartnerCustomerSubscription writes it (its id)', async () => {
    const subscription = {
      customerId,
      id: subscriptionId,
      quantity: 10,
      attributes: { objectType: 'Subscription' },
    };
    const bound = await bindToSubscriptions(subscription);
    expect([bound.parameterSet, bound.parameters.SubscriptionId]).toEqual(['ById', subscriptionId]);
  });

  it('a row with the customer only lists: the default set wins what it binds as well as another', async () => {
    for (const object of [
      { customerId, quantity: '12' },
      { id: customerId, attributes: { objectType: 'Customer' } },
    ]) {
      const bound = await bindToSubscriptions(object);
      expect(bound.parameterSet).toBe('List');
      expect(bound.parameters.CustomerId).toBe(customerId);
      expect(bound.parameters.SubscriptionId).toBeUndefined();
    }
  });

  it("a subscription id that is not one is that row's error, not ignored for the list", async () => {
    await expect(bindToSubscriptions({ customerId, subscriptionId: 'no-such-id' })).rejects.toThrow(
      /^Input line 1: .*SubscriptionId/,
    );
  });

  it('between two sets that bind as many, the default set', () => {
    const definition = defineCmdlet({
      name: 'Get-Tie',
      synopsis: 'A tie.',
      description: 'Two sets, each with one parameter from the pipeline.',
      defaultParameterSet: 'ByName',
      parameters: {
        Id: { type: 'string', sets: ['ById'], pipeline: 'byPropertyName', description: 'An id.' },
        Name: {
          type: 'string',
          sets: ['ByName'],
          pipeline: 'byPropertyName',
          description: 'A name.',
        },
        Quantity: { type: 'int', pipeline: 'byPropertyName', description: 'In every set.' },
      },
      examples: [],
      async *run() {},
    });
    const bind = (object: Record<string, unknown>) =>
      bindPipelineObject(definition, bindGivenValues(definition, {}), object, 1, {});
    expect(bind({ id: 'a', name: 'b' }).parameterSet).toBe('ByName');
    expect(bind({ id: 'a', name: 'b', quantity: 2 }).parameterSet).toBe('ByName');
    expect(bind({ id: 'a', quantity: 2 }).parameterSet).toBe('ById');
    expect(bind({ quantity: 2 }).parameterSet).toBe('ByName');
  });
});
