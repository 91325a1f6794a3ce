/**
 * What the pipeline fault suite needs around one run of a per-customer cmdlet: running it as the
 * real bin/ command or in-process with NDJSON on stdin (with a signal at a chosen moment of its
 * output), cutting its stdout into each customer's block, sorting its stderr into the lines a run
 * may print, and reading its resume file.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync, watch } from 'node:fs';
import { Writable } from 'node:stream';
import GetPartnerCustomerSubscription from '../../../cmdlets/Get-PartnerCustomerSubscription.js';
import GetPartnerCustomerUser from '../../../cmdlets/Get-PartnerCustomerUser.js';
import GetPartnerInvoiceLineItem from '../../../cmdlets/Get-PartnerInvoiceLineItem.js';
import SetPartnerCustomerSubscription from '../../../cmdlets/Set-PartnerCustomerSubscription.js';
import type { CmdletDefinition } from '../../../lib/cmdlet-support/cmdlet.js';
import { InterruptedError } from '../../../lib/common/errors.js';
import { runInProcess } from '../../fixtures/host/run-in-process.js';
import { binPath, runCli } from '../../support/cli.js';
import type { RunMode } from './listing-runs.js';
import { shellWords } from './listing-runs.js';
import type { KillSignal, PipelineCmdlet } from './pipeline-schedules.js';

/**
 * The cmdlets the fault suites run: the per-customer listings and the seat write (piped into), and
 * the billing export (export-fault-suite.spec.ts).
 */
export type RunnableCmdlet =
  | PipelineCmdlet
  | 'Set-PartnerCustomerSubscription'
  | 'Get-PartnerInvoiceLineItem';

const DEFINITIONS: Record<RunnableCmdlet, CmdletDefinition<any>> = {
  'Get-PartnerCustomerSubscription': GetPartnerCustomerSubscription,
  'Get-PartnerCustomerUser': GetPartnerCustomerUser,
  'Set-PartnerCustomerSubscription': SetPartnerCustomerSubscription,
  'Get-PartnerInvoiceLineItem': GetPartnerInvoiceLineItem,
};

export interface PipelineAttempt {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The signal sent (after `afterLines` lines of output), if the run was still going. */
  killedWith?: KillSignal;
}

/**
 * Runs `cmdlet args` with `input` on stdin; with `kill`, sends the signal once `afterLines` lines
 * of output arrived (in-process: SIGINT/SIGTERM abort the run's signal, as main() does). With
 * `stdoutFile`, stdout is that file opened for appending, as `>> file` opens it (in-process: the
 * run writes the descriptor itself, as main() does with a regular file); the attempt's `stdout`
 * is then empty: the file is the output.
 */
