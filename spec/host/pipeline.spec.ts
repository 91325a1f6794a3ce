/** Pipeline input by property name, bad input lines and -ErrorAction, through runCmdlet. */
import { describe, expect, it } from '@jest/globals';
import { getThing } from '../fixtures/host/fixture-cmdlets.js';
import { runInProcess } from '../fixtures/host/run-in-process.js';
import { parseNdjson } from '../support/ndjson.js';

const ids = [
  'c5757d70-06f3-4f23-8367-5a9e55019f94',
  '1b5d4a2e-0000-4000-8000-000000000002',
  '2c6e5b3f-0000-4000-8000-000000000003',
];
const customers = ids
  .map((id, i) => `${JSON.stringify({ id, companyProfile: { domain: `d${i}.example` } })}\n`)
  .join('');
const boundIds = (stdout: string) =>
  parseNdjson(stdout).map(
    (output) => (output as { parameters: { CustomerId: string } }).parameters.CustomerId,
  );

describe('binding pipeline objects by property name', () => {
  it("runs once per object, binding a customer's id to -CustomerId through its alias", async () => {
    const result = await runInProcess(getThing, [], { stdin: customers });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(boundIds(result.stdout)).toEqual(ids);
    expect(
      parseNdjson(result.stdout).every(
        (output) => (output as { parameterSet: string }).parameterSet === 'ById',
      ),
    ).toBe(true);
  });

  it('matches property names case-insensitively, by name or any alias', async () => {
    const input = [
      `{"CUSTOMERID":"${ids[0]}"}`,
      `{"TenantId":"${ids[1]}"}`,
      `{"ID":"${ids[2]}"}`,
    ].join('\n');
    expect(boundIds((await runInProcess(getThing, [], { stdin: input })).stdout)).toEqual(ids);
  });

  it('keeps parameters given on the command line for every object', async () => {
    const result = await runInProcess(getThing, ['-Kind', 'advisor'], { stdin: customers });
    expect(
      parseNdjson(result.stdout).map(
        (output) => (output as { parameters: { Kind: string } }).parameters.Kind,
      ),
    ).toEqual(['Advisor', 'Advisor', 'Advisor']);
  });

  it('runs zero times for zero objects (and says so), and skips blank lines', async () => {
    // Not silent (issue 19): a runbook whose stdin was an empty pipe learns why nothing happened.
    const empty = await runInProcess(getThing, [], { stdin: '' });
    expect(empty).toMatchObject({ code: 0, stdout: '' });
    expect(empty.stderrLines).toEqual([
      expect.stringMatching(
        /^WARNING: Nothing came on standard input, so \S+ read no objects and did nothing\. If that was not meant: give -\w+/,
      ),
    ]);
    expect(
      boundIds((await runInProcess(getThing, [], { stdin: `\n\r\n${customers}\n  \n` })).stdout),
    ).toEqual(ids);
  });

  it('reads stdin only when a parameter can still come from it', async () => {
    const result = await runInProcess(getThing, ['-PageSize', '5'], {
      stdin: 'this is not json\n',
    });
    expect(result.code).toBe(0);
    expect(parseNdjson(result.stdout)).toHaveLength(1);
  });

  it('lets __proto__ and constructor keys change nothing', async () => {
    const input =
      `{"__proto__":{"polluted":true,"CustomerId":"${ids[1]}"},` +
      `"constructor":{"prototype":{"polluted":true}},"id":"${ids[0]}"}\n`;
    const result = await runInProcess(getThing, [], { stdin: input });
    expect(result.code).toBe(0);
    expect(boundIds(result.stdout)).toEqual([ids[0]]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('handles a large input stream a chunk at a time', async () => {
    const lines = Array.from(
      { length: 5000 },
      (_, i) =>
        `{"id":"00000000-0000-4000-8000-${String(i).padStart(12, '0')}","pad":"${'x'.repeat(200)}"}`,
    );
    const result = await runInProcess(getThing, ['-Property', 'parameters.CustomerId'], {
      stdin: lines.join('\n'),
    });
    expect(result.code).toBe(0);
    expect(parseNdjson(result.stdout)).toHaveLength(5000);
  });
});

describe('bad input lines', () => {
  const withBadSecondLine = `{"id":"${ids[0]}"}\n{bad json\n{"id":"${ids[2]}"}\n`;

  it.each<[string, string, RegExp]>([
    [
      'malformed JSON',
      '{bad json',
      /^Get-Thing: Input line 2 is not valid JSON \(.*\)\. Pipe in NDJSON/,
    ],
    ['not an object', '[1,2,3]', /^Get-Thing: Input line 2 is not a JSON object\./],
    [
      'a bad value',
      '{"id":"not-a-guid"}',
      /^Get-Thing: Input line 2: cannot bind property 'id' to parameter 'CustomerId': "not-a-guid" is not a GUID\./,
    ],
    [
      'an object for a value',
      '{"id":{"nested":1}}',
      /^Get-Thing: Input line 2: cannot bind property 'id' to parameter 'CustomerId': an object cannot be converted/,
    ],
    [
      'no matching property',
      '{"name":"x"}',
      /^Get-Thing: Input line 2: the object cannot be bound to any parameter: it has none of the properties CustomerId, Id, TenantId\./,
    ],
    ['invalid UTF-8', '{"id":"\xff"}', /^Get-Thing: Input line 2 is not valid UTF-8\./],
    [
      'deep nesting',
      `{"a":${'['.repeat(5000)}${']'.repeat(5000)}}`,
      /^Get-Thing: Input line 2 nests objects or arrays deeper than 1000 levels\./,
    ],
  ])(
    '%s: with -ErrorAction Stop, stops at the line, naming it (exit 2)',
    async (_, line, message) => {
      const input = Buffer.concat([
        Buffer.from(`{"id":"${ids[0]}"}\n`),
        Buffer.from(line, 'latin1'),
        Buffer.from(`\n{"id":"${ids[2]}"}\n`),
      ]);
      const result = await runInProcess(getThing, ['-ErrorAction', 'Stop'], { stdin: input });
      expect(result.code).toBe(2);
      expect(result.stderrLines).toHaveLength(1);
      expect(result.stderrLines[0]).toMatch(message);
      expect(boundIds(result.stdout)).toEqual([ids[0]]);
    },
  );

  it.each([
    ['by default', []],
    ['-ErrorAction Continue', ['-ErrorAction', 'Continue']],
  ])('%s reports the line, goes on, and exits 1', async (_, argv) => {
    const result = await runInProcess(getThing, argv, { stdin: withBadSecondLine });
    expect(result.code).toBe(1);
    expect(boundIds(result.stdout)).toEqual([ids[0], ids[2]]);
    expect(result.stderrLines).toEqual([
      expect.stringMatching(/^Get-Thing: Input line 2 is not valid JSON/),
      'Get-Thing: 1 of 3 input objects failed: 1 × bad input.',
    ]);
  });

  it('-ErrorAction SilentlyContinue goes on without a word, and still exits 1', async () => {
    const result = await runInProcess(getThing, ['-ea', 'silentlycontinue'], {
      stdin: withBadSecondLine,
    });
    expect(result.code).toBe(1);
    expect(boundIds(result.stdout)).toEqual([ids[0], ids[2]]);
    expect(result.stderr).toBe('');
  });

  it('a failing object follows -ErrorAction too (exit code of the error with Stop)', async () => {
    const input = `{"id":"${ids[0]}"}\n{"id":"00000000-0000-0000-0000-000000000404"}\n{"id":"${ids[2]}"}\n`;
    const stop = await runInProcess(getThing, ['-ErrorAction', 'Stop'], { stdin: input });
    expect(stop.code).toBe(4);
    expect(stop.stderrLines).toEqual([
      'Get-Thing: Customer 00000000-0000-0000-0000-000000000404 was not found. Check the id.',
    ]);
    // The default goes on, as PowerShell's Continue.
    const goOn = await runInProcess(getThing, [], { stdin: input });
    expect(goOn.code).toBe(1);
    expect(boundIds(goOn.stdout)).toEqual([ids[0], ids[2]]);
  });

  it(
    'refuses a line longer than 16 MiB without holding it, and goes on after ' + 'it with Continue',
    async () => {
      const huge = Buffer.alloc(17 * 1024 * 1024, 0x61);
      const input = Buffer.concat([
        Buffer.from(`{"id":"${ids[0]}"}\n{"x":"`),
        huge,
        Buffer.from(`"}\n{"id":"${ids[2]}"}\n`),
      ]);
      const result = await runInProcess(getThing, ['-ErrorAction', 'Continue'], { stdin: input });
      expect(result.code).toBe(1);
      expect(result.stderrLines[0]).toBe(
        'Get-Thing: Input line 2 is longer than 16 MiB. Split the input into smaller objects.',
      );
      expect(boundIds(result.stdout)).toEqual([ids[0], ids[2]]);
    },
  );
});
