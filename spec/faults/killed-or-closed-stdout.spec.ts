/**
 * SIGKILL and stdout, with the real bin/ commands: into a file appended to (`>> out`) and run again
 * until done (the run again in-process, into the same file), every item is there exactly once and
 * no line is torn, for a listing and a fan-out;
 * into a pipe its reader is slow to read, the promise is the narrower one the README states,
 * checked as a rule: only the customers whose output went out after the journal's last record come
 * again, and only the last line the reader got may be torn. And a reader that goes away while a
 * resume file is kept: one line, exit 1, the file keeps what went out (without a resume file the
 * run still ends quietly with 0, as `| head` expects: spec/e2e/list-customers.spec.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  rmSync,
  watch,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import getPartnerCustomer from '../../cmdlets/Get-PartnerCustomer.js';
import getSubscription from '../../cmdlets/Get-PartnerCustomerSubscription.js';
import type { CmdletDefinition } from '../../lib/cmdlet-support/cmdlet.js';
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
      const killed = await killedIntoFile('Get-PartnerCustomerSubscription', args, out, 30, input);
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
