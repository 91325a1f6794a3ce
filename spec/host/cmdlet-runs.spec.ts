/**
 * A cmdlet's run through the host: the binder case by case, runCmdlet's exit codes, error lines,
 * signals and backpressure, what a failure means decided by the error, the item journal of
 * -ResumeFile, the parameter types the declarations give `run`, the work an invocation shares,
 * the run-scoped services seam, and seeded random command lines and input (fuzz). One file
 * because each of these loaded the host and cmdlet-support afresh; each keeps its own describe
 * and hooks (the seam its own emulator).
 */
import { afterAll, describe, expect, it, beforeAll } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  UsageError,
  InterruptedError,
  AuthenticationError,
  IncompleteListingError,
  InternalError,
  NotConnectedError,
  ServiceError,
} from '../../lib/common/errors.js';
import { bindCommandLine, bindGivenValues, completeBinding } from '../../lib/host/binder.js';
import { defineCmdlet } from '../../lib/cmdlet-support/cmdlet.js';
import { getThing, writeItems } from '../fixtures/host/fixture-cmdlets.js';
import { Writable, Readable } from 'node:stream';
import { runInProcess } from '../fixtures/host/run-in-process.js';
import { parseNdjson } from '../support/ndjson.js';
import { ExitCode } from '../../lib/common/exit-codes.js';
import { PartnerCenterClient } from '../../lib/partner-center/client.js';
import { errorForAnswer } from '../../lib/partner-center/service-errors.js';
import { fanOutParameters } from '../../lib/cmdlet-support/fan-out.js';
import type {
  GivenParametersOf,
  ParameterValue,
  RunParameters,
} from '../../lib/cmdlet-support/parameter-types.js';
import {
  createCmdletServices,
  sharedWork,
  type ClientSettings,
  type CmdletServices,
  type RunDescription,
} from '../../lib/cmdlet-support/services.js';
import { systemClock } from '../../lib/common/clock.js';
import getPartnerContext from '../../cmdlets/Get-PartnerContext.js';
import getPartnerCustomer from '../../cmdlets/Get-PartnerCustomer.js';
import { ContextStore } from '../../lib/session/context-store.js';
import { TokenStore } from '../../lib/session/token-store.js';
import { emulatedPartner } from '../support/emulated-partner.js';
import { seededRandom, type Random } from '../support/seeded-random.js';

