/**
 * The order jest starts spec files in. With timings from an earlier run (jest's cache) it keeps
 * jest's own order: failed first, then longest first. Without them (a fresh clone, CI) jest falls
 * back on file size, which puts a short file that packs, installs or spawns commands far down the
 * list and leaves one worker running it alone at the end. Here a file without timing weighs its
 * size plus a fixed amount for each place it starts a process (a `bin/` command, bash, a terminal,
 * npm, tsc): each costs about 0.15 s of CPU to start and usually seconds of wall time, so such
 * files go first. A suite weighs the sum of its spec files, unless its wall time was measured.
 */
const { readFileSync } = require('node:fs');
const { basename, dirname, join } = require('node:path');
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

/**
 * Wall seconds each suite took in `npm test` on the 2-core machine it is timed on (fresh clones,
 * December 2026). Bytes and process starts guessed them badly (a suite of many short processes
 * weighed least and ran last, alone); with these, longest first, the three workers end within
 * seconds of each other. Jest's own timings take over after a first run; a suite missing here
 * weighs its files.
 */
const MEASURED_SECONDS = {
  host: 29,
  'customer-work': 28,
  faults: 28,
  'partner-center': 25,
  commands: 22,
  emulator: 21,
  billing: 17,
  'sign-in': 16,
  api: 15,
  session: 9,
  common: 6,
};
/** About what a second of a spec file's wall time weighs in bytes of the file. */
const BYTES_PER_SECOND = 5000;

/** A suite (spec/suites/*.suite.ts) weighs its measured time, or what its files weigh together. */
function estimate(path) {
  if (path.endsWith('.suite.ts')) {
    const seconds = MEASURED_SECONDS[basename(path, '.suite.ts')];
    if (seconds !== undefined) return seconds * BYTES_PER_SECOND;
    return specFilesOf(path).reduce((total, file) => total + estimate(file), 0);
  }
  try {
    const text = readFileSync(path, 'utf8');
    return text.length + BYTES_PER_PROCESS * (text.match(PROCESS_START)?.length ?? 0);
  } catch {
    return 0;
  }
}

/**
 * The spec files a suite runs, as paths: the quoted `area/name` entries of its `runSuite([...])`
 * list (spec/support/suite.ts), each spec/area/name.spec.ts. The repository rules check with this
 * that every spec file is in exactly one suite.
 */
function specFilesOf(suitePath) {
  const text = readFileSync(suitePath, 'utf8');
  const start = text.indexOf('runSuite([');
  const list = start < 0 ? '' : text.slice(start, text.indexOf(']', start));
  const specRoot = dirname(dirname(suitePath));
  return [...list.matchAll(/'([\w/-]+)'/g)].map((match) => join(specRoot, `${match[1]}.spec.ts`));
}

module.exports = SpawnsFirstSequencer;
module.exports.specFilesOf = specFilesOf;
module.exports.MEASURED_SECONDS = MEASURED_SECONDS;
