/**
 * Standard input never swallows a runbook's work, and a run knows when its input was cut
 * (about_Pipelines): in-process, with a fixture cmdlet shaped like the per-customer ones (-Id binds
 * from the pipeline in every set; -Sub, in its own set, too) and what main() learns from the process
 * (pipe marks, stdout a pipe) handed in through HostIO.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import type { HostIO } from '../../lib/host/host-io.js';
import { defineCmdlet, ObjectList } from '../../lib/cmdlet-support/cmdlet.js';
import { fanOutParameters } from '../../lib/cmdlet-support/fan-out.js';
import { ExitCode } from '../../lib/common/exit-codes.js';
import { Collector, runInProcess } from '../fixtures/host/run-in-process.js';
import { parseNdjson } from '../support/ndjson.js';

const getItem = defineCmdlet({
  name: 'Get-Item',
  synopsis: "Lists a thing's items, or gets one.",
  description: 'A fixture: -Id lists three items of that thing; -Sub gets one.',
  defaultParameterSet: 'List',
  parameters: {
    Id: {
      type: 'string',
      mandatory: true,
      pipeline: 'byPropertyName',
      description: 'The thing.',
    },
    Sub: {
      type: 'string',
      sets: ['ById'],
      mandatory: true,
      pipeline: 'byPropertyName',
      description: 'One item.',
    },
    ...fanOutParameters,
  },
  concurrentInput: { one: 'thing', many: 'things' },
  examples: [],
  async *run(p, context) {
    context.progress({ activity: 'Listing', items: 1 });
    if (p.parameterSet === 'ById') yield new ObjectList([{ id: p.Id, sub: p.Sub }]);
    else yield new ObjectList([1, 2, 3].map((n) => ({ id: p.Id, sub: `${p.Id}-${n}` })));
  },
});

/** A stdin that stays open and never says anything: `execFile` with stdin left as a pipe. */
const silent = () => new Readable({ read() {} });

const scratch = mkdtempSync(join(tmpdir(), 'pc-stdin-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('a command line that names its object', () => {
  it('does not read stdin at all: an open, silent stdin does not hold it', async () => {
    const result = await runInProcess(getItem, ['-Id', 'a'], { stdin: silent() });
    expect(result.code).toBe(0);
    expect(parseNdjson(result.stdout).map((o) => o.sub)).toEqual(['a-1', 'a-2', 'a-3']);
    expect(result.stderr).toBe('');
  });

  it('ignores objects on stdin: -Id means that thing, whatever stdin holds', async () => {
    const result = await runInProcess(getItem, ['-Id', 'a'], { stdin: '{"sub":"x"}\n' });
    expect(parseNdjson(result.stdout).map((o) => o.sub)).toEqual(['a-1', 'a-2', 'a-3']);
  });

  it('still reads stdin when the command line is not complete without it', async () => {
    const result = await runInProcess(getItem, ['-ThrottleLimit', '1'], {
      stdin: '{"id":"a"}\n{"id":"b"}\n',
    });
    expect(result.code).toBe(0);
    expect(parseNdjson(result.stdout).map((o) => o.sub)).toEqual([
      'a-1',
      'a-2',
      'a-3',
      'b-1',
      'b-2',
      'b-3',
    ]);
  });
});

