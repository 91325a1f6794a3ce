/**
 * The Node API against the real emulator: invoke and the typed functions return what the command's
 * NDJSON lines hold, stream with backpressure, bind pipeline input by property name, stop on a
 * signal, and reject with the module's errors, writing nothing to stdout or stderr.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import {
  connectPartner,
  getPartnerCustomer,
  getPartnerCustomerSubscription,
  invoke,
  NotConnectedError,
  UsageError,
} from '../../lib/index.js';
import { parseNdjson, scratchConfigDir } from '../support/cli.js';
import { type EmulatedPartner, emulatedPartner, idsOf } from '../support/emulated-partner.js';

let partner: EmulatedPartner;
beforeAll(async () => {
  partner = await emulatedPartner({ customers: 23, seed: 7 });
});
afterAll(() => partner.dispose());

async function collect(items: AsyncIterable<unknown>): Promise<Record<string, unknown>[]> {
  const all: Record<string, unknown>[] = [];
  for await (const item of items) all.push(item as Record<string, unknown>);
  return all;
}

const pagesServed = () => partner.emulator.counters().requests['GET /v1/customers'] ?? 0;

describe('invoke', () => {
  it('returns exactly what the command writes as NDJSON, writing nothing itself', async () => {
    const written = [
      jest.spyOn(process.stdout, 'write').mockImplementation(() => true),
      jest.spyOn(process.stderr, 'write').mockImplementation(() => true),
    ];
    let listed: Record<string, unknown>[];
    try {
      listed = await collect(invoke('Get-PartnerCustomer', { PageSize: 5 }, { env: partner.env }));
    } finally {
      for (const spy of written) spy.mockRestore();
    }
    expect(written.map((spy) => spy.mock.calls.length)).toEqual([0, 0]);
    const command = await partner.run('Get-PartnerCustomer', ['-PageSize', '5']);
    expect(command.code).toBe(0);
    expect(listed).toEqual(parseNdjson(command.stdout));
    expect(listed).toHaveLength(23);
  });

  it('asks for the next page only as the caller consumes', async () => {
    const before = pagesServed();
    const iterator = getPartnerCustomer({ PageSize: 5 }, { env: partner.env })[
      Symbol.asyncIterator
    ]();
    expect((await iterator.next()).done).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The first page, and at most the one the paging reads ahead.
    expect(pagesServed() - before).toBeLessThanOrEqual(2);
    for (let taken = 1; taken < 11; taken++) await iterator.next();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(pagesServed() - before).toBeLessThanOrEqual(4);
    await iterator.return?.();
    expect(pagesServed() - before).toBeLessThanOrEqual(4);
    expect((await iterator.next()).done).toBe(true);
    // Left before it started: it never starts.
    const unused = invoke('Get-PartnerCustomer', {}, { env: partner.env })[Symbol.asyncIterator]();
    await unused.return?.();
    expect((await unused.next()).done).toBe(true);
    expect(pagesServed() - before).toBeLessThanOrEqual(4);
  });

  it('binds pipeline input by property name, as from stdin', async () => {
    const found = await collect(invoke('Get-PartnerCustomer', { First: 3 }, { env: partner.env }));
    const full = await collect(
      invoke('Get-PartnerCustomer', {}, { env: partner.env, input: found }),
    );
    expect(idsOf(full)).toEqual(idsOf(found));
    const command = await partner.run(
      'Get-PartnerCustomer',
      [],
      found.map((item) => JSON.stringify(item)).join('\n'),
    );
    expect(full).toEqual(parseNdjson(command.stdout));
  });

  it("fans out over piped customers as the command does, each customer's objects together", async () => {
    const dataset = partner.emulator.dataset as unknown as {
      hasCommerceRelationship(id: unknown): boolean;
    };
    // The first failure rejects an in-process run: only customers that succeed.
    const customers = (
      await collect(invoke('Get-PartnerCustomer', {}, { env: partner.env }))
    ).filter((c) => dataset.hasCommerceRelationship(c.id));
    const options = { env: partner.env, input: customers };
    const fanned = await collect(getPartnerCustomerSubscription({ ThrottleLimit: 6 }, options));
    const inOrder = await collect(getPartnerCustomerSubscription({ ThrottleLimit: 1 }, options));
    expect(fanned.length).toBeGreaterThan(0);
    // Each customer's subscriptions are contiguous, and the same set as one at a time.
    const runs = fanned.map((s) => s.customerId).filter((id, n, all) => id !== all[n - 1]);
    expect(new Set(runs).size).toBe(runs.length);
    const key = (s: Record<string, unknown>) => `${s.customerId}/${s.id}`;
    expect(fanned.map(key).sort()).toEqual(inOrder.map(key).sort());
  });

  it('checks parameters as the command line does, before any request', async () => {
    const before = partner.emulator.counters().requests;
    const rejected = collect(
      invoke('Get-PartnerCustomer', { CustomerId: 'not-a-guid' }, { env: partner.env }),
    );
    await expect(rejected).rejects.toThrow(UsageError);
    await expect(rejected).rejects.toMatchObject({
      exitCode: 2,
      message: 'Cannot bind parameter \'CustomerId\': "not-a-guid" is not a GUID.',
      hint: 'Use the form 00000000-0000-0000-0000-000000000000.',
    });
    await expect(
      // @ts-expect-error -PageSize is an int, and the editor says so
      collect(getPartnerCustomer({ PageSize: 'many' }, { env: partner.env })),
    ).rejects.toMatchObject({ exitCode: 2 });
    await expect(
      collect(
        // @ts-expect-error -Domain and -CustomerId belong to different sets
        invoke('Get-PartnerCustomer', { Domain: 'a', CustomerId: partner.emulator.tenantId }),
      ),
    ).rejects.toThrow(/different parameter sets/);
    expect(partner.emulator.counters().requests).toEqual(before);
  });

  it('rejects with the named error, its exit code and hint, when not connected', async () => {
    const empty = scratchConfigDir();
    try {
      const rejected = collect(
        invoke('Get-PartnerCustomer', {}, { env: { PARTNERCENTER_CONFIG_DIR: empty.dir } }),
      );
      await expect(rejected).rejects.toThrow(NotConnectedError);
      await expect(rejected).rejects.toMatchObject({
        exitCode: 3,
        hint: expect.stringContaining('Connect-Partner'),
      });
    } finally {
      empty.dispose();
    }
  });

  it('stops between objects when the signal is aborted, rejecting with its reason', async () => {
    const controller = new AbortController();
    const seen: unknown[] = [];
    const reason = new Error('enough');
    // The default page size (500): every one of the 23 customers comes in the first page, so a
    // stop between pages would still hand out the 21 after the abort.
    const run = (async () => {
      for await (const item of invoke(
        'Get-PartnerCustomer',
        {},
        { env: partner.env, signal: controller.signal },
      )) {
        seen.push(item);
        if (seen.length === 2) controller.abort(reason);
      }
    })();
    await expect(run).rejects.toBe(reason);
    expect(seen).toHaveLength(2);
  });

  it('signs in without a prompt: messages go to onMessage, a secret given is no warning', async () => {
    const { emulator } = partner;
    const endpoints = {
      ApplicationId: emulator.applicationId,
      Tenant: emulator.tenantId,
      ApiEndpoint: emulator.apiEndpoint,
      AuthorityHost: emulator.authorityHost,
      CaCertificatePath: emulator.caCertificatePath,
    };
    // Its own config directory: a sign-in makes its context the default one.
    const config = scratchConfigDir();
    const env = { PARTNERCENTER_CONFIG_DIR: config.dir };
    try {
      const secretMessages: string[] = [];
      const secret = { ServicePrincipal: true, ClientSecret: emulator.clientSecret };
      const [secretView] = await collect(
        connectPartner(
          { ...secret, ...endpoints, ContextName: 'sp' },
          { env, onMessage: (line) => secretMessages.push(line) },
        ),
      );
      expect(secretView).toMatchObject({ name: 'sp', authentication: 'ServicePrincipal' });
      expect(secretMessages).toEqual([]);

      emulator.configure({ autoApproveDeviceCode: false, deviceCodeIntervalSeconds: 0.2 });
      const messages: string[] = [];
      const signIn = collect(
        connectPartner(
          { UseDeviceAuthentication: true, ...endpoints, ContextName: 'device' },
          { env, onMessage: (line) => messages.push(line) },
        ),
      );
      for (let i = 0; i < 100 && !messages.some((line) => /code/i.test(line)); i++)
        await new Promise((resolve) => setTimeout(resolve, 100));
      expect(messages.join('\n')).toMatch(/code/i);
      expect(emulator.approveDeviceCode()).toBe(1);
      const [view] = await signIn;
      expect(view).toMatchObject({ name: 'device', authentication: 'User' });
    } finally {
      config.dispose();
    }
  });

  it('runs the cmdlets that need no sign-in, and hands texts over as strings', async () => {
    const environments = await collect(invoke('Get-PartnerEnvironment', { Name: 'AzureCloud' }));
    expect(environments.map((environment) => environment.name)).toEqual(['AzureCloud']);
    const [script] = await collect(invoke('Get-Command', { Completion: 'bash' }));
    expect(typeof script).toBe('string');
    expect(script).toContain('Get-PartnerCustomer');
  });
});
