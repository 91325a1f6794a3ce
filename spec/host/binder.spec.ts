/** The binder, case by case: what a command line binds to, or the one message it fails with. */
import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../lib/common/errors.js';
import { bindCommandLine, bindGivenValues, completeBinding } from '../../lib/host/binder.js';
import { defineCmdlet } from '../../lib/cmdlet-support/cmdlet.js';
import { getThing } from '../fixtures/host/fixture-cmdlets.js';

const scratch = mkdtempSync(join(tmpdir(), 'pc-binder-'));
const existingFile = join(scratch, 'cert.pem');
writeFileSync(existingFile, 'x');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const guid = 'C5757D70-06F3-4F23-8367-5A9E55019F94';

async function bind(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const commandLine = await bindCommandLine(getThing, argv);
  if (commandLine.common.help) return { help: true, common: commandLine.common };
  const { parameterSet, parameters, secrets } = completeBinding(getThing, commandLine, env);
  return { parameterSet, parameters, secrets, common: commandLine.common };
}

async function failure(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<UsageError> {
  try {
    await bind(argv, env);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error(`expected ${JSON.stringify(argv)} to fail`);
}

describe('binding that succeeds', () => {
  it.each<[string[], string, Record<string, unknown>]>([
    [[], 'List', { PageSize: 500 }],
    [['-PageSize', '7'], 'List', { PageSize: 7 }],
    [['-pagesize', '7'], 'List', { PageSize: 7 }],
    [['-PAGESIZE', '7'], 'List', { PageSize: 7 }],
    [['-pag', '7'], 'List', { PageSize: 7 }],
    [['-PageSize:7'], 'List', { PageSize: 7 }],
    [['--PageSize=7'], 'List', { PageSize: 7 }],
    [['-PageSize', '1'], 'List', { PageSize: 1 }],
    [['-PageSize', '500'], 'List', { PageSize: 500 }],
    [['-CustomerId', guid], 'ById', { CustomerId: guid.toLowerCase() }],
    [['-Id', guid], 'ById', { CustomerId: guid.toLowerCase() }],
    [['-tenantid', guid], 'ById', { CustomerId: guid.toLowerCase() }],
    [[guid], 'ById', { CustomerId: guid.toLowerCase() }],
    [['--', guid], 'ById', { CustomerId: guid.toLowerCase() }],
    [['-Domain', 'contoso'], 'ByDomain', { Domain: 'contoso', PageSize: 500 }],
    [['-Domain:-dash'], 'ByDomain', { Domain: '-dash' }],
    [['-Domain:', '-dash'], 'ByDomain', { Domain: '-dash' }],
    [['-Name', 'Contoso Ltd'], 'ByCompanyName', { CompanyName: 'Contoso Ltd' }],
    [['-Force'], 'List', { Force: true }],
    [['-Force:$false'], 'List', { Force: false }],
    [['-Force:false'], 'List', { Force: false }],
    [['-Force:$TRUE'], 'List', { Force: true }],
    [['-Force:', '$false'], 'List', { Force: false }],
    [['-Kind', 'reseller'], 'List', { Kind: 'Reseller' }],
    [['-Kind', 'ADVISOR'], 'List', { Kind: 'Advisor' }],
    [['-Tags', 'a,b,c'], 'List', { Tags: ['a', 'b', 'c'] }],
    [['-Tags', 'a,', 'b'], 'List', { Tags: ['a', 'b'] }],
    [['-Code', 'AB'], 'List', { Code: 'AB' }],
    [['-Certificate', existingFile], 'List', { Certificate: existingFile }],
    [['-Internal'], 'List', { Internal: true }],
    [['-First', '2147483647'], 'List', { First: 2147483647 }],
  ])('%j → %s', async (argv, set, expected) => {
    const result = await bind(argv);
    expect(result.parameterSet).toBe(set);
    expect(result.parameters).toMatchObject(expected);
  });

  it('binds the common parameters in canonical case, leaving the cmdlet its own', async () => {
    const result = await bind([
      '-Verbose',
      '-ea',
      'continue',
      '-of',
      'csv',
      '-Property',
      'id,companyProfile.domain',
      '-Context',
      'prod',
      '-db',
    ]);
    expect(result.common).toEqual({
      verbose: true,
      debug: true,
      encoding: 'utf8',
      errorAction: 'Continue',
      outputFormat: 'Csv',
      property: ['id', 'companyProfile.domain'],
      contextName: 'prod',
      help: false,
      version: false,
    });
    expect(Object.keys(result.parameters!)).not.toContain('Verbose');
  });

  it('leaves -ErrorAction and -OutputFormat unset when not given (the run picks them)', async () => {
    expect((await bind([])).common).toMatchObject({
      errorAction: undefined,
      outputFormat: undefined,
      verbose: false,
    });
  });

  it.each([[['-?']], [['-Help']], [['-h']], [['--help']], [['-PageSize', 'abc', '-?']]])(
    '%j asks for help without validating the rest',
    async (argv) => {
      expect((await bind(argv)).help).toBe(true);
    },
  );

  it('takes a secret from its environment variable and reports it for redaction', async () => {
    const result = await bind([], { FIXTURE_SECRET: 'hunter2-secret' });
    expect(result.parameters!.Secret).toBe('hunter2-secret');
    expect(result.secrets).toEqual(['hunter2-secret']);
  });

  it('prefers the command line over the environment', async () => {
    expect(
      (await bind(['-Secret', 'from-argv'], { FIXTURE_SECRET: 'from-env' })).parameters!.Secret,
    ).toBe('from-argv');
  });
});

describe('binding that fails, with one clear message', () => {
  it.each<[string[], RegExp]>([
    [
      ['-P', '7'],
      /^Parameter name 'P' is ambiguous\. Possible matches include: -PageSize -Property\.$/,
    ],
    [
      ['-C', 'x'],
      /^Parameter name 'C' is ambiguous\. Possible matches include: -CustomerId -CompanyName -Certificate -Code -Context\.$/,
    ],
    [['-PageSize', '0'], /'PageSize'.*0 is outside the allowed range 1\.\.500/],
    [['-PageSize', '501'], /'PageSize'.*501 is outside the allowed range 1\.\.500/],
    [['-PageSize', 'abc'], /'PageSize'.*"abc" is not a whole number/],
    [['-PageSize', '1.5'], /"1\.5" is not a whole number/],
    [['-First', '0'], /outside the allowed range 1\.\.2147483647/],
    [['-CustomerId', 'nope'], /'CustomerId'.*"nope" is not a GUID/],
    [['--', '-5'], /"-5" is not a GUID/],
    [['-Kind', 'Distributor'], /"Distributor" is not one of Reseller, Advisor/],
    [['-Code', 'abc'], /"abc" is not allowed here/],
    [['-Certificate', join(scratch, 'missing.pem')], /does not exist/],
    [['-Certificate', scratch], /is not a file/],
    [['-Certificate', ''], /'Certificate'.*an empty path names no file/],
    [['-Force:maybe'], /"maybe" is not a switch value/],
    [
      ['-Domain', 'a', '-CustomerId', guid],
      /different parameter sets.*-Domain \(ByDomain\), -CustomerId \(ById\)/,
    ],
    [
      ['-Domain', 'a', '-Name', 'b'],
      /different parameter sets.*-Domain \(ByDomain\), -CompanyName \(ByCompanyName\)/,
    ],
    [['-Bogus'], /^A parameter cannot be found that matches parameter name 'Bogus'\.$/],
    [
      ['-Domain'],
      /^Missing an argument for parameter 'Domain'\. Specify a parameter of type 'String'/,
    ],
    [['-Domain', '-Force'], /^Missing an argument for parameter 'Domain'/],
    [['-Inte'], /cannot be found that matches parameter name 'Inte'/],
    [[guid, 'extra'], /positional parameter cannot be found that accepts argument "extra"/],
    [
      ['-ErrorAction', 'Inquire'],
      /"Inquire" is not one of Stop, Continue, SilentlyContinue, Ignore/,
    ],
    [['-OutputFormat', 'xml'], /"xml" is not one of Ndjson, Json, Csv, Table/],
  ])('%j', async (argv, message) => {
    const error = await failure(argv);
    expect(error.message).toMatch(message);
    expect(`${error.message} ${error.hint ?? ''}`).not.toMatch(/\n/);
  });

  it.each<[string[], string, string]>([
    [['-PageSize', '5', '-PageSize', '6'], 'PageSize', ''],
    [['-PageSize', '5', '-pag', '6'], 'PageSize', ' (-pag name -PageSize)'],
    [['-CustomerId', guid, '-CustomerId', guid], 'CustomerId', ''],
    [['-Id', guid, '-TenantId', guid], 'CustomerId', ' (-Id and -TenantId name -CustomerId)'],
    [['-Force', '-Force:$false'], 'Force', ''],
    [['-Verbose', '-vb'], 'Verbose', ' (-vb name -Verbose)'],
  ])(
    '%j is refused as PowerShell refuses it: specified more than once',
    async (argv, name, how) => {
      const error = await failure(argv);
      expect(error.message).toBe(
        `Cannot bind parameter because parameter '${name}' is specified more than once${how}.`,
      );
      expect(error.hint).toBe(`-${name} takes one value: give it once.`);
    },
  );

  it('refuses the same parameter twice in an in-process object of values too', () => {
    expect(() => bindGivenValues(getThing, { PageSize: 5, pagesize: 6 })).toThrow(
      "Cannot bind parameter because parameter 'PageSize' is specified more than once " +
        '(-pagesize name -PageSize).',
    );
  });

  it('points a repeated list parameter at the array syntax', async () => {
    const error = await failure(['-Tags', 'a', '-Tags', 'b']);
    expect(error.message).toBe(
      "Cannot bind parameter because parameter 'Tags' is specified more than once.",
    );
    expect(error.hint).toBe(
      'To provide multiple values to parameters that can accept multiple values, use the ' +
        'array syntax. For example, "-Tags value1,value2,value3".',
    );
  });

  it('names the allowed range in the hint of every bad -PageSize', async () => {
    for (const value of ['0', '501', 'abc'])
      expect((await failure(['-PageSize', value])).hint).toBe('Use a whole number from 1 to 500.');
  });

  it('suggests the closest name for a typo', async () => {
    expect((await failure(['-PagSize', '5'])).hint).toMatch(/^Did you mean -PageSize\?/);
    expect((await failure(['-Domian', 'x'])).hint).toMatch(/^Did you mean -Domain\?/);
  });

  it('never echoes a secret value', async () => {
    const declaration = defineCmdlet({
      name: 'Test-Secret',
      synopsis: '.',
      description: '.',
      parameters: {
        Key: {
          type: 'secret',
          pattern: { regex: /^k-/, allowed: 'a key starting with k-' },
          env: 'TEST_KEY',
          description: '.',
        },
      },
      examples: [],
      async *run() {},
    });
    const empty = await bindCommandLine(declaration, []);
    const attempts = [
      () => bindCommandLine(declaration, ['-Key', 'sup3r-s3cret']),
      async () => completeBinding(declaration, empty, { TEST_KEY: 'sup3r-s3cret' }),
    ];
    for (const attempt of attempts) {
      const error = await attempt().then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(error).toBeInstanceOf(UsageError);
      expect(String((error as Error).message)).not.toContain('sup3r');
    }
  });

  it('reports a missing mandatory parameter instead of prompting', async () => {
    const declaration = defineCmdlet({
      name: 'Test-Mandatory',
      synopsis: '.',
      description: '.',
      parameters: { Name: { type: 'string', mandatory: true, env: 'TEST_NAME', description: '.' } },
      examples: [],
      async *run() {},
    });
    const commandLine = await bindCommandLine(declaration, []);
    expect(() => completeBinding(declaration, commandLine, {})).toThrow(
      /^Missing mandatory parameter -Name\.$/,
    );
    expect(completeBinding(declaration, commandLine, { TEST_NAME: 'x' }).parameters.Name).toBe('x');
  });

  it('names the ways a missing parameter can come, with the article its name takes', async () => {
    const hintFor = async (name: string) => {
      const declaration = defineCmdlet({
        name: 'Test-Hint',
        synopsis: '.',
        description: '.',
        parameters: {
          [name]: { type: 'string', mandatory: true, pipeline: 'byPropertyName', description: '.' },
        },
        examples: [],
        async *run() {},
      });
      const commandLine = await bindCommandLine(declaration, []);
      try {
        completeBinding(declaration, commandLine, {});
      } catch (error) {
        return (error as { hint?: string }).hint;
      }
      return undefined;
    };
    expect(await hintFor('InvoiceId')).toBe(
      "Give it on the command line, or pipe in objects with an InvoiceId property; run 'Test-Hint -?' for help.",
    );
    expect(await hintFor('CustomerId')).toMatch(/ with a CustomerId property;/);
  });

  it('refuses a set it cannot choose, naming the sets', async () => {
    const declaration = defineCmdlet({
      name: 'Test-Sets',
      synopsis: '.',
      description: '.',
      parameters: {
        A: { type: 'string', sets: ['One'], mandatory: true, description: '.' },
        B: { type: 'string', sets: ['Two'], mandatory: true, description: '.' },
        Shared: { type: 'string', sets: ['One', 'Two'], description: '.' },
      },
      examples: [],
      async *run() {},
    });
    const commandLine = await bindCommandLine(declaration, ['-Shared', 'x']);
    expect(() => completeBinding(declaration, commandLine, {})).toThrow(
      /One needs -A; Two needs -B/,
    );
  });
});
