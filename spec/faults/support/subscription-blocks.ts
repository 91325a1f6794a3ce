/**
 * What the stdout specs check of a fan-out's subscriptions: each customer's items exactly as the
 * emulator's data set has them, in one block, none twice, nothing else and no torn line.
 */
import { expect } from '@jest/globals';
import type { EmulatedPartner } from '../../support/emulated-partner.js';
import { blocksOf, type OutputBlock } from './pipeline-runs.js';

type Json = Record<string, any>;

/** The emulator's data set as these specs read it. */
export interface SubscriptionData {
  hasCommerceRelationship(customerId: string): boolean;
  subscriptionIds(customerId: string): string[];
}

export function subscriptionData(partner: EmulatedPartner): SubscriptionData {
  const dataset = partner.emulator.dataset as unknown as {
    hasCommerceRelationship(customerId: string): boolean;
    subscriptionsOf(customerId: string): Json[];
  };
  return {
    hasCommerceRelationship: (id) => dataset.hasCommerceRelationship(id),
    subscriptionIds: (id) => dataset.subscriptionsOf(id).map((s) => s.id as string),
  };
}

/** Every served customer with subscriptions in exactly one whole block of `blocks`, nothing else. */
export function expectEachCustomerOnce(
  blocks: readonly OutputBlock[],
  served: readonly Json[],
  data: SubscriptionData,
): void {
  expect(blocks.filter((b) => b.torn)).toEqual([]);
  const wanted = served.filter((c) => data.subscriptionIds(c.id).length > 0).map((c) => c.id);
  expect(blocks.map((b) => b.customerId).sort()).toEqual([...wanted].sort());
  for (const block of blocks) expect(block.ids).toEqual(data.subscriptionIds(block.customerId));
}

/** The same for a whole output (a file the runs appended to). */
export function expectEachCustomerOnceIn(
  text: string,
  served: readonly Json[],
  data: SubscriptionData,
): void {
  expectEachCustomerOnce(blocksOf(text), served, data);
}
