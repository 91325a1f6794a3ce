/**
 * The host with the real cmdlets against the emulator: the fan-out of per-customer cmdlets
 * in-process (several customers at once, -First, input read only as far as needed, -ResumeFile
 * across customers), and the real Get-PartnerCustomer's promises, in real processes where only a
 * process shows them. One file because each of these loaded the emulator, the host and the
 * cmdlets afresh; each keeps its own describe with its own emulator, as before.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import getPartnerCustomer from '../../cmdlets/Get-PartnerCustomer.js';
import getSubscription from '../../cmdlets/Get-PartnerCustomerSubscription.js';
import { DEFAULT_THROTTLE_LIMIT } from '../../lib/cmdlet-support/fan-out.js';
import {
  type CmdletServicesFactory,
  createCmdletServices,
} from '../../lib/cmdlet-support/services.js';
import { InterruptedError } from '../../lib/common/errors.js';
import { type InProcessOptions, runInProcess } from '../fixtures/host/run-in-process.js';
import { type EmulatedPartner, emulatedPartner, idsOf } from '../support/emulated-partner.js';
import { parseNdjson } from '../support/ndjson.js';
import { execFileSync, spawnSync } from 'node:child_process';
import { binPath, runBash } from '../support/cli.js';
import { requireTools } from '../support/required-tools.js';
import { pipelineResumeText } from '../support/resume-file.js';

describe('fan-out', () => {
  /**
   * The fan-out of per-customer cmdlets (lib/host/fan-out.ts) against the real emulator, in-process:
   * several customers at once, each customer's output whole, -First cancelling the rest, input read
   * only as far as the workers need, and -ResumeFile across customers (stopped by a failure and by a
   * signal, then continued: every customer's items exactly once).
   */
  type Json = Record<string, any>;

  const CUSTOMERS = 40;
  const SUBSCRIPTIONS = 'GET /v1/customers/{id}/subscriptions';
  let partner: EmulatedPartner;
  let customers: Json[];
  let scratch: string;

  interface JsonDataset {
    hasCommerceRelationship(customerId: string): boolean;
    subscriptionsOf(customerId: string): Json[];
  }
  const data = () => partner.emulator.dataset as unknown as JsonDataset;
  const served = () => customers.filter((c) => data().hasCommerceRelationship(c.id));
  const expectedOf = (id: string) =>
    data()
      .subscriptionsOf(id)
      .map((s) => ({ customerId: id, ...s }));
  const input = (objects: readonly Json[] = customers) =>
    objects.map((o) => JSON.stringify(o)).join('\n');
  const subscriptionRequests = () => partner.emulator.counters().requests[SUBSCRIPTIONS] ?? 0;

  const run = (argv: string[], options: InProcessOptions = {}) =>
    runInProcess(getSubscription, argv, { env: partner.env, stdin: input(), ...options });

  /** Each customer's objects, checking that no customer's output is split. */
  function groups(stdout: string): Map<string, Json[]> {
    const byCustomer = new Map<string, Json[]>();
    let previous: string | undefined;
    for (const object of parseNdjson(stdout) as Json[]) {
      if (object.customerId !== previous) {
        expect(byCustomer.has(object.customerId)).toBe(false);
        byCustomer.set(object.customerId, []);
        previous = object.customerId;
      }
      byCustomer.get(object.customerId)!.push(object);
    }
    return byCustomer;
  }

  /** Every served customer's subscriptions exactly once, over one or more runs' output. */
  function expectEveryCustomerOnce(...outputs: string[]): void {
    const all = new Map<string, Json[]>();
    for (const output of outputs) {
      for (const [id, objects] of groups(output)) {
        expect(all.has(id)).toBe(false);
        all.set(id, objects);
      }
    }
    const wanted = served().filter((c) => expectedOf(c.id).length > 0);
    expect([...all.keys()].sort()).toEqual(wanted.map((c) => c.id).sort());
    for (const c of wanted) expect(all.get(c.id)).toEqual(expectedOf(c.id));
  }

  beforeAll(async () => {
    partner = await emulatedPartner({ customers: CUSTOMERS });
    const listed = await runInProcess(getPartnerCustomer, [], { env: partner.env });
    customers = parseNdjson(listed.stdout) as Json[];
    expect(customers).toHaveLength(CUSTOMERS);
    scratch = mkdtempSync(join(tmpdir(), 'fan-out-'));
  });

  afterAll(async () => {
    await partner?.dispose();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  describe('several customers at once', () => {
    it('sends requests for several customers before the first one is written', async () => {
      const before = subscriptionRequests();
      let requestsAtFirstWrite: number | undefined;
      const stdout = new (class extends Writable {
        text = '';
        override _write(chunk: Buffer, _: BufferEncoding, done: () => void) {
          requestsAtFirstWrite ??= subscriptionRequests() - before;
          this.text += chunk.toString();
          done();
        }
      })();
      const result = await run(['-ThrottleLimit', '8', '-ErrorAction', 'SilentlyContinue'], {
        stdout,
      });
      expect(result.code).toBe(1);
      expect(requestsAtFirstWrite).toBeGreaterThanOrEqual(2);
      expect(subscriptionRequests() - before).toBe(CUSTOMERS);
      expectEveryCustomerOnce(stdout.text);
    });

    it('refuses a -ThrottleLimit outside 1..64, naming what is allowed (exit 2)', async () => {
      for (const limit of ['0', '65', 'many']) {
        const result = await run(['-ThrottleLimit', limit]);
        expect(result.code).toBe(2);
        expect(result.stderrLines).toHaveLength(1);
        expect(result.stderrLines[0]).toMatch(/parameter 'ThrottleLimit': .* from 1 to 64\.$/);
        expect(result.stdout).toBe('');
      }
    });

    it('takes its default from PARTNERCENTER_THROTTLE_LIMIT', async () => {
      const result = await run(['-ErrorAction', 'SilentlyContinue'], {
        env: { ...partner.env, PARTNERCENTER_THROTTLE_LIMIT: '3' },
      });
      expect(result.code).toBe(1);
      expectEveryCustomerOnce(result.stdout);
    });
  });

  describe('-ThrottleLimit with nothing piped in', () => {
    /**
     * The cap on requests in flight the host gives the run's services (which make the client with
     * it: throttling-and-faults.spec), and the run's output.
     */
    async function runsWithLimit(argv: string[], env: NodeJS.ProcessEnv = partner.env) {
      let limit: number | undefined;
      const services: CmdletServicesFactory = (description) => {
        limit = description.throttleLimit;
        return createCmdletServices(description);
      };
      const id = served()[0]!.id;
      const result = await run(['-CustomerId', id, ...argv], { stdin: undefined, env, services });
      expect(result.code).toBe(0);
      expect(groups(result.stdout).get(id) ?? []).toEqual(expectedOf(id));
      return limit;
    }

    it("caps the client's requests in flight: given, from the environment, defaulted", async () => {
      expect(await runsWithLimit(['-ThrottleLimit', '3'])).toBe(3);
      expect(await runsWithLimit([], { ...partner.env, PARTNERCENTER_THROTTLE_LIMIT: '5' })).toBe(
        5,
      );
      expect(await runsWithLimit([])).toBe(DEFAULT_THROTTLE_LIMIT);
    });
  });

  describe('stopping', () => {
    it('stops at a failure even while the input stays open (a slow or endless upstream)', async () => {
      const gone = '00000000-0000-4000-8000-0000000000dd';
      const open = new Readable({ read() {} });
      open.push(`${JSON.stringify({ id: gone })}\n`);
      const result = await run(['-ThrottleLimit', '2', '-ErrorAction', 'Stop'], { stdin: open });
      expect(result.code).toBe(4);
      expect(result.stderrLines).toHaveLength(1);
      expect(result.stderrLines[0]).toContain(`Customer ${gone}: Partner Center found nothing`);
      expect(open.destroyed).toBe(true);
    });
  });

  describe('-First', () => {
    it('writes that many objects, cancels the rest and sends no request for most customers', async () => {
      const before = subscriptionRequests();
      const result = await run(['-First', '4', '-ThrottleLimit', '2', '-ErrorAction', 'Continue']);
      expect(result.code).toBe(0);
      const objects = parseNdjson(result.stdout) as Json[];
      expect(objects).toHaveLength(4);
      // Whole customers in the order they finished; only the last may be cut short by -First.
      const byCustomer = groups(result.stdout);
      const ids = [...byCustomer.keys()];
      ids.forEach((id, n) => {
        const expected = expectedOf(id);
        if (n < ids.length - 1) expect(byCustomer.get(id)).toEqual(expected);
        else expect(expected.slice(0, byCustomer.get(id)!.length)).toEqual(byCustomer.get(id));
      });
      expect(subscriptionRequests() - before).toBeLessThan(CUSTOMERS / 2);
    });

    it('cancels the requests still in flight once it wrote that many (they end unanswered)', async () => {
      // The last four: the case before cancels its own requests for the first customers, and the
      // emulator may record those late.
      const four = served()
        .filter((c) => expectedOf(c.id).length > 0)
        .slice(-4);
      // The first request is answered after a moment (the others are sent meanwhile); every later
      // one is held far longer than the case may take, so only its cancellation ends the run.
      partner.emulator.setFaults({
        rules: [
          { target: 'api', at: 1, action: { type: 'delay', ms: 300 } },
          { target: 'api', after: 1, action: { type: 'delay', ms: 10 * 60_000 } },
        ],
      });
      partner.emulator.resetCounters();
      try {
        const result = await run(['-First', '1', '-ThrottleLimit', '4'], { stdin: input(four) });
        expect(result.code).toBe(0);
        expect(parseNdjson(result.stdout)).toHaveLength(1);
        const sent = subscriptionRequests();
        expect(sent).toBeGreaterThanOrEqual(2);
        const recorded = () =>
          partner.emulator
            .recentRequests(100)
            .filter((r) => r.route === SUBSCRIPTIONS && four.some((c) => r.url.includes(c.id)));
        // The emulator records a request when its connection closes: wait for every one sent.
        for (let turn = 0; turn < 1000 && recorded().length < sent; turn++)
          await new Promise((resolve) => setTimeout(resolve, 5));
        const statuses = recorded()
          .map((r) => r.status)
          .sort();
        // 0: the connection closed before any answer, as only a client that gave up closes it.
        expect(statuses).toEqual([...Array(sent - 1).fill(0), 200]);
      } finally {
        partner.emulator.setFaults({});
      }
    });

    it('reads the input only as far as the workers need', async () => {
      let generated = 0;
      const template = customers.find((c) => expectedOf(c.id).length > 0)!;
      const endless = new Readable({
        read() {
          generated++;
          this.push(`${JSON.stringify(template)}\n`);
          if (generated >= 100_000) this.push(null);
        },
      });
      const result = await run(['-First', '3', '-ThrottleLimit', '2'], { stdin: endless });
      expect(result.code).toBe(0);
      expect(parseNdjson(result.stdout)).toHaveLength(3);
      expect(generated).toBeLessThan(1_000);
    });

    it('cuts a single customer short too', async () => {
      const id = served().find((c) => expectedOf(c.id).length >= 2)!.id;
      const result = await run(['-CustomerId', id, '-First', '1'], { stdin: undefined });
      expect(result.code).toBe(0);
      expect(parseNdjson(result.stdout)).toEqual(expectedOf(id).slice(0, 1));
    });
  });

  describe('-ResumeFile', () => {
    const resumeFile = (name: string) => join(scratch, name);

    it('continues a run a failure stopped: every customer exactly once over both runs', async () => {
      const file = resumeFile('after-failure.resume');
      const first = await run(['-ResumeFile', file, '-ErrorAction', 'Stop']);
      expect(first.code).toBe(3);
      expect(first.stderrLines).toHaveLength(1);
      // A customer without a commerce relationship stops a rerun with Stop again: the command that
      // continues goes on past it instead.
      expect(first.stderrLines[0]).toContain(
        'records them. To go on past the failed customer, run the same pipeline again without ' +
          `-ErrorAction Stop, ending in: Get-PartnerCustomerSubscription -ResumeFile ${file}`,
      );
      const recorded = readFileSync(file, 'utf8').trim().split('\n');
      expect(JSON.parse(recorded[0]!)).toMatchObject({
        kind: 'PartnerCenter.PipelineRun.Resume',
        cmdlet: 'Get-PartnerCustomerSubscription',
      });
      // Then the failing customers are let through: the rest is done, and nothing twice.
      const second = await run(['-ResumeFile', file, '-ErrorAction', 'SilentlyContinue']);
      expect(second.code).toBe(1);
      expectEveryCustomerOnce(first.stdout, second.stdout);
      // Kept: the customers that failed are not recorded, so a third run retries only those.
      expect(existsSync(file)).toBe(true);
      const before = subscriptionRequests();
      const third = await run(['-ResumeFile', file]);
      const failing = customers.length - served().length;
      expect(subscriptionRequests() - before).toBe(failing);
      expect(third.stdout).toBe('');
      // They failed for good (no commerce relationship): the summary does not offer a rerun.
      expect(third.stderrLines.at(-1)).toBe(
        `Get-PartnerCustomerSubscription: ${failing} of ${customers.length} customers failed: ` +
          `${failing} × no commerce relationship (403, 20002).`,
      );
    });

    it('continues a run a signal stopped, and deletes the file once every customer was done', async () => {
      const file = resumeFile('after-signal.resume');
      const controller = new AbortController();
      let writes = 0;
      const stdout = new (class extends Writable {
        text = '';
        override _write(chunk: Buffer, _: BufferEncoding, done: () => void) {
          this.text += chunk.toString();
          if (++writes === 2) controller.abort(new InterruptedError('SIGINT'));
          done();
        }
      })();
      const succeeding = input(served());
      const first = await run(['-ResumeFile', file, '-ThrottleLimit', '2'], {
        stdin: succeeding,
        stdout,
        signal: controller.signal,
      });
      expect(first.code).toBe(130);
      expect(first.stderrLines).toHaveLength(1);
      expect(first.stderrLines[0]).toMatch(
        /^Get-PartnerCustomerSubscription: .*SIGINT.* \d+ customers? of the \d+ read (was|were) done; /,
      );
      expect(existsSync(file)).toBe(true);
      const second = await run(['-ResumeFile', file], { stdin: succeeding });
      expect(second.code).toBe(0);
      expect(second.stderr).toBe('');
      expectEveryCustomerOnce(stdout.text, second.stdout);
      expect(existsSync(file)).toBe(false);
    });

    it('records a customer only once stdout has taken its output, so a kill cannot lose it', async () => {
      const file = resumeFile('delivered.resume');
      const recorded = () =>
        existsSync(file)
          ? readFileSync(file, 'utf8')
              .split('\n')
              .slice(1, -1)
              .map((line) => JSON.parse(line).key as string)
          : [];
      // A slow reader: each write is taken a moment after it was handed over. Before it is, a
      // journal that records its customer is ahead of the output (a SIGKILL then loses that
      // customer: recorded as done, its lines never arrived).
      const ahead = new Set<string>();
      let writes = 0;
      const stdout = new (class extends Writable {
        taken = '';
        override _write(chunk: Buffer, _: BufferEncoding, done: () => void) {
          setTimeout(() => {
            const taken = new Set((parseNdjson(this.taken) as Json[]).map((o) => o.customerId));
            for (const id of recorded())
              if (!taken.has(id) && expectedOf(id).length > 0) ahead.add(id);
            writes++;
            this.taken += chunk.toString();
            done();
          }, 5);
        }
      })({ highWaterMark: 1024 });
      const result = await run(['-ResumeFile', file, '-ThrottleLimit', '4'], {
        stdin: input(served()),
        stdout,
      });
      expect(result.code).toBe(0);
      expect(writes).toBeGreaterThan(1);
      expect([...ahead]).toEqual([]);
      expectEveryCustomerOnce(stdout.taken);
    });

    it('refuses the file of a run with other parameters, and a damaged one, before any request', async () => {
      const file = resumeFile('other.resume');
      const id = served()[0]!.id;
      writeFileSync(
        file,
        pipelineResumeText('Get-PartnerCustomerSubscription', { OrderId: 'order-1' }, [id]),
      );
      const before = subscriptionRequests();
      const other = await run(['-ResumeFile', file]);
      expect(other.code).toBe(2);
      expect(other.stderrLines).toEqual([
        `Get-PartnerCustomerSubscription: The resume file '${file}' belongs to a run of ` +
          'Get-PartnerCustomerSubscription with other parameters (-OrderId "order-1" there, not ' +
          'given here). Resume with the parameters that run had, or delete the file (or choose ' +
          'another -ResumeFile) to do every input object.',
      ]);
      writeFileSync(file, 'not a resume file\n');
      const damaged = await run(['-ResumeFile', file]);
      expect(damaged.stderrLines).toHaveLength(1);
      expect(damaged.stderrLines[0]).toBe(
        `Get-PartnerCustomerSubscription: The resume file '${file}' is not a resume file of this ` +
          'module; it was left untouched. Give this command a -ResumeFile of its own (a new ' +
          'path, or an empty file): each command of a pipeline needs its own.',
      );
      expect(damaged.code).toBe(2);
      expect(readFileSync(file, 'utf8')).toBe('not a resume file\n');
      expect(subscriptionRequests()).toBe(before);
    });

    it('ignores a last record cut off by a kill: that customer is simply done again', async () => {
      const file = resumeFile('torn.resume');
      const [done, torn] = served();
      writeFileSync(
        file,
        `${pipelineResumeText('Get-PartnerCustomerSubscription', {}, [done!.id])}{"key":"${torn!.id}`,
      );
      const result = await run(['-ResumeFile', file], { stdin: input([done!, torn!]) });
      expect(result.code).toBe(0);
      expect([...groups(result.stdout).keys()]).toEqual(
        expectedOf(torn!.id).length > 0 ? [torn!.id] : [],
      );
    });

    it('is refused without pipeline input (exit 2)', async () => {
      const result = await run(['-CustomerId', served()[0]!.id, '-ResumeFile', resumeFile('x')], {
        stdin: undefined,
      });
      expect(result.code).toBe(2);
      expect(result.stderrLines).toHaveLength(1);
      expect(result.stderrLines[0]).toMatch(/-ResumeFile records which pipeline input objects/);
      expect(existsSync(resumeFile('x'))).toBe(false);
    });
  });
});