describe('binder', () => {
  /** The binder, case by case: what a command line binds to, or the one message it fails with. */
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
        expect((await failure(['-PageSize', value])).hint).toBe(
          'Use a whole number from 1 to 500.',
        );
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
        parameters: {
          Name: { type: 'string', mandatory: true, env: 'TEST_NAME', description: '.' },
        },
        examples: [],
        async *run() {},
      });
      const commandLine = await bindCommandLine(declaration, []);
      expect(() => completeBinding(declaration, commandLine, {})).toThrow(
        /^Missing mandatory parameter -Name\.$/,
      );
      expect(completeBinding(declaration, commandLine, { TEST_NAME: 'x' }).parameters.Name).toBe(
        'x',
      );
    });

    it('names the ways a missing parameter can come, with the article its name takes', async () => {
      const hintFor = async (name: string) => {
        const declaration = defineCmdlet({
          name: 'Test-Hint',
          synopsis: '.',
          description: '.',
          parameters: {
            [name]: {
              type: 'string',
              mandatory: true,
              pipeline: 'byPropertyName',
              description: '.',
            },
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
});

describe('run', () => {
  /** Exit codes, error lines, early close, signals, backpressure and diagnostics of runCmdlet. */
  /** A cmdlet that yields up to `limit` numbered objects and counts how many it was asked for. */
  function counting(limit = 1_000_000, onItem?: (index: number) => void) {
    const state = { produced: 0, finished: false, sawAbort: false };
    const definition = defineCmdlet({
      name: 'Get-Numbers',
      synopsis: '.',
      description: '.',
      parameters: {},
      examples: [],
      async *run(_p, context) {
        try {
          for (let i = 0; i < limit; i++) {
            if (i % 500 === 0) await new Promise((resolve) => setImmediate(resolve));
            state.produced++;
            onItem?.(i);
            yield { n: i, pad: 'x'.repeat(80) };
          }
        } finally {
          state.finished = true;
          state.sawAbort = context.signal.aborted;
        }
      },
    });
    return { definition, state };
  }

  describe('errors and exit codes', () => {
    it.each<[string, string[], number, RegExp]>([
      [
        'a usage error',
        ['-PageSize', '0'],
        2,
        /^Get-Thing: Cannot bind parameter 'PageSize': 0 is outside the allowed range 1\.\.500\. Use a whole number from 1 to 500\.$/,
      ],
      [
        'not found',
        ['-CustomerId', '00000000-0000-0000-0000-000000000404'],
        4,
        /^Get-Thing: Customer .* was not found\. Check the id\.$/,
      ],
    ])('%s (%j) → one line, exit %i, clean stdout', async (_, argv, code, line) => {
      const result = await runInProcess(getThing, argv);
      expect(result.code).toBe(code);
      expect(result.stdout).toBe('');
      expect(result.stderrLines).toHaveLength(1);
      expect(result.stderrLines[0]).toMatch(line);
    });

    it('keeps what was written before a failure, then exits with its code', async () => {
      const result = await runInProcess(writeItems, ['-Count', '5', '-FailAfter', '2']);
      expect(result.code).toBe(5);
      expect(parseNdjson(result.stdout)).toHaveLength(2);
      expect(result.stderrLines).toEqual([
        'Write-Items: Partner Center failed the request (500). Try again later.',
      ]);
    });

    it('turns an unexpected error into one line and exit 1, the stack only with -Debug', async () => {
      const plain = await runInProcess(writeItems, ['-Crash']);
      expect(plain.code).toBe(1);
      expect(plain.stderrLines).toEqual([
        expect.stringMatching(
          /^Write-Items: Unexpected error: Cannot read properties of undefined \(reading 'x'\)\. Run again with -Debug/,
        ),
      ]);
      const debug = await runInProcess(writeItems, ['-Crash', '-Debug']);
      expect(debug.stderrLines.filter((line) => !line.startsWith('DEBUG: '))).toEqual(
        plain.stderrLines,
      );
      expect(debug.stderr).toMatch(/DEBUG: \s+at /);
    });

    it(
      'reports a missing connection with its own code, even with -ErrorAction ' +
        'SilentlyContinue',
      async () => {
        const result = await runInProcess(writeItems, ['-NotConnected', '-ea', 'SilentlyContinue']);
        expect(result.code).toBe(3);
        expect(result.stderrLines).toEqual([
          'Write-Items: No saved context. Run Connect-Partner first.',
        ]);
      },
    );

    it("SilentlyContinue hides a single run's failure but keeps its exit code", async () => {
      const result = await runInProcess(getThing, [
        '-CustomerId',
        '00000000-0000-0000-0000-000000000404',
        '-ErrorAction',
        'SilentlyContinue',
      ]);
      expect(result).toMatchObject({ code: 4, stderr: '', stdout: '' });
    });

    it('shows help for -? and exits 0 without running', async () => {
      const result = await runInProcess(getThing, ['-?']);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^\nNAME\n {4}Get-Thing\n/);
      expect(result.stdout).not.toMatch(/Internal/);
    });
  });

  describe('a reader that goes away (| head)', () => {
    it('stops quietly with exit 0 and asks the cmdlet for nothing more', async () => {
      const { definition, state } = counting();
      let writes = 0;
      const stdout = new Writable({
        write(_chunk, _encoding, callback) {
          writes++;
          if (writes === 1) callback();
          else callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
        },
      });
      const result = await runInProcess(definition, [], { stdout });
      expect(result.code).toBe(0);
      expect(result.stderr).toBe('');
      expect(state.finished).toBe(true);
      expect(state.sawAbort).toBe(true);
      expect(state.produced).toBeLessThan(5000);
    });
  });

  describe('backpressure', () => {
    it('produces no further ahead of a slow reader than the sink holds', async () => {
      let consumed = 0;
      let maxAhead = 0;
      const { definition, state } = counting(5000, () => {
        maxAhead = Math.max(maxAhead, state.produced - consumed);
      });
      const stdout = new Writable({
        highWaterMark: 1024,
        write(chunk: Buffer, _encoding, callback) {
          consumed += chunk.toString().split('\n').length - 1;
          setTimeout(callback, 1);
        },
      });
      const result = await runInProcess(definition, [], { stdout });
      expect(result.code).toBe(0);
      expect(consumed).toBe(5000);
      // 64 KiB of ~100-byte lines, plus the one object in hand.
      expect(maxAhead).toBeLessThan(800);
    });
  });

  describe('signals', () => {
    it('SIGINT stops between objects: whole lines, exit 130, one line on stderr', async () => {
      const controller = new AbortController();
      const { definition, state } = counting(1_000_000, (i) => {
        if (i === 1234) controller.abort(new InterruptedError('SIGINT'));
      });
      const result = await runInProcess(definition, [], { signal: controller.signal });
      expect(result.code).toBe(130);
      expect(result.stdout.endsWith('\n')).toBe(true);
      expect(parseNdjson(result.stdout).length).toBeGreaterThan(1000);
      expect(state.produced).toBeLessThan(1300);
      expect(result.stderrLines).toEqual(['Get-Numbers: Stopped by SIGINT.']);
    });

    it('SIGTERM exits 143, and Json output is still closed', async () => {
      const controller = new AbortController();
      const { definition } = counting(1_000_000, (i) => {
        if (i === 10) controller.abort(new InterruptedError('SIGTERM'));
      });
      const result = await runInProcess(definition, ['-OutputFormat', 'Json'], {
        signal: controller.signal,
      });
      expect(result.code).toBe(143);
      expect(Array.isArray(JSON.parse(result.stdout))).toBe(true);
    });

    it('a cmdlet that ends normally after the signal (the emulator) exits 0', async () => {
      const { waitSignal } = await import('../fixtures/host/fixture-cmdlets.js');
      const controller = new AbortController();
      setTimeout(() => controller.abort(new InterruptedError('SIGINT')), 20);
      const result = await runInProcess(waitSignal, [], { signal: controller.signal });
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(parseNdjson(result.stdout)).toEqual([{ ready: true }]);
    });
  });

  describe('diagnostics on stderr', () => {
    it('-Verbose writes VERBOSE: lines; nothing without it', async () => {
      expect((await runInProcess(writeItems, ['-Verbose'])).stderrLines).toEqual([
        'VERBOSE: Wrote 3 items.',
      ]);
      expect((await runInProcess(writeItems, [])).stderr).toBe('');
    });

    it('-Debug writes DEBUG: lines with tokens and secret parameters redacted', async () => {
      const result = await runInProcess(getThing, ['-Debug', '-Secret', 'p@ssw0rd-value'], {});
      const writeResult = await runInProcess(writeItems, ['-db']);
      const stderr = result.stderr + writeResult.stderr;
      expect(stderr).toMatch(/^DEBUG: /m);
      expect(stderr).not.toContain('p@ssw0rd-value');
      expect(stderr).not.toContain('eyJ');
      expect(writeResult.stderr).toContain('DEBUG: Authorization: ***');
    });

    it('shows progress only on a terminal, and erases it at the end', async () => {
      const tty = await runInProcess(writeItems, ['-Count', '300'], { stderrIsTTY: true });
      expect(tty.stderr).toContain('Writing items: 1 page, 100 items');
      expect(tty.stderr.endsWith('\r\u001b[K')).toBe(true);
      expect((await runInProcess(writeItems, ['-Count', '300'])).stderr).toBe('');
    });

    it('passes -Context, else PARTNERCENTER_CONTEXT, as the context name', async () => {
      const contextOf = async (argv: string[], env: NodeJS.ProcessEnv) =>
        (
          parseNdjson((await runInProcess(getThing, argv, { env })).stdout)[0] as {
            contextName: string | null;
          }
        ).contextName;
      expect(await contextOf(['-Context', 'prod'], { PARTNERCENTER_CONTEXT: 'test' })).toBe('prod');
      expect(await contextOf([], { PARTNERCENTER_CONTEXT: 'test' })).toBe('test');
      expect(await contextOf([], {})).toBeNull();
    });
  });

  describe('a stdout that fails', () => {
    it('reports the write error once and exits 1', async () => {
      const { definition } = counting();
      const stdout = new Writable({
        write(_chunk, _encoding, callback) {
          callback(Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }));
        },
      });
      const result = await runInProcess(definition, [], { stdout });
      expect(result.code).toBe(1);
      expect(result.stderrLines).toEqual([
        'Get-Numbers: Cannot write the output to stdout: no space left on device (ENOSPC). stdout ' +
          'is not a regular file: a line the failure cut, if any, cannot be removed.',
      ]);
    });
  });
});

describe('error meaning', () => {
  /**
   * What the host does with a failure is a property of the error: whether it ends the run, its exit
   * code, whether a continuation token was refused. No class list decides it.
   */
  const ids = ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002'];
  const input = ids.map((id) => JSON.stringify({ id })).join('\n');

  /** Fails every pipeline object with the error `failure` makes, after writing the object's id. */
  function failing(failure: () => Error) {
    return defineCmdlet({
      name: 'Get-Failure',
      synopsis: 'Fails.',
      description: 'A fixture that fails each pipeline object.',
      parameters: {
        CustomerId: {
          type: 'guid',
          mandatory: true,
          aliases: ['Id'],
          pipeline: 'byPropertyName',
          description: 'An id.',
        },
      },
      examples: [],
      // biome-ignore lint/correctness/useYield: the fixture only fails
      async *run() {
        throw failure();
      },
    });
  }

  describe('errors carry what they mean', () => {
    it('an error that ends the run stops a Continue pipeline at its first object', async () => {
      const cmdlet = failing(() => new ServiceError('Gone for good.', { endsRun: true }));
      const result = await runInProcess(cmdlet, ['-ErrorAction', 'Continue'], { stdin: input });
      expect(result.stderrLines).toEqual(['Get-Failure: Gone for good.']);
      expect(result.code).toBe(ExitCode.ServiceFailure);
    });

    it('an error of a class that ends runs by default fails only its item when it says so', async () => {
      const cmdlet = failing(
        () => new AuthenticationError('Not for this one.', { endsRun: false }),
      );
      const result = await runInProcess(cmdlet, ['-ErrorAction', 'Continue'], { stdin: input });
      expect(result.stderrLines).toEqual([
        'Get-Failure: Not for this one.',
        'Get-Failure: Not for this one.',
        'Get-Failure: 2 of 2 input objects failed: 2 × access denied.',
      ]);
      expect(result.code).toBe(ExitCode.Failure);
    });

    it('keeps each class default: sign-in problems end the run, usage and service ones do not', () => {
      expect(new NotConnectedError('x').endsRun).toBe(true);
      expect(new AuthenticationError('x').endsRun).toBe(true);
      expect(new InternalError('x').endsRun).toBe(true);
      expect(new UsageError('x').endsRun).toBe(false);
      expect(new ServiceError('x').endsRun).toBe(false);
    });

    it('a bug in the module exits 1 with "unexpected error" and asks for a report, never 2', async () => {
      const cmdlet = failing(() => new InternalError('a list was empty where it cannot be.'));
      const result = await runInProcess(cmdlet, ['-CustomerId', ids[0]!], {});
      expect(result.code).toBe(ExitCode.Failure);
      expect(result.stderrLines).toEqual([
        'Get-Failure: Unexpected error: a list was empty where it cannot be. This is a bug in ' +
          'PartnerCenter for Node: run again with -Debug and report it with what that prints.',
      ]);
    });

    it('the client refuses to exist without a correlation id as a bug, not as a usage error', () => {
      const create = () =>
        new PartnerCenterClient({
          apiEndpoint: 'https://127.0.0.1:1',
          correlationId: '',
          tokenProvider: { getToken: async () => 'unused' },
        } as unknown as ConstructorParameters<typeof PartnerCenterClient>[0]);
      expect(create).toThrow(InternalError);
      try {
        create();
      } catch (error) {
        expect((error as InternalError).exitCode).toBe(ExitCode.Failure);
      }
    });

    it('a refused continuation token is a property of the error, kept when a listing wraps it', () => {
      const call = {
        method: 'GET',
        url: new URL('https://127.0.0.1/v1/customers?size=10&seekOperation=Next'),
        status: 400,
        requestId: 'r',
        correlationId: 'c',
      };
      const fromUser = errorForAnswer({ ...call, continuationToken: 'user' }, {});
      const fromPaging = errorForAnswer({ ...call, continuationToken: 'service' }, {});
      const plain = errorForAnswer(call, {});
      expect([fromUser, fromPaging, plain].map((e) => e.continuationTokenRefused)).toEqual([
        true,
        true,
        false,
      ]);
      expect(fromUser).toBeInstanceOf(UsageError);
      expect(fromPaging).toBeInstanceOf(ServiceError);
      const wrapped = new IncompleteListingError(fromPaging, 'Run it again.');
      expect(wrapped.continuationTokenRefused).toBe(true);
      expect(wrapped.endsRun).toBe(false);
      expect(new IncompleteListingError(new NotConnectedError('x'), 'Sign in.').endsRun).toBe(true);
    });
  });
});

describe('item journal', () => {
  /**
   * A pipeline object's journal entry (-ResumeFile of a fan-out cmdlet): a cmdlet records what a
   * rerun needs (a write's request id) BEFORE its work, the host records the object done after its
   * output is out. A run stopped between the two hands the same entry back to the rerun, which then
   * repeats the work exactly; a run never sees the entry of an object it did not begin, and objects
   * done are skipped. What issue 21's writes stand on, proven with a fixture "write".
   */
  /** Every "write" sent, by row and request id, over every run of a case. */
  let sent: { row: string; requestId: string }[] = [];
  /** The rows whose write fails after it was sent, as an answer lost on the way back. */
  let lostAnswers = new Set<string>();
  let nextId = 0;

  const setRow = defineCmdlet({
    name: 'Set-Row',
    synopsis: 'Sends one write per piped row (a fixture).',
    description: 'Records its request id before each write, as a write cmdlet does.',
    parameters: {
      Row: { type: 'string', mandatory: true, pipeline: 'byPropertyName', description: 'Row.' },
      ...fanOutParameters,
    },
    concurrentInput: { one: 'row', many: 'rows' },
    examples: [],
    async *run(p, context): AsyncGenerator<unknown> {
      const requestId = String(context.journal?.begun?.requestId ?? `request-${++nextId}`);
      context.journal?.begin({ requestId });
      sent.push({ row: p.Row, requestId });
      if (lostAnswers.delete(p.Row))
        throw new ServiceError(`The answer to ${p.Row}'s write was lost.`, { endsRun: true });
      yield { row: p.Row, requestId };
    },
  });

  let scratch: string;
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'item-journal-'));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  const rows = ['a', 'b', 'c', 'd'];
  const input = rows.map((row) => JSON.stringify({ row })).join('\n');

  describe("a pipeline object's journal entry", () => {
    it('is written before the work, and hands a rerun the same request id for an unfinished object', async () => {
      sent = [];
      lostAnswers = new Set(['c']);
      const file = join(scratch, 'set-row.resume');
      const first = await runInProcess(setRow, ['-ThrottleLimit', '1', '-ResumeFile', file], {
        stdin: input,
      });
      expect(first.code).toBe(5);
      // c was begun (its id on disk before its write went out) and not done; d never started.
      const journal = readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((line) => JSON.parse(line));
      const cBegun = journal.find((record) => record.key === 'c');
      expect(cBegun).toEqual({ key: 'c', line: 3, begun: { requestId: expect.any(String) } });
      expect(journal.filter((record) => record.key === 'c')).toHaveLength(1);
      expect(journal.filter((record) => record.begun === undefined).map((r) => r.key)).toEqual([
        'a',
        'b',
      ]);

      const second = await runInProcess(setRow, ['-ThrottleLimit', '1', '-ResumeFile', file], {
        stdin: input,
      });
      expect(second.code).toBe(0);
      // a and b skipped; c sent again with the request id of its first attempt; d once, a new id.
      expect(sent.map((write) => write.row)).toEqual(['a', 'b', 'c', 'c', 'd']);
      const [, , cFirst, cAgain, d] = sent;
      expect(cAgain?.requestId).toBe(cFirst?.requestId);
      expect(cAgain?.requestId).toBe(cBegun.begun.requestId);
      expect(new Set(sent.map((write) => write.requestId)).size).toBe(4);
      expect(parseNdjson(second.stdout)).toEqual([
        { row: 'c', requestId: cFirst?.requestId },
        { row: 'd', requestId: d?.requestId },
      ]);
      // Every row done: nothing left to resume.
      expect(existsSync(file)).toBe(false);
    });

    it('is absent without a resume file: each run begins anew', async () => {
      sent = [];
      lostAnswers = new Set();
      const result = await runInProcess(setRow, [], { stdin: input });
      expect(result.code).toBe(0);
      expect(sent.map((write) => write.row).sort()).toEqual(rows);
    });
  });
});

