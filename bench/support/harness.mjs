/**
 * What every benchmark shares: an emulator in its own process, a config directory connected to it
 * the way a user connects (the real Connect-Partner), timed child processes, and medians and ratios
 * of cases run side by side in the same rounds, so drift on a noisy machine hits every case alike.
 */
import { execFileSync, fork, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  constants,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { StringDecoder } from 'node:string_decoder';

export const repoRoot = join(import.meta.dirname, '..', '..');
export const bin = (name) => join(repoRoot, 'bin', name);
export const benchFile = (name) => join(repoRoot, 'bench', name);

/**
 * Starts the emulator in a child process; `call(command, argument)` drives it (see
 * emulator-process.mjs). It keeps every page it serves (pageCacheMegabytes sized to the data set):
 * each case runs an unmeasured warm-up round first, so measured rounds time the clients, not the
 * emulator deriving customers (most of its work per page).
 */
export async function startBenchEmulator(options = {}) {
  const pageCacheMegabytes = Math.ceil(((options.customers ?? 2500) * 700) / 1e6) + 16;
  const child = fork(
    benchFile('support/emulator-process.mjs'),
    [JSON.stringify({ pageCacheMegabytes, ...options })],
    { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  const pending = new Map();
  let nextId = 0;
  const details = await new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) =>
      reject(new Error(`the emulator exited (${code}) before it was ready`)),
    );
    child.on('message', (message) => {
      if (message.ready) return resolve(message.ready);
      const waiter = pending.get(message.id);
      pending.delete(message.id);
      if (message.error) waiter?.reject(new Error(message.error));
      else waiter?.resolve(message.result);
    });
  });
  child.removeAllListeners('exit');
  const call = (command, argument) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      child.send({ id, command, argument });
    });
  return {
    ...details,
    call,
    async close() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      await call('close').catch(() => undefined);
      await exited;
    },
  };
}

/** Environment for a child: the machine's, minus anything of ours from the developer's shell. */
export function cleanEnv(extra = {}) {
  const env = {};
  for (const [key, value] of Object.entries(process.env))
    if (!key.startsWith('PARTNERCENTER_') && !key.startsWith('BENCH_')) env[key] = value;
  return { ...env, ...extra };
}

/**
 * A private config directory connected to the emulator by the real Connect-Partner (service
 * principal).
 */