export async function runPipeline(
  mode: RunMode,
  cmdlet: RunnableCmdlet,
  args: readonly string[],
  input: string,
  env: NodeJS.ProcessEnv,
  kill?: { signal: KillSignal; afterLines: number },
  stdoutFile?: string,
): Promise<PipelineAttempt> {
  let killedWith: KillSignal | undefined;
  if (mode === 'process' && stdoutFile !== undefined)
    return runIntoFile(cmdlet, args, input, env, stdoutFile, kill);
  if (mode === 'process') {
    // Lines are counted chunk by chunk, and only when a signal waits for them: the output so far
    // that runCli hands over is one growing string, and slicing it at each chunk copies it whole.
    let counting = false;
    const result = await runCli(cmdlet, args, {
      env,
      input,
      timeoutMs: 90_000,
      onOutput: ({ stdout }, child) => {
        if (!kill || counting) return;
        counting = true;
        let lines = newlinesIn(stdout);
        const signalIfDue = () => {
          if (killedWith || lines < kill.afterLines || child.exitCode !== null) return;
          killedWith = kill.signal;
          child.kill(kill.signal);
        };
        child.stdout!.on('data', (chunk: string) => {
          lines += newlinesIn(chunk);
          signalIfDue();
        });
        signalIfDue();
      },
    });
    return { ...result, killedWith };
  }
  if (kill?.signal === 'SIGKILL') throw new Error('SIGKILL needs a process');
  const controller = new AbortController();
  if (stdoutFile !== undefined) {
    if (kill) throw new Error('an in-process run into a file is not signalled');
    const fd = openSync(stdoutFile, 'a');
    try {
      const result = await runInProcess(DEFINITIONS[cmdlet], [...args], {
        env,
        stdin: input,
        stdoutFile: fd,
      });
      return { code: result.code, signal: null, stdout: '', stderr: result.stderr };
    } finally {
      closeSync(fd);
    }
  }
  let lines = 0;
  const stdout = new (class extends Writable {
    text = '';
    override _write(chunk: Buffer, _: BufferEncoding, done: () => void) {
      const text = chunk.toString('utf8');
      this.text += text;
      if (kill && !killedWith) {
        lines += newlinesIn(text);
        if (lines >= kill.afterLines) {
          killedWith = kill.signal;
          controller.abort(new InterruptedError(kill.signal as 'SIGINT' | 'SIGTERM'));
        }
      }
      done();
    }
  })();
  const result = await runInProcess(DEFINITIONS[cmdlet], [...args], {
    env,
    stdin: input,
    stdout,
    signal: controller.signal,
  });
  return {
    code: result.code,
    signal: null,
    stdout: stdout.text,
    stderr: result.stderr,
    killedWith,
  };
}

function newlinesIn(text: string): number {
  let count = 0;
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) count++;
  return count;
}

/** A process run whose stdout is `file` (appended to); the signal once it holds `afterLines` more. */
function runIntoFile(
  cmdlet: RunnableCmdlet,
  args: readonly string[],
  input: string,
  env: NodeJS.ProcessEnv,
  file: string,
  kill: { signal: KillSignal; afterLines: number } | undefined,
): Promise<PipelineAttempt> {
  const fd = openSync(file, 'a');
  const appended = linesAppendedTo(file);
  return new Promise<PipelineAttempt>((resolve, reject) => {
    let killedWith: KillSignal | undefined;
    let stderr = '';
    const child = spawn(process.execPath, [binPath(cmdlet), ...args], {
      env,
      stdio: ['pipe', fd, 'pipe'],
    });
    // Each write to the file is an event: the signal lands right after the output that passed
    // the mark, wherever the run then is.
    const watcher = kill
      ? watch(file, () => {
          if (killedWith || child.exitCode !== null) return;
          if (appended() < kill.afterLines) return;
          killedWith = kill.signal;
          child.kill(kill.signal);
        })
      : undefined;
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      watcher?.close();
      closeSync(fd);
      resolve({ code, signal, stdout: '', stderr, killedWith });
    });
    child.stdin!.end(input);
  });
}

/**
 * Counts the lines appended to `file` from now on, reading only what is new at each call (a
 * watcher calls it at every write: rereading the whole file each time costs quadratic time).
 */
export function linesAppendedTo(file: string): () => number {
  let offset = statSync(file).size;
  let lines = 0;
  const buffer = Buffer.allocUnsafe(64 * 1024);
  return () => {
    const fd = openSync(file, 'r');
    try {
      for (let n = readSync(fd, buffer, 0, buffer.length, offset); n > 0; ) {
        for (let i = 0; i < n; i++) if (buffer[i] === 0x0a) lines++;
        offset += n;
        n = readSync(fd, buffer, 0, buffer.length, offset);
      }
    } finally {
      closeSync(fd);
    }
    return lines;
  };
}

/** One customer's consecutive lines in one run's output. */
export interface OutputBlock {
  customerId: string;
  /** The items' ids, in order. */
  ids: string[];
  /** The run's output ended inside this block's last line (only a SIGKILL may do that). */
  torn: boolean;
}

