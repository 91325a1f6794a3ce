/** A run over pipeline input shows on a terminal how many objects are done and written. */
import { describe, expect, it } from '@jest/globals';
import { type CmdletContext, defineCmdlet, ObjectList } from '../../lib/cmdlet-support/cmdlet.js';
import { fanOutParameters } from '../../lib/cmdlet-support/fan-out.js';
import {
  type CmdletServicesFactory,
  createCmdletServices,
} from '../../lib/cmdlet-support/services.js';
import { countLines } from '../../lib/host/input-total.js';
import { runInProcess } from '../fixtures/host/run-in-process.js';
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const expand = defineCmdlet({
  name: 'Get-Expanded',
  synopsis: 'Writes n objects per input object.',
  description: 'A fixture: for each input {n}, n objects, and its own progress line.',
  parameters: {
    N: { type: 'int', mandatory: true, pipeline: 'byPropertyName', description: 'How many.' },
  },
  examples: [],
  run: (p, context) => expandEach(p.N, context),
});

async function* expandEach(n: number, context: CmdletContext): AsyncGenerator<unknown> {
  // The line is redrawn at most every 100 ms: wait that out so each step is drawn.
  await new Promise((resolve) => setTimeout(resolve, 110));
  context.progress({ activity: 'Expanding', items: n });
  yield new ObjectList(Array.from({ length: n }, (_, i) => ({ i })));
}

const input = '{"n":2}\n{"n":3}\n';

/** The same, as a fan-out cmdlet: several input objects at once. */
const fanOut = defineCmdlet({
  ...expand,
  name: 'Get-FannedOut',
  parameters: { ...expand.parameters, ...fanOutParameters },
  concurrentInput: { one: 'customer', many: 'customers' },
  run: (p, context) => expandEach(p.N, context),
});

describe('pipeline progress', () => {
  it("counts input objects done and read and objects written, beside the cmdlet's own", async () => {
    const result = await runInProcess(expand, [], { stdin: input, stderrIsTTY: true });
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(5);
    const drawn = result.stderr.split('\r\u001b[K').filter(Boolean);
    expect(drawn).toContain('0 input objects done (1 read), 0 objects written');
    expect(drawn).toContain(
      '0 input objects done (1 read), 0 objects written | Expanding: 2 items',
    );
    expect(drawn).toContain('1 input object done (2 read), 2 objects written | Expanding: 3 items');
    // Erased at the end: the terminal is left clean.
    expect(result.stderr.endsWith('\r\u001b[K')).toBe(true);
  });

  it("names a fan-out's input objects: customers done and read, objects written", async () => {
    const result = await runInProcess(fanOut, ['-ThrottleLimit', '1'], {
      stdin: input,
      stderrIsTTY: true,
    });
    expect(result.code).toBe(0);
    const drawn = result.stderr.split('\r\u001b[K').filter(Boolean);
    expect(drawn).toContain('0 customers done (1 read), 0 objects written');
    expect(drawn).toContain('1 customer done (2 read), 2 objects written | Expanding: 3 items');
  });

  it("shows the time the run's requests waited out throttling", async () => {
    // The fixture sends nothing: services that report 2.5 s of a closed throttle gate stand in.
    const throttledServices = ((run) => ({
      ...createCmdletServices(run),
      throttling: () => ({ throttled: 3, gateClosedMs: 2500 }),
    })) satisfies CmdletServicesFactory;
    const result = await runInProcess(fanOut, ['-ThrottleLimit', '1'], {
      stdin: input,
      stderrIsTTY: true,
      services: throttledServices,
    });
    expect(result.code).toBe(0);
    const drawn = result.stderr.split('\r\u001b[K').filter(Boolean);
    expect(drawn).toContain('0 customers done (1 read), 0 objects written, 2.5 s throttled');
  });

  it('counts the lines of a file on stdin without moving its offset (the total)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'input-total-'));
    try {
      const file = join(dir, 'in.ndjson');
      for (const [text, lines] of [
        ['', 0],
        ['{"n":1}', 1],
        ['{"n":1}\n{"n":2}\n', 2],
        [`${'{"n":1}\n'.repeat(300_000)}{"n":2}`, 300_001],
      ] as const) {
        writeFileSync(file, text);
        const fd = openSync(file, 'r');
        try {
          expect(await countLines(fd)).toBe(lines);
          // The reader of the same descriptor still starts at the first byte.
          const start = Buffer.alloc(7);
          expect(readSync(fd, start, 0, 7, null)).toBe(Math.min(7, text.length));
          expect(start.toString().slice(0, Math.min(7, text.length))).toBe(text.slice(0, 7));
        } finally {
          closeSync(fd);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('shows nothing when stderr is not a terminal', async () => {
    const result = await runInProcess(expand, [], { stdin: input, stderrIsTTY: false });
    expect(result.stderr).toBe('');
    expect(result.stdout.trim().split('\n')).toHaveLength(5);
  });
});