describe('parameter types', () => {
  /**
   * Parameter types come from the declarations: the type-level assertions below are checked by
   * the build's tsc (`tsconfig.json` includes spec/: a wrong inference fails the build), and the runtime
   * half shows that what the host hands `run` has those types.
   */
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
      type Choice = ParameterValue<{
        type: 'string';
        choices: readonly ['a', 'b'];
        description: '';
      }>;
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
});

describe('shared work', () => {
  /** CmdletServices.shared: work the invocations of one run share, made once, outcome kept. */
  describe('sharedWork', () => {
    it('makes the work once per key, for callers that ask at the same time or later', async () => {
      const shared = sharedWork();
      let made = 0;
      const make = async () => ++made;
      const [a, b] = await Promise.all([shared('listing', make), shared('listing', make)]);
      expect([a, b, await shared('listing', make)]).toEqual([1, 1, 1]);
      expect(await shared('other', make)).toBe(2);
      expect(made).toBe(2);
    });

    it('keeps a failure for every later caller, without asking again and without an unhandled rejection', async () => {
      const shared = sharedWork();
      let made = 0;
      const failing = () => {
        made++;
        throw new Error('listing failed');
      };
      const first = shared('listing', failing);
      // Nobody awaits it for a while: it must not surface as an unhandled rejection meanwhile.
      await new Promise((resolve) => setImmediate(resolve));
      await expect(first).rejects.toThrow('listing failed');
      await expect(shared('listing', failing)).rejects.toThrow('listing failed');
      expect(made).toBe(1);
    });

    it('is one per run: two runs never share', async () => {
      const run = {
        env: {},
        correlationId: '00000000-0000-0000-0000-000000000000',
        signal: new AbortController().signal,
        verbose: () => {},
      };
      const one = createCmdletServices(run);
      const two = createCmdletServices(run);
      expect(await one.shared('k', async () => 'one')).toBe('one');
      expect(await one.shared('k', async () => 'again')).toBe('one');
      expect(await two.shared('k', async () => 'two')).toBe('two');
    });
  });
});

