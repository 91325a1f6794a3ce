/**
 * -ErrorAction from Node: a pipeline object that fails goes to `onError` (and its line to
 * `onMessage`) and the call resolves, as on the command line under Continue; `ErrorAction` is
 * accepted as a parameter; what ends the run rejects with an error class the package exports, whose
 * hint speaks of the call, not of command-line words.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  AuthenticationError,
  type ErrorAction,
  IncompleteRunError,
  ItemFailure,
  invoke,
  type PartnerCenterModuleError,
  getPartnerCustomerSubscription,
} from '../../lib/index.js';
import { type EmulatedPartner, emulatedPartner } from '../support/emulated-partner.js';

type Json = Record<string, any>;

let partner: EmulatedPartner;
let customers: Json[];

interface JsonDataset {
  hasCommerceRelationship(customerId: string): boolean;
  subscriptionsOf(customerId: string): Json[];
}
const data = () => partner.emulator.dataset as unknown as JsonDataset;
const refused = () => customers.filter((c) => !data().hasCommerceRelationship(c.id));
const subscriptionIds = () =>
  customers
    .filter((c) => data().hasCommerceRelationship(c.id))
    .flatMap((c) =>
      data()
        .subscriptionsOf(c.id)
        .map((s) => s.id as string),
    )
    .sort();

async function collect(items: AsyncIterable<unknown>): Promise<Json[]> {
  const all: Json[] = [];
  for await (const item of items) all.push(item as Json);
  return all;
}

/** Runs the subscriptions of every customer with `parameters`, collecting what comes back. */
async function subscriptions(parameters: { ErrorAction?: ErrorAction; ThrottleLimit?: number }) {
  const errors: PartnerCenterModuleError[] = [];
  const messages: string[] = [];
  const objects = await collect(
    // ErrorAction is typed beside the cmdlet's own parameters.
    getPartnerCustomerSubscription(parameters, {
      env: partner.env,
      input: customers,
      onError: (error) => errors.push(error),
      onMessage: (line) => messages.push(line),
    }),
  );
  return { objects, errors, messages };
}

beforeAll(async () => {
  partner = await emulatedPartner({ customers: 24 });
  customers = await collect(invoke('Get-PartnerCustomer', {}, { env: partner.env }));
  expect(refused().length).toBeGreaterThan(1);
});

afterAll(() => partner?.dispose());

describe('ErrorAction in-process', () => {
  it('by default hands each failed customer to onError and its line to onMessage, and resolves', async () => {
    const { objects, errors, messages } = await subscriptions({});
    expect(objects.map((o) => o.id as string).sort()).toEqual(subscriptionIds());
    expect(errors.map((e) => (e as ItemFailure).item.id).sort()).toEqual(
      refused()
        .map((c) => c.id)
        .sort(),
    );
    for (const error of errors) {
      expect(error).toBeInstanceOf(ItemFailure);
      const failure = error as ItemFailure;
      expect(failure.cause).toBeInstanceOf(AuthenticationError);
      expect([failure.status, failure.serviceCode, failure.exitCode]).toEqual([403, 20002, 3]);
      expect(failure.item.name).toBe(
        customers.find((c) => c.id === failure.item.id)!.companyProfile.companyName,
      );
    }
    expect(messages).toHaveLength(refused().length + 1);
    expect(messages.at(-1)).toBe(
      `Get-PartnerCustomerSubscription: ${refused().length} of ${customers.length} customers ` +
        `failed: ${refused().length} × no commerce relationship (403, 20002).`,
    );
  });

  it('SilentlyContinue records them (onError) without a message; Ignore drops them', async () => {
    const silent = await subscriptions({ ErrorAction: 'SilentlyContinue' });
    expect(silent.errors).toHaveLength(refused().length);
    expect(silent.messages).toEqual([]);
    const ignored = await subscriptions({ ErrorAction: 'Ignore' });
    expect([ignored.errors, ignored.messages]).toEqual([[], []]);
    expect(ignored.objects.map((o) => o.id as string).sort()).toEqual(subscriptionIds());
  });

  it('Stop rejects with an exported error whose hint speaks of the call', async () => {
    const rejected = await subscriptions({ ErrorAction: 'Stop', ThrottleLimit: 1 }).catch(
      (error: unknown) => error,
    );
    expect(rejected).toBeInstanceOf(IncompleteRunError);
    const error = rejected as IncompleteRunError;
    expect(error.exitCode).toBe(3);
    expect(error.cause).toBeInstanceOf(ItemFailure);
    expect(error.hint).toMatch(
      /A rerun stops at the same customer: without ErrorAction: 'Stop' the run goes on past it\.$/,
    );
    expect(error.hint).not.toMatch(/-ResumeFile|-ErrorAction|end the pipeline/);
  });

  it('a failure that may pass later: the summary tells how to retry with the call, not a command line', async () => {
    const served = customers.find((c) => data().hasCommerceRelationship(c.id))!;
    const messages: string[] = [];
    const errors: PartnerCenterModuleError[] = [];
    partner.emulator.setFaults({ rules: [{ at: 1, action: { type: 'status', status: 503 } }] });
    try {
      const objects = await collect(
        getPartnerCustomerSubscription(
          { MaxRetry: 0, ThrottleLimit: 1 },
          {
            env: partner.env,
            input: [served],
            onError: (error) => errors.push(error),
            onMessage: (line) => messages.push(line),
          },
        ),
      );
      expect(objects).toEqual([]);
    } finally {
      partner.emulator.setFaults({});
    }
    expect(errors.map((e) => [e.constructor.name, e.status])).toEqual([['ItemFailure', 503]]);
    expect(messages.at(-1)).toBe(
      'Get-PartnerCustomerSubscription: 1 of 1 customer failed: 1 × Partner Center still ' +
        'failing after 1 attempt (503). It may pass later. Giving the call ResumeFile: <file> ' +
        'lets the same call again retry only the failed ones.',
    );
  });

  it('refuses a wrong ErrorAction as a usage error, naming what is allowed', async () => {
    await expect(subscriptions({ ErrorAction: 'Inquire' as ErrorAction })).rejects.toThrow(
      /"Inquire" is not one of Stop, Continue, SilentlyContinue, Ignore/,
    );
  });
});
