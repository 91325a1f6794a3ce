/**
 * The proof of issue 5: seeded random fault schedules against real listings. Each run lists every
 * customer while the emulator throttles (Retry-After), fails requests with 408/429/5xx, resets
 * connections before or in the middle of a body, holds answers past the client's timeout, slows
 * pages, expires access tokens (and revokes refresh tokens), fails the token endpoint during a
 * renewal, invalidates continuation tokens and enforces a rate limit. A run either writes every
 * customer exactly once, or fails cleanly (exit 5 or 3, one stderr line saying how many customers
 * were written and how to continue) and the command that line gives completes the set exactly.
 *
 * PARTNERCENTER_FAULT_RUNS sets the number of runs (default 12, part of `npm test`);
 * `PARTNERCENTER_FAULT_RUNS=200 npm run test:faults` is the big run. PARTNERCENTER_FAULT_SEED
 * replays a schedule, PARTNERCENTER_FAULT_ONLY=57,80 only those runs of it. Every third run spawns
 * the real bin/Get-PartnerCustomer under its faults (its resumes, run clean, and the refusal of a
 * planted file run in-process); the rest drive the same host, cmdlet, session and client
 * in-process (only stdout/stderr are in memory).
 *
 * A run that keeps a resume file may first find something planted at its path (drawn apart from
 * the fault schedule, so each seed keeps its faults): a symlink to the token file, a copy of the
 * token file (one line of JSON), or a pipeline run's resume file. The listing must refuse it (exit
 * 2, no output, no request) and leave it and the symlink's target as they were; the planted thing
 * is then removed and the run goes on. After every run, nothing in the config directory but the
 * run's own state (contexts, tokens) was left behind or changed: no lock, temp or resume file.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import {
  lstatSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type { StartedEmulator } from '../../lib/emulator/index.js';
import { emulatedPartner, type EmulatedPartner } from '../support/emulated-partner.js';
import { pipelineResumeText } from '../support/resume-file.js';
import { attemptMode, faultRunSettings } from './support/fault-runs.js';
import {
  REQUEST_TIMEOUT_MS,
  scheduleRun,
  seededRandom,
  type ScheduledRun,
} from './support/fault-schedules.js';
import {
  compareWithExpected,
  errorLines,
  FAST_RETRIES,
  idsOf,
  resumeCommandOf,
  runListing,
} from './support/listing-runs.js';

const { runs: RUNS, seed: SEED, only: ONLY } = faultRunSettings(20261123);
const CUSTOMERS = 400;
/** Every third run spawns the real command; the others run the same code in-process. */
const PROCESS_EVERY = 3;
/** Independent emulators (each with its own config directory) running schedules side by side. */
const LANES = 3;

const figures = {
  runs: 0,
  processRuns: 0,
  inProcessRuns: 0,
  completedFirstTime: 0,
  failedCleanlyThenResumed: 0,
  resumedFromStartAfterTokenRefusal: 0,
  exitCodes: {} as Record<string, number>,
  faultsInjected: 0,
  faultsSurvived: 0,
  customersLost: 0,
  duplicates: 0,
  plantedAndRefused: {} as Record<string, number>,
  filesTouchedOutside: 0,
};

/** What may be found at a run's resume file path before its first attempt. */
const PLANTED = [
  'nothing',
  'a symlink to the token file',
  'a copy of the token file',
  "a pipeline run's resume file",
] as const;

interface Lane {
  partner: EmulatedPartner;
  emulator: StartedEmulator;
  expected: string[];
  env: NodeJS.ProcessEnv;
  /** The SAM context is connected on first use: most seeds need it in few runs. */
  refreshTokenContextReady: boolean;
}

const lanes: Lane[] = [];

beforeAll(async () => {
  lanes.push(
    ...(await Promise.all(
      Array.from({ length: LANES }, async (_, n) => {
        const partner = await emulatedPartner({ customers: CUSTOMERS, seed: 100 + n });
        const emulator = partner.emulator as StartedEmulator;
        const env = {
          ...partner.env,
          ...FAST_RETRIES,
          PARTNERCENTER_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
        };
        return {
          partner,
          emulator,
          env,
          expected: emulator.customers.map((customer) => customer.id as string),
          refreshTokenContextReady: false,
        };
      }),
    )),
  );
}, 60_000);