export async function connectedConfig(emulator) {
  const dir = mkdtempSync(join(tmpdir(), 'pc-bench-'));
  const env = cleanEnv({ PARTNERCENTER_CONFIG_DIR: dir });
  const connect = await runTimed(
    [
      bin('Connect-Partner'),
      '-ServicePrincipal',
      '-ApplicationId',
      emulator.applicationId,
      ...emulator.connectEndpoints,
    ],
    { env: { ...env, PARTNERCENTER_CLIENT_SECRET: emulator.clientSecret } },
  );
  if (connect.code !== 0)
    throw new Error(`Connect-Partner failed (${connect.code}): ${connect.stderr}`);
  return { dir, env, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Runs one process to its end and times it from spawn to exit. stdout is a real pipe, as a shell
 * makes for `cmd | reader` (a FIFO: 64 KB, where Node's own spawn would give a socket pair with
 * several times that), read by this process with its lines counted (a real consumer, and a check
 * that nothing was lost). Options:
 * - `untilFirstLine`: stop the process (SIGKILL) once its first line arrived; `firstLineMs` says
 *   when.
 * - `resources`: run it under /usr/bin/time and report its maximum resident set size (peakRssKb)
 *   and the CPU time it used (cpuMs, user + system): CPU time suffers less than wall time from
 *   whatever else the machine is doing.
 * - `readBytesPerSecond`: a throttled reader; `onTick(linesRead)` is called as it reads. With
 *   `stallMs`, it first reads nothing at all for that long.
 * - `hash`: a SHA-256 of stdout, to check two programs wrote the same bytes.
 * - `stdin`: a file the process reads as its standard input (`cmd < file`); else none.
 * - `keep`: keep stdout and return it as `stdout` (text), to check what was written.
 * - `onLine(line)`: called with each whole line of stdout (without its newline), as it arrives.
 */
export async function runTimed(argv, options = {}) {
  const usageFile = options.resources
    ? join(mkdtempSync(join(tmpdir(), 'pc-bench-usage-')), 'usage')
    : undefined;
  const [command, ...args] = usageFile
    ? ['/usr/bin/time', '-f', '%M %U %S', '-o', usageFile, ...commandOf(argv)]
    : commandOf(argv);
  const pipe = realPipe();
  const stdinFd = options.stdin === undefined ? 'ignore' : openSync(options.stdin, 'r');
  const started = performance.now();
  const child = spawn(command, args, {
    env: options.env ?? cleanEnv(),
    stdio: [stdinFd, pipe.writeFd, 'pipe'],
  });
  closeSync(pipe.writeFd);
  if (typeof stdinFd === 'number') closeSync(stdinFd);
  const stdout = pipe.reader;
  let lines = 0;
  let bytes = 0;
  let firstLineMs;
  let stderr = '';
  const digest = options.hash ? createHash('sha256') : undefined;
  const kept = options.keep ? [] : undefined;
  const splitter = options.onLine ? lineSplitter(options.onLine) : undefined;
  child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
  const count = (chunk) => {
    bytes += chunk.length;
    digest?.update(chunk);
    kept?.push(chunk);
    splitter?.(chunk);
    for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) {
      if (lines++ === 0) {
        firstLineMs = performance.now() - started;
        if (options.untilFirstLine) child.kill('SIGKILL');
      }
    }
  };
  let throttle;
  if (options.readBytesPerSecond) {
    // Paused mode: read only what the budget allows; the pipe fills and the writer must wait.
    const tickMs = 50;
    const perTick = Math.max(1, Math.round((options.readBytesPerSecond * tickMs) / 1000));
    const readFrom = started + (options.stallMs ?? 0);
    throttle = setInterval(() => {
      let budget = performance.now() < readFrom ? 0 : perTick;
      while (budget > 0) {
        const chunk =
          stdout.read(Math.min(budget, stdout.readableLength || budget)) ?? stdout.read();
        if (!chunk) break;
        budget -= chunk.length;
        count(chunk);
      }
      options.onTick?.(lines);
    }, tickMs);
  } else {
    stdout.on('data', count);
  }
  const [[code, signal]] = await Promise.all([
    new Promise((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (...outcome) => resolve(outcome));
    }),
    new Promise((resolve) => {
      // The writer is gone: what it left in the pipe is counted, unthrottled.
      child.on('exit', () => {
        clearInterval(throttle);
        stdout.on('data', count);
      });
      stdout.on('close', resolve);
    }),
  ]);
  const ms = performance.now() - started;
  let peakRssKb;
  let cpuMs;
  if (usageFile) {
    const [rss, user, system] = readFileSync(usageFile, 'utf8')
      .trim()
      .split('\n')
      .pop()
      .split(' ')
      .map(Number);
    rmSync(join(usageFile, '..'), { recursive: true, force: true });
    peakRssKb = rss;
    cpuMs = (user + system) * 1000;
  }
  return {
    ms,
    firstLineMs,
    lines,
    bytes,
    code,
    signal,
    stderr,
    peakRssKb,
    cpuMs,
    sha256: digest?.digest('hex'),
    stdout: kept && Buffer.concat(kept).toString('utf8'),
  };
}

/** Feeds whole lines of a byte stream, chunk by chunk, to `onLine` (UTF-8 split safely). */
function lineSplitter(onLine) {
  const decoder = new StringDecoder('utf8');
  let partial = '';
  return (chunk) => {
    const text = partial + decoder.write(chunk);
    let from = 0;
    for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', from)) {
      onLine(text.slice(from, at));
      from = at + 1;
    }
    partial = text.slice(from);
  };
}

/**
 * A FIFO opened at both ends and unlinked at once: an anonymous pipe, which Node cannot make
 * itself.
 */
function realPipe() {
  const dir = mkdtempSync(join(tmpdir(), 'pc-bench-pipe-'));
  const path = join(dir, 'stdout');
  execFileSync('mkfifo', ['-m', '600', path]);
  const readFd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const writeFd = openSync(path, constants.O_WRONLY);
  rmSync(dir, { recursive: true, force: true });
  return { reader: new Socket({ fd: readFd, readable: true, writable: false }), writeFd };
}

/**
 * A .mjs/.js path or a bin/ shim (a file beside a run.cjs) runs under this Node; a .sh under bash;
 * anything else as is.
 */
function commandOf(argv) {
  const [first, ...rest] = argv;
  if (first.endsWith('.sh')) return ['bash', first, ...rest];
  if (first === 'node' || first === process.execPath) return [process.execPath, ...rest];
  if (/\.(c|m)?js$/.test(first) || existsSync(join(dirname(first), 'run.cjs')))
    return [process.execPath, first, ...rest];
  return argv;
}

/**
 * Runs every case `rounds` times, interleaved (A B C, A B C, ...), after one unmeasured warm-up
 * round (file cache, JIT of the emulator). Each case: { name, run: () => Promise<result>, rounds? }
 * (a slow case may take part in fewer rounds, the first ones, and skip the warm-up with `warmup:
 * false`). Returns, per case, every result and the median of `metric(result)`.
 */
