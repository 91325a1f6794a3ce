/**
 * Binding by property name must not confuse one resource's id with another's: a parameter takes
 * an `id` only from objects of its kind (attributes.objectType), and an owner's id by name.
 */
import { describe, expect, it } from '@jest/globals';
import { defineCmdlet } from '../../lib/cmdlet-support/cmdlet.js';
import { customerIdParameter } from '../../lib/cmdlet-support/per-customer.js';
import { runInProcess } from '../fixtures/host/run-in-process.js';

const C1 = '00000000-0000-4000-8000-0000000000c1';
const C2 = '00000000-0000-4000-8000-0000000000c2';
const U1 = '00000000-0000-4000-8000-0000000000a1';
const S1 = '00000000-0000-4000-8000-0000000000b1';

/** Shaped like Get-PartnerCustomerUserLicense: echoes what it was bound with. */
const getLicenseLike = defineCmdlet({
  name: 'Get-Owned',
  synopsis: 'Echoes its ids.',
  description: 'A fixture with a customer id and a user id, both from the pipeline.',
  parameters: {
    CustomerId: customerIdParameter,
    UserId: {
      type: 'guid',
      mandatory: true,
      idOf: ['CustomerUser'],
      pipeline: 'byPropertyName',
      description: 'A user id.',
    },
  },
  examples: [],
  async *run(p) {
    yield { customerId: p.CustomerId, userId: p.UserId };
  },
});

/** Shaped like Get-PartnerCustomerUser: only a customer id from the pipeline. */
const getUsersLike = defineCmdlet({
  name: 'Get-Users',
  synopsis: 'Echoes its customer id.',
  description: 'A fixture with a customer id from the pipeline.',
  parameters: { CustomerId: customerIdParameter },
  examples: [],
  async *run(p) {
    yield { customerId: p.CustomerId };
  },
});

const lines = (...objects: unknown[]) => objects.map((o) => JSON.stringify(o)).join('\n');
const parsed = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));

describe('binding by kind of object', () => {
  it("a Customer's id binds to -CustomerId", async () => {
    const input = lines({ id: C1, attributes: { objectType: 'Customer' } }, { id: C2 });
    const result = await runInProcess(getUsersLike, [], { stdin: input });
    expect(result.stderr).toBe('');
    expect(parsed(result.stdout)).toEqual([{ customerId: C1 }, { customerId: C2 }]);
  });

  it("a CustomerUser's id binds to -UserId and its customerId to -CustomerId", async () => {
    const user = { customerId: C1, id: U1, attributes: { objectType: 'CustomerUser' } };
    const result = await runInProcess(getLicenseLike, [], { stdin: lines(user) });
    expect(result.stderr).toBe('');
    expect(parsed(result.stdout)).toEqual([{ customerId: C1, userId: U1 }]);
  });

  it('the id of an object of another kind binds to neither, even through an Id alias', async () => {
    // A subscription of customer C1: its id is the subscription's, not a customer's.
    const subscription = { customerId: C1, id: S1, attributes: { objectType: 'Subscription' } };
    const toUsers = await runInProcess(getUsersLike, [], { stdin: lines(subscription) });
    expect(parsed(toUsers.stdout)).toEqual([{ customerId: C1 }]);
    // Only the id of a subscription without its customerId: nothing to bind -CustomerId to.
    const orphan = { id: S1, attributes: { objectType: 'Subscription' } };
    const refused = await runInProcess(getUsersLike, ['-ErrorAction', 'Stop'], {
      stdin: lines(orphan),
    });
    expect(refused.code).toBe(2);
    expect(refused.stderrLines).toEqual([
      expect.stringMatching(
        /^Get-Users: Input line 1: the object cannot be bound to any parameter/,
      ),
    ]);
  });

  it('a Customer piped where a user is needed fails that object for its missing -UserId', async () => {
    const customer = { id: C1, attributes: { objectType: 'Customer' } };
    const result = await runInProcess(getLicenseLike, ['-ErrorAction', 'Stop'], {
      stdin: lines(customer),
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Input line 1: .*-UserId/);
  });

  it('matches objectType case-insensitively and ignores inherited or non-string kinds', async () => {
    const input = lines(
      { id: C1, attributes: { objectType: 'customer' } },
      { id: C2, attributes: { objectType: 7 } },
    );
    const result = await runInProcess(getUsersLike, [], { stdin: input });
    expect(result.stderr).toBe('');
    expect(parsed(result.stdout)).toEqual([{ customerId: C1 }, { customerId: C2 }]);
  });
});
