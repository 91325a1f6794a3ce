/**
 * The Node API (lib/index.ts) against the real emulator: `invoke` and the typed functions, the
 * parameter and output types they promise, -ErrorAction from Node, and every error class a caller
 * can receive exported. One file because each of these loaded the package's index, the host and
 * the emulator afresh; each keeps its own describe with its own emulator, as before.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import {
  connectPartner,
  getPartnerCustomer,
  getPartnerCustomerSubscription,
  invoke,
  NotConnectedError,
  UsageError,
  type CmdletName,
  type CmdletOutput,
  type CmdletParameters,
  type Customer,
  PartnerCenterModuleError,
  AuthenticationError,
  type ErrorAction,
  IncompleteRunError,
  ItemFailure,
} from '../../lib/index.js';
import { parseNdjson, scratchConfigDir, repoRoot } from '../support/cli.js';
import { type EmulatedPartner, emulatedPartner, idsOf } from '../support/emulated-partner.js';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import type ConnectPartner from '../../cmdlets/Connect-Partner.js';
import type ConvertFromCsv from '../../cmdlets/ConvertFrom-Csv.js';
import type DisconnectPartner from '../../cmdlets/Disconnect-Partner.js';
import type GetCommand from '../../cmdlets/Get-Command.js';
import type GetHelp from '../../cmdlets/Get-Help.js';
import type GetPartnerAuditRecord from '../../cmdlets/Get-PartnerAuditRecord.js';
import type GetPartnerContext from '../../cmdlets/Get-PartnerContext.js';
import type GetPartnerCustomer from '../../cmdlets/Get-PartnerCustomer.js';
import type GetPartnerCustomerGdapStatus from '../../cmdlets/Get-PartnerCustomerGdapStatus.js';
import type GetPartnerCustomerSubscribedSku from '../../cmdlets/Get-PartnerCustomerSubscribedSku.js';
import type GetPartnerCustomerSubscription from '../../cmdlets/Get-PartnerCustomerSubscription.js';
import type GetPartnerCustomerUser from '../../cmdlets/Get-PartnerCustomerUser.js';
import type GetPartnerCustomerUserLicense from '../../cmdlets/Get-PartnerCustomerUserLicense.js';
import type GetPartnerEnvironment from '../../cmdlets/Get-PartnerEnvironment.js';
import type GetPartnerGdapAccessAssignment from '../../cmdlets/Get-PartnerGdapAccessAssignment.js';
import type GetPartnerGdapRelationship from '../../cmdlets/Get-PartnerGdapRelationship.js';
import type GetPartnerInvoice from '../../cmdlets/Get-PartnerInvoice.js';
import type GetPartnerInvoiceLineItem from '../../cmdlets/Get-PartnerInvoiceLineItem.js';
import type GetPartnerRatedUsage from '../../cmdlets/Get-PartnerRatedUsage.js';
import type ImportCsv from '../../cmdlets/Import-Csv.js';
import type ResumePartnerCustomerSubscription from '../../cmdlets/Resume-PartnerCustomerSubscription.js';
import type SelectPartnerContext from '../../cmdlets/Select-PartnerContext.js';
import type SetPartnerContext from '../../cmdlets/Set-PartnerContext.js';
import type SetPartnerCustomerSubscription from '../../cmdlets/Set-PartnerCustomerSubscription.js';
import type StartPartnerEmulator from '../../cmdlets/Start-PartnerEmulator.js';
import type SuspendPartnerCustomerSubscription from '../../cmdlets/Suspend-PartnerCustomerSubscription.js';
import type { GivenParametersOf } from '../../lib/cmdlet-support/parameter-types.js';
import type { ManifestCmdlet } from '../../lib/host/module-manifest.js';
import * as api from '../../lib/index.js';

describe('invoke', () => {
  /**
   * The Node API against the real emulator: invoke and the typed functions return what the command's
   * NDJSON lines hold, stream with backpressure, bind pipeline input by property name, stop on a
   * signal, and reject with the module's errors, writing nothing to stdout or stderr.
   */
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
        listed = await collect(
          invoke('Get-PartnerCustomer', { PageSize: 5 }, { env: partner.env }),
        );
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
      const unused = invoke('Get-PartnerCustomer', {}, { env: partner.env })[
        Symbol.asyncIterator
      ]();
      await unused.return?.();
      expect((await unused.next()).done).toBe(true);
      expect(pagesServed() - before).toBeLessThanOrEqual(4);
    });

    it('binds pipeline input by property name, as from stdin', async () => {
      const found = await collect(
        invoke('Get-PartnerCustomer', { First: 3 }, { env: partner.env }),
      );
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
});