afterAll(async () => {
  await Promise.all(lanes.map((lane) => lane.partner.dispose()));
  console.log(
    [
      `Fault-injection suite (seed ${SEED}, ${CUSTOMERS} customers per listing):`,
      `  runs: ${figures.runs} (${figures.processRuns} real processes, ${figures.inProcessRuns} in-process)`,
      `  completed in one run: ${figures.completedFirstTime}; failed cleanly and ` +
        `completed by the resume: ${figures.failedCleanlyThenResumed} (exit codes ` +
        `${JSON.stringify(figures.exitCodes)}; ${figures.resumedFromStartAfterTokenRefusal} ` +
        'of them had their token invalidated too and continued with -Skip as the refusal says)',
      `  faults injected: ${figures.faultsInjected}; survived (the run carried ` +
        `on past them): ${figures.faultsSurvived}`,
      `  customers lost: ${figures.customersLost}; duplicates: ${figures.duplicates}`,
      `  planted at a resume file path and refused untouched: ${JSON.stringify(figures.plantedAndRefused)}; ` +
        `files outside the runs' own touched: ${figures.filesTouchedOutside}`,
    ].join('\n'),
  );
});

/** The SAM context: a refresh token, read from stdin (no secret on the command line). */
async function connectRefreshTokenContext(lane: Lane): Promise<void> {
  const { partner, emulator } = lane;
  const endpoints = [
    '-ApiEndpoint',
    emulator.apiEndpoint,
    '-AuthorityHost',
    emulator.authorityHost,
    '-CaCertificatePath',
    emulator.caCertificatePath!,
  ];
  // In-process: the sign-in is not what this suite proves (spec/e2e/sign-in-ways.spec.ts runs it
  // as a process), only what the listings stand on.
  const connected = await partner.runInProcess(
    'Connect-Partner',
    [
      '-RefreshToken',
      '-',
      '-ApplicationId',
      emulator.applicationId,
      '-Tenant',
      emulator.tenantId,
      ...endpoints,
      '-ContextName',
      'sam',
    ],
    `${emulator.issueRefreshToken()}\n`,
  );
  expect(connected.stderr).toBe('');
  expect(connected.code).toBe(0);
  lane.refreshTokenContextReady = true;
}

function argumentsOf(run: ScheduledRun, lane: Lane): string[] {
  const args = [
    '-PageSize',
    String(run.pageSize),
    '-MaxRetry',
    String(run.maxRetry),
    '-Context',
    run.refreshTokenContext ? 'sam' : 'default',
  ];
  if (run.resumeWith === 'resume-file') args.push('-ResumeFile', resumeFileOf(run, lane));
  return args;
}

function resumeFileOf(run: ScheduledRun, lane: Lane): string {
  return join(lane.partner.configDir, `run-${run.index}.resume`);
}

/**
 * Every path under `dir` with what it is (mode and content digest, or a link's target); the run's
 * own state (contexts/, tokens/, settings.json: sign-ins and renewals rewrite them) only by name.
 */
function snapshot(dir: string, prefix = ''): Map<string, string> {
  const found = new Map<string, string>();
  for (const name of readdirSync(join(dir, prefix))) {
    const path = join(prefix, name);
    const full = join(dir, path);
    const stats = lstatSync(full);
    if (stats.isDirectory()) {
      found.set(path, 'directory');
      for (const [inner, what] of snapshot(dir, path)) found.set(inner, what);
    } else if (stats.isSymbolicLink()) found.set(path, `link to ${readlinkSync(full)}`);
    else if (/^(contexts|tokens)\b|^settings\.json$/.test(path)) found.set(path, 'state');
    else {
      const digest = createHash('sha256').update(readFileSync(full)).digest('hex');
      found.set(path, `${(stats.mode & 0o777).toString(8)} ${digest}`);
    }
  }
  return found;
}

