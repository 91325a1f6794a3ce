/**
 * stdout when a run is killed, its reader goes away or its disk fills up: what a user finds in the
 * file or pipe afterwards, with the real bin/ commands where only a process shows it. One file for
 * both parts (they load the same emulator, host and cmdlets, which jest loads once per file), each
 * with its own emulator and scratch directory.
 *
 * Killed or closed: SIGKILL and stdout, with the real bin/ commands: into a file appended to
 * (`>> out`) and run again until done (the run again in-process, into the same file), every item
 * is there exactly once and no line is torn, for a listing and a fan-out; into a pipe its reader
 * is slow to read, the promise is the narrower one the README states, checked as a rule: only the
 * customers whose output went out after the journal's last record come again, and only the last
 * line the reader got may be torn. And a reader that goes away while a resume file is kept: one
 * line, exit 1, the file keeps what went out (without a resume file the run still ends quietly
 * with 0, as `| head` expects: spec/e2e/list-customers.spec.ts).
 *
 * A full disk: stdout on a real filesystem that fills up (a size-limited tmpfs this spec mounts;
 * the suite runs as root, here and in CI): a listing and a fan-out with -ResumeFile, appending to
 * the same file (`>>`) and resumed each time the disk has a little more room, until they
 * complete. Each stop is one line (exit 1) that names the file and the failure; the file then ends
 * with a whole line and holds exactly what the resume file records; the final file holds every
 * item exactly once, in one block per customer, with no torn line. The first run of each is the
 * real bin/ command (main writes a regular-file stdout itself); the resumes run in-process with
 * the file as stdout. Also the resume's side of the stdout marks: what a run stopped between its
 * output and its record left after the last record (a SIGKILL's leftovers: whole lines and a torn
 * one) is cut off by the resumed run, and a file emptied since (`>` instead of `>>`) is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawn } from 'node:child_process';
import {
  appendFileSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  watch,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import getPartnerCustomer from '../../cmdlets/Get-PartnerCustomer.js';
import getSubscription from '../../cmdlets/Get-PartnerCustomerSubscription.js';
import type { CmdletDefinition } from '../../lib/cmdlet-support/cmdlet.js';
import { InterruptedError } from '../../lib/common/errors.js';
import { runInProcess } from '../fixtures/host/run-in-process.js';
import { binPath, runBash } from '../support/cli.js';
import { type EmulatedPartner, emulatedPartner } from '../support/emulated-partner.js';
import { blocksOf, journalKeys, linesAppendedTo, runPipeline } from './support/pipeline-runs.js';
import {
  expectEachCustomerOnce,
  expectEachCustomerOnceIn,
  subscriptionData,
} from './support/subscription-blocks.js';

type Json = Record<string, any>;

describe('killed or closed stdout', () => {
  const CUSTOMERS = 200;
  let partner: EmulatedPartner;
  let customers: Json[];
  let served: Json[];

  const data = () => subscriptionData(partner);

  beforeAll(async () => {
    partner = await emulatedPartner({ customers: CUSTOMERS, seed: 3 });
    customers = partner.emulator.customers as Json[];
    served = customers.filter((c) => data().hasCommerceRelationship(c.id)).slice(0, 60);
  });
  afterAll(() => partner?.dispose());

  /** The real command with stdout appended to `file`, SIGKILLed once it holds `afterLines` more. */
  function killedIntoFile(
    cmdlet: string,
    args: string[],
    file: string,
    afterLines: number,
    input?: string,
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
    const fd = openSync(file, 'a');
    const appended = linesAppendedTo(file);
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [binPath(cmdlet), ...args], {
        env: partner.env,
        stdio: [input === undefined ? 'ignore' : 'pipe', fd, 'pipe'],
      });
      let stderr = '';
      const watcher = watch(file, () => {
        if (child.exitCode === null && appended() >= afterLines) child.kill('SIGKILL');
      });
      child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.on('error', reject);
      child.on('close', (code, signal) => {
        watcher.close();
        closeSync(fd);
        resolve({ code, signal, stderr });
      });
      child.stdin?.end(input);
    });
  }

  /**
   * The same command run again into `file` (appended to, as `>> file` opens it), in-process: the
   * run writes the descriptor itself, as main() does with a regular-file stdout, so it cuts off what
   * the killed process left after its last record the same way, without a process of its own.
   */
  async function againIntoFile(
    definition: CmdletDefinition<any>,
    args: string[],
    file: string,
    input?: string,
  ): Promise<{ code: number; stderr: string }> {
    const fd = openSync(file, 'a');
    try {
      const { code, stderr } = await runInProcess(definition, args, {
        env: partner.env,
        stdin: input,
        stdoutFile: fd,
      });
      return { code, stderr };
    } finally {
      closeSync(fd);
    }
  }

  describe('SIGKILL with stdout a file appended to', () => {
    it('a listing run again: every customer exactly once, in order, no torn line', async () => {
      const out = join(partner.configDir, 'customers.ndjson');
      const resume = join(partner.configDir, 'customers.resume');
      const args = ['-PageSize', '20', '-ResumeFile', resume];
      // Slow pages: the kill lands mid-listing, right after some output reached the file.
      partner.emulator.configure({ apiLatencyMs: 20 });
      try {
        const killed = await killedIntoFile('Get-PartnerCustomer', args, out, 40);
        expect(killed.signal).toBe('SIGKILL');
        expect(existsSync(resume)).toBe(true);
      } finally {
        partner.emulator.configure({ apiLatencyMs: 0 });
      }
      const last = await againIntoFile(getPartnerCustomer, args, out);
      expect(last).toEqual({ code: 0, stderr: '' });
      const text = readFileSync(out, 'utf8');
      expect(text.endsWith('\n')).toBe(true);
      expect(
        text
          .split('\n')
          .slice(0, -1)
          .map((line) => JSON.parse(line).id),
      ).toEqual(customers.map((c) => c.id));
    }, 30_000);

    it('a fan-out run again: every customer’s subscriptions exactly once, whole', async () => {
      const out = join(partner.configDir, 'subscriptions.ndjson');
      const resume = join(partner.configDir, 'subscriptions.resume');
      const input = served.map((c) => `${JSON.stringify(c)}\n`).join('');
      const args = ['-ThrottleLimit', '3', '-ResumeFile', resume];
      partner.emulator.configure({ apiLatencyMs: 20 });
      try {
        const killed = await killedIntoFile(
          'Get-PartnerCustomerSubscription',
          args,
          out,
          30,
          input,
        );
        expect(killed.signal).toBe('SIGKILL');
      } finally {
        partner.emulator.configure({ apiLatencyMs: 0 });
      }
      const last = await againIntoFile(getSubscription, args, out, input);
      expect(last).toEqual({ code: 0, stderr: '' });
      expectEachCustomerOnceIn(readFileSync(out, 'utf8'), served, data());
    }, 30_000);
  });

  /**
   * The fan-out with stdout a pipe nobody reads until the journal records `records` customers; then
   * SIGKILL, and what the pipe holds is read.
   */
  function killedWithStalledReader(
    args: string[],
    input: string,
    resume: string,
    records: number,
  ): Promise<{ signal: NodeJS.Signals | null; stdout: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [binPath('Get-PartnerCustomerSubscription'), ...args], {
        env: partner.env,
        stdio: ['pipe', 'pipe', 'ignore'],
      });
      child.stdout!.pause();
      const watcher = watch(partner.configDir, () => {
        if (child.exitCode === null && journalKeys(resume).length >= records) child.kill('SIGKILL');
      });
      let stdout = '';
      child.on('error', reject);
      child.on('exit', () => {
        watcher.close();
        child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
        child.stdout!.resume();
      });
      child.on('close', (_code, signal) => resolve({ signal, stdout }));
      child.stdin!.end(input);
    });
  }

  describe('SIGKILL with stdout a pipe its reader is slow to read', () => {
    it('repeats only the customers after the journal’s last record, tears at most the last line', async () => {
      const resume = join(partner.configDir, 'piped.resume');
      rmSync(resume, { force: true });
      const input = served.map((c) => `${JSON.stringify(c)}\n`).join('');
      const args = ['-ThrottleLimit', '4', '-ResumeFile', resume];
      const first = await killedWithStalledReader(args, input, resume, 10);
      expect(first.signal).toBe('SIGKILL');
      const recorded = new Set(journalKeys(resume));
      const blocks = blocksOf(first.stdout);
      // Torn, if at all, only the last block; the customers not recorded are a tail of the output.
      expect(blocks.slice(0, -1).filter((b) => b.torn)).toEqual([]);
      let tail = blocks.length;
      while (tail > 0 && !recorded.has(blocks[tail - 1]!.customerId)) tail--;
      expect(blocks.slice(0, tail).filter((b) => !recorded.has(b.customerId))).toEqual([]);
      // The rerun needs no process of its own: what it writes is the same in-process.
      const second = await runPipeline(
        'in-process',
        'Get-PartnerCustomerSubscription',
        args,
        input,
        partner.env,
      );
      expect(second.code).toBe(0);
      const again = blocksOf(second.stdout);
      // Written again: exactly the tail the journal had not recorded (and whatever was never out).
      const repeated = again.filter((b) =>
        blocks.some((earlier) => earlier.customerId === b.customerId),
      );
      expect(repeated.map((b) => b.customerId).sort()).toEqual(
        blocks
          .slice(tail)
          .map((b) => b.customerId)
          .sort(),
      );
      // What the reader keeps: the recorded blocks of the killed run, then the whole rerun.
      expectEachCustomerOnce([...blocks.slice(0, tail), ...again], served, data());
    }, 30_000);
  });

  describe('a reader that goes away while a resume file is kept', () => {
    const bash = (script: string) =>
      runBash(script, {
        env: {
          ...partner.env,
          PATH: `${join(binPath('Get-PartnerCustomer'), '..')}:${process.env.PATH}`,
        },
      });

    it('a listing: one line, exit 1, and the file continues after what went out', async () => {
      const resume = join(partner.configDir, 'closed.resume');
      rmSync(resume, { force: true });
      const result = await bash(
        `Get-PartnerCustomer -PageSize 10 -ResumeFile '${resume}' | head -n 15 >/dev/null; ` +
          `echo "status=\${PIPESTATUS[0]}" >&2`,
      );
      const [line, status, ...more] = result.stderr.split('\n').filter(Boolean);
      expect(more).toEqual([]);
      expect(status).toBe('status=1');
      const stopLine =
        /^Get-PartnerCustomer: The reader of stdout went away before the listing ended\. What it had not read yet of the customers handed to it is not written again\. (\d+) customers were written; \S+ keeps the position\. To continue with the next one, run: Get-PartnerCustomer -PageSize 10 -ResumeFile \S+$/;
      const match = stopLine.exec(line!);
      expect(match).not.toBeNull();
      const written = Number(match![1]);
      expect(JSON.parse(readFileSync(resume, 'utf8')).written).toBe(written);
      const rest = await partner.runInProcess('Get-PartnerCustomer', [
        '-PageSize',
        '10',
        '-ResumeFile',
        resume,
      ]);
      expect(rest.code).toBe(0);
      expect(
        rest.stdout
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l).id),
      ).toEqual(customers.slice(written).map((c) => c.id));
    }, 30_000);

    it('a fan-out: one line, exit 1, naming what its file records', async () => {
      const resume = join(partner.configDir, 'closed-fan-out.resume');
      rmSync(resume, { force: true });
      const input = join(partner.configDir, 'closed-fan-out.ndjson');
      writeFileSync(input, served.map((c) => `${JSON.stringify(c)}\n`).join(''));
      const result = await bash(
        `Get-PartnerCustomerSubscription -ResumeFile '${resume}' <'${input}' | head -n 3 >/dev/null; ` +
          `echo "status=\${PIPESTATUS[0]}" >&2`,
      );
      const [line, status, ...more] = result.stderr.split('\n').filter(Boolean);
      expect(more).toEqual([]);
      expect(status).toBe('status=1');
      const stopLine =
        /^Get-PartnerCustomerSubscription: The reader of stdout went away before the run ended\. What it had not read yet of the output handed to it is not written again\. (\d+) customers? of the \d+ read (?:was|were) done; \S+ records them\. To continue with the rest, run the same pipeline again ending in: Get-PartnerCustomerSubscription -ResumeFile \S+$/;
      const match = stopLine.exec(line!);
      expect(match).not.toBeNull();
      expect(journalKeys(resume)).toHaveLength(Number(match![1]));
    }, 30_000);
  });
});

