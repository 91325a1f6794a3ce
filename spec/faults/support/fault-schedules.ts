/**
 * Seeded fault schedules for the randomized suite: each run gets a page size, a retry budget, a way
 * to resume (resume file or the command in the error line), a process or in-process host, and a
 * mix of every fault the emulator offers, placed on request numbers inside the listing.
 */
import type { FaultAction, FaultRule, FaultScript } from '../../../lib/emulator/types.js';
import type { RunMode } from './listing-runs.js';
import { seededRandom, type Random } from '../../support/seeded-random.js';
export { seededRandom, type Random };

/**
 * Per-request timeout the runs use (PARTNERCENTER_REQUEST_TIMEOUT_MS); a `delay` fault holds an
 * answer past it.
 */
export const REQUEST_TIMEOUT_MS = 300;

export interface ScheduledRun {
  index: number;
  mode: RunMode;
  pageSize: number;
  maxRetry: number;
  resumeWith: 'resume-file' | 'error-line';
  /**
   * Signed in with a refresh token whose renewal the schedule may break (expiry + revocation: exit
   * 3).
   */
  refreshTokenContext: boolean;
  apiLatencyMs: number;
  script: FaultScript;
}

const PAGE_SIZES = [10, 25, 40, 64, 100] as const;
const RETRYABLE_STATUSES = [408, 429, 500, 502, 503, 504] as const;
const RESET_POINTS = ['before-headers', 'before-body', 'mid-body'] as const;
/** What a renewal may meet at the token endpoint: each is retried within -MaxRetry. */
const TOKEN_ENDPOINT_FAULTS: readonly FaultAction[] = [
  { type: 'status', status: 503 },
  { type: 'throttle', retryAfterSeconds: 0 },
  ...RESET_POINTS.map((when) => ({ type: 'reset' as const, when })),
  { type: 'stall', ms: REQUEST_TIMEOUT_MS + 200 },
];

export function scheduleRun(
  random: Random,
  index: number,
  customers: number,
  processEvery: number,
): ScheduledRun {
  const pageSize = random.pick(PAGE_SIZES);
  const pages = Math.ceil(customers / pageSize);
  const maxRetry = 1 + random.int(4);
  const refreshTokenContext = random.chance(0.15);
  // Request numbers inside the listing (retries count as requests too, so a little past the pages).
  const somewhere = () => 1 + random.int(pages + 3);
  const rules: FaultRule[] = [];
  const apiFault = (action: FaultAction) => rules.push({ at: somewhere(), action });
  for (let n = 2 + random.int(5); n > 0; n--) {
    // A token endpoint fault bites only when a renewal happens: rarer than the rest.
    const kind = random.pick([
      'throttle',
      'status',
      'status',
      'reset',
      'reset',
      'delay',
      'expire',
      'burst',
      'burst',
      'token-endpoint',
    ] as const);
    switch (kind) {
      case 'throttle':
        apiFault({ type: 'throttle', retryAfterSeconds: random.chance(0.15) ? 1 : 0 });
        break;
      case 'status':
        apiFault({ type: 'status', status: random.pick(RETRYABLE_STATUSES), retryAfterSeconds: 0 });
        break;
      case 'reset':
        apiFault({ type: 'reset', when: random.pick(RESET_POINTS) });
        break;
      case 'delay':
        apiFault({ type: 'delay', ms: REQUEST_TIMEOUT_MS + 200 });
        break;
      case 'expire':
        apiFault({ type: 'expire-tokens' });
        break;
      case 'burst':
        // Consecutive failures: as many as the retry budget allows is survived, one more is not.
        rules.push({
          after: somewhere() - 1,
          times: 1 + random.int(maxRetry + 1),
          action: { type: 'status', status: random.pick([500, 503, 504]) },
        });
        break;
      case 'token-endpoint':
        // Bites only when a renewal happens, so it comes with an expiry.
        apiFault({ type: 'expire-tokens' });
        rules.push({
          target: 'token',
          at: 1,
          // One draw, as before: the other runs of a seed keep their schedules.
          action: random.pick(TOKEN_ENDPOINT_FAULTS),
        });
        break;
    }
  }
  if (random.chance(0.12)) apiFault({ type: 'invalidate-continuation-tokens' });
  if (refreshTokenContext && random.chance(0.7)) {
    const at = somewhere();
    rules.push(
      { at, action: { type: 'revoke-refresh-tokens' } },
      { at, action: { type: 'expire-tokens' } },
    );
  }
  const script: FaultScript = { rules };
  // The documented gateway limit, shrunk to a one-second window that a listing actually reaches.
  if (random.chance(0.1))
    script.rateLimit = { requests: Math.max(3, Math.ceil(pages / 2)), windowSeconds: 1 };
  return {
    index,
    mode: index % processEvery === 0 ? 'process' : 'in-process',
    pageSize,
    maxRetry,
    resumeWith: random.chance(0.5) ? 'resume-file' : 'error-line',
    refreshTokenContext,
    apiLatencyMs: random.chance(0.3) ? random.int(15) : 0,
    script,
  };
}
