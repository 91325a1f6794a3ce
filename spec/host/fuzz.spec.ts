/**
 * Seeded random command lines and pipeline input: whatever arrives, the run resolves (no throw
 * escapes), each failure is one line naming the cmdlet with no stack trace, stdout holds only whole
 * JSON lines, nothing pollutes Object.prototype, and memory does not grow with the input.
 */
import { describe, expect, it } from '@jest/globals';
import { Readable } from 'node:stream';
import { getThing } from '../fixtures/host/fixture-cmdlets.js';
import { runInProcess } from '../fixtures/host/run-in-process.js';
import { seededRandom, type Random } from '../support/seeded-random.js';

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
  if (!codes.includes(result.code)) problems.push(`exit code ${result.code}, not one of ${codes}`);
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