describe('a full disk', () => {
  const CUSTOMERS = 120;
  /** The tmpfs starts this small and grows by as much before each resume (a listing's step). */
  const STEP = 24 * 1024;
  /** A run that needs more resumes than this is stuck: a finding, not a wait. */
  const MAX_RUNS = 12;

  let partner: EmulatedPartner;
  let scratch: string;
  let disk: string;
  let customers: Json[];

  const data = () => subscriptionData(partner);

  function mount(size: number): void {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', disk]);
  }
  function grow(size: number): void {
    execFileSync('mount', ['-o', `remount,size=${size}`, disk]);
  }
  function unmount(): void {
    if (disk) execFileSync('umount', [disk]);
  }

  beforeAll(async () => {
    partner = await emulatedPartner({ customers: CUSTOMERS });
    scratch = mkdtempSync(join(tmpdir(), 'full-disk-'));
    disk = join(scratch, 'disk');
    mkdirSync(disk);
    try {
      mount(STEP);
      unmount();
    } catch (error) {
      // Loud on purpose: the proof needs a real filesystem that fills up (root, as in CI).
      disk = '';
      throw new Error(
        `This spec mounts a size-limited tmpfs and must run as root: ${(error as Error).message}`,
      );
    }
    const listed = await runInProcess(getPartnerCustomer, [], { env: partner.env });
    customers = listed.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Json);
    expect(customers).toHaveLength(CUSTOMERS);
  });

  afterAll(async () => {
    await partner?.dispose();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  interface Attempt {
    code: number | null;
    stderr: string;
  }

  /** The real command, `cmdline >> out` in bash, with the module's commands on PATH. */
  function inProcessOrBash(
    definition: CmdletDefinition<any>,
    args: string[],
    out: string,
    input: string | undefined,
    asProcess: boolean,
  ): Promise<Attempt> {
    if (asProcess) {
      const inputFile = join(scratch, 'input.ndjson');
      if (input !== undefined) writeFileSync(inputFile, input);
      const quoted = args.map((arg) => `'${arg}'`).join(' ');
      return runBash(
        `${definition.name} ${quoted} ${input === undefined ? '</dev/null' : `<'${inputFile}'`} >> '${out}'`,
        {
          env: { ...partner.env, PATH: `${dirname(binPath(definition.name))}:${process.env.PATH}` },
        },
      );
    }
    // `>> out`: the descriptor appends, as the shell opens it.
    const fd = openSync(out, 'a');
    return runInProcess(definition, args, {
      env: partner.env,
      stdin: input,
      stdoutFile: fd,
    }).finally(() => closeSync(fd));
  }

  /**
   * Runs `args` appending to a file on the small disk, growing the disk by STEP after each stop,
   * until a run exits 0; checks every stop. Returns the final file's text and the stops seen.
   */
  async function untilDone(
    definition: CmdletDefinition<any>,
    args: string[],
    input: string | undefined,
    stopLine: RegExp,
    recorded: (resumeFile: string) => number,
    resumeFile: string,
    step = STEP,
  ): Promise<{ text: string; stops: number }> {
    const out = join(disk, 'out.ndjson');
    let size = step;
    mount(size);
    try {
      for (let n = 0; n < MAX_RUNS; n++) {
        const attempt = await inProcessOrBash(definition, args, out, input, n === 0);
        const text = readFileSync(out, 'utf8');
        const context = { run: n, code: attempt.code, stderr: attempt.stderr };
        if (attempt.code === 0) {
          expect({ ...context, fileKept: existsSync(resumeFile) }).toEqual({
            ...context,
            code: 0,
            stderr: '',
            fileKept: false,
          });
          return { text, stops: n };
        }
        const lines = attempt.stderr.split('\n').filter(Boolean);
        expect({ ...context, lines: lines.length, matches: stopLine.test(lines[0] ?? '') }).toEqual(
          {
            ...context,
            code: 1,
            lines: 1,
            matches: true,
          },
        );
        // The file ends with a whole line and holds exactly what the resume file records.
        expect({ ...context, endsWithNewline: text === '' || text.endsWith('\n') }).toEqual({
          ...context,
          endsWithNewline: true,
        });
        expect({ ...context, lines: lineCount(text) }).toEqual({
          ...context,
          lines: recorded(resumeFile),
        });
        size += step;
        grow(size);
      }
      throw new Error(`still not done after ${MAX_RUNS} runs`);
    } finally {
      unmount();
    }
  }

  const lineCount = (text: string) => text.split('\n').length - 1;

  describe('stdout on a disk that fills up', () => {
    const listingCase =
      'a listing with -ResumeFile: each stop one line, the file as recorded; resumed, every customer once';
    it(listingCase, async () => {
      const resumeFile = join(scratch, 'customers.resume');
      const { text, stops } = await untilDone(
        getPartnerCustomer,
        ['-PageSize', '10', '-ResumeFile', resumeFile],
        undefined,
        /^Get-PartnerCustomer: Cannot write the output to \S+out\.ndjson: ENOSPC: no space left on device, write\. (The [\d,]+ bytes written to \S+ after the last record were removed, so it ends with the last output recorded\. |The line it cut \([\d,]+ bytes?\) was removed, so \S+ ends with a whole line\. )?\d+ customers were written( \(\d+ with the earlier runs\))?; \S+ keeps the position\. To continue with the next one, run: Get-PartnerCustomer -PageSize 10 -ResumeFile \S+$/,
        (file) => JSON.parse(readFileSync(file, 'utf8')).written,
        resumeFile,
      );
      expect(stops).toBeGreaterThanOrEqual(2);
      const ids = text
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).id);
      expect(ids).toEqual(customers.map((c) => c.id));
    }, 60_000);

    it('a fan-out with -ResumeFile: the same, every customer’s subscriptions exactly once and whole', async () => {
      const resumeFile = join(scratch, 'subscriptions.resume');
      const served = customers.filter((c) => data().hasCommerceRelationship(c.id)).slice(0, 40);
      const input = served.map((c) => `${JSON.stringify(c)}\n`).join('');
      const journal = (file: string) =>
        existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(1, -1) : [];
      const { text, stops } = await untilDone(
        getSubscription,
        ['-ThrottleLimit', '4', '-ResumeFile', resumeFile],
        input,
        /^Get-PartnerCustomerSubscription: Cannot write the output to \S+out\.ndjson: ENOSPC: no space left on device, write\. (The [\d,]+ bytes written to \S+ after the last record were removed, so it ends with the last output recorded\. |The line it cut \([\d,]+ bytes?\) was removed, so \S+ ends with a whole line\. )?[\d,]+ customers? of the [\d,]+ read (was|were) done.*; \S+ records them\. To continue with the rest, run the same pipeline again ending in: Get-PartnerCustomerSubscription -ThrottleLimit 4 -ResumeFile \S+$/,
        // Lines recorded: each recorded customer's subscriptions.
        (file) =>
          journal(file).reduce(
            (sum, line) => sum + data().subscriptionIds(JSON.parse(line).key).length,
            0,
          ),
        resumeFile,
        64 * 1024,
      );
      expect(stops).toBeGreaterThanOrEqual(2);
      expectEachCustomerOnceIn(text, served, data());
    }, 60_000);
  });

  describe('resuming into the file an earlier run wrote', () => {
    /** A run into `out` (appending), stopped by SIGINT once `afterLines` lines are out. */
    async function stoppedRun(
      definition: CmdletDefinition<any>,
      args: string[],
      out: string,
      input: string | undefined,
      afterLines: number,
    ) {
      const controller = new AbortController();
      const fd = openSync(out, 'a');
      const appended = linesAppendedTo(out);
      const stopping = watch(out, () => {
        if (appended() >= afterLines) controller.abort(new InterruptedError('SIGINT'));
      });
      try {
        return await runInProcess(definition, args, {
          env: partner.env,
          stdin: input,
          stdoutFile: fd,
          signal: controller.signal,
        });
      } finally {
        stopping.close();
        closeSync(fd);
      }
    }

    /**
     * The first `count` served customers piped to Get-PartnerCustomerSubscription into a fresh
     * `<name>.ndjson` with `<name>.resume`, stopped by SIGINT after `afterLines` lines.
     */
    async function stoppedSubscriptionRun(name: string, count: number, afterLines: number) {
      const served = customers.filter((c) => data().hasCommerceRelationship(c.id)).slice(0, count);
      const input = served.map((c) => `${JSON.stringify(c)}\n`).join('');
      const out = join(scratch, `${name}.ndjson`);
      const resumeFile = join(scratch, `${name}.resume`);
      rmSync(out, { force: true });
      const first = await stoppedRun(
        getSubscription,
        ['-ThrottleLimit', '2', '-ResumeFile', resumeFile],
        out,
        input,
        afterLines,
      );
      expect(first.code).toBe(130);
      return { served, input, out, resumeFile };
    }

    it('cuts off what a run stopped between its output and its record left (whole lines and a torn one)', async () => {
      const { served, input, out, resumeFile } = await stoppedSubscriptionRun('leftovers', 30, 5);
      // What a SIGKILL between an output and its record leaves: a customer's lines the journal does
      // not record, and the start of the next one's first line.
      const unrecorded = served.at(-1)!;
      const dataset = partner.emulator.dataset as unknown as {
        subscriptionsOf(id: string): Json[];
      };
      const lines = dataset
        .subscriptionsOf(unrecorded.id)
        .map((s) => `${JSON.stringify({ customerId: unrecorded.id, ...s })}\n`);
      appendFileSync(out, `${lines.join('')}${lines[0]!.slice(0, 40)}`);
      const fd = openSync(out, 'a');
      const second = await runInProcess(
        getSubscription,
        ['-ThrottleLimit', '2', '-ResumeFile', resumeFile, '-Verbose'],
        { env: partner.env, stdin: input, stdoutFile: fd },
      ).finally(() => closeSync(fd));
      expect(second.code).toBe(0);
      expectEachCustomerOnceIn(readFileSync(out, 'utf8'), served, data());
    }, 30_000);

    it('refuses a file emptied since the earlier run (> instead of >>), before any request', async () => {
      const { input, out, resumeFile } = await stoppedSubscriptionRun('emptied', 20, 3);
      const requests = () => partner.emulator.counters().requests;
      const before = JSON.stringify(requests());
      // `cmd > out`: the shell empties the file before the command starts.
      const fd = openSync(out, 'w');
      const second = await runInProcess(
        getSubscription,
        ['-ThrottleLimit', '2', '-ResumeFile', resumeFile],
        { env: partner.env, stdin: input, stdoutFile: fd },
      ).finally(() => closeSync(fd));
      expect(second.code).toBe(2);
      expect(second.stderrLines).toHaveLength(1);
      expect(second.stderr).toMatch(
        /holds 0 bytes, fewer than the [\d,]+ bytes the earlier runs had written to it when \S+ last recorded: it was emptied or cut since \(> instead of >>\?\)/,
      );
      expect(JSON.stringify(requests())).toBe(before);
      expect(existsSync(resumeFile)).toBe(true);
    }, 30_000);

    it('a listing: refuses a file it cannot cut (not opened to append) and names the truncate', async () => {
      const out = join(scratch, 'listing.ndjson');
      const resumeFile = join(scratch, 'listing.resume');
      rmSync(out, { force: true });
      const args = ['-PageSize', '10', '-ResumeFile', resumeFile];
      const first = await stoppedRun(getPartnerCustomer, args, out, undefined, 25);
      expect(first.code).toBe(130);
      const { size } = JSON.parse(readFileSync(resumeFile, 'utf8')).stdout;
      // What a killed run leaves after its last record, and a descriptor that does not append
      // (`1<> out`): cut, the file would take the next write at the old offset, past its end.
      appendFileSync(out, '{"id":"torn');
      const fd = openSync(out, 'r+');
      const second = await runInProcess(getPartnerCustomer, args, {
        env: partner.env,
        stdoutFile: fd,
      }).finally(() => closeSync(fd));
      expect(second.code).toBe(2);
      expect(second.stderrLines).toEqual([
        `Get-PartnerCustomer: ${out} ends with ${readFileSync(out).length - size} bytes that an ` +
          `earlier run wrote after its last record in ${resumeFile} (it stopped between the two), ` +
          `and this run cannot cut them off: stdout does not append to it. Resume with >> ${out}, ` +
          `or remove them first: truncate -s ${size} ${out}`,
      ]);
      // Appending, the same resume cuts them off and completes the listing exactly once.
      const appending = openSync(out, 'a');
      const third = await runInProcess(getPartnerCustomer, args, {
        env: partner.env,
        stdoutFile: appending,
      }).finally(() => closeSync(appending));
      expect(third.code).toBe(0);
      expect(
        readFileSync(out, 'utf8')
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line).id),
      ).toEqual(customers.map((c) => c.id));
    }, 30_000);
  });
});
