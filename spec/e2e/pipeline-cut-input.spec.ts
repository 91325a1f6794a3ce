/**
 * A pipeline knows when its input was cut (about_Pipelines, "When the input ends early"): real
 * bin/ commands in a real bash pipeline under `set -o pipefail`, the upstream failing (retries
 * exhausted) or SIGKILLed at seeded points, the same line run again until it exits 0. Checked from
 * what a user sees: the exit codes, the resume file, and the output file holding every customer's
 * subscriptions exactly once. Where a case only needs the work finished after a stop it has
 * already checked, the same line runs again in this process, reading what the processes left.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode } from '../../lib/common/exit-codes.js';
import { loadCmdlet } from '../../lib/host/load-cmdlet.js';
import { runInProcess } from '../fixtures/host/run-in-process.js';
import { binPath, runBash, runOnTerminal } from '../support/cli.js';
import { type EmulatedPartner, emulatedPartner } from '../support/emulated-partner.js';
import { parseNdjson } from '../support/ndjson.js';
import { seededRandom } from '../support/seeded-random.js';

let partner: EmulatedPartner;
/** The longest run of customers (listing positions) whose subscriptions can be read. */
let span: { skip: number; count: number };

beforeAll(async () => {
  partner = await emulatedPartner({ customers: 120 });
  const data = partner.emulator.dataset;
  let best = { skip: 0, count: 0 };
  let start = 0;
  for (let index = 0; index <= 120; index++) {
    if (index < 120 && data.hasCommerceRelationship(data.idOf(index))) continue;
    if (index - start > best.count) best = { skip: start, count: index - start };
    start = index + 1;
  }
  span = { skip: best.skip, count: Math.min(best.count, 24) };
});

afterAll(async () => {
  await partner?.dispose();
});

const bin = (name: string) => `"${process.execPath}" "${binPath(name)}"`;
const file = (name: string) => join(partner.configDir, name);

/** The upstream's arguments: the span of readable customers, then `more`. */
const listing = (more: readonly string[]): string[] => [
  '-Skip',
  String(span.skip),
  '-First',
  String(span.count),
  ...more,
];

/** The upstream of the README's line: small pages, and failing fast. */
const failingFast = ['-PageSize', '3', '-MaxRetry', '0'];

/** The README's line, with the upstream bounded to readable customers and failing fast. */
function pipeline(resume: string, out: string, upstreamPrefix = ''): string {
  return (
    'set -o pipefail; ' +
    `${upstreamPrefix}${bin('Get-PartnerCustomer')} ${listing(failingFast).join(' ')} | ` +
    `${bin('Get-PartnerCustomerSubscription')} -ResumeFile "${resume}" >> "${out}"; ` +
    // biome-ignore lint/suspicious/noTemplateCurlyInString: bash's ${PIPESTATUS[n]}, not ours
    'echo "status:${PIPESTATUS[0]}:${PIPESTATUS[1]}:$?"'
  );
}

/**
 * The same line run again in this process, to finish what a process run left: the upstream's
 * output is the downstream's input, and the downstream appends to `out` as `>> out` does. What the
 * stopped processes left on disk (the resume file, the output so far) is all it goes on. Runs that
 * end in a pipe mark's verdict stay processes (the seeded case reruns as processes until exit 0).
 */
async function finishInProcess(
  resume: string,
  out: string,
  upstreamArgs: readonly string[],
): Promise<{ upstream: number | null; downstream: number; stderr: string }> {
  const upstream = await partner.runInProcess('Get-PartnerCustomer', [...upstreamArgs]);
  const fd = openSync(out, 'a');
  try {
    const downstream = await runInProcess(
      await loadCmdlet('Get-PartnerCustomerSubscription'),
      ['-ResumeFile', resume],
      { env: partner.env, stdin: upstream.stdout, stdoutFile: fd },
    );
    return {
      upstream: upstream.code,
      downstream: downstream.code,
      stderr: upstream.stderr + downstream.stderr,
    };
  } finally {
    closeSync(fd);
  }
}

function status(stdout: string): { upstream: number; downstream: number; pipeline: number } {
  const [, upstream, downstream, whole] = /status:(\d+):(\d+):(\d+)/.exec(stdout)!;
  return { upstream: Number(upstream), downstream: Number(downstream), pipeline: Number(whole) };
}

