/**
 * The proof of issue 13's fan-out under faults: seeded random schedules against pipeline runs.
 * Each run pipes 30-150 customers (some without a commerce relationship, 403, and some that do not
 * exist, 404, when the run goes past them: no -ErrorAction, which is Continue, or Continue,
 * SilentlyContinue or Ignore given) as NDJSON
 * into Get-PartnerCustomerSubscription or Get-PartnerCustomerUser (App+User), with a random
 * -ThrottleLimit, retry budget and a -ResumeFile, while the emulator throttles (bursts of 429 with
 * Retry-After, a gateway rate limit), fails requests with 408/5xx, resets connections, holds
 * answers past the client's timeout, expires access tokens and revokes the refresh token (a
 * renewal that must fail: exit 3, then the user reconnects); process runs are sent SIGINT, SIGTERM
 * or SIGKILL at a random moment of their output (in-process runs SIGINT/SIGTERM as an abort). Each
 * run is then continued with the command its error line gives (or, after SIGKILL, the same one)
 * until it completes (a process run's resumes in-process, into the same file or pipe, unless a
 * signal is scheduled for them: support/fault-runs.ts, attemptMode).
 *
 * Checked for every run, over the first run and all its resumes: every customer that can succeed
 * has its items, as the emulator's data set says, exactly once and in one contiguous block; no
 * customer is lost, none repeated, none that cannot succeed is written or recorded; every stopped
 * run printed exactly one error line (plus one line per failed customer with Continue, and nothing
 * else), whose count of done customers is what its resume file recorded and whose command is then
 * used; the exit code is the cause's.
 *
 * Every twelfth run's file lies on a small tmpfs the suite mounts (as root) that fills up part-way:
 * each stop for a full disk (exit 1, one line) is resumed once the disk has grown, under the same
 * rules as any other stop.
 *
 * Half of the process runs write to a regular file that every attempt appends to (`>> out`): there
 * even a SIGKILL leaves the final file with every customer exactly once and no torn line (the
 * journal records stdout's size with each customer, and the resumed run cuts off what the killed
 * one wrote after its last record). The other half write into a pipe, where bytes a reader took
 * cannot be taken back: there the rule the README states is enforced, not counted apart: a
 * SIGKILL may leave a torn last line, and the customers it repeats are exactly those whose output
 * went out after the journal's last record (the tail of that attempt's output); every attempt not
 * ended by a SIGKILL records every customer it wrote.
 *
 * PARTNERCENTER_FAULT_RUNS sets the number of runs (default 12, part of `npm test`),
 * PARTNERCENTER_FAULT_SEED replays a schedule, PARTNERCENTER_FAULT_ONLY=57,80 only those runs of
 * it; `PARTNERCENTER_FAULT_RUNS=500 npm run test:faults` is the big run (both fault suites).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { StartedEmulator } from '../../lib/emulator/index.js';
import { emulatedPartner, type EmulatedPartner } from '../support/emulated-partner.js';
import { attemptMode, bump, faultRunSettings, runOnLanes } from './support/fault-runs.js';
import { seededRandom } from './support/fault-schedules.js';
import { FAST_RETRIES } from './support/listing-runs.js';
import {
  blocksOf,
  journalKeys,
  type OutputBlock,
  type PipelineAttempt,
  runPipeline,
  sortStderr,
} from './support/pipeline-runs.js';
import {
  type CustomerPool,
  errorActionOf,
  type PipelineCmdlet,
  type ScheduledPipelineRun,
  PIPELINE_REQUEST_TIMEOUT_MS,
  schedulePipelineRun,
} from './support/pipeline-schedules.js';

const { runs: RUNS, seed: SEED, only: ONLY } = faultRunSettings(20261201);
/**
 * Inside `npm test` (12 runs) each run pipes half as many customers (30-75 for subscriptions,
 * 15-30 for users, one of them perhaps the data set's customer with thousands of users): the
 * faults still land among its requests and the signals in its output; with more runs, 60-150.
 */
const SIZE_SHARE = RUNS > 12 ? 1 : 0.5;
const CUSTOMERS = 150;
/** Every lane has the same data set, so one schedule fits them all. */
const DATA_SEED = 7;
const PROCESS_EVERY = 3;
const LANES = 3;
/** A run that needs more resumes than this is stuck: a finding, not a wait. */
const MAX_ATTEMPTS = 6;

