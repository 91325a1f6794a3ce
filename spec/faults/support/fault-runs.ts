/**
 * What every seeded fault suite does around its runs: read how many runs and which seed from the
 * environment, count outcomes in small tables, and share the runs among emulators side by side.
 */

/**
 * PARTNERCENTER_FAULT_RUNS (default `defaultRuns`, the share inside `npm test`: 12 unless a suite
 * covers its kinds in fewer), PARTNERCENTER_FAULT_SEED (replays a schedule) and
 * PARTNERCENTER_FAULT_ONLY (run numbers, comma-separated: only those runs of the seed's schedule,
 * to chase one failure).
 */
export function faultRunSettings(
  defaultSeed: number,
  defaultRuns = 12,
): {
  runs: number;
  seed: number;
  only: number[] | undefined;
} {
  return {
    runs: Number(process.env.PARTNERCENTER_FAULT_RUNS || defaultRuns),
    seed: Number(process.env.PARTNERCENTER_FAULT_SEED || defaultSeed),
    only: process.env.PARTNERCENTER_FAULT_ONLY?.split(',').map(Number),
  };
}

/**
 * Where attempt `n` of a run runs: a process run's first attempt is the real bin/ command, and so
 * is each later attempt a signal is scheduled for (a signal, SIGKILL above all, is what only a
 * process shows); its other resumes run the same host, cmdlet and client in-process, with the
 * same arguments, input and resume file (about 0.3 CPU-s less each).
 */
export function attemptMode(
  mode: 'process' | 'in-process',
  n: number,
  kill: object | undefined,
): 'process' | 'in-process' {
  return mode === 'process' && (n === 0 || kill !== undefined) ? 'process' : 'in-process';
}

/** One more of `key` in a table of counts printed at the end. */
export function bump(table: Record<string, number>, key: string): void {
  table[key] = (table[key] ?? 0) + 1;
}

/** The counts a suite keeps of its attempts (runs and their resumes). */
export interface AttemptFigures {
  resumes: number;
  exitCodes: Record<string, number>;
  kills: Record<string, number>;
  faultsInjected: number;
}

/** What a suite needs to know of one attempt (a runPipeline result). */
interface Attempt {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  killedWith?: string;
}

/**
 * Counts attempt `n` of a run: after the first, the faults it met are counted and the emulator's
 * faults cleared (the resumes run clean: the first attempt met every fault); later ones are
 * resumes. Adds the attempt to `history` and returns its outcome (the exit code, or the signal).
 */
export function countAttempt(
  figures: AttemptFigures,
  emulator: { counters(): { faultsInjected?: number }; setFaults(script: object): void },
  mode: string,
  n: number,
  attempt: Attempt,
  history: Record<string, unknown>[],
): string {
  if (n === 0) {
    figures.faultsInjected += emulator.counters().faultsInjected ?? 0;
    emulator.setFaults({});
  } else {
    figures.resumes++;
  }
  const outcome = attempt.signal ?? String(attempt.code);
  bump(figures.exitCodes, outcome);
  if (attempt.killedWith) bump(figures.kills, `${mode} ${attempt.killedWith}`);
  history.push({
    code: attempt.code,
    signal: attempt.signal,
    stderr: attempt.stderr.slice(0, 600),
  });
  return outcome;
}

/**
 * Each lane (an emulator of its own) takes the next run when it is free; `finished` counts a run
 * that passed. After a failure no lane starts another, so the failing run is the one reported.
 */
export async function runOnLanes<Run, Lane>(
  lanes: readonly Lane[],
  runs: readonly Run[],
  execute: (run: Run, lane: Lane) => Promise<void>,
  finished: (run: Run) => void,
): Promise<void> {
  const queue = [...runs];
  const lanesDone = await Promise.allSettled(
    lanes.map(async (lane) => {
      for (let run = queue.shift(); run; run = queue.shift()) {
        try {
          await execute(run, lane);
        } catch (error) {
          queue.length = 0;
          throw error;
        }
        finished(run);
      }
    }),
  );
  for (const lane of lanesDone) if (lane.status === 'rejected') throw lane.reason;
}
