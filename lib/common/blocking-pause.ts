/**
 * A short synchronous pause, for the few places that must wait a moment inside synchronous code:
 * a rename that Windows refuses while another process briefly holds the file, a lock another
 * process holds for the few milliseconds of its read-merge-write. Atomics.wait blocks the thread
 * without spinning the CPU; it is allowed on Node's main thread.
 */
const cell = new Int32Array(new SharedArrayBuffer(4));

export function pauseSync(ms: number): void {
  if (ms > 0) Atomics.wait(cell, 0, 0, ms);
}