/** Cuts a run's stdout into blocks; every whole line must be an object with customerId and id. */
export function blocksOf(stdout: string): OutputBlock[] {
  const lines = stdout.split('\n');
  const rest = lines.pop()!;
  const blocks: OutputBlock[] = [];
  for (const line of lines) {
    const object = JSON.parse(line) as { customerId?: unknown; id?: unknown };
    if (typeof object.customerId !== 'string' || typeof object.id !== 'string')
      throw new Error(`an output line without customerId and id: ${line.slice(0, 200)}`);
    const last = blocks.at(-1);
    if (last?.customerId === object.customerId) last.ids.push(object.id);
    else blocks.push({ customerId: object.customerId, ids: [object.id], torn: false });
  }
  if (rest !== '') {
    // A line cut too early to name its customer is the last block's, or the next one's: either
    // way that customer's output is cut, and it is marked on the last block if there is one.
    const customerId = /^\{"customerId":"([^"]+)"/.exec(rest)?.[1];
    const last = blocks.at(-1);
    if (last && (customerId === undefined || last.customerId === customerId)) last.torn = true;
    else if (customerId !== undefined) blocks.push({ customerId, ids: [], torn: true });
  }
  return blocks;
}

/** What a stopped run's one error line says. */
export interface StopLine {
  line: string;
  done: number;
  read: number;
  failed: number;
  skipped: number;
  resumeFile: string;
  /** The command it says continues the run, as words (the cmdlet first). */
  continueWith: string[];
}

const STOP_LINE =
  /(\d[\d,]*) customers? of the (\d[\d,]*) read (?:was|were) done(?:, (\d[\d,]*) failed)?(?: \((\d[\d,]*) customers? skipped: earlier runs did them\))?; (\S+) records them\. To continue with the rest, run the same pipeline again ending in: (.+)$/;

const count = (text: string | undefined) => (text ? Number(text.replaceAll(',', '')) : 0);

export function stopLineOf(line: string): StopLine | undefined {
  const match = STOP_LINE.exec(line);
  if (!match) return undefined;
  return {
    line,
    done: count(match[1]),
    read: count(match[2]),
    failed: count(match[3]),
    skipped: count(match[4]),
    resumeFile: match[5]!,
    continueWith: shellWords(match[6]!),
  };
}

/** The kinds of stderr line a pipeline run may print; anything else is a finding. */
export interface SortedStderr {
  /** One customer's failure (-ErrorAction Continue): the customer ids named. */
  customerFailures: string[];
  /** `<cmdlet>: N of M customers failed: ...`: N. */
  summary?: number;
  stop: StopLine[];
  other: string[];
}

export function sortStderr(cmdlet: PipelineCmdlet, stderr: string): SortedStderr {
  const sorted: SortedStderr = { customerFailures: [], stop: [], other: [] };
  for (const line of stderr.split('\n')) {
    if (line === '') continue;
    const stop = stopLineOf(line);
    // `<cmdlet>: N of M customers failed: <count × reason, ...>.` and, when some may pass on a
    // rerun, the resume file's advice.
    const summary = new RegExp(
      `^${cmdlet}: (\\d+) of \\d+ (?:customer|user)s? failed: [^.]+\\.(?: .* records the ` +
        'others: run the same pipeline again with it to retry only the failed ones\\.)?$',
    ).exec(line);
    // `<cmdlet>: <company name> (<id>): <reason>. <message>`, or `customer <id>` without a name.
    const customer = new RegExp(
      `^${cmdlet}: (?:customer ([0-9a-f-]{36})|.*? \\(([0-9a-f-]{36})\\)): `,
    ).exec(line);
    if (stop && line.startsWith(`${cmdlet}: `)) sorted.stop.push(stop);
    else if (summary) sorted.summary = Number(summary[1]);
    else if (customer) sorted.customerFailures.push((customer[1] ?? customer[2])!);
    else sorted.other.push(line);
  }
  return sorted;
}

/** The keys a resume file records (a torn last line ignored, as the reader does). */
export function journalKeys(path: string): string[] {
  if (!existsSync(path)) return [];
  const lines = readFileSync(path, 'utf8').split('\n');
  lines.pop();
  return lines.slice(1).map((line) => (JSON.parse(line) as { key: string }).key);
}
