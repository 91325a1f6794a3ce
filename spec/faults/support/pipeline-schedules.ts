/**
 * Seeded schedules for the pipeline fault suite: each run pipes some customers into a per-customer
 * cmdlet with a random -ThrottleLimit, retry budget and -ErrorAction, in a process or in-process,
 * with a mix of the emulator's faults placed on request numbers inside the run, and (for process
 * runs) a signal at a random moment of its output.
 */
import type { FaultAction, FaultRule, FaultScript } from '../../../lib/emulator/types.js';
import type { Random } from '../../support/seeded-random.js';
import type { RunMode } from './listing-runs.js';

export type PipelineCmdlet = 'Get-PartnerCustomerSubscription' | 'Get-PartnerCustomerUser';
/** `none`: no -ErrorAction on the command line, which must behave as Continue (the default). */
export type ErrorActionChoice = 'Stop' | 'Continue' | 'SilentlyContinue' | 'Ignore' | 'none';

/** The -ErrorAction a run works under: `none` is the default, Continue. */
export function errorActionOf(run: {
  errorAction: ErrorActionChoice;
}): Exclude<ErrorActionChoice, 'none'> {
  return run.errorAction === 'none' ? 'Continue' : run.errorAction;
}
export type KillSignal = 'SIGINT' | 'SIGTERM' | 'SIGKILL';

/** A signal sent once that many lines of output arrived (in-process: SIGINT/SIGTERM as an abort). */
export interface ScheduledKill {
  signal: KillSignal;
  /** A fraction of the lines the run is expected to write: the moment is decided per input. */
  atShare: number;
}

/** What the scheduler needs to know about the lane's data set (the same seed on every lane). */
export interface CustomerPool {
  /** Listing indices of customers whose per-customer routes serve (commerce relationship). */
  served: readonly number[];
  /** Listing indices of customers that answer 403 (no commerce relationship). */
  refused: readonly number[];
  /** Served customers with many users: a users run includes at most one of them. */
  manyUsers: readonly number[];
}

export interface ScheduledPipelineRun {
  index: number;
  mode: RunMode;
  /**
   * Where a process run's stdout goes: a regular file appended to by every attempt (`>> out`,
   * where even a SIGKILL leaves every customer exactly once), or a pipe read by the suite (where a
   * SIGKILL may leave a torn last line and repeat the customers after the last record).
   */
  stdout: 'file' | 'pipe';
  /**
   * The file lies on a small filesystem (a tmpfs the suite mounts) that fills up part-way: each
   * stop for a full disk is followed by a resume once the disk has grown.
   */
  fullDisk: boolean;
  cmdlet: PipelineCmdlet;
  /** The App+User context (refresh token) instead of the service principal. */
  userContext: boolean;
  errorAction: ErrorActionChoice;
  /** Listing indices piped in, in this order. */
  input: number[];
  /** Customers that do not exist (404) piped in between the others: their places in the input. */
  unknownAt: number[];
  throttleLimit: number;
  maxRetry: number;
  /** Signals for the first run and, sometimes, the first resume (process runs: real signals). */
  kills: (ScheduledKill | undefined)[];
  /** The refresh token is revoked mid-run: the renewal fails (exit 3) until the user reconnects. */
  revokes: boolean;
  script: FaultScript;
}

/**
 * Per-request timeout of the pipeline runs (PARTNERCENTER_REQUEST_TIMEOUT_MS), longer than the
 * listing suite's: up to 64 requests at once, each opening its TLS connection, share two cores with
 * three emulators and the other lanes, and an answer that is only slow must not count as a fault.
 * A `delay` fault holds an answer past it.
 */
export const PIPELINE_REQUEST_TIMEOUT_MS = 1500;

const THROTTLE_LIMITS = [1, 2, 3, 4, 8, 8, 8, 16, 32, 64] as const;
const RETRYABLE_STATUSES = [408, 500, 502, 503, 504] as const;
const RESET_POINTS = ['before-headers', 'before-body', 'mid-body'] as const;

function sample(random: Random, items: readonly number[], count: number): number[] {
  const pool = [...items];
  const out: number[] = [];
  while (out.length < count && pool.length > 0)
    out.push(...pool.splice(random.int(pool.length), 1));
  return out;
}

/**
 * `sizeShare` scales the number of customers piped in (60-150 for subscriptions, 30-60 for users
 * at 1): the faults are placed on the run's own requests and the signals at a share of its output,
 * so a smaller run meets the same kinds of each, for less work.
 */