describe('an input with no objects, or none yet', () => {
  it('an empty input (`true |`) warns once, naming what to give instead', async () => {
    const result = await runInProcess(getItem, [], { stdin: '' });
    expect(result).toMatchObject({ code: 0, stdout: '' });
    expect(result.stderrLines).toEqual([
      'WARNING: Nothing came on standard input, so Get-Item read no objects and did nothing. ' +
        'If that was not meant: give -Id on the command line (then standard input is not read), ' +
        'or pipe in the objects to work on.',
    ]);
  });

  /** Runs with a silent stdin and presses Ctrl-C once stderr showed `until`. */
  async function waitingRun(
    argv: string[],
    stderrIsTTY: boolean,
    until: RegExp,
    upstreamWriter?: () => string,
  ) {
    const { runCmdlet } = await import('../../lib/host/run.js');
    const { InterruptedError } = await import('../../lib/common/errors.js');
    const controller = new AbortController();
    let stderr = '';
    const code = await runCmdlet(getItem, {
      argv,
      stdin: silent(),
      stdout: new Collector(),
      stderr: new Writable({
        write(chunk: Buffer, _encoding, callback) {
          stderr += chunk.toString();
          if (until.test(stderr)) controller.abort(new InterruptedError('SIGINT'));
          callback();
        },
      }),
      env: {},
      stdinIsTTY: false,
      stdoutIsTTY: false,
      stderrIsTTY,
      stdinHasInput: true,
      inputWaitNoticeMs: 0,
      upstreamWriter,
      signal: controller.signal,
    } satisfies HostIO);
    return { code, stderr };
  }

  it('a run still waiting for its first object says so (with -Verbose), and stops on Ctrl-C', async () => {
    const result = await waitingRun(['-Verbose'], false, /waiting for pipeline input/);
    expect(result.stderr.split('\n')[0]).toBe(
      'VERBOSE: Get-Item is waiting for pipeline input (NDJSON objects) on standard input. To ' +
        'run it without, give -Id or connect standard input to /dev/null; to end the input, ' +
        'close it (Ctrl-D at a terminal).',
    );
    expect(result.code).toBe(ExitCode.Interrupted);
  });

  it("names the module's command still at work on the other end, only with -Verbose", async () => {
    const result = await waitingRun(
      ['-Verbose'],
      true,
      /Waiting for the first/,
      () => 'Get-Thing (process 7)',
    );
    expect(result.stderr.split('\n')[0]).toBe(
      'VERBOSE: Waiting for the first object from Get-Thing (process 7).',
    );
  });

  it('on a terminal it is a warning', async () => {
    const result = await waitingRun([], true, /waiting for pipeline input/);
    expect(result.stderr).toMatch(/^WARNING: Get-Item is waiting for pipeline input/);
  });
});

describe('an input that ended early', () => {
  const resume = (name: string) => join(scratch, name);
  const input = '{"id":"a"}\n{"id":"b"}\n';

  it('upstream failed: exit 6, what came was done and recorded, the resume file kept', async () => {
    const file = resume('failed.resume');
    const result = await runInProcess(getItem, ['-ResumeFile', file], {
      stdin: input,
      io: { upstream: () => ({ kind: 'failed', cmdlet: 'Get-Thing', pid: 42, code: 5 }) },
    });
    expect(result.code).toBe(ExitCode.InputIncomplete);
    expect(parseNdjson(result.stdout)).toHaveLength(6);
    expect(result.stderrLines).toEqual([
      'Get-Item: The input is incomplete: Get-Thing (process 42), which fed this command, exited ' +
        'with code 5. 2 things of the 2 read were done; ' +
        `${file} records them. To continue with the rest, run the same pipeline again ending ` +
        `in: Get-Item -ResumeFile ${file}`,
    ]);
    const recorded = readFileSync(file, 'utf8').trim().split('\n').slice(1);
    expect(recorded.map((line) => JSON.parse(line).key)).toEqual(['a', 'b']);
    // The rerun, whose upstream finished, skips both and deletes the file.
    const again = await runInProcess(getItem, ['-ResumeFile', file], {
      stdin: `${input}{"id":"c"}\n`,
      io: { upstream: () => ({ kind: 'finished', cmdlet: 'Get-Thing', pid: 43 }) },
    });
    expect(again.code).toBe(0);
    expect(parseNdjson(again.stdout).map((o) => o.id)).toEqual(['c', 'c', 'c']);
    expect(existsSync(file)).toBe(false);
  });

  it('upstream vanished (killed): exit 6 too', async () => {
    const result = await runInProcess(getItem, [], {
      stdin: input,
      io: { upstream: () => ({ kind: 'vanished', cmdlet: 'Get-Thing', pid: 42 }) },
    });
    expect(result.code).toBe(ExitCode.InputIncomplete);
    expect(result.stderrLines[0]).toMatch(
      /^Get-Item: The input is incomplete: Get-Thing \(process 42\), which fed this command, ended without finishing \(killed, or crashed\)\. 2 things of the 2 read were done, and nothing records which\./,
    );
  });

  it('a torn last line from a program that is not ours: exit 6, the line never used as data', async () => {
    const file = resume('torn.resume');
    const result = await runInProcess(getItem, ['-ResumeFile', file], {
      stdin: '{"id":"a"}\n{"id":"b',
    });
    expect(result.code).toBe(ExitCode.InputIncomplete);
    expect(parseNdjson(result.stdout).map((o) => o.id)).toEqual(['a', 'a', 'a']);
    expect(result.stderrLines).toHaveLength(1);
    expect(result.stderrLines[0]).toMatch(/its last line \(line 2\) has no newline/);
    expect(existsSync(file)).toBe(true);
  });

  it('a whole last object without its newline is data (printf), and the end is clean', async () => {
    const result = await runInProcess(getItem, [], { stdin: '{"id":"a"}\n{"id":"b"}' });
    expect(result.code).toBe(0);
    expect(parseNdjson(result.stdout).map((o) => o.id)).toEqual(['a', 'a', 'a', 'b', 'b', 'b']);
  });

  it('an empty input keeps an earlier run’s resume file (a failed upstream may have sent nothing)', async () => {
    const file = resume('earlier.resume');
    writeFileSync(
      file,
      `${JSON.stringify({
        kind: 'PartnerCenter.PipelineRun.Resume',
        version: 1,
        cmdlet: 'Get-Item',
        parameters: {},
      })}\n${JSON.stringify({ key: 'a', line: 1 })}\n`,
    );
    const result = await runInProcess(getItem, ['-ResumeFile', file], { stdin: '' });
    expect(result.code).toBe(0);
    expect(existsSync(file)).toBe(true);
  });
});

