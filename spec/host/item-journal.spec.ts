/**
 * A pipeline object's journal entry (-ResumeFile of a fan-out cmdlet): a cmdlet records what a
 * rerun needs (a write's request id) BEFORE its work, the host records the object done after its
 * output is out. A run stopped between the two hands the same entry back to the rerun, which then
 * repeats the work exactly; a run never sees the entry of an object it did not begin, and objects
 * done are skipped. What issue 21's writes stand on, proven with a fixture "write".
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineCmdlet } from '../../lib/cmdlet-support/cmdlet.js';
import { fanOutParameters } from '../../lib/cmdlet-support/fan-out.js';
import { ServiceError } from '../../lib/common/errors.js';
import { runInProcess } from '../fixtures/host/run-in-process.js';
import { parseNdjson } from '../support/ndjson.js';

/** Every "write" sent, by row and request id, over every run of a case. */
let sent: { row: string; requestId: string }[] = [];
/** The rows whose write fails after it was sent, as an answer lost on the way back. */
let lostAnswers = new Set<string>();
let nextId = 0;

const setRow = defineCmdlet({
  name: 'Set-Row',
  synopsis: 'Sends one write per piped row (a fixture).',
  description: 'Records its request id before each write, as a write cmdlet does.',
  parameters: {
    Row: { type: 'string', mandatory: true, pipeline: 'byPropertyName', description: 'Row.' },
    ...fanOutParameters,
  },
  concurrentInput: { one: 'row', many: 'rows' },
  examples: [],
  async *run(p, context): AsyncGenerator<unknown> {
    const requestId = String(context.journal?.begun?.requestId ?? `request-${++nextId}`);
    context.journal?.begin({ requestId });
    sent.push({ row: p.Row, requestId });
    if (lostAnswers.delete(p.Row))
      throw new ServiceError(`The answer to ${p.Row}'s write was lost.`, { endsRun: true });
    yield { row: p.Row, requestId };
  },
});

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'item-journal-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const rows = ['a', 'b', 'c', 'd'];
const input = rows.map((row) => JSON.stringify({ row })).join('\n');

describe("a pipeline object's journal entry", () => {
  it('is written before the work, and hands a rerun the same request id for an unfinished object', async () => {
    sent = [];
    lostAnswers = new Set(['c']);
    const file = join(scratch, 'set-row.resume');
    const first = await runInProcess(setRow, ['-ThrottleLimit', '1', '-ResumeFile', file], {
      stdin: input,
    });
    expect(first.code).toBe(5);
    // c was begun (its id on disk before its write went out) and not done; d never started.
    const journal = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => JSON.parse(line));
    const cBegun = journal.find((record) => record.key === 'c');
    expect(cBegun).toEqual({ key: 'c', line: 3, begun: { requestId: expect.any(String) } });
    expect(journal.filter((record) => record.key === 'c')).toHaveLength(1);
    expect(journal.filter((record) => record.begun === undefined).map((r) => r.key)).toEqual([
      'a',
      'b',
    ]);

    const second = await runInProcess(setRow, ['-ThrottleLimit', '1', '-ResumeFile', file], {
      stdin: input,
    });
    expect(second.code).toBe(0);
    // a and b skipped; c sent again with the request id of its first attempt; d once, a new id.
    expect(sent.map((write) => write.row)).toEqual(['a', 'b', 'c', 'c', 'd']);
    const [, , cFirst, cAgain, d] = sent;
    expect(cAgain?.requestId).toBe(cFirst?.requestId);
    expect(cAgain?.requestId).toBe(cBegun.begun.requestId);
    expect(new Set(sent.map((write) => write.requestId)).size).toBe(4);
    expect(parseNdjson(second.stdout)).toEqual([
      { row: 'c', requestId: cFirst?.requestId },
      { row: 'd', requestId: d?.requestId },
    ]);
    // Every row done: nothing left to resume.
    expect(existsSync(file)).toBe(false);
  });

  it('is absent without a resume file: each run begins anew', async () => {
    sent = [];
    lostAnswers = new Set();
    const result = await runInProcess(setRow, [], { stdin: input });
    expect(result.code).toBe(0);
    expect(sent.map((write) => write.row).sort()).toEqual(rows);
  });
});