const figures = {
  runs: 0,
  processRuns: 0,
  inProcessRuns: 0,
  userRuns: 0,
  byErrorAction: {} as Record<string, number>,
  customersPiped: 0,
  customersWithItems: 0,
  itemsExpected: 0,
  completedFirstTime: 0,
  resumes: 0,
  reconnectsAfterExit3: 0,
  exit3AfterOneExpiry: 0,
  kills: {} as Record<string, number>,
  firstExitCodes: {} as Record<string, number>,
  stopLinesChecked: 0,
  faultsInjected: 0,
  customersLost: 0,
  repeated: 0,
  repeatedAfterSigkill: 0,
  tornBySigkill: 0,
  fileRuns: 0,
  fullDiskStops: 0,
  killedAfterFinishing: 0,
};

interface Lane {
  partner: EmulatedPartner;
  emulator: StartedEmulator;
  env: NodeJS.ProcessEnv;
  /** The App+User context 'user' is connected (again, after a revocation) on first use. */
  userReady: boolean;
}

const lanes: Lane[] = [];
let pool: CustomerPool;

beforeAll(async () => {
  lanes.push(
    ...(await Promise.all(
      Array.from({ length: LANES }, async () => {
        const partner = await emulatedPartner({ customers: CUSTOMERS, seed: DATA_SEED });
        const env = {
          ...partner.env,
          ...FAST_RETRIES,
          PARTNERCENTER_REQUEST_TIMEOUT_MS: String(PIPELINE_REQUEST_TIMEOUT_MS),
        };
        return { partner, emulator: partner.emulator as StartedEmulator, env, userReady: false };
      }),
    )),
  );
  const { dataset } = lanes[0]!.emulator;
  const indices = Array.from({ length: CUSTOMERS }, (_, n) => n);
  const refused = new Set(dataset.customersWithoutCommerceRelationship(CUSTOMERS));
  pool = {
    served: indices.filter((n) => !refused.has(n)),
    refused: [...refused],
    manyUsers: dataset.customersWithManyUsers(CUSTOMERS),
  };
}, 60_000);

afterAll(async () => {
  await Promise.all(lanes.map((lane) => lane.partner.dispose()));
  console.log(
    [
      `Pipeline fault suite (seed ${SEED}, ${CUSTOMERS} customers per emulator):`,
      `  runs: ${figures.runs} (${figures.processRuns} real processes, ${figures.inProcessRuns} ` +
        `in-process; ${figures.userRuns} of Get-PartnerCustomerUser; -ErrorAction ` +
        `${JSON.stringify(figures.byErrorAction)})`,
      `  customers piped in: ${figures.customersPiped}; with items to write: ` +
        `${figures.customersWithItems} (${figures.itemsExpected} items)`,
      `  completed in one run: ${figures.completedFirstTime}; resumes: ${figures.resumes} ` +
        `(${figures.reconnectsAfterExit3} after reconnecting a revoked sign-in); exit 3 with no ` +
        `revocation and one expiry: ${figures.exit3AfterOneExpiry}; first runs' exit ` +
        `codes ${JSON.stringify(figures.firstExitCodes)}`,
      `  signals that landed: ${JSON.stringify(figures.kills)}; stop lines checked: ` +
        `${figures.stopLinesChecked}`,
      `  faults injected: ${figures.faultsInjected}`,
      `  customers lost: ${figures.customersLost}; repeated: ${figures.repeated}; runs into a ` +
        `file (>>): ${figures.fileRuns}; into a pipe, customers written after the journal's last ` +
        `record when a SIGKILL came (the pipe rule, enforced): ${figures.repeatedAfterSigkill} ` +
        `(${figures.tornBySigkill} of them cut mid-output); stops for a full disk: ` +
        `${figures.fullDiskStops}; SIGKILLs that came after the run finished (its resume file ` +
        `already deleted, nothing to run again): ${figures.killedAfterFinishing}`,
    ].join('\n'),
  );
});

/** A GUID no customer of the data set has: the service answers 404. */
function unknownCustomerId(run: number, n: number): string {
  return `00000000-0000-4000-8000-${(run * 10 + n).toString(16).padStart(12, '0')}`;
}

interface RunInput {
  text: string;
  /** Customer id -> the ids of the items it must write, for every customer that can succeed. */
  expected: Map<string, string[]>;
  /** Customers that fail whatever happens (403, 404). */
  failing: Set<string>;
  lines: number;
}

