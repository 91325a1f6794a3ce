/**
 * Standard input never swallows a runbook's work (about_Pipelines, "Standard input"): the real
 * bin/ command started the ways runbooks and schedulers start it. Only a process shows what its
 * stdin is (an empty pipe, a pipe nobody closes, /dev/null); what piped objects bind to runs
 * in-process.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ExitCode } from '../../lib/common/exit-codes.js';
import { binPath, runBash, spawnCollect } from '../support/cli.js';
import { type EmulatedPartner, emulatedPartner } from '../support/emulated-partner.js';
import { parseNdjson } from '../support/ndjson.js';

let partner: EmulatedPartner;
let customerId: string;
let expected: string[];

beforeAll(async () => {
  partner = await emulatedPartner({ customers: 12 });
  const data = partner.emulator.dataset;
  customerId = Array.from({ length: 12 }, (_, index) => data.idOf(index)).find(
    (id) => data.hasCommerceRelationship(id) && data.subscriptionsOf(id).length > 0,
  )!;
  expected = data.subscriptionsOf(customerId).map((subscription) => subscription.id as string);
});

afterAll(async () => {
  await partner?.dispose();
});

const command = 'Get-PartnerCustomerSubscription';
const ids = (stdout: string) => parseNdjson(stdout).map((line) => line.id);

describe('-CustomerId given: stdin is not read, whatever it is', () => {
  it('an empty pipe (`true |`)', async () => {
    const result = await runBash(
      `true | "${process.execPath}" "${binPath(command)}" -CustomerId ${customerId}`,
      { env: partner.env },
    );
    expect(result.code).toBe(0);
    expect(ids(result.stdout)).toEqual(expected);
    expect(result.stderr).toBe('');
  });

  it("Node's execFileSync (stdin a pipe closed with nothing in it)", async () => {
    // From a runbook process of its own: a synchronous call here would block the emulator, which
    // answers from this process.
    const runbook =
      "const { execFileSync } = require('node:child_process');" +
      'process.stdout.write(execFileSync(process.execPath, process.argv.slice(1)));';
    const result = await spawnCollect(
      process.execPath,
      ['-e', runbook, binPath(command), '-CustomerId', customerId],
      { env: partner.env },
    );
    expect(result.code).toBe(0);
    expect(ids(result.stdout)).toEqual(expected);
  });

  it("Node's execFile, stdin left open: it ends by itself", async () => {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [binPath(command), '-CustomerId', customerId],
      { env: partner.env, timeout: 20_000 },
    );
    expect(ids(stdout)).toEqual(expected);
    expect(stderr).toBe('');
  });

  it('a cron-like </dev/null', async () => {
    const result = await runBash(
      `"${process.execPath}" "${binPath(command)}" -CustomerId ${customerId} </dev/null`,
      { env: partner.env },
    );
    expect(result.code).toBe(0);
    expect(ids(result.stdout)).toEqual(expected);
  });
});

describe('no -CustomerId: stdin is the input, and saying nothing is not silent', () => {
  it('an empty pipe warns, naming what to give, and exits 0', async () => {
    const result = await runBash(`true | "${process.execPath}" "${binPath(command)}"`, {
      env: partner.env,
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `WARNING: Nothing came on standard input, so ${command} read no objects and did nothing. ` +
        'If that was not meant: give -CustomerId on the command line (then standard input is ' +
        'not read), or pipe in the objects to work on.\n',
    );
  });

  it('</dev/null is no input at all: the missing -CustomerId is the usage error it is', async () => {
    const result = await runBash(`"${process.execPath}" "${binPath(command)}" </dev/null`, {
      env: partner.env,
    });
    expect(result.code).toBe(ExitCode.Usage);
    expect(result.stderr).toMatch(/CustomerId/);
  });

  it("the module's own subscriptions carry customerId: piped in, each is got by id", async () => {
    // What is bound is the objects' own customerId, not how stdin is: the real host in this
    // process, fed the first command's output.
    const listed = await partner.runInProcess(command, ['-CustomerId', customerId]);
    expect(listed.code).toBe(0);
    const result = await partner.runInProcess(command, ['-ThrottleLimit', '1'], listed.stdout);
    expect(result.code).toBe(0);
    expect(ids(result.stdout)).toEqual(expected);
  });
});
