/**
 * Parameter types come from the declarations: the type-level assertions below are checked by
 * the build's tsc (`tsconfig.json` includes spec/: a wrong inference fails the build), and the runtime
 * half shows that what the host hands `run` has those types.
 */
import { describe, expect, it } from '@jest/globals';
import { defineCmdlet } from '../../lib/cmdlet-support/cmdlet.js';
import type {
  GivenParametersOf,
  ParameterValue,
  RunParameters,
} from '../../lib/cmdlet-support/parameter-types.js';
import type getPartnerCustomer from '../../cmdlets/Get-PartnerCustomer.js';
import { runInProcess } from '../fixtures/host/run-in-process.js';

/** Compiles only when A and B are the same type. */
type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(_proof?: T): void {}

const seen: unknown[] = [];
const sample = defineCmdlet({
  name: 'Get-Sample',
  synopsis: 'A cmdlet for the types.',
  description: 'Declares one parameter of each kind.',
  defaultParameterSet: 'List',
  parameters: {
    Id: { type: 'guid', sets: ['ById'], mandatory: true, description: 'An id.' },
    Size: { type: 'int', sets: ['List'], default: 10, description: 'A size.' },
    First: { type: 'int', sets: ['List'], description: 'Stop after.' },
    Tags: { type: 'string[]', description: 'Tags.' },
    Force: { type: 'switch', description: 'A switch.' },
    Mode: { type: 'string', choices: ['Fast', 'Slow'], description: 'A choice.' },
    Key: {
      type: 'secret',
      sets: ['ById'],
      mandatory: ['ById'],
      env: 'SAMPLE_KEY',
      description: 'From the environment too.',
    },
  },
  examples: [],
  async *run(p) {
    seen.push(p);
    if (p.parameterSet === 'ById') {
      assertType<Equal<typeof p.Id, string>>();
      assertType<Equal<typeof p.Key, string>>();
      assertType<Equal<typeof p.Size, undefined>>();
    } else {
      assertType<Equal<typeof p.parameterSet, 'List'>>();
      assertType<Equal<typeof p.Size, number>>();
      assertType<Equal<typeof p.First, number | undefined>>();
      assertType<Equal<typeof p.Id, undefined>>();
    }
    assertType<Equal<typeof p.Tags, string[] | undefined>>();
    assertType<Equal<typeof p.Force, boolean>>();
    assertType<Equal<typeof p.Mode, 'Fast' | 'Slow' | undefined>>();
    yield p.parameterSet;
  },
});

describe('parameter types from the declarations', () => {
  it('maps each declared type and choices to its TypeScript type', () => {
    assertType<Equal<ParameterValue<{ type: 'path'; description: '' }>, string>>();
    assertType<Equal<ParameterValue<{ type: 'int'; description: '' }>, number>>();
    assertType<Equal<ParameterValue<{ type: 'switch'; description: '' }>, boolean>>();
    assertType<Equal<ParameterValue<{ type: 'string[]'; description: '' }>, string[]>>();
    type Choice = ParameterValue<{ type: 'string'; choices: readonly ['a', 'b']; description: '' }>;
    assertType<Equal<Choice, 'a' | 'b'>>();
    // The real cmdlets: -CustomerId is mandatory in ById, -PageSize always bound (default 500).
    type Customer = RunParameters<typeof getPartnerCustomer>;
    assertType<Equal<Extract<Customer, { parameterSet: 'ById' }>['CustomerId'], string>>();
    assertType<Equal<Extract<Customer, { parameterSet: 'List' }>['PageSize'], number>>();
    expect(true).toBe(true);
  });

  it('asks an in-process caller for what only it can give, one set at a time', () => {
    type Given = GivenParametersOf<typeof sample>;
    const list: Given = { Size: 3, Tags: ['a'], Mode: 'Fast' };
    // -Key comes from SAMPLE_KEY when not given, so ById needs only -Id.
    const byId: Given = { Id: '00000000-0000-0000-0000-000000000001' };
    // @ts-expect-error -Size is an int
    const wrongType: Given = { Size: '3' };
    // @ts-expect-error -Id and -Size belong to different sets
    const twoSets: Given = { Id: 'x', Size: 3 };
    // @ts-expect-error not one of the choices
    const wrongChoice: Given = { Mode: 'Medium' };
    // @ts-expect-error no such parameter
    const unknown: Given = { Sise: 3 };
    expect([list, byId, wrongType, twoSets, wrongChoice, unknown]).toHaveLength(6);
  });

  it('hands run the bound values of those types, with the set they were bound in', async () => {
    seen.length = 0;
    const listed = await runInProcess(sample, ['-Size', '4', '-Mode', 'slow', '-Tags', 'a,b']);
    const byId = await runInProcess(sample, ['-Id', 'C5757D70-06F3-4F23-8367-5A9E55019F94'], {
      env: { SAMPLE_KEY: 'k' },
    });
    expect([listed.code, byId.code]).toEqual([0, 0]);
    expect(seen).toEqual([
      { parameterSet: 'List', Size: 4, Mode: 'Slow', Tags: ['a', 'b'], Force: false },
      {
        parameterSet: 'ById',
        Id: 'c5757d70-06f3-4f23-8367-5a9e55019f94',
        Key: 'k',
        Force: false,
      },
    ]);
  });
});