/**
 * What the data set says of each customer, derived once for the file: every lane has the same
 * data set, nothing writes to it, and the runs pipe the same 150 customers again and again.
 */
const known = new Map<
  string,
  { object: Record<string, unknown>; served: boolean; items: Map<string, string[]> }
>();

function customerOf(emulator: StartedEmulator, n: number) {
  const object = emulator.customerAt(n);
  const id = object.id as string;
  let entry = known.get(id);
  if (!entry) {
    entry = { object, served: emulator.dataset.hasCommerceRelationship(id), items: new Map() };
    known.set(id, entry);
  }
  return entry;
}

function itemsOf(emulator: StartedEmulator, cmdlet: PipelineCmdlet, id: string): string[] {
  const { dataset } = emulator;
  const entry = known.get(id)!;
  let items = entry.items.get(cmdlet);
  if (!items) {
    items =
      cmdlet === 'Get-PartnerCustomerUser'
        ? dataset.userIdsOf(id)
        : dataset.subscriptionsOf(id).map((s) => s.id as string);
    entry.items.set(cmdlet, items);
  }
  return items;
}

function inputOf(run: ScheduledPipelineRun, emulator: StartedEmulator): RunInput {
  const objects: Record<string, unknown>[] = run.input.map((n) => customerOf(emulator, n).object);
  run.unknownAt.forEach((at, n) => {
    const id = unknownCustomerId(run.index, n);
    objects.splice(at, 0, { id, companyProfile: { companyName: 'Nobody Ltd' } });
  });
  const expected = new Map<string, string[]>();
  const failing = new Set<string>();
  let lines = 0;
  for (const object of objects) {
    const id = object.id as string;
    // A customer not in the data set (404), or one without a commerce relationship (403).
    if (!known.get(id)?.served) {
      failing.add(id);
      continue;
    }
    const items = itemsOf(emulator, run.cmdlet, id);
    expected.set(id, items);
    lines += items.length;
  }
  return { text: objects.map((o) => `${JSON.stringify(o)}\n`).join(''), expected, failing, lines };
}

function argumentsOf(run: ScheduledPipelineRun, resumeFile: string): string[] {
  const args = [
    '-ThrottleLimit',
    String(run.throttleLimit),
    '-MaxRetry',
    String(run.maxRetry),
    '-Context',
    run.userContext ? 'user' : 'default',
    '-ResumeFile',
    resumeFile,
  ];
  // Without -ErrorAction the run goes on past failures (Continue, the default).
  if (run.errorAction !== 'none') args.push('-ErrorAction', run.errorAction);
  return args;
}

function expiriesOf(run: ScheduledPipelineRun): number {
  return (run.script.rules ?? []).filter((rule) => rule.action.type === 'expire-tokens').length;
}

interface Done {
  attempt: PipelineAttempt;
  blocks: OutputBlock[];
  /** What the resume file recorded once the attempt ended. */
  recorded: Set<string>;
}