function touched(before: Map<string, string>, after: Map<string, string>): string[] {
  return [...new Set([...before.keys(), ...after.keys()])].filter(
    (path) => before.get(path) !== after.get(path) && !/^(contexts|tokens)\//.test(path),
  );
}

/**
 * Plants what the run's own draw says at its resume file path, checks that the listing refuses it
 * untouched without a request, and removes it.
 */
async function refusesPlanted(run: ScheduledRun, lane: Lane, describeRun: string): Promise<void> {
  const planted = seededRandom(SEED ^ Math.imul(0x9e3779b9, run.index + 1)).pick(PLANTED);
  if (planted === 'nothing') return;
  const path = resumeFileOf(run, lane);
  const tokenFile = join(lane.partner.configDir, 'tokens', 'default.json');
  if (planted === 'a symlink to the token file') symlinkSync(tokenFile, path);
  else if (planted === 'a copy of the token file')
    writeFileSync(path, readFileSync(tokenFile), { mode: 0o644 });
  else
    writeFileSync(
      path,
      pipelineResumeText('Get-PartnerCustomerSubscription', {}, [lane.expected[0]!]),
      { mode: 0o600 },
    );
  const before = snapshot(lane.partner.configDir);
  const token = readFileSync(tokenFile, 'utf8');
  lane.emulator.resetCounters();
  // In-process whatever the run's mode: the refusal comes before any request or signal, decided
  // and given its exit code by the host, the same code a process runs.
  const refused = await runListing('in-process', argumentsOf(run, lane), lane.env);
  const requests = Object.values(lane.emulator.counters().requests).reduce((a, b) => a + b, 0);
  expect({ describeRun, planted, code: refused.code, stdout: refused.stdout, requests }).toEqual({
    describeRun,
    planted,
    code: 2,
    stdout: '',
    requests: 0,
  });
  expect({ describeRun, planted, errors: errorLines(refused.stderr) }).toEqual({
    describeRun,
    planted,
    errors: [expect.stringMatching(/; it was left untouched\. /)],
  });
  expect({
    describeRun,
    planted,
    touched: touched(before, snapshot(lane.partner.configDir)),
  }).toEqual({ describeRun, planted, touched: [] });
  expect(readFileSync(tokenFile, 'utf8')).toBe(token);
  figures.plantedAndRefused[planted] = (figures.plantedAndRefused[planted] ?? 0) + 1;
  rmSync(path);
}

function withoutPosition(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let index = 0; index < args.length; index++) {
    if (args[index] === '-ContinuationToken' || args[index] === '-Skip') index++;
    else out.push(args[index]!);
  }
  return out;
}

/**
 * Faults that did not let the run go on: the attempts of the call that gave up, or the one that
 * ended it.
 */
function faultsNotSurvived(line: string): number {
  const attempts = /failed after (\d+) attempts?/.exec(line);
  return attempts ? Number(attempts[1]) : 1;
}