describe('exit 2 for pipeline input (about_ExitCodes)', () => {
  const lines = '{"id":"a"}\nnot json\n{"id":"c"}\n';

  it('with -ErrorAction Stop: nothing is sent for the bad line or after it, earlier ones done', async () => {
    const result = await runInProcess(getItem, ['-ErrorAction', 'Stop', '-ThrottleLimit', '1'], {
      stdin: lines,
    });
    expect(result.code).toBe(ExitCode.Usage);
    expect(parseNdjson(result.stdout).map((o) => o.id)).toEqual(['a', 'a', 'a']);
    expect(result.stderrLines).toEqual([
      expect.stringMatching(
        /^Get-Item: Input line 2 is not valid JSON .* 1 thing of the 2 read was done, 1 failed/,
      ),
    ]);
  });

  it('with -ErrorAction Continue: the bad line is one failed object, the rest done, exit 1', async () => {
    const result = await runInProcess(
      getItem,
      ['-ErrorAction', 'Continue', '-ThrottleLimit', '1'],
      {
        stdin: lines,
      },
    );
    expect(result.code).toBe(ExitCode.Failure);
    expect(parseNdjson(result.stdout).map((o) => o.id)).toEqual(['a', 'a', 'a', 'c', 'c', 'c']);
  });
});

describe('progress and the instruction to continue in a pipeline', () => {
  it('no progress line from a command whose stdout is a pipe', async () => {
    const piped = await runInProcess(getItem, [], {
      stdin: '{"id":"a"}\n',
      stderrIsTTY: true,
      io: { stdoutIsPipe: true },
    });
    expect(piped.stderr).toBe('');
    const toFile = await runInProcess(getItem, [], { stdin: '{"id":"a"}\n', stderrIsTTY: true });
    expect(toFile.stderr).toContain('thing');
    // Cleared before the command ends.
    expect(toFile.stderr.endsWith('\r\u001b[K')).toBe(true);
  });

  it('a stop leaves its instruction to continue to a fan-out reading its output', async () => {
    const { leavingContinuationTo } = await import('../../lib/host/continuation.js');
    const { IncompleteListingError, InterruptedError } = await import('../../lib/common/errors.js');
    const { errorLine, exitCodeOf } = await import('../../lib/host/error-report.js');
    const stop = new IncompleteListingError(
      new InterruptedError('SIGINT'),
      '7,500 customers were written; continue with: Get-PartnerCustomer -ContinuationToken x',
    );
    const left = leavingContinuationTo(stop, () => 'Get-PartnerCustomerSubscription');
    expect(errorLine('Get-PartnerCustomer', left)).toBe(
      'Get-PartnerCustomer: Stopped by SIGINT. Get-PartnerCustomerSubscription, which reads ' +
        'this output, says how to continue.',
    );
    expect(exitCodeOf(left)).toBe(ExitCode.Interrupted);
    // No such reader (a file, a terminal, jq): the instruction stays.
    expect(leavingContinuationTo(stop, () => undefined)).toBe(stop);
  });
});
