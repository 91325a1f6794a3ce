/**
 * Pipeline input, from the bytes to the parameters: the NDJSON reader, pipe marks on a real FIFO,
 * standard input that never swallows a runbook's work, progress on a terminal, which parameter
 * set a pipeline object binds to, ids bound only from objects of their kind, input by property
 * name with bad lines and -ErrorAction, and CSV (Import-Csv, ConvertFrom-Csv) as input. One file
 * because each of these loaded the host afresh; each keeps its own describe and hooks (the CSV
 * cases their own emulator).
 */
import { describe, expect, it, afterAll, beforeAll } from '@jest/globals';
import { readNdjson } from '../../lib/host/ndjson-reader.js';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  constants,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
  existsSync,
  readFileSync,
  readSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputMark, markDirectory, OutputMark, pipeIdentity } from '../../lib/host/pipe-marks.js';
import { Readable, Writable } from 'node:stream';
import type { HostIO } from '../../lib/host/host-io.js';
import { defineCmdlet, ObjectList, type CmdletContext } from '../../lib/cmdlet-support/cmdlet.js';
import { fanOutParameters } from '../../lib/cmdlet-support/fan-out.js';
import { ExitCode } from '../../lib/common/exit-codes.js';
import { Collector, runInProcess } from '../fixtures/host/run-in-process.js';
import { parseNdjson, wholeNdjsonLines } from '../support/ndjson.js';
import {
  type CmdletServicesFactory,
  createCmdletServices,
} from '../../lib/cmdlet-support/services.js';
import { countLines } from '../../lib/host/input-total.js';
import { bindGivenValues } from '../../lib/host/binder.js';
import { loadCmdlet } from '../../lib/host/load-cmdlet.js';
import { bindPipelineObject } from '../../lib/host/pipeline-binding.js';
import { customerIdParameter } from '../../lib/cmdlet-support/per-customer.js';
import { getThing } from '../fixtures/host/fixture-cmdlets.js';
import { type EmulatedPartner, emulatedPartner } from '../support/emulated-partner.js';
import { pipelineResumeText } from '../support/resume-file.js';

describe('NDJSON reader', () => {
  /** The pipeline reader on its own: lines split across chunks, limits, and line numbers. */
  async function read(chunks: Array<string | Buffer>, options = {}) {
    const records = [];
    for await (const record of readNdjson(chunks, options))
      records.push(record.error ? { line: record.line, error: record.error.message } : record);
    return records;
  }

  /** Every record, and the generator's return value: how the input ended. */
  async function readToEnd(chunks: Array<string | Buffer>, options = {}) {
    const records = [];
    const iterator = readNdjson(chunks, options);
    for (;;) {
      const next = await iterator.next();
      if (next.done) return { records, end: next.value };
      records.push(next.value);
    }
  }

  describe('readNdjson', () => {
    it('never yields a torn last line (no newline, not a whole object): its end names it', async () => {
      expect(await readToEnd(['{"a":1}\n{"b":', '2,"c'])).toEqual({
        records: [{ line: 1, value: { a: 1 } }],
        end: { lines: 2, tornLine: 2 },
      });
      // An undecodable one is the same (a character cut in two).
      expect((await readToEnd(['{"a":1}\n', Buffer.from([0x7b, 0xe2, 0x82])])).end).toEqual({
        lines: 2,
        tornLine: 2,
      });
      // An overlong one or a JSON value that is not an object is the bad line it is, cut or not.
      const long = await readToEnd(['{"a":1}\n{"b":"', 'x'.repeat(64)], { maxLineBytes: 32 });
      expect(long.end).toEqual({ lines: 2 });
      expect(long.records[1]).toMatchObject({ line: 2, error: expect.anything() });
    });

    it('reads a whole last object that only lacks its newline, and ends cleanly', async () => {
      expect(await readToEnd(['{"a":1}\n{"b":2}'])).toEqual({
        records: [
          { line: 1, value: { a: 1 } },
          { line: 2, value: { b: 2 } },
        ],
        end: { lines: 2 },
      });
      expect((await readToEnd(['{"a":1}\n'])).end).toEqual({ lines: 1 });
      expect(await readToEnd([])).toEqual({ records: [], end: { lines: 0 } });
    });

    it('joins a line split across chunks, even inside a multi-byte character', async () => {
      const bytes = Buffer.from('{"name":"콘토소"}\n{"n":2}');
      const chunks = Array.from(bytes).map((byte) => Buffer.from([byte]));
      expect(await read(chunks)).toEqual([
        { line: 1, value: { name: '콘토소' } },
        { line: 2, value: { n: 2 } },
      ]);
    });

    it('strips a byte-order mark and CRLF endings', async () => {
      expect(await read(['\ufeff{"a":1}\r\n{"b":2}\r\n'])).toEqual([
        { line: 1, value: { a: 1 } },
        { line: 2, value: { b: 2 } },
      ]);
    });

    it('counts blank lines in the numbering but yields nothing for them', async () => {
      expect(await read(['\n\n{"a":1}\nnope\n'])).toEqual([
        { line: 3, value: { a: 1 } },
        { line: 4, error: expect.stringMatching(/^Input line 4 is not valid JSON/) },
      ]);
    });

    it('skips an overlong line whole and resumes at the next', async () => {
      expect(await read(['{"a":"', 'x'.repeat(50), '"}\n{"b":1}\n'], { maxLineBytes: 32 })).toEqual(
        [
          { line: 1, error: 'Input line 1 is longer than 32 bytes.' },
          { line: 2, value: { b: 1 } },
        ],
      );
    });

    it('refuses nesting past the limit but counts brackets inside strings as text', async () => {
      expect(await read(['{"a":[[[1]]]}\n{"s":"[[[[[[["}\n'], { maxDepth: 3 })).toEqual([
        { line: 1, error: 'Input line 1 nests objects or arrays deeper than 3 levels.' },
        { line: 2, value: { s: '[[[[[[[' } },
      ]);
    });
  });
});

