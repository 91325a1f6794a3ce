/**
 * stdout on a real filesystem that fills up (a size-limited tmpfs this spec mounts; the suite runs
 * as root, here and in CI): a listing and a fan-out with -ResumeFile, appending to the same file
 * (`>>`) and resumed each time the disk has a little more room, until they complete. Each stop is
 * one line (exit 1) that names the file and the failure; the file then ends with a whole line and
 * holds exactly what the resume file records; the final file holds every item exactly once, in
 * one block per customer, with no torn line. The first run of each is the real bin/ command (main
 * writes a regular-file stdout itself); the resumes run in-process with the file as stdout.
 *
 * Also the resume's side of the stdout marks: what a run stopped between its output and its
 * record left after the last record (a SIGKILL's leftovers: whole lines and a torn one) is cut
 * off by the resumed run, and a file emptied since (`>` instead of `>>`) is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
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
import { linesAppendedTo } from './support/pipeline-runs.js';
import { expectEachCustomerOnceIn, subscriptionData } from './support/subscription-blocks.js';

type Json = Record<string, any>;

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
  return runInProcess(definition, args, { env: partner.env, stdin: input, stdoutFile: fd }).finally(
    () => closeSync(fd),
  );
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
      expect({ ...context, lines: lines.length, matches: stopLine.test(lines[0] ?? '') }).toEqual({
        ...context,
        code: 1,
        lines: 1,
        matches: true,
      });
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
  it('a listing with -ResumeFile: each stop one line, the file as recorded; resumed, every customer once', async () => {
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

  it('cuts off what a run stopped between its output and its record left (whole lines and a torn one)', async () => {
    const served = customers.filter((c) => data().hasCommerceRelationship(c.id)).slice(0, 30);
    const input = served.map((c) => `${JSON.stringify(c)}\n`).join('');
    const out = join(scratch, 'leftovers.ndjson');
    const resumeFile = join(scratch, 'leftovers.resume');
    rmSync(out, { force: true });
    const first = await stoppedRun(
      getSubscription,
      ['-ThrottleLimit', '2', '-ResumeFile', resumeFile],
      out,
      input,
      5,
    );
    expect(first.code).toBe(130);
    // What a SIGKILL between an output and its record leaves: a customer's lines the journal does
    // not record, and the start of the next one's first line.
    const unrecorded = served.at(-1)!;
    const dataset = partner.emulator.dataset as unknown as { subscriptionsOf(id: string): Json[] };
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
    const served = customers.filter((c) => data().hasCommerceRelationship(c.id)).slice(0, 20);
    const input = served.map((c) => `${JSON.stringify(c)}\n`).join('');
    const out = join(scratch, 'emptied.ndjson');
    const resumeFile = join(scratch, 'emptied.resume');
    rmSync(out, { force: true });
    const first = await stoppedRun(
      getSubscription,
      ['-ThrottleLimit', '2', '-ResumeFile', resumeFile],
      out,
      input,
      3,
    );
    expect(first.code).toBe(130);
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
