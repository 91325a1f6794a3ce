/**
 * The per-customer data as data: the same seed gives the same bytes, the rules hold in every block
 * of customers (a large directory per 50, customers with none of a resource, customers without a
 * commerce relationship), and a million customers still cost nothing until read.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { StartedEmulator } from '../../lib/emulator/index.js';
import { startEmulator } from '../support/emulator.js';
import { request } from './support.js';

async function bodiesOf(emulator: StartedEmulator, customerIndex: number): Promise<string[]> {
  const token = emulator.issueAccessToken({ delegated: true });
  const id = emulator.dataset.idOf(customerIndex);
  const users = emulator.dataset.userIdsOf(id);
  const paths = [
    `/v1/customers/${id}/subscriptions`,
    `/v1/customers/${id}/users?size=3`,
    `/v1/customers/${id}/subscribedskus`,
    ...(users[0] ? [`/v1/customers/${id}/users/${users[0]}/licenses`] : []),
  ];
  const responses = await Promise.all(paths.map((path) => request(emulator, path, { token })));
  // Continuation tokens are signed with a key of each emulator's own: the rest must match.
  return responses.map((response) =>
    response.text.replaceAll(response.json?.continuationToken ?? '\u0000', '<token>'),
  );
}

describe('per-customer data', () => {
  let first: StartedEmulator;
  let again: StartedEmulator;
  let other: StartedEmulator;
  beforeAll(async () => {
    [first, again, other] = await Promise.all([
      startEmulator({ customers: 5000, seed: 4 }),
      startEmulator({ customers: 5000, seed: 4 }),
      startEmulator({ customers: 5000, seed: 5 }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([first.close(), again.close(), other.close()]);
  });

  it('is the same, byte for byte, for the same seed, and differs for another', async () => {
    for (const index of [0, 3, 17, 4999]) {
      expect(await bodiesOf(again, index)).toEqual(await bodiesOf(first, index));
    }
    const id = first.dataset.idOf(3);
    expect(again.dataset.usersOf(id)).toEqual(first.dataset.usersOf(id));
    expect(other.dataset.subscriptionsOf(other.dataset.idOf(3))).not.toEqual(
      first.dataset.subscriptionsOf(id),
    );
  });

  it('has, in every block of 50 customers, one readable customer with more than 1,000 users', () => {
    const { dataset } = first;
    const many = dataset.customersWithManyUsers();
    expect(many).toHaveLength(5000 / 50);
    many.forEach((index, block) => {
      expect(Math.floor(index / 50)).toBe(block);
      const id = dataset.idOf(index);
      expect(dataset.userCounts(id).active).toBeGreaterThan(1000);
      expect(dataset.hasCommerceRelationship(id)).toBe(true);
    });
    const others = Array.from({ length: 500 }, (_, n) => n).filter((n) => !many.includes(n));
    for (const index of others)
      expect(dataset.userCounts(dataset.idOf(index)).active).toBeLessThanOrEqual(300);
  });

  it('has customers with none of each resource and customers that answer 403 20002', () => {
    const { dataset } = first;
    const ids = Array.from({ length: 500 }, (_, n) => dataset.idOf(n));
    const count = (test: (id: string) => boolean) => ids.filter(test).length;
    expect(count((id) => dataset.subscriptionsOf(id).length === 0)).toBeGreaterThan(0);
    expect(count((id) => dataset.userCounts(id).active === 0)).toBeGreaterThan(0);
    expect(count((id) => dataset.subscribedSkusOf(id).length === 0)).toBeGreaterThan(0);
    expect(count((id) => dataset.userCounts(id).deleted === 0)).toBeGreaterThan(0);
    const refused = dataset.customersWithoutCommerceRelationship(500);
    expect(refused.length).toBeGreaterThan(0);
    for (const index of refused)
      expect((first.customerAt(index) as any).relationshipToPartner).toBe('none');
  });

  it('derives ids that are unique within a customer and lead back to it', () => {
    const { dataset } = first;
    const id = dataset.idOf(dataset.customersWithManyUsers()[1]);
    const users = [...dataset.userIdsOf(id), ...dataset.userIdsOf(id, { deleted: true })];
    expect(new Set(users).size).toBe(users.length);
    const subscriptions = dataset.subscriptionsOf(id).map((s) => s.id);
    expect(new Set(subscriptions).size).toBe(subscriptions.length);
    expect(() => dataset.subscriptionsOf('6f2c0e3a-1b7d-4c59-9a3e-0d4b8c7e5f21')).toThrow(
      RangeError,
    );
  });
});

describe('a million customers', () => {
  // How fast they start and answer is measured by bench/emulator-scale.mjs, not asserted here.
  it('start, and answer their last customer from the same derivation (nothing precomputed)', async () => {
    const large = await startEmulator({ customers: 1_000_000, seed: 2 });
    try {
      expect(large.customerCount).toBe(1_000_000);
      const token = large.issueAccessToken({ delegated: true });
      const { dataset } = large;
      const lastBlock = dataset.customersWithManyUsers().at(-1)!;
      expect(lastBlock).toBeGreaterThanOrEqual(999_950);
      const id = dataset.idOf(lastBlock);
      const page = await request(large, `/v1/customers/${id}/users?size=500`, { token });
      const subscriptions = await request(large, `/v1/customers/${id}/subscriptions`, { token });
      expect(page.json.items.map((user: any) => user.id)).toEqual(
        dataset.userIdsOf(id).slice(0, 500),
      );
      expect(subscriptions.json.items).toEqual(dataset.subscriptionsOf(id));
      expect(large.customerAt(999_999).id).toBe(dataset.idOf(999_999));
    } finally {
      await large.close();
    }
  });
});