describe('services seam', () => {
  /**
   * The run-scoped services seam: the host builds a run's services once and hands them to the
   * cmdlet, so a caller can hand it others. Fakes here prove only the seam; the real services are
   * proven against the emulator (the last case and the e2e specs).
   */
  const customerId = '1b5d4a2e-0000-4000-8000-000000000002';
  const otherId = '1b5d4a2e-0000-4000-8000-000000000003';

  describe('the services seam', () => {
    it('hands a cmdlet the client the caller built, with the run it belongs to', async () => {
      const runs: RunDescription[] = [];
      const asked: ClientSettings[] = [];
      const paths: string[] = [];
      const client = {
        getJson: async (path: string) => {
          paths.push(path);
          return { id: path.split('/').pop(), companyProfile: { companyName: 'Fake' } };
        },
      } as unknown as PartnerCenterClient;
      const services = (run: RunDescription): CmdletServices => {
        runs.push(run);
        return {
          stores: () => Promise.reject(new Error('not used')),
          currentContext: () => Promise.reject(new Error('not used')),
          clock: systemClock,
          partnerCenter: async (settings) => {
            asked.push(settings ?? {});
            return client;
          },
          graph: () => Promise.reject(new Error('not used')),
          shared: sharedWork(),
        };
      };
      const stdin = `${JSON.stringify({ id: customerId })}\n${JSON.stringify({ id: otherId })}\n`;
      const result = await runInProcess(getPartnerCustomer, ['-MaxRetry', '2'], {
        stdin,
        services,
        env: { PARTNERCENTER_CONTEXT: 'fake' },
      });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(
        result.stdout
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line).id),
      ).toEqual([customerId, otherId]);
      expect(paths).toEqual([`/customers/${customerId}`, `/customers/${otherId}`]);
      expect(asked).toEqual([{ maxRetry: 2 }, { maxRetry: 2 }]);
      // One run, one set of services, one correlation id for every pipeline object.
      expect(runs).toHaveLength(1);
      expect(runs[0]!.contextName).toBe('fake');
      expect(runs[0]!.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('reads contexts from the stores it is handed, not from the environment', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'seam-'));
      try {
        const stores = { contexts: new ContextStore(dir), tokens: new TokenStore(dir) };
        await stores.contexts.write({
          name: 'handed',
          environment: {
            name: 'Custom',
            apiEndpoint: 'https://127.0.0.1:1',
            authorityHost: 'https://127.0.0.1:1',
            audience: 'https://api.partnercenter.microsoft.com',
          },
          tenantId: '00000000-0000-4000-8000-00000000000a',
          authentication: 'ServicePrincipal',
          applicationId: '00000000-0000-4000-8000-00000000000b',
          secretSource: 'TokenStore',
          connectedAt: new Date().toISOString(),
        });
        await stores.contexts.setDefault('handed');
        const result = await runInProcess(getPartnerContext, [], {
          env: { PARTNERCENTER_CONFIG_DIR: join(dir, 'not-this-one') },
          services: () => ({
            stores: async () => stores,
            partnerCenter: () => Promise.reject(new Error('not used')),
            graph: () => Promise.reject(new Error('not used')),
            currentContext: () => Promise.reject(new Error('not used')),
            clock: systemClock,
            shared: sharedWork(),
          }),
        });
        expect(result.stderr).toBe('');
        expect(JSON.parse(result.stdout)).toMatchObject({
          name: 'handed',
          tenantId: '00000000-0000-4000-8000-00000000000a',
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("the run's clock is the one the caller hands, else the system's", async () => {
      const { createCmdletServices } = await import('../../lib/cmdlet-support/services.js');
      const run = {
        env: {},
        correlationId: '00000000-0000-4000-8000-000000000000',
        signal: new AbortController().signal,
        verbose: () => undefined,
      };
      const manual = { now: () => 0, sleep: async () => undefined };
      expect(createCmdletServices({ ...run, clock: manual }).clock).toBe(manual);
      expect(createCmdletServices(run).clock).toBe(systemClock);
    });

    it('the real services make one client per run, shared by its pipeline objects', async () => {
      const partner = await emulatedPartner({ customers: 5 });
      try {
        const listed = await runInProcess(getPartnerCustomer, [], { env: partner.env });
        const ids = listed.stdout
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line).id as string);
        const before = (await partner.emulator.counters()).tokensIssued;
        const stdin = ids.map((id) => JSON.stringify({ id })).join('\n');
        const result = await runInProcess(getPartnerCustomer, [], { env: partner.env, stdin });
        expect(result.stderr).toBe('');
        expect(result.stdout.trim().split('\n')).toHaveLength(5);
        // The stored token is reused: no new grant, and one session for all five objects.
        expect((await partner.emulator.counters()).tokensIssued).toBe(before);
      } finally {
        await partner.dispose();
      }
    });
  });
});

describe('fuzz', () => {
  /**
   * Seeded random command lines and pipeline input: whatever arrives, the run resolves (no throw
   * escapes), each failure is one line naming the cmdlet with no stack trace, stdout holds only whole
   * JSON lines, nothing pollutes Object.prototype, and memory does not grow with the input.
   */
  const argvWords = [
    '-CustomerId',
    '-cust',
    '-C',
    '-c',
    '-Id',
    '-Domain',
    '-Domain:',
    '-Domain:x',
    '-Name',
    '-PageSize',
    '-pa',
    '-P',
    '-First',
    '-Kind',
    '-Force',
    '-Force:$false',
    '-Force:maybe',
    '-Tags',
    '-Code',
    '-Certificate',
    '-Secret',
    '-Internal',
    '-Verbose',
    '-Debug',
    '-ErrorAction',
    '-OutputFormat',
    '-Property',
    '-Context',
    '--',
    '-',
    '--PageSize=3',
    '-?',
    '-Bogus',
    '-__proto__',
    '-constructor',
    '-toString',
    '-:',
    '-:x',
    '--=',
    '-Ωmega',
    'c5757d70-06f3-4f23-8367-5a9e55019f94',
    '0',
    '500',
    '501',
    '-5',
    'abc',
    'Reseller',
    'advisor',
    'Table',
    'csv',
    'Continue',
    'a,b,',
    ',',
    '',
    ' ',
    '$false',
    '__proto__',
    'constructor',
    '\u0000',
    '\u001b[31m',
    'x'.repeat(5000),
    '콘토소',
    '\ud800',
    '{"id":1}',
    '/etc/passwd',
    '/nonexistent',
  ];

  const lineFragments = [
    '{"id":"c5757d70-06f3-4f23-8367-5a9e55019f94"}',
    '{"ID":"c5757d70-06f3-4f23-8367-5a9e55019f94","Kind":"x"}',
    '{"__proto__":{"polluted":1},"id":"c5757d70-06f3-4f23-8367-5a9e55019f94"}',
    '{"constructor":{"prototype":{"polluted":1}}}',
    '{"id":null}',
    '{"id":42}',
    '{"id":["a"]}',
    '{"id":{"toString":"x"}}',
    '{"id":"00000000-0000-0000-0000-000000000404"}',
    '{',
    '}',
    '[]',
    'null',
    '"text"',
    '1e999',
    '{"a":1,}',
    '{"id":"\\ud800"}',
    '\ufeff{"id":"c5757d70-06f3-4f23-8367-5a9e55019f94"}',
    `{"deep":${'['.repeat(1500)}${']'.repeat(1500)}}`,
    `{"pad":"${'p'.repeat(100_000)}"}`,
    '',
    '   ',
    '\r',
  ];

  function randomInput(rng: Random): Buffer {
    const parts: Buffer[] = [];
    const count = rng.int(8);
    for (let i = 0; i < count; i++) {
      const kind = rng.int(10);
      if (kind === 0)
        parts.push(Buffer.from(Array.from({ length: rng.int(64) }, () => rng.int(256))));
      else parts.push(Buffer.from(rng.pick(lineFragments)));
      parts.push(Buffer.from(rng.int(6) === 0 ? '\r\n' : '\n'));
    }
    return Buffer.concat(parts);
  }

  const DIAGNOSTIC = /^(DEBUG|VERBOSE|WARNING): /;

  /**
   * What is wrong with one run, as plain checks: every run's findings are compared once at the end
   * (`expect(problems).toEqual([])`), the same checks as an expect per line and per run without
   * thousands of matcher calls (each costs more than the run it checks).
   */
  function problemsOf(
    result: { code: number; stdout: string; stderrLines: string[] },
    codes: readonly number[],
  ): string[] {
    const problems: string[] = [];
    if (!codes.includes(result.code))
      problems.push(`exit code ${result.code}, not one of ${codes}`);
    const errors = result.stderrLines.filter((line) => !DIAGNOSTIC.test(line));
    for (const line of errors) {
      if (!/^Get-Thing: \S/.test(line)) problems.push(`a line not naming the cmdlet: ${line}`);
      if (/\bat .*\.(ts|js):\d+/.test(line)) problems.push(`a stack trace: ${line}`);
    }
    if (result.code === 0 && errors.length > 0)
      problems.push(`exit 0 with error lines: ${JSON.stringify(errors)}`);
    if (({} as Record<string, unknown>).polluted !== undefined)
      problems.push('Object.prototype polluted');
    return problems;
  }

  describe('fuzzing the argv binder', () => {
    it('handles 1500 random command lines with one clear line or a clean run', async () => {
      const rng = seededRandom(20261123);
      const problems: string[] = [];
      for (let run = 0; run < 1500; run++) {
        const argv = Array.from({ length: rng.int(7) }, () => rng.pick(argvWords));
        const result = await runInProcess(getThing, argv, {
          env: { PARTNERCENTER_CONFIG_DIR: '/nonexistent-config' },
        });
        const found = problemsOf(result, [0, 2, 4]);
        const errors = result.stderrLines.filter((line) => !DIAGNOSTIC.test(line));
        if (result.code === 2 && errors.length !== 1)
          found.push(`exit 2 with ${errors.length} error lines, not one`);
        problems.push(...found.map((problem) => `argv ${JSON.stringify(argv)}: ${problem}`));
      }
      expect(problems).toEqual([]);
    });
  });

  describe('fuzzing the NDJSON pipeline reader', () => {
    it('handles 400 random inputs under every -ErrorAction', async () => {
      const rng = seededRandom(42);
      const problems: string[] = [];
      for (let run = 0; run < 400; run++) {
        const input = randomInput(rng);
        // `none`: no -ErrorAction, the default (Continue).
        const action = rng.pick(['Stop', 'Continue', 'SilentlyContinue', 'Ignore', 'none']);
        const argv = action === 'none' ? [] : ['-ErrorAction', action];
        const result = await runInProcess(getThing, argv, { stdin: input });
        const found = problemsOf(result, [0, 1, 2, 4]);
        for (const line of result.stdout.split('\n').filter(Boolean)) {
          try {
            JSON.parse(line);
          } catch {
            found.push(`a stdout line that is not JSON: ${line.slice(0, 120)}`);
          }
        }
        problems.push(
          ...found.map(
            (problem) =>
              `input ${JSON.stringify(input.toString('latin1').slice(0, 300))} ${argv.join(' ')}: ` +
              problem,
          ),
        );
      }
      expect(problems).toEqual([]);
    });

    it('streams 256 MiB without a newline in bounded memory and reports one overlong line', async () => {
      const chunk = Buffer.alloc(1024 * 1024, 0x7b);
      const input = Readable.from(
        (function* () {
          for (let i = 0; i < 256; i++) yield chunk;
        })(),
      );
      const before = process.memoryUsage().rss;
      let peak = before;
      const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
      // Stop: the line ends the run, as the one error it is (the default would go on to a summary).
      const result = await runInProcess(getThing, ['-ErrorAction', 'Stop'], { stdin: input });
      clearInterval(timer);
      peak = Math.max(peak, process.memoryUsage().rss);
      expect(result.code).toBe(2);
      expect(result.stderrLines).toEqual([
        'Get-Thing: Input line 1 is longer than 16 MiB. Split the input into smaller objects.',
      ]);
      // Holding the line would take 256 MiB or more; a bounded reader stays far below that.
      expect(peak - before).toBeLessThan(96 * 1024 * 1024);
    });
  });
});
