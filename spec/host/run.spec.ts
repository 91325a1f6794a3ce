/** Exit codes, error lines, early close, signals, backpressure and diagnostics of runCmdlet. */
import { describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import { InterruptedError } from '../../lib/common/errors.js';
import { defineCmdlet } from '../../lib/cmdlet-support/cmdlet.js';
import { getThing, writeItems } from '../fixtures/host/fixture-cmdlets.js';
import { runInProcess } from '../fixtures/host/run-in-process.js';
import { parseNdjson } from '../support/ndjson.js';

/** A cmdlet that yields up to `limit` numbered objects and counts how many it was asked for. */
function counting(limit = 1_000_000, onItem?: (index: number) => void) {
  const state = { produced: 0, finished: false, sawAbort: false };
  const definition = defineCmdlet({
    name: 'Get-Numbers',
    synopsis: '.',
    description: '.',
    parameters: {},
    examples: [],
    async *run(_p, context) {
      try {
        for (let i = 0; i < limit; i++) {
          if (i % 500 === 0) await new Promise((resolve) => setImmediate(resolve));
          state.produced++;
          onItem?.(i);
          yield { n: i, pad: 'x'.repeat(80) };
        }
      } finally {
        state.finished = true;
        state.sawAbort = context.signal.aborted;
      }
    },
  });
  return { definition, state };
}

describe('errors and exit codes', () => {
  it.each<[string, string[], number, RegExp]>([
    [
      'a usage error',
      ['-PageSize', '0'],
      2,
      /^Get-Thing: Cannot bind parameter 'PageSize': 0 is outside the allowed range 1\.\.500\. Use a whole number from 1 to 500\.$/,
    ],
    [
      'not found',
      ['-CustomerId', '00000000-0000-0000-0000-000000000404'],
      4,
      /^Get-Thing: Customer .* was not found\. Check the id\.$/,
    ],
  ])('%s (%j) → one line, exit %i, clean stdout', async (_, argv, code, line) => {
    const result = await runInProcess(getThing, argv);
    expect(result.code).toBe(code);
    expect(result.stdout).toBe('');
    expect(result.stderrLines).toHaveLength(1);
    expect(result.stderrLines[0]).toMatch(line);
  });

  it('keeps what was written before a failure, then exits with its code', async () => {
    const result = await runInProcess(writeItems, ['-Count', '5', '-FailAfter', '2']);
    expect(result.code).toBe(5);
    expect(parseNdjson(result.stdout)).toHaveLength(2);
    expect(result.stderrLines).toEqual([
      'Write-Items: Partner Center failed the request (500). Try again later.',
    ]);
  });

  it('turns an unexpected error into one line and exit 1, the stack only with -Debug', async () => {
    const plain = await runInProcess(writeItems, ['-Crash']);
    expect(plain.code).toBe(1);
    expect(plain.stderrLines).toEqual([
      expect.stringMatching(
        /^Write-Items: Unexpected error: Cannot read properties of undefined \(reading 'x'\)\. Run again with -Debug/,
      ),
    ]);
    const debug = await runInProcess(writeItems, ['-Crash', '-Debug']);
    expect(debug.stderrLines.filter((line) => !line.startsWith('DEBUG: '))).toEqual(
      plain.stderrLines,
    );
    expect(debug.stderr).toMatch(/DEBUG: \s+at /);
  });

  it(
    'reports a missing connection with its own code, even with -ErrorAction ' + 'SilentlyContinue',
    async () => {
      const result = await runInProcess(writeItems, ['-NotConnected', '-ea', 'SilentlyContinue']);
      expect(result.code).toBe(3);
      expect(result.stderrLines).toEqual([
        'Write-Items: No saved context. Run Connect-Partner first.',
      ]);
    },
  );

  it("SilentlyContinue hides a single run's failure but keeps its exit code", async () => {
    const result = await runInProcess(getThing, [
      '-CustomerId',
      '00000000-0000-0000-0000-000000000404',
      '-ErrorAction',
      'SilentlyContinue',
    ]);
    expect(result).toMatchObject({ code: 4, stderr: '', stdout: '' });
  });

  it('shows help for -? and exits 0 without running', async () => {
    const result = await runInProcess(getThing, ['-?']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^\nNAME\n {4}Get-Thing\n/);
    expect(result.stdout).not.toMatch(/Internal/);
  });
});

describe('a reader that goes away (| head)', () => {
  it('stops quietly with exit 0 and asks the cmdlet for nothing more', async () => {
    const { definition, state } = counting();
    let writes = 0;
    const stdout = new Writable({
      write(_chunk, _encoding, callback) {
        writes++;
        if (writes === 1) callback();
        else callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const result = await runInProcess(definition, [], { stdout });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(state.finished).toBe(true);
    expect(state.sawAbort).toBe(true);
    expect(state.produced).toBeLessThan(5000);
  });
});

describe('backpressure', () => {
  it('produces no further ahead of a slow reader than the sink holds', async () => {
    let consumed = 0;
    let maxAhead = 0;
    const { definition, state } = counting(5000, () => {
      maxAhead = Math.max(maxAhead, state.produced - consumed);
    });
    const stdout = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _encoding, callback) {
        consumed += chunk.toString().split('\n').length - 1;
        setTimeout(callback, 1);
      },
    });
    const result = await runInProcess(definition, [], { stdout });
    expect(result.code).toBe(0);
    expect(consumed).toBe(5000);
    // 64 KiB of ~100-byte lines, plus the one object in hand.
    expect(maxAhead).toBeLessThan(800);
  });
});

describe('signals', () => {
  it('SIGINT stops between objects: whole lines, exit 130, one line on stderr', async () => {
    const controller = new AbortController();
    const { definition, state } = counting(1_000_000, (i) => {
      if (i === 1234) controller.abort(new InterruptedError('SIGINT'));
    });
    const result = await runInProcess(definition, [], { signal: controller.signal });
    expect(result.code).toBe(130);
    expect(result.stdout.endsWith('\n')).toBe(true);
    expect(parseNdjson(result.stdout).length).toBeGreaterThan(1000);
    expect(state.produced).toBeLessThan(1300);
    expect(result.stderrLines).toEqual(['Get-Numbers: Stopped by SIGINT.']);
  });

  it('SIGTERM exits 143, and Json output is still closed', async () => {
    const controller = new AbortController();
    const { definition } = counting(1_000_000, (i) => {
      if (i === 10) controller.abort(new InterruptedError('SIGTERM'));
    });
    const result = await runInProcess(definition, ['-OutputFormat', 'Json'], {
      signal: controller.signal,
    });
    expect(result.code).toBe(143);
    expect(Array.isArray(JSON.parse(result.stdout))).toBe(true);
  });

  it('a cmdlet that ends normally after the signal (the emulator) exits 0', async () => {
    const { waitSignal } = await import('../fixtures/host/fixture-cmdlets.js');
    const controller = new AbortController();
    setTimeout(() => controller.abort(new InterruptedError('SIGINT')), 20);
    const result = await runInProcess(waitSignal, [], { signal: controller.signal });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(parseNdjson(result.stdout)).toEqual([{ ready: true }]);
  });
});

describe('diagnostics on stderr', () => {
  it('-Verbose writes VERBOSE: lines; nothing without it', async () => {
    expect((await runInProcess(writeItems, ['-Verbose'])).stderrLines).toEqual([
      'VERBOSE: Wrote 3 items.',
    ]);
    expect((await runInProcess(writeItems, [])).stderr).toBe('');
  });

  it('-Debug writes DEBUG: lines with tokens and secret parameters redacted', async () => {
    const result = await runInProcess(getThing, ['-Debug', '-Secret', 'p@ssw0rd-value'], {});
    const writeResult = await runInProcess(writeItems, ['-db']);
    const stderr = result.stderr + writeResult.stderr;
    expect(stderr).toMatch(/^DEBUG: /m);
    expect(stderr).not.toContain('p@ssw0rd-value');
    expect(stderr).not.toContain('eyJ');
    expect(writeResult.stderr).toContain('DEBUG: Authorization: ***');
  });

  it('shows progress only on a terminal, and erases it at the end', async () => {
    const tty = await runInProcess(writeItems, ['-Count', '300'], { stderrIsTTY: true });
    expect(tty.stderr).toContain('Writing items: 1 page, 100 items');
    expect(tty.stderr.endsWith('\r\u001b[K')).toBe(true);
    expect((await runInProcess(writeItems, ['-Count', '300'])).stderr).toBe('');
  });

  it('passes -Context, else PARTNERCENTER_CONTEXT, as the context name', async () => {
    const contextOf = async (argv: string[], env: NodeJS.ProcessEnv) =>
      (
        parseNdjson((await runInProcess(getThing, argv, { env })).stdout)[0] as {
          contextName: string | null;
        }
      ).contextName;
    expect(await contextOf(['-Context', 'prod'], { PARTNERCENTER_CONTEXT: 'test' })).toBe('prod');
    expect(await contextOf([], { PARTNERCENTER_CONTEXT: 'test' })).toBe('test');
    expect(await contextOf([], {})).toBeNull();
  });
});

describe('a stdout that fails', () => {
  it('reports the write error once and exits 1', async () => {
    const { definition } = counting();
    const stdout = new Writable({
      write(_chunk, _encoding, callback) {
        callback(Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }));
      },
    });
    const result = await runInProcess(definition, [], { stdout });
    expect(result.code).toBe(1);
    expect(result.stderrLines).toEqual([
      'Get-Numbers: Cannot write the output to stdout: no space left on device (ENOSPC). stdout ' +
        'is not a regular file: a line the failure cut, if any, cannot be removed.',
    ]);
  });
});