describe('customers end to end', () => {
  /**
   * The host's promises with the real Get-PartnerCustomer against the emulator: pipelines by
   * property name between real processes, a table on a real terminal, and a -Debug trace as a
   * process (main() adds Node's own warnings to it). Every output format and bad input lines (exit 2
   * with -ErrorAction Stop, 1 without) run the same host and cmdlet in this process, where they show
   * the same at no process start-up (spec/README.md, "Process or in-process").
   */
  let partner: EmulatedPartner;
  beforeAll(async () => {
    partner = await emulatedPartner({ customers: 12 });
  });
  afterAll(() => partner?.dispose());

  const bin = (name: string) => `"${process.execPath}" "${binPath(name)}"`;

  /** Runs a bash pipeline of real commands; reports each command's exit status. */
  async function pipeline(
    script: string,
  ): Promise<{ stdout: string; stderr: string; statuses: number[] }> {
    const { stdout, stderr } = await runBash(`${script}; echo "statuses=\${PIPESTATUS[*]}" >&2`, {
      env: partner.env,
    });
    const match = /statuses=([\d ]+)\n$/.exec(stderr);
    return {
      stdout,
      stderr: stderr.replace(/statuses=.*\n$/, ''),
      statuses: (match?.[1] ?? '').split(' ').map(Number),
    };
  }

  describe('pipelines of real commands', () => {
    it('Get-PartnerCustomer -First 5 | Get-PartnerCustomer returns each customer in full', async () => {
      const result = await pipeline(
        `${bin('Get-PartnerCustomer')} -First 5 | ${bin('Get-PartnerCustomer')}`,
      );
      expect(result.statuses).toEqual([0, 0]);
      expect(result.stderr).toBe('');
      const customers = parseNdjson(result.stdout);
      expect(idsOf(customers)).toEqual(
        partner.emulator.customers.slice(0, 5).map((customer) => customer.id),
      );
      for (const customer of customers) expect(customer).toHaveProperty('billingProfile');
    });
  });

  describe('bad input lines', () => {
    it(
      'a malformed line stops the downstream command naming the line with -ErrorAction Stop ' +
        '(exit 2); by default it goes on (exit 1)',
      async () => {
        const first = partner.emulator.customers[0]!.id as string;
        const third = partner.emulator.customers[2]!.id as string;
        const input = `{"id":"${first}"}\n{oops\n{"id":"${third}"}\n`;
        const stop = await partner.runInProcess(
          'Get-PartnerCustomer',
          ['-ErrorAction', 'Stop'],
          input,
        );
        expect(stop.code).toBe(2);
        expect(stop.stderr).toMatch(/^Get-PartnerCustomer: Input line 2 is not valid JSON/);
        expect(stop.stderr.trim().split('\n')).toHaveLength(1);
        expect(idsOf(parseNdjson(stop.stdout))).toEqual([first]);
        const goOn = await partner.runInProcess('Get-PartnerCustomer', [], input);
        expect(goOn.code).toBe(1);
        expect(idsOf(parseNdjson(goOn.stdout))).toEqual([first, third]);
      },
    );
  });

  describe('every output format with real customers', () => {
    it('Json is one array of the same customers Ndjson writes', async () => {
      const ndjson = await partner.runInProcess('Get-PartnerCustomer', ['-First', '4']);
      const json = await partner.runInProcess('Get-PartnerCustomer', [
        '-First',
        '4',
        '-OutputFormat',
        'Json',
      ]);
      expect(json.code).toBe(0);
      expect(JSON.parse(json.stdout)).toEqual(parseNdjson(ndjson.stdout));
    });

    it('Csv has the customer view as its header and one record per customer', async () => {
      const result = await partner.runInProcess('Get-PartnerCustomer', [
        '-First',
        '3',
        '-of',
        'csv',
      ]);
      const records = result.stdout.split('\r\n');
      expect(records[0]).toBe('CustomerId,Domain,Name,Relationship');
      expect(records.slice(1, -1)).toHaveLength(3);
      expect(records[1]!.startsWith(`${partner.emulator.customers[0]!.id as string},`)).toBe(true);
    });

    it('Table shows the customer view', async () => {
      const result = await partner.runInProcess('Get-PartnerCustomer', [
        '-First',
        '3',
        '-of',
        'Table',
        '-Property',
        'id,relationshipToPartner',
      ]);
      const lines = result.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^id +relationshipToPartner$/);
      expect(lines).toHaveLength(5);
    });
  });

  describe('-Debug', () => {
    it('traces without a token or the client secret anywhere on stderr', async () => {
      // A process: main() also turns Node's own warnings into DEBUG lines under -Debug.
      const result = await partner.run('Get-PartnerCustomer', ['-First', '2', '-Debug']);
      expect(result.code).toBe(0);
      expect(result.stderr).toMatch(/^DEBUG: /m);
      expect(result.stderr).not.toMatch(/eyJ[\w-]{10,}/);
      expect(result.stderr).not.toContain(partner.emulator.clientSecret);
      for (const line of result.stderr.trim().split('\n')) expect(line).toMatch(/^DEBUG: /);
    });
  });

  describe('on a real terminal (tmux)', () => {
    requireTools('tmux');
    it('lists customers as a table with the customer view when the context prefers Table', async () => {
      const socket = join(partner.configDir, 'tmux.sock');
      const tmuxRun = (...args: string[]) =>
        execFileSync('tmux', ['-S', socket, ...args], { encoding: 'utf8' });
      const session = 'customers';
      tmuxRun(
        'new-session',
        '-d',
        '-s',
        session,
        '-x',
        '150',
        '-y',
        '30',
        '-e',
        `PARTNERCENTER_CONFIG_DIR=${partner.configDir}`,
        '-e',
        `PARTNERCENTER_CLIENT_SECRET=${partner.emulator.clientSecret}`,
        '-e',
        'PARTNERCENTER_OUTPUT_FORMAT=Table',
        'bash',
        '--norc',
        '--noprofile',
      );
      try {
        tmuxRun(
          'send-keys',
          '-t',
          session,
          `${bin('Get-PartnerCustomer')} -First 3; echo DONE=$?`,
          'Enter',
        );
        let screen = '';
        for (let i = 0; i < 200 && !/^DONE=\d/m.test(screen); i++) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          screen = tmuxRun('capture-pane', '-p', '-t', session);
        }
        expect(screen).toMatch(/^DONE=0/m);
        expect(screen).toMatch(/^CustomerId +Domain +Name +Relationship$/m);
        const first = partner.emulator.customers[0]!;
        expect(screen).toContain(first.id as string);
      } finally {
        spawnSync('tmux', ['-S', socket, 'kill-server']);
      }
    });
  });
});
