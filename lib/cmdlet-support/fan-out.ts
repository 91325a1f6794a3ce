/**
 * The parameters of a cmdlet that works on many pipeline input objects at once (every per-customer
 * cmdlet). The cmdlet declares them with its own, so its help lists them; the host's fan-out
 * (lib/host/fan-out.ts) reads them from the command line and does the work: the cmdlet's `run`
 * still sees one input object at a time.
 */
import type { ParameterDeclaration } from './cmdlet.js';
import { RESUME_FILE_RULES } from './parameters.js';

/**
 * Input objects worked on at once when -ThrottleLimit is not given. Measured with
 * bench/pipeline.mjs (100 ms latency, 3,000 requests a minute): 8 reached 1.05x the floor, but at
 * 200 ms latency 8 is bound by latency (51 s where the rate allows 40 s) and 16 is not (42.7 s);
 * above 16 only the 429s grow (the adaptive limit keeps the rate, README "Performance"). Partner
 * Center answers in 100 to 300 ms, so 16 keeps the allowance busy without a storm.
 */
export const DEFAULT_THROTTLE_LIMIT = 16;
export const MAX_THROTTLE_LIMIT = 64;

/** What the input objects of a fan-out cmdlet are, for messages: "812 customers were done". */
export interface ConcurrentInput {
  one: string;
  many: string;
}

export const fanOutParameters = {
  ThrottleLimit: {
    type: 'int',
    range: [1, MAX_THROTTLE_LIMIT],
    default: DEFAULT_THROTTLE_LIMIT,
    env: 'PARTNERCENTER_THROTTLE_LIMIT',
    outputNeutral: true,
    description:
      'How many pipeline input objects are worked on at once (1 to 64). Under this cap the ' +
      'module adapts: when Partner Center throttles (429), every request waits out the ' +
      "gateway's Retry-After and fewer run at once; while answers come back clean, more do. " +
      "Each input object's output is written whole, in the order the objects finish (one of " +
      'more than 1,000 objects is streamed, still never interleaved with another).',
  },
  ResumeFile: {
    type: 'path',
    outputNeutral: true,
    description:
      'Records in this file each pipeline input object whose output was written whole. Run ' +
      'the same pipeline again with the same file and the objects it records are skipped, so ' +
      'a stopped run (retries exhausted, sign-in expired, Ctrl-C) continues where it stopped and ' +
      'every object is written exactly once. Deleted when every input object was done and the ' +
      'input was all there; kept, with the failed ones left out, when some failed, and when the ' +
      'command feeding the input failed or was stopped (exit 6, about_Pipelines). ' +
      RESUME_FILE_RULES,
  },
  First: {
    type: 'int',
    range: [1, 2_147_483_647],
    description:
      'Stops after writing this many objects, cancelling the work still in flight and reading ' +
      'no more input.',
  },
} as const satisfies Record<string, ParameterDeclaration>;

export type FanOutParameterName = keyof typeof fanOutParameters;
