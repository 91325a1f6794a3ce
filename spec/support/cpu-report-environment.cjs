/**
 * The suite's jest environment (spec/support/test-environment.cjs), plus a record of what each
 * spec file cost: `npm run test:cpu` (scripts/cpu-report.mjs) runs the suite with it and prints
 * where the CPU went. The suite is CPU-bound on
 * the 2-core machine it is timed on, so CPU-seconds, not a file's wall time, say what a change
 * saves (wall time depends on what else runs).
 *
 * Per file, appended as one NDJSON line to the file named by PARTNERCENTER_CPU_REPORT:
 * - `self`: the jest worker's CPU while the file ran (loading its modules, the emulator and the
 *   in-process runs), in ms;
 * - `children`: CPU of the processes it started and waited for (bin/ commands, bash, npm, tsc,
 *   with their own children), from /proc/self/stat's cutime and cstime (Linux), in ms;
 * - `processes`: how many processes it started, and the first words of each (`started`);
 * - `handles`: what the file left open after its teardown (a server, a socket, a timer): a
 *   leak that keeps the worker from exiting ("A worker process has failed to exit gracefully").
 */
const { appendFileSync, readFileSync } = require('node:fs');
const childProcess = require('node:child_process');
const { TestEnvironment } = require('./test-environment.cjs');

const REPORT = process.env.PARTNERCENTER_CPU_REPORT;
/** Processes started by the current file (one file at a time runs in a worker). */
let started = [];

// Every spawn, execFile and fork goes through ChildProcess#spawn: count them there, once per worker.
const prototype = childProcess.ChildProcess.prototype;
if (!prototype.spawn.countedForCpuReport) {
  const spawn = prototype.spawn;
  prototype.spawn = function countedSpawn(options) {
    started.push([options.file, ...(options.args ?? []).slice(1, 3)].join(' ').slice(0, 120));
    return spawn.call(this, options);
  };
  prototype.spawn.countedForCpuReport = true;
}

/** CPU of this process's waited-for children so far, in ms (USER_HZ is 100 on Linux). */
function childrenCpuMs() {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return 0;
  }
}

function describeHandle(handle) {
  const kind = handle.constructor?.name ?? typeof handle;
  if (kind === 'Server' && typeof handle.address === 'function')
    return `Server ${JSON.stringify(handle.address())}`;
  if (handle.remotePort) return `${kind} to ${handle.remoteAddress}:${handle.remotePort}`;
  if (kind === 'ChildProcess') return `ChildProcess ${handle.spawnfile}`;
  return kind;
}

class CpuReportEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.testPath = context.testPath;
    this.rootDir = config.projectConfig.rootDir;
    this.startedAt = Date.now();
    this.cpuAtStart = process.cpuUsage();
    this.childrenAtStart = childrenCpuMs();
    this.handlesAtStart = new Set(process._getActiveHandles());
    started = [];
  }

  async teardown() {
    await super.teardown();
    await new Promise((resolve) => setImmediate(resolve));
    const cpu = process.cpuUsage(this.cpuAtStart);
    const handles = process
      ._getActiveHandles()
      .filter((handle) => !this.handlesAtStart.has(handle) && !isStdio(handle) && !closing(handle))
      .map(describeHandle);
    if (!REPORT) return;
    appendFileSync(
      REPORT,
      `${JSON.stringify({
        file: this.testPath.slice(this.rootDir.length + 1),
        wallMs: Date.now() - this.startedAt,
        self: Math.round((cpu.user + cpu.system) / 1000),
        children: childrenCpuMs() - this.childrenAtStart,
        processes: started.length,
        started,
        handles,
        worker: process.pid,
      })}\n`,
    );
  }
}

/** A destroyed socket or an exited child is gone a turn later: only what stays open is a leak. */
function closing(handle) {
  return handle.destroyed === true || handle.exitCode != null || handle.signalCode != null;
}

function isStdio(handle) {
  return handle === process.stdout || handle === process.stderr || handle === process.stdin;
}

module.exports = CpuReportEnvironment;