export function schedulePipelineRun(
  random: Random,
  index: number,
  pool: CustomerPool,
  processEvery: number,
  sizeShare = 1,
): ScheduledPipelineRun {
  const mode: RunMode = index % processEvery === 0 ? 'process' : 'in-process';
  // Not drawn: the schedules of a seed stay what they were.
  const stdout = mode === 'process' && index % (2 * processEvery) === 0 ? 'file' : 'pipe';
  const fullDisk = stdout === 'file' && index % (4 * processEvery) === 0;
  const cmdlet: PipelineCmdlet = random.chance(0.2)
    ? 'Get-PartnerCustomerUser'
    : 'Get-PartnerCustomerSubscription';
  const users = cmdlet === 'Get-PartnerCustomerUser';
  const revokes = random.chance(0.12);
  const userContext = users || revokes || random.chance(0.15);
  // Stop with only customers that can succeed, or every kind of customer and go on past failures:
  // most often without -ErrorAction, as people run it (Continue, the default).
  const errorAction: ErrorActionChoice = random.pick([
    'Stop',
    'Stop',
    'none',
    'none',
    'Continue',
    'SilentlyContinue',
    'Ignore',
  ]);
  const size = Math.max(
    10,
    Math.round((users ? 30 + random.int(31) : 60 + random.int(91)) * sizeShare),
  );
  const served = users
    ? pool.served.filter((n) => !pool.manyUsers.includes(n) || n === pool.manyUsers[0])
    : pool.served;
  let input: number[];
  const unknownAt: number[] = [];
  if (errorAction === 'Stop') {
    input = sample(random, served, size);
  } else {
    const refused = 1 + random.int(Math.min(6, pool.refused.length));
    input = sample(
      random,
      [...sample(random, served, size - refused), ...sample(random, pool.refused, refused)],
      size,
    );
    for (let n = random.int(4); n > 0 || unknownAt.length === 0; n--)
      unknownAt.push(random.int(input.length + 1));
  }
  const maxRetry = 1 + random.int(4);
  // Requests of the run (users runs page, and retries count too): faults land inside it.
  const requests = users ? size + 10 : size;
  const somewhere = () => 1 + random.int(requests + 5);
  const rules: FaultRule[] = [];
  const apiFault = (action: FaultAction) => rules.push({ at: somewhere(), action });
  for (let n = 2 + random.int(7); n > 0; n--) {
    const kind = random.pick([
      'throttle',
      'throttle-burst',
      'status',
      'status',
      'burst',
      'reset',
      'reset',
      'delay',
      'expire',
    ] as const);
    switch (kind) {
      case 'throttle':
        apiFault({ type: 'throttle', retryAfterSeconds: random.chance(0.1) ? 1 : 0 });
        break;
      case 'throttle-burst':
        // Several workers throttled at once, as a gateway does when a partner's allowance runs out.
        rules.push({
          after: somewhere() - 1,
          times: 2 + random.int(8),
          action: { type: 'throttle', retryAfterSeconds: random.chance(0.1) ? 1 : 0 },
        });
        break;
      case 'status':
        apiFault({ type: 'status', status: random.pick(RETRYABLE_STATUSES), retryAfterSeconds: 0 });
        break;
      case 'burst':
        // Consecutive failures, spread over the customers in flight: one may run out of retries.
        rules.push({
          after: somewhere() - 1,
          times: 1 + random.int(2 * maxRetry + 2),
          action: { type: 'status', status: random.pick([500, 502, 503, 504]) },
        });
        break;
      case 'reset':
        apiFault({ type: 'reset', when: random.pick(RESET_POINTS) });
        break;
      case 'delay':
        apiFault({ type: 'delay', ms: PIPELINE_REQUEST_TIMEOUT_MS + 200 });
        break;
      case 'expire':
        apiFault({ type: 'expire-tokens' });
        break;
    }
  }
  if (revokes) {
    const at = somewhere();
    rules.push(
      { at, action: { type: 'revoke-refresh-tokens' } },
      { at, action: { type: 'expire-tokens' } },
    );
  }
  const script: FaultScript = { rules };
  // A gateway limit a run actually reaches: a few requests a second for the partner tenant.
  if (random.chance(0.1)) script.rateLimit = { requests: 10 + random.int(30), windowSeconds: 1 };
  const kills = scheduleKills(random, mode);
  return {
    index,
    mode,
    stdout,
    fullDisk,
    cmdlet,
    userContext,
    errorAction,
    input,
    unknownAt,
    throttleLimit: random.pick(THROTTLE_LIMITS),
    maxRetry,
    kills,
    revokes,
    script,
  };
}

/**
 * Signals for a run's first attempt and, sometimes, its first resume: most process runs get one
 * (SIGINT, SIGTERM or SIGKILL), a quarter of in-process runs an abort as SIGINT/SIGTERM.
 */
export function scheduleKills(random: Random, mode: RunMode): (ScheduledKill | undefined)[] {
  const kill = (): ScheduledKill | undefined => {
    if (mode === 'process' ? !random.chance(0.7) : !random.chance(0.25)) return undefined;
    const signal: KillSignal =
      mode === 'process'
        ? random.pick(['SIGINT', 'SIGTERM', 'SIGKILL'] as const)
        : random.pick(['SIGINT', 'SIGTERM'] as const);
    return { signal, atShare: random.next() * 0.9 };
  };
  const kills = [kill()];
  if (kills[0] && random.chance(0.3)) kills.push(kill());
  return kills;
}