describe('pipe marks', () => {
  /**
   * Pipe marks on their own (lib/host/pipe-marks.ts), on a real FIFO: what a reader learns about its
   * writer, that the marks are consumed, and that a directory another user could write is refused.
   * The pipeline itself is proven with real processes in spec/e2e/pipeline-cut-input.spec.ts.
   */
  let scratch: string;
  let fd: number;
  const env = () => ({ TMPDIR: scratch });

  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'pc-marks-'));
    const fifo = join(scratch, 'fifo');
    execFileSync('mkfifo', [fifo]);
    // Read and write on one descriptor: a FIFO opened so never blocks (Linux).
    fd = openSync(fifo, constants.O_RDWR);
  });

  afterAll(() => {
    closeSync(fd);
    rmSync(scratch, { recursive: true, force: true });
  });

  const uid = process.getuid!();

  describe('pipe marks', () => {
    it('a pipe has an identity; a regular file has none', () => {
      expect(pipeIdentity(fd)).toMatch(/^\d+-\d+$/);
      const file = openSync(join(scratch, 'plain'), 'w');
      expect(pipeIdentity(file)).toBeUndefined();
      closeSync(file);
    });

    it('tells the reader how its writer ended, once', () => {
      const reader = InputMark.begin('Get-Reader', true, env(), fd)!;
      const writer = OutputMark.begin('Get-Writer', env(), fd)!;
      expect(writer.continuingReader()).toBe('Get-Reader');
      expect(reader.runningWriter()).toBe(`Get-Writer (process ${process.pid})`);
      // Started, never said it ended: killed.
      expect(reader.upstream()).toEqual({
        kind: 'vanished',
        cmdlet: 'Get-Writer',
        pid: process.pid,
      });
      // Consumed: nothing is left for a later pipe with the same identity.
      expect(readdirSync(join(scratch, `partnercenter-pipes-${uid}`))).toEqual([]);

      const next = InputMark.begin('Get-Reader', false, env(), fd)!;
      OutputMark.begin('Get-Writer', env(), fd)!.end(5);
      expect(next.upstream()).toEqual({
        kind: 'failed',
        cmdlet: 'Get-Writer',
        pid: process.pid,
        code: 5,
      });
      const last = InputMark.begin('Get-Reader', false, env(), fd)!;
      expect(OutputMark.begin('Get-Writer', env(), fd)!.continuingReader()).toBeUndefined();
      OutputMark.begin('Get-Writer', env(), fd)!.end(0);
      expect(last.upstream()).toEqual({ kind: 'finished', cmdlet: 'Get-Writer', pid: process.pid });
      expect(last.upstream()).toEqual({ kind: 'unknown' });
    });

    it('a torn or foreign mark file reads as a writer that did not finish', () => {
      const reader = InputMark.begin('Get-Reader', false, env(), fd)!;
      const dir = markDirectory(env())!;
      writeFileSync(join(dir, `${pipeIdentity(fd)}.w12345`), '{"cmdlet":"Get-Wr');
      expect(reader.upstream()).toMatchObject({ kind: 'vanished', pid: 12345 });
    });

    it('refuses a directory another user could write, or a symlink', () => {
      const loose = mkdtempSync(join(scratch, 'loose-'));
      mkdirSync(join(loose, `partnercenter-pipes-${uid}`), { mode: 0o777 });
      chmodSync(join(loose, `partnercenter-pipes-${uid}`), 0o777);
      expect(markDirectory({ TMPDIR: loose })).toBeUndefined();
      expect(OutputMark.begin('Get-Writer', { TMPDIR: loose }, fd)).toBeUndefined();

      const linked = mkdtempSync(join(scratch, 'linked-'));
      const target = mkdtempSync(join(scratch, 'target-'));
      symlinkSync(target, join(linked, `partnercenter-pipes-${uid}`));
      expect(markDirectory({ TMPDIR: linked })).toBeUndefined();
    });

    it('prefers $XDG_RUNTIME_DIR, and creates the directory 0700', () => {
      const runtime = mkdtempSync(join(scratch, 'runtime-'));
      const dir = markDirectory({ XDG_RUNTIME_DIR: runtime, TMPDIR: scratch })!;
      expect(dir).toBe(join(runtime, `partnercenter-pipes-${uid}`));
      expect(statSync(dir).mode & 0o777).toBe(0o700);
    });

    it('removes marks older than a day once there are many', () => {
      const base = mkdtempSync(join(scratch, 'many-'));
      const dir = markDirectory({ TMPDIR: base })!;
      const old = new Date(Date.now() - 2 * 24 * 60 * 60 * 1000);
      for (let n = 0; n < 70; n++) {
        const file = join(dir, `1-${n}.w${n}`);
        writeFileSync(file, '{}');
        if (n < 60) utimesSync(file, old, old);
      }
      OutputMark.begin('Get-Writer', { TMPDIR: base }, fd);
      // The ten recent ones and the new writer's own.
      expect(readdirSync(dir)).toHaveLength(11);
    });

    it('sweeps at most once an hour, so many young marks cost no stat per start', () => {
      const base = mkdtempSync(join(scratch, 'busy-'));
      const dir = markDirectory({ TMPDIR: base })!;
      for (let n = 0; n < 70; n++) writeFileSync(join(dir, `2-${n}.w${n}`), '{}');
      OutputMark.begin('Get-Writer', { TMPDIR: base }, fd);
      const stamp = `${dir}.swept`;
      expect(statSync(stamp).isFile()).toBe(true);
      // A mark that turned stale after the sweep waits for the next one, an hour on.
      const old = new Date(Date.now() - 2 * 24 * 60 * 60 * 1000);
      const stale = join(dir, '2-stale.w1');
      writeFileSync(stale, '{}');
      utimesSync(stale, old, old);
      OutputMark.begin('Get-Writer', { TMPDIR: base }, fd);
      expect(readdirSync(dir)).toContain('2-stale.w1');
      const hourAgo = new Date(Date.now() - 61 * 60 * 1000);
      utimesSync(stamp, hourAgo, hourAgo);
      OutputMark.begin('Get-Writer', { TMPDIR: base }, fd);
      expect(readdirSync(dir)).not.toContain('2-stale.w1');
      expect(readdirSync(dir)).toHaveLength(71);
    });
  });
});