async function execute(run: ScheduledPipelineRun, lane: Lane): Promise<void> {
  const { emulator, partner } = lane;
  const describeRun = `run ${run.index} (seed ${SEED}): ${JSON.stringify(run)}`;
  const errorAction = errorActionOf(run);
  if (run.userContext && !lane.userReady) {
    await partner.connectUser('user');
    lane.userReady = true;
  }
  const input = inputOf(run, emulator);
  const resumeFile = join(partner.configDir, `pipeline-${run.index}.resume`);
  rmSync(resumeFile, { force: true });
  // A full disk: a tmpfs that holds about half of the run's output at first, doubled at each stop.
  const disk = run.fullDisk ? join(partner.configDir, `disk-${run.index}`) : undefined;
  let diskSize = Math.max(8192, Math.round((input.lines * 700 * 0.5) / 4096) * 4096);
  if (disk) {
    mkdirSync(disk, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${diskSize}`, 'tmpfs', disk]);
  }
  const stdoutFile =
    run.mode === 'process' && run.stdout === 'file'
      ? join(disk ?? partner.configDir, `pipeline-${run.index}.ndjson`)
      : undefined;
  if (stdoutFile) rmSync(stdoutFile, { force: true });
  try {
    await attemptUntilDone();
  } finally {
    if (disk) execFileSync('umount', [disk]);
  }
  async function attemptUntilDone(): Promise<void> {
    const succeeding = [...input.expected.keys()];

    emulator.resetCounters();
    emulator.setFaults(run.script);
    const attempts: Done[] = [];
    let args = argumentsOf(run, resumeFile);
    for (let n = 0; ; n++) {
      const history = attempts.map(({ attempt }) => ({
        code: attempt.code,
        signal: attempt.signal,
        stderr: attempt.stderr.slice(0, 600),
      }));
      expect({ describeRun, stuck: n >= MAX_ATTEMPTS, history }).toEqual({
        describeRun,
        stuck: false,
        history,
      });
      const kill = run.kills[n];
      const before = journalKeys(resumeFile);
      const attempt = await runPipeline(
        attemptMode(run.mode, n, kill),
        run.cmdlet,
        args,
        input.text,
        lane.env,
        kill && {
          signal: kill.signal,
          afterLines: Math.max(1, Math.round(kill.atShare * input.lines)),
        },
        stdoutFile,
      );
      if (n === 0) {
        figures.faultsInjected += emulator.counters().faultsInjected ?? 0;
        // The resumes run clean: what the schedule did to the sign-in (a revoked token) stays.
        emulator.setFaults({});
        bump(figures.firstExitCodes, String(attempt.signal ?? attempt.code));
      } else {
        figures.resumes++;
      }
      if (attempt.killedWith) bump(figures.kills, `${run.mode} ${attempt.killedWith}`);
      const recorded = journalKeys(resumeFile);
      const blocks = blocksOf(attempt.stdout);
      attempts.push({ attempt, blocks, recorded: new Set(recorded) });
      const stderr = sortStderr(run.cmdlet, attempt.stderr);
      const context = {
        describeRun,
        attempt: n,
        code: attempt.code,
        signal: attempt.signal,
        stderrTail: attempt.stderr.slice(-1500),
      };
      expect({ ...context, unexpectedStderr: stderr.other }).toEqual({
        ...context,
        unexpectedStderr: [],
      });
      // Only a SIGKILL may cut the output mid-line (in a file, until the resume cuts it off).
      const torn = stdoutFile
        ? !/(^|\n)$/.test(readFileSync(stdoutFile, 'utf8'))
        : blocks.some((b) => b.torn);
      if (attempt.signal !== 'SIGKILL')
        expect({ ...context, torn }).toEqual({ ...context, torn: false });
      // Every customer an attempt wrote is recorded, unless a SIGKILL ended it: then those not
      // recorded are the tail of its output, after the last one recorded. (A run that completed
      // deleted its journal: nothing is left to compare.)
      const unrecorded = existsSync(resumeFile)
        ? unrecordedBeforeTheTail(blocks, recorded, attempt)
        : [];
      expect({ ...context, unrecorded }).toEqual({ ...context, unrecorded: [] });
      // Customers that cannot succeed are never recorded as done.
      expect({
        ...context,
        recordedFailing: recorded.filter((id) => input.failing.has(id)),
      }).toEqual({
        ...context,
        recordedFailing: [],
      });
      // Per-customer lines only with Continue; they name customers of the input.
      if (errorAction !== 'Continue')
        expect({ ...context, failures: stderr.customerFailures }).toEqual({
          ...context,
          failures: [],
        });
      for (const id of stderr.customerFailures)
        expect({ ...context, id, piped: input.failing.has(id) || input.expected.has(id) }).toEqual({
          ...context,
          id,
          piped: true,
        });

      if (attempt.signal === 'SIGKILL') {
        expect({
          ...context,
          killedWith: attempt.killedWith,
          stop: stderr.stop.length,
          summary: stderr.summary,
        }).toEqual({
          ...context,
          killedWith: 'SIGKILL',
          stop: 0,
          summary: undefined,
        });
        // A resume file is deleted only once every object was done: one that a run found and
        // that is gone after the kill means the kill came after the run finished, with nothing
        // left to run again (the README says so). Otherwise nothing tells how to go on: the same
        // pipeline again.
        if (before.length > 0 && !existsSync(resumeFile)) {
          figures.killedAfterFinishing++;
          break;
        }
        continue;
      }
      // stdout's disk filled up: a stop like any other (below), then more room for the resume.
      const diskFull =
        attempt.code === 1 &&
        /^\S+: Cannot write the output to \S+: ENOSPC/.test(stderr.stop[0]?.line ?? '');
      if (diskFull) figures.fullDiskStops++;
      if (!diskFull && (attempt.code === 0 || attempt.code === 1)) {
        // The run went through its input.
        expect({ ...context, stop: stderr.stop.length }).toEqual({ ...context, stop: 0 });
        if (attempt.code === 0) {
          expect({
            ...context,
            errorAction,
            stderr: attempt.stderr,
            fileKept: existsSync(resumeFile),
          }).toEqual({
            ...context,
            errorAction: 'Stop',
            stderr: '',
            fileKept: false,
          });
          break;
        }
        expect({
          ...context,
          errorAction: errorAction === 'Stop' ? 'Stop' : 'goes on',
          fileKept: existsSync(resumeFile),
        }).toEqual({
          ...context,
          errorAction: 'goes on',
          fileKept: true,
        });
        if (errorAction === 'Continue')
          expect({ ...context, summary: stderr.summary }).toEqual({
            ...context,
            summary: stderr.customerFailures.length,
          });
        else expect({ ...context, stderr: attempt.stderr }).toEqual({ ...context, stderr: '' });
        // Done once every customer that can succeed is recorded; what failed for a passing fault
        // (retries ran out) is retried by running the same pipeline again.
        if (succeeding.every((id) => recorded.includes(id))) break;
        continue;
      }
      // A stopped run: one error line, last, with the counts and the command that continues.
      const cause =
        attempt.code === 130
          ? 'SIGINT'
          : attempt.code === 143
            ? 'SIGTERM'
            : attempt.code === 3
              ? 'sign-in'
              : attempt.code === 5
                ? 'service'
                : diskFull
                  ? 'full disk'
                  : 'undocumented';
      expect({
        ...context,
        cause,
        stopLines: stderr.stop.length,
        stderrEndsWithIt: attempt.stderr.endsWith(`${stderr.stop[0]?.line}\n`),
      }).toEqual({
        ...context,
        // A full disk may stop the run before a signal sent meanwhile lands.
        cause: diskFull
          ? 'full disk'
          : attempt.killedWith === 'SIGINT' || attempt.killedWith === 'SIGTERM'
            ? attempt.killedWith
            : cause === 'undocumented'
              ? 'a documented one'
              : cause,
        stopLines: 1,
        stderrEndsWithIt: true,
      });
      // Exit 3 is expected when the refresh token was revoked, or a second expiry refused the token a
      // renewal had just given; otherwise it is still a clean, documented stop, but counted apart.
      if (cause === 'sign-in' && !run.revokes && expiriesOf(run) < 2) figures.exit3AfterOneExpiry++;
      const stop = stderr.stop[0]!;
      figures.stopLinesChecked++;
      expect({
        ...context,
        done: stop.done,
        failed: stop.failed,
        resumeFile: stop.resumeFile,
        cmdlet: stop.continueWith[0],
        skippedAtMost: stop.skipped <= before.length,
        readAtLeast: stop.read >= stop.done + stop.failed + stop.skipped,
      }).toEqual({
        ...context,
        done: recorded.length - before.length,
        // The failure that stopped the run counts among the failed (its own line is this one).
        failed:
          errorAction === 'Continue'
            ? stderr.customerFailures.length + (attempt.killedWith || diskFull ? 0 : 1)
            : errorAction === 'Stop'
              ? attempt.killedWith || diskFull
                ? 0
                : 1
              : stop.failed,
        resumeFile,
        cmdlet: run.cmdlet,
        skippedAtMost: true,
        readAtLeast: true,
      });
      args = stop.continueWith.slice(1);
      if (diskFull) {
        diskSize *= 2;
        execFileSync('mount', ['-o', `remount,size=${diskSize}`, disk!]);
      }
      if (attempt.code === 3) {
        await partner.connectUser('user');
        figures.reconnectsAfterExit3++;
      }
    }
    if (run.revokes) lane.userReady = false;
    if (attempts.length === 1) figures.completedFirstTime++;

    // A file: the final file is the output, whatever the attempts wrote and the resumes cut off.
    const outputs: readonly Done[] = stdoutFile
      ? [
          {
            attempt: { code: 0, signal: null, stdout: '', stderr: '' },
            blocks: blocksOf(readFileSync(stdoutFile, 'utf8')),
            recorded: new Set(),
          },
        ]
      : attempts;
    if (stdoutFile) figures.fileRuns++;
    const { lost, repeated, repeatedAfterSigkill, torn } = compareWithDataset(outputs, input);
    figures.customersLost += lost.length;
    figures.repeated += repeated.length;
    figures.repeatedAfterSigkill += repeatedAfterSigkill;
    figures.tornBySigkill += torn;
    expect({ describeRun, lost, repeated }).toEqual({ describeRun, lost: [], repeated: [] });
  }
}

/**
 * The blocks of an attempt whose customers its journal does not record and that are not the tail
 * of a SIGKILLed attempt's output (after the last block recorded). Customers without items have
 * no block; a customer may not be recorded only when it failed (it then wrote nothing).
 */
function unrecordedBeforeTheTail(
  blocks: readonly OutputBlock[],
  recorded: readonly string[],
  attempt: PipelineAttempt,
): string[] {
  const done = new Set(recorded);
  let tail = blocks.length;
  if (attempt.signal === 'SIGKILL')
    while (tail > 0 && !done.has(blocks[tail - 1]!.customerId)) tail--;
  return blocks
    .slice(0, tail)
    .flatMap((block) => (done.has(block.customerId) ? [] : [block.customerId]));
}

/**
 * Every customer that can succeed written whole (as the data set says) in one block over all the
 * attempts; a block before the last one only when a SIGKILL ended its attempt and the journal had
 * not recorded it (written into a pipe, then killed before the record: the tail rule above).
 */
function compareWithDataset(
  attempts: readonly Done[],
  input: RunInput,
): { lost: string[]; repeated: string[]; repeatedAfterSigkill: number; torn: number } {
  const byCustomer = new Map<string, { at: number; block: OutputBlock }[]>();
  attempts.forEach(({ blocks }, at) => {
    for (const block of blocks) {
      const list = byCustomer.get(block.customerId) ?? [];
      list.push({ at, block });
      byCustomer.set(block.customerId, list);
    }
  });
  const repeated: string[] = [];
  let repeatedAfterSigkill = 0;
  let torn = 0;
  for (const [id, list] of byCustomer) {
    const items = input.expected.get(id);
    const last = list.at(-1)!;
    if (!items || last.block.torn || JSON.stringify(last.block.ids) !== JSON.stringify(items)) {
      const where = list.map(({ at, block }) => ({ at, ...block, ids: block.ids.length }));
      repeated.push(
        `${id}: ${items ? `not the data set's ${items.length} items` : 'cannot succeed'}, ` +
          `written ${JSON.stringify(where)}`,
      );
      continue;
    }
    for (const { at, block } of list.slice(0, -1)) {
      const { attempt, recorded } = attempts[at]!;
      const excused =
        at < last.at &&
        attempt.signal === 'SIGKILL' &&
        !recorded.has(id) &&
        JSON.stringify(block.ids) === JSON.stringify(items.slice(0, block.ids.length));
      if (!excused) {
        repeated.push(`${id}: again in attempt ${last.at} after attempt ${at}`);
        continue;
      }
      repeatedAfterSigkill++;
      if (block.torn || block.ids.length < items.length) torn++;
    }
  }
  const lost = [...input.expected]
    .filter(([id, items]) => items.length > 0 && !byCustomer.has(id))
    .map(([id]) => id);
  figures.customersPiped += input.expected.size + input.failing.size;
  figures.customersWithItems += [...input.expected.values()].filter(
    (items) => items.length > 0,
  ).length;
  figures.itemsExpected += input.lines;
  return { lost, repeated, repeatedAfterSigkill, torn };
}

describe(`pipeline runs under ${RUNS} seeded fault schedules`, () => {
  it(
    "write every customer's items exactly once over the run and its resumes, each stop saying how to continue",
    async () => {
      const random = seededRandom(SEED);
      const runs = Array.from({ length: RUNS }, (_, index) =>
        schedulePipelineRun(random, index, pool, PROCESS_EVERY, SIZE_SHARE),
      ).filter((run) => !ONLY || ONLY.includes(run.index));
      // Process runs spread over the lanes.
      await runOnLanes(lanes, runs, execute, (run) => {
        figures.runs++;
        bump(figures.byErrorAction, run.errorAction);
        if (run.mode === 'process') figures.processRuns++;
        else figures.inProcessRuns++;
        if (run.cmdlet === 'Get-PartnerCustomerUser') figures.userRuns++;
      });
      expect(figures.runs).toBe(runs.length);
      expect(figures.customersLost).toBe(0);
      expect(figures.repeated).toBe(0);
    },
    Math.max(60_000, RUNS * 15_000),
  );
});