describe('typed API', () => {
  /**
   * The typed Node API: the parameter types the build writes into lib/cmdlet-functions.ts are
   * exactly what the cmdlets' declarations compute (checked by the spec type-check), and the output
   * types are true of what the cmdlets write: every property a type declares as always there is
   * there, with a value of its declared kind, in the objects each cmdlet returns from the emulator.
   * The properties come from manifest.json, which the build reads from the same TypeScript types.
   */
  /** Compiles only when A and B are the same type. */
  type Equal<A, B> =
    (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

  /** What the declarations compute, by cmdlet: the generated types must be exactly these. */
  interface Computed {
    'Connect-Partner': GivenParametersOf<typeof ConnectPartner>;
    'ConvertFrom-Csv': GivenParametersOf<typeof ConvertFromCsv>;
    'Disconnect-Partner': GivenParametersOf<typeof DisconnectPartner>;
    'Get-Command': GivenParametersOf<typeof GetCommand>;
    'Get-Help': GivenParametersOf<typeof GetHelp>;
    'Get-PartnerAuditRecord': GivenParametersOf<typeof GetPartnerAuditRecord>;
    'Get-PartnerContext': GivenParametersOf<typeof GetPartnerContext>;
    'Get-PartnerCustomer': GivenParametersOf<typeof GetPartnerCustomer>;
    'Get-PartnerCustomerGdapStatus': GivenParametersOf<typeof GetPartnerCustomerGdapStatus>;
    'Get-PartnerCustomerSubscribedSku': GivenParametersOf<typeof GetPartnerCustomerSubscribedSku>;
    'Get-PartnerCustomerSubscription': GivenParametersOf<typeof GetPartnerCustomerSubscription>;
    'Get-PartnerCustomerUser': GivenParametersOf<typeof GetPartnerCustomerUser>;
    'Get-PartnerCustomerUserLicense': GivenParametersOf<typeof GetPartnerCustomerUserLicense>;
    'Get-PartnerEnvironment': GivenParametersOf<typeof GetPartnerEnvironment>;
    'Get-PartnerGdapAccessAssignment': GivenParametersOf<typeof GetPartnerGdapAccessAssignment>;
    'Get-PartnerGdapRelationship': GivenParametersOf<typeof GetPartnerGdapRelationship>;
    'Get-PartnerInvoice': GivenParametersOf<typeof GetPartnerInvoice>;
    'Get-PartnerInvoiceLineItem': GivenParametersOf<typeof GetPartnerInvoiceLineItem>;
    'Get-PartnerRatedUsage': GivenParametersOf<typeof GetPartnerRatedUsage>;
    'Import-Csv': GivenParametersOf<typeof ImportCsv>;
    'Resume-PartnerCustomerSubscription': GivenParametersOf<
      typeof ResumePartnerCustomerSubscription
    >;
    'Select-PartnerContext': GivenParametersOf<typeof SelectPartnerContext>;
    'Set-PartnerContext': GivenParametersOf<typeof SetPartnerContext>;
    'Set-PartnerCustomerSubscription': GivenParametersOf<typeof SetPartnerCustomerSubscription>;
    'Start-PartnerEmulator': GivenParametersOf<typeof StartPartnerEmulator>;
    'Suspend-PartnerCustomerSubscription': GivenParametersOf<
      typeof SuspendPartnerCustomerSubscription
    >;
  }
  type Mismatched = {
    [N in CmdletName]: Equal<CmdletParameters[N], Computed[N]> extends true ? never : N;
  }[CmdletName];
  /** Fails the spec type-check, naming the cmdlet, when a generated parameter type differs. */
  const everyParameterTypeAsDeclared: [Mismatched] extends [never] ? true : Mismatched = true;
  /** And every cmdlet is in the list above. */
  const everyCmdletCompared: Equal<keyof Computed, CmdletName> = true;

  const manifest = JSON.parse(readFileSync(join(repoRoot, 'manifest.json'), 'utf8')) as {
    cmdlets: ManifestCmdlet[];
  };

  /** The values a declared property type allows, told by kind: what the JSON can show. */
  function allows(type: string, value: unknown): boolean {
    return type.split(' | ').some((part) => {
      if (part === 'string') return typeof value === 'string';
      if (part === 'number') return typeof value === 'number';
      if (part === 'boolean') return typeof value === 'boolean';
      if (part === 'null') return value === null;
      if (part.startsWith('"')) return value === JSON.parse(part);
      if (part.endsWith('[]')) return Array.isArray(value);
      return typeof value === 'object' && value !== null;
    });
  }

  /** The properties of `object` that contradict the cmdlet's declared output type. */
  function contradictions(cmdlet: string, object: unknown): string[] {
    const type = manifest.cmdlets.find((entry) => entry.name === cmdlet)?.outputType;
    if (!type) return [`${cmdlet} declares no output type`];
    const record = object as Record<string, unknown>;
    const wrong: string[] = [];
    for (const property of type.properties) {
      const optional = property.type.endsWith(' (optional)');
      const declared = property.type.replace(/ \(optional\)$/, '');
      if (!(property.name in record)) {
        if (!optional) wrong.push(`${property.name} missing`);
      } else if (!allows(declared, record[property.name]))
        wrong.push(`${property.name}: ${JSON.stringify(record[property.name])} is not ${declared}`);
    }
    return wrong;
  }

  async function firstOf<T>(items: AsyncIterable<T>, count: number): Promise<T[]> {
    const taken: T[] = [];
    for await (const item of items) {
      taken.push(item);
      if (taken.length === count) break;
    }
    return taken;
  }

  let partner: EmulatedPartner;
  let userEnv: Record<string, string | undefined>;
  beforeAll(async () => {
    partner = await emulatedPartner({ customers: 40, seed: 5 });
    await partner.connectUser('user');
    userEnv = { ...partner.env, PARTNERCENTER_CONTEXT: 'user' };
  }, 60_000);
  afterAll(() => partner?.dispose());

  describe('the typed Node API', () => {
    it('takes exactly the parameters each cmdlet declares (the spec type-check compares them)', () => {
      expect([everyParameterTypeAsDeclared, everyCmdletCompared]).toEqual([true, true]);
      // @ts-expect-error PageSize is a number
      expect(() => getPartnerCustomer({ PageSize: '5' })).toBeDefined();
    });

    it('names an output type with its properties in the manifest for every cmdlet', () => {
      // The check below can fail: a missing id, a number where the type says string.
      expect(contradictions('Get-PartnerCustomer', {})).toEqual(['id missing']);
      expect(contradictions('Get-PartnerCustomer', { id: 5 })).toEqual(['id: 5 is not string']);
      for (const cmdlet of manifest.cmdlets)
        expect([cmdlet.name, cmdlet.outputType?.name]).toEqual([cmdlet.name, expect.any(String)]);
    });

    it('returns the customers, subscriptions and GDAP objects its types describe', async () => {
      const env = partner.env;
      const customers: Customer[] = await firstOf(
        getPartnerCustomer({ PageSize: 10 }, { env }),
        15,
      );
      const subscriptions: CmdletOutput<'Get-PartnerCustomerSubscription'>[] = [];
      for (const customer of customers) {
        try {
          subscriptions.push(
            ...(await firstOf(
              getPartnerCustomerSubscription({ CustomerId: customer.id }, { env }),
              5,
            )),
          );
        } catch (error) {
          // A customer without a commerce relationship: none to check.
          if (!(error instanceof PartnerCenterModuleError)) throw error;
        }
      }
      const relationships = await firstOf(invoke('Get-PartnerGdapRelationship', {}, { env }), 10);
      const assignments = await firstOf(
        invoke(
          'Get-PartnerGdapAccessAssignment',
          { RelationshipId: relationships[0]!.id },
          { env },
        ),
        5,
      );
      const statuses = await firstOf(
        invoke('Get-PartnerCustomerGdapStatus', {}, { env, input: customers }),
        15,
      );
      const invoices = await firstOf(invoke('Get-PartnerInvoice', {}, { env }), 5);
      const invoice = await firstOf(
        invoke('Get-PartnerInvoice', { InvoiceId: invoices[0]!.id }, { env }),
        1,
      );
      const found = {
        'Get-PartnerCustomer': customers,
        'Get-PartnerInvoice': [...invoices, ...invoice],
        'Get-PartnerCustomerSubscription': subscriptions,
        'Get-PartnerGdapRelationship': relationships,
        'Get-PartnerGdapAccessAssignment': assignments,
        'Get-PartnerCustomerGdapStatus': statuses,
      };
      for (const [cmdlet, objects] of Object.entries(found)) {
        expect([cmdlet, objects.length > 0]).toEqual([cmdlet, true]);
        for (const object of objects)
          expect([cmdlet, contradictions(cmdlet, object)]).toEqual([cmdlet, []]);
      }
      // Typed fields, as a runbook reads them.
      const statusValue: 'active' | 'expiresSoon' | 'expired' | 'pending' | 'terminated' | 'none' =
        statuses[0]!.status;
      const seats: number | undefined = subscriptions[0]?.quantity;
      expect([typeof statusValue, typeof seats, subscriptions[0]?.customerId]).toEqual([
        'string',
        'number',
        customers.find((c) => c.id === subscriptions[0]?.customerId)?.id,
      ]);
    }, 60_000);

    it('returns the users, licenses, contexts, environments and commands its types describe', async () => {
      const env = userEnv;
      // The first customer with a commerce relationship (the others refuse its users: 403).
      let customer: Customer | undefined;
      let users: CmdletOutput<'Get-PartnerCustomerUser'>[] = [];
      for (const candidate of await firstOf(getPartnerCustomer({ PageSize: 10 }, { env }), 10)) {
        users = await firstOf(
          invoke('Get-PartnerCustomerUser', { CustomerId: candidate.id }, { env }),
          5,
        ).catch((error: unknown) => {
          if (!(error instanceof PartnerCenterModuleError)) throw error;
          return [];
        });
        customer = candidate;
        if (users.length > 0) break;
      }
      const found = {
        'Get-PartnerCustomerUser': users,
        'Get-PartnerCustomerSubscribedSku': await firstOf(
          invoke('Get-PartnerCustomerSubscribedSku', { CustomerId: customer!.id }, { env }),
          5,
        ),
        'Get-PartnerCustomerUserLicense': await firstOf(
          invoke('Get-PartnerCustomerUserLicense', {}, { env, input: users }),
          5,
        ),
        'Get-PartnerContext': await firstOf(
          invoke('Get-PartnerContext', { ListAvailable: true }, { env }),
          5,
        ),
        'Get-PartnerEnvironment': await firstOf(invoke('Get-PartnerEnvironment', {}, { env }), 5),
        'Get-Command': await firstOf(invoke('Get-Command', {}, { env }), 30),
        'Start-PartnerEmulator': await firstOf(
          invoke('Start-PartnerEmulator', { Customers: 1, Http: true }, { env }),
          1,
        ),
      };
      for (const [cmdlet, objects] of Object.entries(found)) {
        expect([cmdlet, objects.length > 0]).toEqual([cmdlet, true]);
        for (const object of objects)
          expect([cmdlet, contradictions(cmdlet, object)]).toEqual([cmdlet, []]);
      }
    }, 60_000);
  });
});

describe('error action', () => {
  /**
   * -ErrorAction from Node: a pipeline object that fails goes to `onError` (and its line to
   * `onMessage`) and the call resolves, as on the command line under Continue; `ErrorAction` is
   * accepted as a parameter; what ends the run rejects with an error class the package exports, whose
   * hint speaks of the call, not of command-line words.
   */
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
});

describe('exported errors', () => {
  /**
   * Every error class a caller of the Node API can receive (a rejection, or `onError`) is exported
   * from the package, so `instanceof` works: any class of the module that extends its error base
   * (outside the emulator, which a caller never receives errors from) must be among the exports.
   */
  const root = join(import.meta.dirname, '..', '..');

  function sources(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return entry.name === 'emulator' ? [] : sources(path);
      return entry.name.endsWith('.ts') ? [path] : [];
    });
  }

  describe('the exported errors', () => {
    it('include every error class of the module', () => {
      const declared: { name: string; extends: string; file: string }[] = [];
      for (const file of [...sources(join(root, 'lib')), ...sources(join(root, 'cmdlets'))]) {
        const text = readFileSync(file, 'utf8');
        for (const match of text.matchAll(/class (\w+) extends (\w+)/g))
          declared.push({ name: match[1]!, extends: match[2]!, file: relative(root, file) });
      }
      // The module's errors: PartnerCenterModuleError and whatever extends it, at any depth.
      const errors = new Set(['PartnerCenterModuleError']);
      for (let grown = true; grown; ) {
        grown = false;
        for (const c of declared)
          if (errors.has(c.extends) && !errors.has(c.name)) {
            errors.add(c.name);
            grown = true;
          }
      }
      expect(errors.size).toBeGreaterThan(10);
      const missing = declared
        .filter((c) => errors.has(c.name) && !(c.name in api))
        .map((c) => `${c.name} (${c.file})`);
      expect(missing).toEqual([]);
      for (const name of [...errors].filter((n) => n !== 'PartnerCenterModuleError')) {
        const exported = (api as Record<string, unknown>)[name];
        expect(typeof exported).toBe('function');
        expect((exported as { prototype: unknown }).prototype).toBeInstanceOf(
          api.PartnerCenterModuleError,
        );
      }
    });
  });
});