describe('stdin input', () => {
  /**
   * Standard input never swallows a runbook's work, and a run knows when its input was cut
   * (about_Pipelines): in-process, with a fixture cmdlet shaped like the per-customer ones (-Id binds
   * from the pipeline in every set; -Sub, in its own set, too) and what main() learns from the process
   * (pipe marks, stdout a pipe) handed in through HostIO.
   */
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
      writeFileSync(file, pipelineResumeText('Get-Item', {}, ['a']));
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
      const { IncompleteListingError, InterruptedError } = await import(
        '../../lib/common/errors.js'
      );
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
});

describe('pipeline progress', () => {
  /** A run over pipeline input shows on a terminal how many objects are done and written. */
  const expand = defineCmdlet({
    name: 'Get-Expanded',
    synopsis: 'Writes n objects per input object.',
    description: 'A fixture: for each input {n}, n objects, and its own progress line.',
    parameters: {
      N: { type: 'int', mandatory: true, pipeline: 'byPropertyName', description: 'How many.' },
    },
    examples: [],
    run: (p, context) => expandEach(p.N, context),
  });

  async function* expandEach(n: number, context: CmdletContext): AsyncGenerator<unknown> {
    // The line is redrawn at most every 100 ms: wait that out so each step is drawn.
    await new Promise((resolve) => setTimeout(resolve, 110));
    context.progress({ activity: 'Expanding', items: n });
    yield new ObjectList(Array.from({ length: n }, (_, i) => ({ i })));
  }

  const input = '{"n":2}\n{"n":3}\n';

  /** The same, as a fan-out cmdlet: several input objects at once. */
  const fanOut = defineCmdlet({
    ...expand,
    name: 'Get-FannedOut',
    parameters: { ...expand.parameters, ...fanOutParameters },
    concurrentInput: { one: 'customer', many: 'customers' },
    run: (p, context) => expandEach(p.N, context),
  });

  describe('pipeline progress', () => {
    it("counts input objects done and read and objects written, beside the cmdlet's own", async () => {
      const result = await runInProcess(expand, [], { stdin: input, stderrIsTTY: true });
      expect(result.code).toBe(0);
      expect(result.stdout.trim().split('\n')).toHaveLength(5);
      const drawn = result.stderr.split('\r\u001b[K').filter(Boolean);
      expect(drawn).toContain('0 input objects done (1 read), 0 objects written');
      expect(drawn).toContain(
        '0 input objects done (1 read), 0 objects written | Expanding: 2 items',
      );
      expect(drawn).toContain(
        '1 input object done (2 read), 2 objects written | Expanding: 3 items',
      );
      // Erased at the end: the terminal is left clean.
      expect(result.stderr.endsWith('\r\u001b[K')).toBe(true);
    });

    it("names a fan-out's input objects: customers done and read, objects written", async () => {
      const result = await runInProcess(fanOut, ['-ThrottleLimit', '1'], {
        stdin: input,
        stderrIsTTY: true,
      });
      expect(result.code).toBe(0);
      const drawn = result.stderr.split('\r\u001b[K').filter(Boolean);
      expect(drawn).toContain('0 customers done (1 read), 0 objects written');
      expect(drawn).toContain('1 customer done (2 read), 2 objects written | Expanding: 3 items');
    });

    it("shows the time the run's requests waited out throttling", async () => {
      // The fixture sends nothing: services that report 2.5 s of a closed throttle gate stand in.
      const throttledServices = ((run) => ({
        ...createCmdletServices(run),
        throttling: () => ({ throttled: 3, gateClosedMs: 2500 }),
      })) satisfies CmdletServicesFactory;
      const result = await runInProcess(fanOut, ['-ThrottleLimit', '1'], {
        stdin: input,
        stderrIsTTY: true,
        services: throttledServices,
      });
      expect(result.code).toBe(0);
      const drawn = result.stderr.split('\r\u001b[K').filter(Boolean);
      expect(drawn).toContain('0 customers done (1 read), 0 objects written, 2.5 s throttled');
    });

    it('counts the lines of a file on stdin without moving its offset (the total)', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'input-total-'));
      try {
        const file = join(dir, 'in.ndjson');
        for (const [text, lines] of [
          ['', 0],
          ['{"n":1}', 1],
          ['{"n":1}\n{"n":2}\n', 2],
          [`${'{"n":1}\n'.repeat(300_000)}{"n":2}`, 300_001],
        ] as const) {
          writeFileSync(file, text);
          const fd = openSync(file, 'r');
          try {
            expect(await countLines(fd)).toBe(lines);
            // The reader of the same descriptor still starts at the first byte.
            const start = Buffer.alloc(7);
            expect(readSync(fd, start, 0, 7, null)).toBe(Math.min(7, text.length));
            expect(start.toString().slice(0, Math.min(7, text.length))).toBe(text.slice(0, 7));
          } finally {
            closeSync(fd);
          }
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('shows nothing when stderr is not a terminal', async () => {
      const result = await runInProcess(expand, [], { stdin: input, stderrIsTTY: false });
      expect(result.stderr).toBe('');
      expect(result.stdout.trim().split('\n')).toHaveLength(5);
    });
  });
});

describe('pipeline binding', () => {
  /**
   * Which parameter set a pipeline object binds to (lib/host/pipeline-binding.ts), as PowerShell
   * chooses: of the sets still possible, the one where the object binds the most parameters by
   * property name; the default set only breaks a tie. The real Get-PartnerCustomerSubscription
   * declaration (a seat-plan row, a subscription, a customer) and a fixture for a tie between sets.
   */
  const customerId = 'c5757d70-06f3-4f23-8367-5a9e55019f94';
  const subscriptionId = '2ad1d1a9-7b1b-4e06-a2c6-0b4ad7d2d2a3';

  async function bindToSubscriptions(object: Record<string, unknown>, given = {}) {
    const definition = await loadCmdlet('Get-PartnerCustomerSubscription');
    return bindPipelineObject(definition, bindGivenValues(definition, given), object, 1, {});
  }

  describe('the parameter set of a pipeline object', () => {
    it('a seat-plan row (customerId, subscriptionId, quantity) gets its one subscription', async () => {
      const row = { customerId, subscriptionId, quantity: '12' };
      const bound = await bindToSubscriptions(row);
      expect(bound.parameterSet).toBe('ById');
      expect(bound.parameters).toMatchObject({
        CustomerId: customerId,
        SubscriptionId: subscriptionId,
      });
    });

    it('so does a subscription as Get-PartnerCustomerSubscription writes it (its id)', async () => {
      const subscription = {
        customerId,
        id: subscriptionId,
        quantity: 10,
        attributes: { objectType: 'Subscription' },
      };
      const bound = await bindToSubscriptions(subscription);
      expect([bound.parameterSet, bound.parameters.SubscriptionId]).toEqual([
        'ById',
        subscriptionId,
      ]);
    });

    it('a row with the customer only lists: the default set wins what it binds as well as another', async () => {
      for (const object of [
        { customerId, quantity: '12' },
        { id: customerId, attributes: { objectType: 'Customer' } },
      ]) {
        const bound = await bindToSubscriptions(object);
        expect(bound.parameterSet).toBe('List');
        expect(bound.parameters.CustomerId).toBe(customerId);
        expect(bound.parameters.SubscriptionId).toBeUndefined();
      }
    });

    it("a subscription id that is not one is that row's error, not ignored for the list", async () => {
      await expect(
        bindToSubscriptions({ customerId, subscriptionId: 'no-such-id' }),
      ).rejects.toThrow(/^Input line 1: .*SubscriptionId/);
    });

    it('between two sets that bind as many, the default set', () => {
      const definition = defineCmdlet({
        name: 'Get-Tie',
        synopsis: 'A tie.',
        description: 'Two sets, each with one parameter from the pipeline.',
        defaultParameterSet: 'ByName',
        parameters: {
          Id: { type: 'string', sets: ['ById'], pipeline: 'byPropertyName', description: 'An id.' },
          Name: {
            type: 'string',
            sets: ['ByName'],
            pipeline: 'byPropertyName',
            description: 'A name.',
          },
          Quantity: { type: 'int', pipeline: 'byPropertyName', description: 'In every set.' },
        },
        examples: [],
        async *run() {},
      });
      const bind = (object: Record<string, unknown>) =>
        bindPipelineObject(definition, bindGivenValues(definition, {}), object, 1, {});
      expect(bind({ id: 'a', name: 'b' }).parameterSet).toBe('ByName');
      expect(bind({ id: 'a', name: 'b', quantity: 2 }).parameterSet).toBe('ByName');
      expect(bind({ id: 'a', quantity: 2 }).parameterSet).toBe('ById');
      expect(bind({ quantity: 2 }).parameterSet).toBe('ByName');
    });
  });
});

describe('object kinds', () => {
  /**
   * Binding by property name must not confuse one resource's id with another's: a parameter takes
   * an `id` only from objects of its kind (attributes.objectType), and an owner's id by name.
   */
  const C1 = '00000000-0000-4000-8000-0000000000c1';
  const C2 = '00000000-0000-4000-8000-0000000000c2';
  const U1 = '00000000-0000-4000-8000-0000000000a1';
  const S1 = '00000000-0000-4000-8000-0000000000b1';

  /** Shaped like Get-PartnerCustomerUserLicense: echoes what it was bound with. */
  const getLicenseLike = defineCmdlet({
    name: 'Get-Owned',
    synopsis: 'Echoes its ids.',
    description: 'A fixture with a customer id and a user id, both from the pipeline.',
    parameters: {
      CustomerId: customerIdParameter,
      UserId: {
        type: 'guid',
        mandatory: true,
        idOf: ['CustomerUser'],
        pipeline: 'byPropertyName',
        description: 'A user id.',
      },
    },
    examples: [],
    async *run(p) {
      yield { customerId: p.CustomerId, userId: p.UserId };
    },
  });

  /** Shaped like Get-PartnerCustomerUser: only a customer id from the pipeline. */
  const getUsersLike = defineCmdlet({
    name: 'Get-Users',
    synopsis: 'Echoes its customer id.',
    description: 'A fixture with a customer id from the pipeline.',
    parameters: { CustomerId: customerIdParameter },
    examples: [],
    async *run(p) {
      yield { customerId: p.CustomerId };
    },
  });

  const lines = (...objects: unknown[]) => objects.map((o) => JSON.stringify(o)).join('\n');
  const parsed = (stdout: string) =>
    stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));

  describe('binding by kind of object', () => {
    it("a Customer's id binds to -CustomerId", async () => {
      const input = lines({ id: C1, attributes: { objectType: 'Customer' } }, { id: C2 });
      const result = await runInProcess(getUsersLike, [], { stdin: input });
      expect(result.stderr).toBe('');
      expect(parsed(result.stdout)).toEqual([{ customerId: C1 }, { customerId: C2 }]);
    });

    it("a CustomerUser's id binds to -UserId and its customerId to -CustomerId", async () => {
      const user = { customerId: C1, id: U1, attributes: { objectType: 'CustomerUser' } };
      const result = await runInProcess(getLicenseLike, [], { stdin: lines(user) });
      expect(result.stderr).toBe('');
      expect(parsed(result.stdout)).toEqual([{ customerId: C1, userId: U1 }]);
    });

    it('the id of an object of another kind binds to neither, even through an Id alias', async () => {
      // A subscription of customer C1: its id is the subscription's, not a customer's.
      const subscription = { customerId: C1, id: S1, attributes: { objectType: 'Subscription' } };
      const toUsers = await runInProcess(getUsersLike, [], { stdin: lines(subscription) });
      expect(parsed(toUsers.stdout)).toEqual([{ customerId: C1 }]);
      // Only the id of a subscription without its customerId: nothing to bind -CustomerId to.
      const orphan = { id: S1, attributes: { objectType: 'Subscription' } };
      const refused = await runInProcess(getUsersLike, ['-ErrorAction', 'Stop'], {
        stdin: lines(orphan),
      });
      expect(refused.code).toBe(2);
      expect(refused.stderrLines).toEqual([
        expect.stringMatching(
          /^Get-Users: Input line 1: the object cannot be bound to any parameter/,
        ),
      ]);
    });

    it('a Customer piped where a user is needed fails that object for its missing -UserId', async () => {
      const customer = { id: C1, attributes: { objectType: 'Customer' } };
      const result = await runInProcess(getLicenseLike, ['-ErrorAction', 'Stop'], {
        stdin: lines(customer),
      });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/Input line 1: .*-UserId/);
    });

    it('matches objectType case-insensitively and ignores inherited or non-string kinds', async () => {
      const input = lines(
        { id: C1, attributes: { objectType: 'customer' } },
        { id: C2, attributes: { objectType: 7 } },
      );
      const result = await runInProcess(getUsersLike, [], { stdin: input });
      expect(result.stderr).toBe('');
      expect(parsed(result.stdout)).toEqual([{ customerId: C1 }, { customerId: C2 }]);
    });
  });
});