export async function sideBySide(
  cases,
  { rounds, warmup = 1, metric = (result) => result.ms, check },
) {
  const results = new Map(cases.map((c) => [c.name, []]));
  for (let round = -warmup; round < rounds; round++) {
    for (const c of cases) {
      if (c.rounds !== undefined && round >= c.rounds) continue;
      if (round < 0 && c.warmup === false) continue;
      const result = await c.run();
      check?.(c, result);
      if (round >= 0) results.get(c.name).push(result);
    }
  }
  return cases.map((c) => {
    const all = results.get(c.name);
    return { name: c.name, results: all, median: median(all.map(metric)) };
  });
}

/**
 * Seconds the rate limit alone needs for `requests`, when the rate changes part-way; `rates`:
 * [[seconds, requests per minute], ...], the last one lasting to the end.
 */
export function rateFloor(requests, rates) {
  let left = requests;
  let seconds = 0;
  for (const [duration, perMinute] of rates) {
    const possible = (duration * perMinute) / 60;
    if (possible >= left) return seconds + (left * 60) / perMinute;
    left -= possible;
    seconds += duration;
  }
  return seconds + (left * 60) / rates.at(-1)[1];
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * Fails loudly when a run did not do what it claims (a benchmark of a failing command measures
 * nothing).
 */
export function expectRun(name, result, { code = 0, lines } = {}) {
  if (result.code !== code && !(code === 'killed' && result.signal === 'SIGKILL')) {
    throw new Error(
      `${name}: exit ${result.code ?? result.signal}, expected ${code}. stderr: ` +
        `${result.stderr.slice(0, 500)}`,
    );
  }
  if (lines !== undefined && result.lines !== lines)
    throw new Error(
      `${name}: ${result.lines} lines, expected ${lines}. stderr: ${result.stderr.slice(0, 500)}`,
    );
}

export function heading(title) {
  process.stdout.write(`\n## ${title}\n`);
}

/** Prints aligned rows: [label, ...cells]. */
export function table(rows) {
  const widths = rows[0].map((_, column) =>
    Math.max(...rows.map((row) => String(row[column]).length)),
  );
  for (const row of rows) {
    const cells = row.map((cell, column) =>
      column === 0 ? String(cell).padEnd(widths[column]) : String(cell).padStart(widths[column]),
    );
    process.stdout.write(`${cells.join('  ')}\n`);
  }
}

export const fixed = (value, digits = 0) =>
  value === undefined || Number.isNaN(value) ? '-' : value.toFixed(digits);
export const ratio = (value, base) => `${(value / base).toFixed(2)}x`;
export const mb = (kb) => `${(kb / 1024).toFixed(1)} MB`;

/**
 * A line of the verdict: what the target is and whether this run met it (printed, never asserted).
 */
export function verdict(ok, text) {
  process.stdout.write(`${ok ? 'meets' : 'MISSES'}: ${text}\n`);
  return { ok, text };
}

/** Parses `--name value` and `--flag` options of a bench script. */
export function benchArgs(defaults) {
  const parsed = { ...defaults };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].replace(/^--/, '');
    if (name === 'help') {
      process.stdout.write(
        `options (defaults): ${Object.entries(defaults)
          .map(([key, value]) => `--${key} ${JSON.stringify(value)}`)
          .join(' ')}\n`,
      );
      process.exit(0);
    }
    if (!(name in defaults))
      throw new Error(
        `unknown option --${name}; known: ${Object.keys(defaults)
          .map((k) => `--${k}`)
          .join(' ')}`,
      );
    if (typeof defaults[name] === 'boolean') parsed[name] = true;
    else parsed[name] = typeof defaults[name] === 'number' ? Number(argv[++i]) : argv[++i];
  }
  return parsed;
}

/** Prints rows ([header, ...rows], each [label, ...cells]) as a markdown table. */
export function markdownTable(rows) {
  const widths = rows[0].map((_, column) =>
    Math.max(3, ...rows.map((row) => String(row[column]).length)),
  );
  const line = (row) =>
    `| ${row
      .map((cell, column) =>
        column === 0 ? String(cell).padEnd(widths[column]) : String(cell).padStart(widths[column]),
      )
      .join(' | ')} |\n`;
  process.stdout.write(line(rows[0]));
  // Numbers align right: every column but the first.
  const rule = widths.map((width, column) =>
    column === 0 ? '-'.repeat(width) : `${'-'.repeat(width - 1)}:`,
  );
  process.stdout.write(`| ${rule.join(' | ')} |\n`);
  for (const row of rows.slice(1)) process.stdout.write(line(row));
}