/** Lost and repeated subscriptions in `out`, against the emulator's data. */
function tally(out: string): { lost: number; repeated: number; torn: number } {
  const data = partner.emulator.dataset;
  const text = existsSync(out) ? readFileSync(out, 'utf8') : '';
  const torn = text === '' || text.endsWith('\n') ? 0 : 1;
  const seen = new Map<string, number>();
  for (const line of parseNdjson(text.slice(0, text.lastIndexOf('\n') + 1))) {
    const key = `${line.customerId}/${line.id}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  let lost = 0;
  for (let index = span.skip; index < span.skip + span.count; index++) {
    const id = data.idOf(index);
    for (const subscription of data.subscriptionsOf(id))
      if (!seen.has(`${id}/${subscription.id}`)) lost++;
  }
  const repeated = [...seen.values()].reduce((sum, n) => sum + n - 1, 0);
  return { lost, repeated, torn };
}

describe('A | B -ResumeFile f >> out, where A fails', () => {
  it('B exits 6, keeps its resume file and says so; the same line again finishes the work once', async () => {
    const resume = file('fails.resume');
    const out = file('fails.ndjson');
    // The upstream's fourth listing page answers 503; with -MaxRetry 0 that ends it (exit 5).
    partner.emulator.setFaults({
      rules: [{ at: 4, action: { type: 'status', status: 503 } }],
    });
    const first = await runBash(pipeline(resume, out), { env: partner.env });
    const codes = status(first.stdout);
    // Requests of both commands are counted: whichever the 503 hit, that command failed.
    expect(codes.pipeline).not.toBe(0);
    if (codes.upstream !== 0) {
      expect(codes.upstream).toBe(ExitCode.ServiceFailure);
      expect(codes.downstream).toBe(ExitCode.InputIncomplete);
      const lines = first.stderr.trim().split('\n');
      // One instruction to continue, from the command that can continue: the downstream.
      expect(lines.filter((line) => /run the same pipeline again/.test(line))).toHaveLength(1);
      expect(first.stderr).toMatch(
        /Get-PartnerCustomerSubscription: The input is incomplete: Get-PartnerCustomer \(process \d+\), which fed this command, exited with code 5\./,
      );
      // The upstream states its cause; were there an instruction, it would point at the reader.
      const upstreamLine = lines.find((line) => line.startsWith('Get-PartnerCustomer:'))!;
      expect(upstreamLine).not.toMatch(/ContinuationToken|run the same/);
      expect(existsSync(resume) || !/ [1-9]\d* customers? of/.test(first.stderr)).toBe(true);
    }
    partner.emulator.setFaults({});
    const second = await finishInProcess(resume, out, listing(failingFast));
    expect(second).toEqual({ upstream: 0, downstream: 0, stderr: '' });
    expect(existsSync(resume)).toBe(false);
    expect(tally(out)).toEqual({ lost: 0, repeated: 0, torn: 0 });
  });

  const trials = Number(process.env.PARTNERCENTER_FAULT_RUNS ?? 2);
  it(
    'rerun until it exits 0 under seeded faults and kills: 0 lost, 0 repeated',
    async () => {
      const random = seededRandom(Number(process.env.PARTNERCENTER_FAULT_SEED ?? 18));
      const figures = {
        trials: 0,
        attempts: 0,
        upstreamFailed: 0,
        inputCut: 0,
        killed: 0,
        killedAfterEnd: 0,
      };
      for (let trial = 0; trial < trials; trial++) {
        figures.trials++;
        const resume = file(`seeded-${trial}.resume`);
        const out = file(`seeded-${trial}.ndjson`);
        rmSync(out, { force: true });
        // 503s on seeded request numbers, hitting the upstream's pages or the downstream's customers.
        partner.emulator.setFaults({
          rules: Array.from({ length: 3 }, () => ({
            at: 1 + random.int(span.count + 12),
            action: { type: 'status' as const, status: 503 },
          })),
        });
        let attempts = 0;
        for (;;) {
          attempts++;
          expect(attempts).toBeLessThanOrEqual(8);
          // Now and then the upstream is killed outright (SIGKILL: no chance to say how it ended).
          const kill = attempts < 4 && random.chance(0.4);
          if (kill) figures.killed++;
          const prefix = kill ? `timeout -s KILL ${(0.3 + random.next() * 1.2).toFixed(2)} ` : '';
          const result = await runBash(pipeline(resume, out, prefix), { env: partner.env });
          const codes = status(result.stdout);
          if (codes.upstream !== 0) figures.upstreamFailed++;
          if (codes.downstream === ExitCode.InputIncomplete) figures.inputCut++;
          // The downstream never reports success for input its upstream did not finish: either
          // nothing at all came (killed before its first line: the warning says so), or the
          // upstream had finished (its end mark is written just before it exits, so a SIGKILL in
          // between gives 137 for a complete listing) and then every subscription is out.
          if (codes.upstream !== 0 && codes.downstream === 0) {
            const nothingCame = /Nothing came on standard input/.test(result.stderr);
            if (!nothingCame) {
              expect(kill).toBe(true);
              expect(tally(out).lost).toBe(0);
              figures.killedAfterEnd++;
            }
          }
          if (codes.pipeline === 0) break;
        }
        figures.attempts += attempts;
        expect(tally(out)).toEqual({ lost: 0, repeated: 0, torn: 0 });
        expect(existsSync(resume)).toBe(false);
      }
      partner.emulator.setFaults({});
      console.log(`cut input, seeded: ${JSON.stringify(figures)}`);
    },
    30_000 * trials,
  );
});

describe('input from a program that is not the module', () => {
  it('a torn last line is an error, never data: exit 6, the resume file kept', async () => {
    const data = partner.emulator.dataset;
    const ids = [data.idOf(span.skip), data.idOf(span.skip + 1)];
    const input = file('torn-input.ndjson');
    writeFileSync(
      input,
      `${JSON.stringify({ id: ids[0] })}\n${JSON.stringify({ id: ids[1] }).slice(0, 20)}`,
    );
    const resume = file('torn.resume');
    const result = await runBash(
      `cat "${input}" | ${bin('Get-PartnerCustomerSubscription')} -ResumeFile "${resume}"`,
      { env: partner.env },
    );
    expect(result.code).toBe(ExitCode.InputIncomplete);
    expect(result.stderr).toMatch(
      /its last line \(line 2\) has no newline and cannot be read as JSON/,
    );
    const customers = new Set(parseNdjson(result.stdout).map((line) => line.customerId));
    expect([...customers]).toEqual(data.subscriptionsOf(ids[0]!).length > 0 ? [ids[0]] : []);
    expect(existsSync(resume)).toBe(true);
  });
});

describe('Ctrl-C on a two-command pipeline, at a real terminal', () => {
  it('leaves one instruction to continue, from the command that can: the downstream', async () => {
    const resume = file('ctrl-c.resume');
    const out = file('ctrl-c.ndjson');
    // Slow enough answers that the keypress lands mid-run.
    partner.emulator.configure({ apiLatencyMs: 60 });
    let pressed = false;
    // One customer a page: the listing is still going when the key is pressed.
    const upstream = `${bin('Get-PartnerCustomer')} ${listing(['-PageSize', '1']).join(' ')}`;
    const terminal = await runOnTerminal(
      `${upstream} | ` +
        `${bin('Get-PartnerCustomerSubscription')} -ThrottleLimit 1 -ResumeFile "${resume}" ` +
        `> "${out}"`,
      {
        env: { ...partner.env, COLUMNS: '200' },
        onOutput: ({ stdout }, child) => {
          // The downstream's progress line shows it got input: press Ctrl-C once.
          if (pressed || !/customers? done \([1-9]/.test(stdout)) return;
          pressed = true;
          child.stdin!.write('\u0003');
        },
      },
    ).finally(() => partner.emulator.configure({ apiLatencyMs: 0 }));
    expect(pressed).toBe(true);
    const screen = terminal.stdout.replace(/\r?\n/g, '\n');
    const instructions = screen.match(/run the same pipeline again|-ContinuationToken/g) ?? [];
    expect(instructions).toEqual(['run the same pipeline again']);
    expect(screen).toMatch(
      /Get-PartnerCustomerSubscription: Stopped by SIGINT\. [\d,]+ customers? of the [\d,]+ read (was|were) done/,
    );
    // The upstream states why it stopped and whose instruction to follow.
    expect(screen).toContain(
      'Get-PartnerCustomer: Stopped by SIGINT. Get-PartnerCustomerSubscription, which reads this ' +
        'output, says how to continue.',
    );
    // The upstream (stdout a pipe) drew no progress line of its own; the downstream's is erased.
    expect(screen).not.toMatch(/Listing customers/);
    // What the instruction says holds: the same pipeline again completes the work, once each.
    partner.emulator.setFaults({});
    const rest = await finishInProcess(resume, out, listing(['-PageSize', '1']));
    expect(rest).toEqual({ upstream: 0, downstream: 0, stderr: '' });
    expect(tally(out)).toEqual({ lost: 0, repeated: 0, torn: 0 });
  });
});
