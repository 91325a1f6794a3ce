/**
 * The order jest starts spec files in. With timings from an earlier run (jest's cache) it keeps
 * jest's own order: failed first, then longest first. Without them (a fresh clone, CI) jest falls
 * back on file size, which puts a short file that packs, installs or spawns commands far down the
 * list and leaves one worker running it alone at the end. Here a file without timing weighs its
 * size plus a fixed amount for each place it starts a process (a `bin/` command, bash, a terminal,
 * npm, tsc): each costs about 0.15 s of CPU to start and usually seconds of wall time, so such
 * files go first. A new spec gets this without being listed anywhere.
 */
const { readFileSync } = require('node:fs');
const Sequencer = require('@jest/test-sequencer').default;

/**
 * Where a process starts: spec/support/cli.ts's helpers, node:child_process, a partner's `bin/`
 * run (emulated-partner.ts), and npm or tsc named in the file.
 */
const PROCESS_START =
  /\b(?:runCli|runBash|runOnTerminal|spawnCollect|inBackground|execFile\w*|spawn\w*|exec(?:Sync)?)\(|\bpartner\.run\(|\b(?:npm|tsc)\b/g;
/** What one process start weighs against a spec file's bytes. */
const BYTES_PER_PROCESS = 4000;

class SpawnsFirstSequencer extends Sequencer {
  sort(tests) {
    const timed = tests.map((test) => this.time(test) != null);
    if (timed.every(Boolean)) return super.sort(tests);
    const weight = new Map(tests.map((test) => [test.path, estimate(test.path)]));
    for (const test of tests) test.duration = this.time(test);
    return tests.sort((a, b) => {
      const failedA = this.hasFailed(a);
      if (failedA !== this.hasFailed(b)) return failedA ? -1 : 1;
      if ((a.duration != null) !== (b.duration != null)) return a.duration != null ? 1 : -1;
      if (a.duration != null && b.duration != null) return b.duration - a.duration;
      return weight.get(b.path) - weight.get(a.path);
    });
  }
}

function estimate(path) {
  try {
    const text = readFileSync(path, 'utf8');
    return text.length + BYTES_PER_PROCESS * (text.match(PROCESS_START)?.length ?? 0);
  } catch {
    return 0;
  }
}

module.exports = SpawnsFirstSequencer;