async function execute(run: ScheduledRun, lane: Lane): Promise<void> {
  const { emulator } = lane;
  const describeRun = `run ${run.index} (seed ${SEED}): ${JSON.stringify(run)}`;
  if (run.refreshTokenContext && !lane.refreshTokenContextReady)
    await connectRefreshTokenContext(lane);
  const filesBefore = snapshot(lane.partner.configDir);
  if (run.resumeWith === 'resume-file') await refusesPlanted(run, lane, describeRun);
  emulator.configure({ apiLatencyMs: run.apiLatencyMs });
  emulator.resetCounters();
  emulator.setFaults(run.script);
  const first = await runListing(run.mode, argumentsOf(run, lane), lane.env);
  const injected = emulator.counters().faultsInjected ?? 0;
  emulator.setFaults({});
  emulator.configure({ apiLatencyMs: 0 });

  figures.runs++;
  if (run.mode === 'process') figures.processRuns++;
  else figures.inProcessRuns++;
  figures.faultsInjected += injected;
  figures.exitCodes[String(first.code)] = (figures.exitCodes[String(first.code)] ?? 0) + 1;

  const combined: string[] = [];
  let attempt = first;
  let args = argumentsOf(run, lane);
  // Follow the error lines: each failed attempt says how to continue. A resume can itself stop on
  // what the schedule left behind (a revoked refresh token that only the resume needed): it then
  // fails cleanly too and says how to continue again.
  for (let resumes = 0; ; resumes++) {
    const written = idsOf(attempt.stdout);
    combined.push(...written);
    const errors = errorLines(attempt.stderr);
    if (attempt.code === 0) {
      expect({ describeRun, resumes, errors }).toEqual({ describeRun, resumes, errors: [] });
      if (resumes === 0) {
        figures.completedFirstTime++;
        figures.faultsSurvived += injected;
      } else {
        figures.failedCleanlyThenResumed++;
      }
      break;
    }
    expect({
      describeRun,
      resumes,
      exitCodeIsDocumented: attempt.code === 3 || attempt.code === 5,
      stderr: attempt.stderr,
    }).toMatchObject({ describeRun, resumes, exitCodeIsDocumented: true });
    expect({ describeRun, resumes, errors: errors.length }).toEqual({
      describeRun,
      resumes,
      errors: 1,
    });
    expect(resumes).toBeLessThan(3);
    const line = errors[0]!;
    // A run that wrote nothing from where it began has nothing to resume from: the same command
    // starts over.
    const startsOver = written.length === 0 && !line.includes(': Get-PartnerCustomer');
    if (!startsOver) {
      expect(line).toMatch(new RegExp(`\\b${written.length} customers? (was|were) written\\b`));
      args = resumeCommandOf(line);
    }
    if (resumes === 0) figures.faultsSurvived += Math.max(0, injected - faultsNotSurvived(line));
    if (attempt.code === 3 && run.refreshTokenContext) await connectRefreshTokenContext(lane);
    // A resume runs in-process (attemptMode): no signal is sent in this suite, and the first
    // attempt was the real command under the faults.
    const resumeMode = attemptMode(run.mode, resumes + 1, undefined);
    attempt = await runListing(resumeMode, args, lane.env);
    if (attempt.code === 2 && /no longer accepts the continuation token/.test(attempt.stderr)) {
      // The schedule invalidated the token an error line gave, and the run stopped for another
      // reason before it noticed: as the refusal says, list from the start and skip what was
      // written.
      expect(attempt.stderr).toMatch(
        /list from the start with -Skip <the number of customers they wrote> in place of -ContinuationToken\.$/m,
      );
      args = [...withoutPosition(args), '-Skip', String(combined.length)];
      attempt = await runListing(resumeMode, args, lane.env);
      figures.resumedFromStartAfterTokenRefusal++;
    }
  }
  const { duplicates, missing } = compareWithExpected(combined, lane.expected);
  figures.duplicates += duplicates;
  figures.customersLost += missing;
  expect({ describeRun, duplicates, missing }).toEqual({ describeRun, duplicates: 0, missing: 0 });
  expect(combined).toEqual(lane.expected);
  // A reconnect (exit 3) may add a context and its tokens; nothing else may be left or changed.
  const touchedOutside = touched(filesBefore, snapshot(lane.partner.configDir));
  figures.filesTouchedOutside += touchedOutside.length;
  expect({ describeRun, touchedOutside }).toEqual({ describeRun, touchedOutside: [] });
}

describe(`listings under ${RUNS} seeded fault schedules`, () => {
  it(
    'write every customer exactly once, or fail cleanly with a resume that completes the set',
    async () => {
      const random = seededRandom(SEED);
      const runs = Array.from({ length: RUNS }, (_, index) =>
        scheduleRun(random, index, CUSTOMERS, PROCESS_EVERY),
      ).filter((run) => !ONLY || ONLY.includes(run.index));
      await Promise.all(
        lanes.map(async (lane, laneIndex) => {
          for (const run of runs.filter((_, index) => index % LANES === laneIndex))
            await execute(run, lane);
        }),
      );
      expect(figures.runs).toBe(runs.length);
      expect(figures.customersLost).toBe(0);
      expect(figures.duplicates).toBe(0);
      expect(figures.filesTouchedOutside).toBe(0);
    },
    Math.max(60_000, RUNS * 15_000),
  );
});
