/**
 * Runs several spec files as one jest test file: a suite (spec/suites/<name>.suite.ts) lists the
 * spec files of a theme, and each file's tests land in a describe block named after it, with its
 * top-level hooks scoped to that block, exactly as they would be in a file of its own.
 *
 * Why: jest gives every test file its own module registry, so each file loads and compiles the
 * emulator, the host and the client afresh, and V8 optimizes their hot code afresh for it. The
 * suite is CPU-bound on the 2-core machine `npm test` is timed on, and that per-file cost was about
 * a third of the CPU of a file that runs cmdlets in-process: measured December 2026, fourteen such
 * files took 28-32 CPU-seconds run apart and 19-20 run as one. The files of a suite share one
 * registry, as the modules of a Node program do: a spec must not depend on a module state another
 * left behind (the process environment included), which the specs already restore for the next
 * file a worker runs. What a process keeps once, a suite keeps once: MSAL (inside @azure/identity)
 * finds a managed identity's endpoint on its first token and keeps it for the process
 * (ManagedIdentityClient.identitySource), so no two files of a suite get a managed identity's
 * token in-process (emulator/tokens, session/tokens and graph/graph-tokens are in three suites).
 *
 * `npm run spec -- <path pattern>` runs spec files by themselves, each in its own registry
 * (jest.spec-files.config.js); `npm test` runs the suites.
 */
import { describe } from '@jest/globals';

/** The part of jest-circus's state a suite needs: the block that describe, it and hooks join. */
interface CircusState {
  currentDescribeBlock: object;
}

/**
 * jest-circus keeps its state on the test file's global under a symbol of its own (not a
 * registered one). Found by description; if a jest upgrade renames it, every suite fails here
 * with this message rather than running its files' tests in the wrong blocks.
 */
function circusState(): CircusState {
  const symbol = Object.getOwnPropertySymbols(globalThis).find(
    (candidate) => candidate.description === 'JEST_STATE_SYMBOL',
  );
  const state = symbol && (globalThis as Record<symbol, unknown>)[symbol];
  if (!state || typeof state !== 'object' || !('currentDescribeBlock' in state))
    throw new Error(
      "spec/support/suite.ts: jest-circus's state (Symbol(JEST_STATE_SYMBOL)) is not on the " +
        "global; a jest upgrade changed it, so a suite cannot put each file's tests in its block.",
    );
  return state as CircusState;
}

/**
 * Imports each of `files` (paths under spec/ without `.spec.ts`, in the order given) inside a
 * describe block of its own. `describe` runs its callback synchronously and a module's body runs
 * when its import settles, so the suite makes the block with `describe`, makes it the current
 * block for as long as the import takes, and puts the outer one back.
 */
export async function runSuite(files: readonly string[]): Promise<void> {
  const state = circusState();
  for (const file of files) {
    let block: object | undefined;
    describe(`${file}.spec.ts`, () => {
      block = state.currentDescribeBlock;
    });
    const outer = state.currentDescribeBlock;
    state.currentDescribeBlock = block!;
    try {
      await import(`../${file}.spec.js`);
    } finally {
      state.currentDescribeBlock = outer;
    }
  }
}
