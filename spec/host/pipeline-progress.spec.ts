/** A run over pipeline input shows on a terminal how many objects are done and written. */
import { describe, expect, it } from '@jest/globals';
import { defineCmdlet, ObjectList } from '../../lib/cmdlet-support/cmdlet.js';
import { runInProcess } from '../fixtures/host/run-in-process.js';

const expand = defineCmdlet({
  name: 'Get-Expanded',
  synopsis: 'Writes n objects per input object.',
  description: 'A fixture: for each input {n}, n objects, and its own progress line.',
  parameters: {
    N: { type: 'int', mandatory: true, pipeline: 'byPropertyName', description: 'How many.' },
  },
  examples: [],
  async *run(p, context) {
    // The line is redrawn at most every 100 ms: wait that out so each step is drawn.
    await new Promise((resolve) => setTimeout(resolve, 110));
    context.progress({ activity: 'Expanding', items: p.N as number });
    yield new ObjectList(Array.from({ length: p.N as number }, (_, i) => ({ i })));
  },
});

const input = '{"n":2}\n{"n":3}\n';

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

  it('shows nothing when stderr is not a terminal', async () => {
    const result = await runInProcess(expand, [], { stdin: input, stderrIsTTY: false });
    expect(result.stderr).toBe('');
    expect(result.stdout.trim().split('\n')).toHaveLength(5);
  });
});