describe('pipeline', () => {
  /** Pipeline input by property name, bad input lines and -ErrorAction, through runCmdlet. */
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
      'refuses a line longer than 16 MiB without holding it, and goes on after ' +
        'it with Continue',
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
});

describe('CSV input', () => {
  /**
   * Import-Csv and ConvertFrom-Csv in-process: CSV as Excel and Export-Csv write it becomes one
   * NDJSON object of strings per row, and bad CSV stops with one line and exit 2. The emulator cases
   * read back what -OutputFormat Csv writes and bind a seat plan's columns by property name.
   */
  const dir = mkdtempSync(join(tmpdir(), 'csv-input-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function file(name: string, content: string | Buffer): string {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  }

  async function importCsv(args: string[]) {
    return runInProcess(await loadCmdlet('Import-Csv'), args);
  }

  async function convertFromCsv(stdin: string | Buffer | Readable, args: string[] = []) {
    return runInProcess(await loadCmdlet('ConvertFrom-Csv'), args, { stdin });
  }

  /** What Excel saves as "CSV UTF-8": a byte-order mark, CRLF, quotes where needed. */
  const excelPlan =
    '\ufeffCustomerId,subscriptionId,Quantity,Note\r\n' +
    'c1,s1,12,"Contoso, Ltd"\r\n' +
    'c2,s2,3,"say ""hi"""\r\n' +
    'c3,s3,7,"two\r\nlines"\r\n' +
    '\r\n';
  const excelRows = [
    { CustomerId: 'c1', subscriptionId: 's1', Quantity: '12', Note: 'Contoso, Ltd' },
    { CustomerId: 'c2', subscriptionId: 's2', Quantity: '3', Note: 'say "hi"' },
    { CustomerId: 'c3', subscriptionId: 's3', Quantity: '7', Note: 'two\r\nlines' },
  ];

  describe('Import-Csv and ConvertFrom-Csv', () => {
    it('read CSV as Excel writes it: BOM, CRLF, quoted commas, quotes and line breaks, header case', async () => {
      const imported = await importCsv([file('excel.csv', excelPlan)]);
      expect([imported.code, imported.stderr]).toEqual([0, '']);
      expect(wholeNdjsonLines(imported.stdout)).toEqual(excelRows);
      const converted = await convertFromCsv(excelPlan);
      expect([converted.code, converted.stderr]).toEqual([0, '']);
      expect(wholeNdjsonLines(converted.stdout)).toEqual(excelRows);
    });

    it('read the same rows whatever the chunks: one byte at a time, a UTF-8 character split', async () => {
      const text = `name,city\nJosé,"Zürich\n"\nÅsa,Malmö\n`;
      const bytes = Buffer.from(text);
      const oneByOne = Readable.from([...bytes].map((byte) => Buffer.from([byte])));
      const result = await convertFromCsv(oneByOne);
      expect([result.code, result.stderr]).toEqual([0, '']);
      expect(parseNdjson(result.stdout)).toEqual([
        { name: 'José', city: 'Zürich\n' },
        { name: 'Åsa', city: 'Malmö' },
      ]);
    });

    it('take the semicolon of European Excel with -Delimiter, LF line ends, no BOM, no last newline', async () => {
      const path = file('semicolon.csv', 'customerId;quantity;price\nc1;12;"1,50"\nc2;3;2');
      const result = await importCsv([path, '-Delimiter', ';']);
      expect([result.code, result.stderr]).toEqual([0, '']);
      expect(parseNdjson(result.stdout)).toEqual([
        { customerId: 'c1', quantity: '12', price: '1,50' },
        { customerId: 'c2', quantity: '3', price: '2' },
      ]);
      const refused = await importCsv([path, '-Delimiter', '""']);
      expect(refused.code).toBe(ExitCode.Usage);
    });

    it('write nothing and exit 0 for an empty file, a BOM alone, or a header alone', async () => {
      for (const content of ['', '\ufeff', 'customerId,quantity\r\n', '\r\n\r\n']) {
        const result = await importCsv([file('empty.csv', content)]);
        expect([result.code, result.stdout, result.stderr]).toEqual([0, '', '']);
      }
    });

    it('stop at a row with more or fewer fields than the header: one line naming file and row, exit 2', async () => {
      const path = file('short.csv', 'customerId,quantity\r\nc1,12\r\nc2\r\nc3,4\r\n');
      const short = await importCsv([path]);
      expect(short.code).toBe(ExitCode.Usage);
      // The rows before it were written whole; none after it.
      expect(wholeNdjsonLines(short.stdout)).toEqual([{ customerId: 'c1', quantity: '12' }]);
      expect(short.stderrLines).toEqual([
        `Import-Csv: ${path}: row 3 (line 3) has 1 field; the header row has 2. ` +
          'Quote a field that holds the delimiter \',\', a quote or a line break ("a,b"); ' +
          'give -Delimiter when the file uses another.',
      ]);
      const long = await convertFromCsv('a,b\n"x\ny",2\n1,2,3\n');
      expect(long.code).toBe(ExitCode.Usage);
      expect(long.stderrLines).toEqual([
        expect.stringMatching(/^ConvertFrom-Csv: standard input: row 3 \(line 4\) has 3 fields; /),
      ]);
    });

    it('refuse a repeated (in any case) or empty header name and an unclosed quote, writing nothing', async () => {
      const repeated = await convertFromCsv('customerId,CustomerID\nc1,c2\n');
      expect([repeated.code, repeated.stdout]).toEqual([ExitCode.Usage, '']);
      expect(repeated.stderrLines).toEqual([
        expect.stringContaining("names 'CustomerID' twice (columns 1 and 2)"),
      ]);
      const empty = await convertFromCsv('customerId,,quantity\nc1,x,2\n');
      expect([empty.code, empty.stdout]).toEqual([ExitCode.Usage, '']);
      expect(empty.stderrLines).toEqual([
        expect.stringContaining('column 2 of the header row (line 1) has no name'),
      ]);
      const unclosed = await convertFromCsv('a,b\n1,"open\n');
      expect([unclosed.code, unclosed.stdout]).toEqual([ExitCode.Usage, '']);
      expect(unclosed.stderrLines).toEqual([
        expect.stringContaining('the quoted field that starts on line 2 is never closed'),
      ]);
    });

    it('ConvertFrom-Csv takes the text as -InputObject too', async () => {
      const result = await runInProcess(await loadCmdlet('ConvertFrom-Csv'), [
        '-InputObject',
        'a,b\r\n1,2',
      ]);
      expect([result.code, parseNdjson(result.stdout)]).toEqual([0, [{ a: '1', b: '2' }]]);
    });
  });

  describe('CSV against the emulator', () => {
    let partner: EmulatedPartner;

    beforeAll(async () => {
      partner = await emulatedPartner({ customers: 8 });
    });

    afterAll(async () => {
      await partner?.dispose();
    });

    it('reads back what -OutputFormat Csv writes (BOM included): the same fields as NDJSON', async () => {
      const property = ['-Property', 'id,companyProfile.companyName,companyProfile.domain'];
      const ndjson = await partner.runInProcess('Get-PartnerCustomer', property);
      const csv = await partner.runInProcess('Get-PartnerCustomer', [
        ...property,
        '-OutputFormat',
        'Csv',
        '-Encoding',
        'utf8BOM',
      ]);
      expect([ndjson.code, csv.code]).toEqual([0, 0]);
      const back = await convertFromCsv(csv.stdout);
      expect([back.code, back.stderr]).toEqual([0, '']);
      const expected = parseNdjson(ndjson.stdout).map((customer) => {
        const profile = customer.companyProfile as Record<string, string>;
        return {
          id: customer.id,
          'companyProfile.companyName': profile.companyName,
          'companyProfile.domain': profile.domain,
        };
      });
      expect(expected).toHaveLength(8);
      expect(parseNdjson(back.stdout)).toEqual(expected);
    });

    it("binds a seat plan's customerId column by property name, whatever the header's case", async () => {
      const data = partner.emulator.dataset;
      const customers = [...Array(8).keys()]
        .map((index) => data.idOf(index))
        .filter((id) => data.hasCommerceRelationship(id) && data.subscriptionsOf(id).length > 0)
        .slice(0, 2);
      expect(customers).toHaveLength(2);
      const plan = file(
        'plan.csv',
        `\ufeffCUSTOMERID,subscriptionId,quantity\r\n${customers
          .map((id) => `${id},${String(data.subscriptionsOf(id)[0]?.id)},12\r\n`)
          .join('')}`,
      );
      const rows = await importCsv([plan]);
      expect(rows.code).toBe(0);
      const got = await partner.runInProcess('Get-PartnerCustomerSubscription', [], rows.stdout);
      expect([got.code, got.stderr]).toEqual([0, '']);
      // Each row binds its subscriptionId too, so it gets its one subscription (the ById set binds
      // more of the row than the default List set), not its customer's whole list.
      expect(
        parseNdjson(got.stdout)
          .map((subscription) => `${subscription.customerId} ${subscription.id}`)
          .sort(),
      ).toEqual(customers.map((id) => `${id} ${data.subscriptionsOf(id)[0]?.id}`).sort());
      const customersOnly = file(
        'customers.csv',
        `customerId,quantity\r\n${customers.map((id) => `${id},12\r\n`).join('')}`,
      );
      const listed = await partner.runInProcess(
        'Get-PartnerCustomerSubscription',
        [],
        (await importCsv([customersOnly])).stdout,
      );
      expect([listed.code, listed.stderr]).toEqual([0, '']);
      expect(parseNdjson(listed.stdout).map((subscription) => subscription.id)).toEqual(
        customers.flatMap((id) => data.subscriptionsOf(id).map((subscription) => subscription.id)),
      );
    });
  });
});
