/**
 * The typed Node API: the parameter types the build writes into lib/cmdlet-functions.ts are
 * exactly what the cmdlets' declarations compute (checked by the spec type-check), and the output
 * types are true of what the cmdlets write: every property a type declares as always there is
 * there, with a value of its declared kind, in the objects each cmdlet returns from the emulator.
 * The properties come from manifest.json, which the build reads from the same TypeScript types.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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
import {
  type CmdletName,
  type CmdletOutput,
  type CmdletParameters,
  type Customer,
  getPartnerCustomer,
  getPartnerCustomerSubscription,
  invoke,
  PartnerCenterModuleError,
} from '../../lib/index.js';
import { repoRoot } from '../support/cli.js';
import { type EmulatedPartner, emulatedPartner } from '../support/emulated-partner.js';

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
  'Resume-PartnerCustomerSubscription': GivenParametersOf<typeof ResumePartnerCustomerSubscription>;
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
    const customers: Customer[] = await firstOf(getPartnerCustomer({ PageSize: 10 }, { env }), 15);
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
      invoke('Get-PartnerGdapAccessAssignment', { RelationshipId: relationships[0]!.id }, { env }),
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
