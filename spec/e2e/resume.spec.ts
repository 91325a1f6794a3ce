/**
 * Resumable listings (issue 5): when Get-PartnerCustomer gives up (retries exhausted, a sign-in
 * that cannot be renewed, a continuation token the service no longer accepts), its one stderr line
 * says how many customers were written and the exact command that continues, the exit code is the
 * documented one, and the failed run plus the resumed run hold every customer exactly once.
 * -ResumeFile keeps that position on disk and refuses a resume with other parameters. -MaxRetry,
 * PARTNERCENTER_MAX_RETRY(_WAIT) and the context setting bound the retries.
 *
 * The runs that give up spawn the real command once per exit code (5 and 3: the codes are the
 * point); what follows them (the resume, a refused resume, signing in again), the -ResumeFile run
 * that gives up with 5 again and the variations run the same host and cmdlet in-process.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StartedEmulator } from '../../lib/emulator/index.js';
import { emulatedPartner, type EmulatedPartner } from '../support/emulated-partner.js';
import {
  errorLines,
  FAST_RETRY_DELAY,
  idsOf,
  resumeCommandOf,
  runListing,
} from '../faults/support/listing-runs.js';

let partner: EmulatedPartner;
let emulator: StartedEmulator;
let env: NodeJS.ProcessEnv;
const expected = () => emulator.customers.map((customer) => customer.id as string);
/**
 * From the third listing request on, every request fails: two pages get through, the third never
 * does.
 */
const failFromThirdRequest = () =>
  emulator.setFaults({ rules: [{ after: 2, action: { type: 'status', status: 503 } }] });

beforeAll(async () => {
  partner = await emulatedPartner({ customers: 230 });
  emulator = partner.emulator as StartedEmulator;
  env = { ...partner.env, ...FAST_RETRY_DELAY };
});
afterEach(() => emulator.setFaults({}));
afterAll(() => partner.dispose());

describe('a listing that gives up (real processes for its exit codes), then resumed', () => {
  it(
    'exits 5 with the count and the -ContinuationToken command, -Verbose ' +
      'shows each retry, and the command completes the set',
    async () => {
      failFromThirdRequest();
      const failed = await runListing(
        'process',
        ['-PageSize', '50', '-MaxRetry', '2', '-Verbose'],
        env,
      );
      expect(failed.code).toBe(5);
      const written = idsOf(failed.stdout);
      expect(written).toEqual(expected().slice(0, 100));
      expect(failed.stderr).toMatch(
        /^VERBOSE: GET \/v1\/customers\?size=50&seekOperation=Next failed \(HTTP 503 Service Unavailable.*\): retrying in \d+ ms, attempt 2 of 3\.$/m,
      );
      const [line, ...more] = errorLines(failed.stderr);
      expect(more).toEqual([]);
      expect(line).toMatch(
        /^Get-PartnerCustomer: GET \/v1\/customers\?size=50&seekOperation=Next failed after 3 attempts; last problem: HTTP 503 .*\. Try again later or raise -MaxRetry\. .* 100 customers were written\. To continue with the next one, run: Get-PartnerCustomer -PageSize 50 -ContinuationToken \S+$/,
      );
      emulator.setFaults({});
      const resumed = await runListing('in-process', resumeCommandOf(line!), env);
      expect(resumed.code).toBe(0);
      expect([...written, ...idsOf(resumed.stdout)]).toEqual(expected());
    },
  );

  it(
    'with -ResumeFile: the file holds the position, a resume with another ' +
      '-PageSize is refused (exit 2), the same command completes and deletes it',
    async () => {
      const file = join(partner.configDir, 'list.resume');
      const args = ['-PageSize', '50', '-MaxRetry', '1', '-ResumeFile', file];
      failFromThirdRequest();
      // In-process: the exit code 5 of a real process that gives up is the case above's.
      const failed = await runListing('in-process', args, env);
      expect(failed.code).toBe(5);
      const written = idsOf(failed.stdout);
      expect(errorLines(failed.stderr)[0]).toMatch(
        new RegExp(
          `100 customers were written; ${file} keeps the position\\. To continue with ` +
            `the next one, run: Get-PartnerCustomer -PageSize 50 -ResumeFile ${file}$`,
        ),
      );
      expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({
        kind: 'PartnerCenter.CustomerListing.Resume',
        listing: { pageSize: 50, filter: null, first: null, skip: 0 },
        position: { continuationToken: expect.any(String), skip: 0, offset: 100 },
        written: 100,
      });

      emulator.setFaults({});
      const other = await runListing('in-process', ['-PageSize', '40', '-ResumeFile', file], env);
      expect(other.code).toBe(2);
      expect(other.stderr).toBe(
        `Get-PartnerCustomer: The resume file '${file}' belongs to a listing with ` +
          'other parameters (-PageSize 50 there, 40 here). Resume with the parameters ' +
          'that listing had, or delete the file (or choose another -ResumeFile) to ' +
          'start this listing from the beginning.\n',
      );
      const resumed = await runListing('in-process', args, env);
      expect(resumed.code).toBe(0);
      expect([...written, ...idsOf(resumed.stdout)]).toEqual(expected());
      expect(existsSync(file)).toBe(false);
    },
  );

  it(
    'a sign-in that cannot be renewed mid-run exits 3 with the resume ' +
      'command, which completes the set once connected again',
    async () => {
      const connectWithToken = () =>
        partner.runInProcess(
          'Connect-Partner',
          [
            '-AccessToken',
            '-',
            '-ApiEndpoint',
            emulator.apiEndpoint,
            '-CaCertificatePath',
            emulator.caCertificatePath!,
            '-ContextName',
            'token',
          ],
          emulator.issueAccessToken({ lifetimeSeconds: 600 }),
        );
      expect((await connectWithToken()).code).toBe(0);
      emulator.setFaults({ rules: [{ at: 3, action: { type: 'expire-tokens' } }] });
      const failed = await runListing('process', ['-PageSize', '50', '-Context', 'token'], env);
      expect(failed.code).toBe(3);
      const [line, ...more] = errorLines(failed.stderr);
      expect(more).toEqual([]);
      expect(line).toMatch(
        /^Get-PartnerCustomer: The access token saved in context 'token' has expired \(or was rejected\) and cannot be renewed\. .* 100 customers were written\. To continue with the next one, run: Get-PartnerCustomer -PageSize 50 -ContinuationToken \S+ -Context token$/,
      );
      emulator.setFaults({});
      expect((await connectWithToken()).code).toBe(0);
      const resumed = await runListing('in-process', resumeCommandOf(line!), env);
      expect(resumed.code).toBe(0);
      expect([...idsOf(failed.stdout), ...idsOf(resumed.stdout)]).toEqual(expected());
    },
  );
});

describe('continuation tokens the service no longer accepts (in-process)', () => {
  it(
    'invalidated mid-run: reported as such (exit 5), and the run that lists ' +
      'again from the start skipping what was written completes the set',
    async () => {
      // Faults count API requests: a token an earlier case expired would make the first one a
      // 401, so the context renews it first and request 3 is the third page's.
      expect((await runListing('in-process', ['-First', '1'], env)).code).toBe(0);
      emulator.setFaults({
        rules: [{ at: 3, action: { type: 'invalidate-continuation-tokens' } }],
      });
      const failed = await runListing('in-process', ['-PageSize', '50'], env);
      expect(failed.code).toBe(5);
      const [line] = errorLines(failed.stderr);
      expect(line).toMatch(
        /^Get-PartnerCustomer: Partner Center no longer accepts the continuation token \(HTTP 400 .*\)\. 100 customers were written\. No token can continue this listing, so the next run lists again from the start and skips the 100 customer\(s\) before this point \(exact unless customers were added or removed meanwhile\): Get-PartnerCustomer -PageSize 50 -Skip 100$/,
      );
      emulator.setFaults({});
      const resumed = await runListing('in-process', resumeCommandOf(line!), env);
      expect(resumed.code).toBe(0);
      expect([...idsOf(failed.stdout), ...idsOf(resumed.stdout)]).toEqual(expected());
    },
  );

  it(
    'kept in a resume file that outlived it: a WARNING, then the listing ' +
      'continues from the start skipping what was written',
    async () => {
      const file = join(partner.configDir, 'stale.resume');
      const args = ['-PageSize', '50', '-MaxRetry', '0', '-ResumeFile', file];
      failFromThirdRequest();
      const failed = await runListing('in-process', args, env);
      expect(failed.code).toBe(5);
      emulator.setFaults({});
      emulator.invalidateContinuationTokens();
      const resumed = await runListing('in-process', args, env);
      expect(resumed.code).toBe(0);
      expect(resumed.stderr).toBe(
        'WARNING: Partner Center no longer accepts the continuation token kept in ' +
          `'${file}'; listing again from the start and skipping the 100 customer(s) ` +
          'before the saved position (exact unless customers were added or removed meanwhile).\n',
      );
      expect([...idsOf(failed.stdout), ...idsOf(resumed.stdout)]).toEqual(expected());
    },
  );

  it(
    'a forged -ContinuationToken is a usage error (exit 2) that says how to ' + 'continue instead',
    async () => {
      const result = await runListing(
        'in-process',
        ['-ContinuationToken', 'eyJvIjo1MH0.forged'],
        env,
      );
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(
        /^Get-PartnerCustomer: Partner Center no longer accepts the continuation token \(HTTP 400 .*\)\. A token is only valid for a limited time\. .* -Skip <the number of customers they wrote> in place of -ContinuationToken\.\n$/,
      );
    },
  );

  it(
    '-ResumeFile with -ContinuationToken, and a resume file that is not one, ' +
      'are refused before any request',
    async () => {
      const file = join(partner.configDir, 'not-a-resume-file');
      writeFileSync(file, '{"hello":"world"}');
      emulator.resetCounters();
      const [both, foreign] = await Promise.all([
        runListing('in-process', ['-ResumeFile', file, '-ContinuationToken', 'x'], env),
        runListing('in-process', ['-ResumeFile', file], env),
      ]);
      expect([both.code, both.stderr]).toEqual([
        2,
        'Get-PartnerCustomer: -ResumeFile and -ContinuationToken cannot be used ' +
          'together. A resume file keeps the continuation token itself: give only ' +
          '-ResumeFile.\n',
      ]);
      expect([foreign.code, foreign.stderr]).toEqual([
        2,
        `Get-PartnerCustomer: The resume file '${file}' is not a resume file of this module; ` +
          'it was left untouched. Give this command a -ResumeFile of its own (a new path, or ' +
          'an empty file): each command of a pipeline needs its own.\n',
      ]);
      expect(emulator.counters().requests['GET /v1/customers'] ?? 0).toBe(0);
      expect(readFileSync(file, 'utf8')).toBe('{"hello":"world"}');
    },
  );
});

describe('retry limits (in-process)', () => {
  it(
    '-MaxRetry, PARTNERCENTER_MAX_RETRY and the context setting bound the ' +
      'attempts, in that order of precedence',
    async () => {
      emulator.setFaults({ rules: [{ after: 0, action: { type: 'status', status: 503 } }] });
      const attemptsOf = (result: { stderr: string }) =>
        Number(/failed after (\d+) attempts?/.exec(result.stderr)?.[1]);
      const contextFile = join(partner.configDir, 'contexts', 'default.json');
      const saved = readFileSync(contextFile, 'utf8');
      writeFileSync(contextFile, JSON.stringify({ ...JSON.parse(saved), maxRetry: 1 }));
      try {
        const args = ['-First', '1', '-Context', 'default'];
        const fromContext = await runListing('in-process', args, env);
        const fromEnv = await runListing('in-process', args, {
          ...env,
          PARTNERCENTER_MAX_RETRY: '2',
        });
        const fromParameter = await runListing('in-process', [...args, '-MaxRetry', '0'], {
          ...env,
          PARTNERCENTER_MAX_RETRY: '2',
        });
        expect([fromContext.code, fromEnv.code, fromParameter.code]).toEqual([5, 5, 5]);
        expect([attemptsOf(fromContext), attemptsOf(fromEnv), attemptsOf(fromParameter)]).toEqual([
          2, 3, 1,
        ]);
      } finally {
        writeFileSync(contextFile, saved);
      }
    },
  );

  it(
    'PARTNERCENTER_MAX_RETRY_WAIT bounds the total wait: a Retry-After beyond ' +
      'it ends the call at once',
    async () => {
      emulator.setFaults({
        rules: [{ after: 0, action: { type: 'throttle', retryAfterSeconds: 30 } }],
      });
      const result = await runListing('in-process', ['-First', '1'], {
        ...env,
        PARTNERCENTER_MAX_RETRY_WAIT: '1',
      });
      expect(result.code).toBe(5);
      expect(result.stderr).toMatch(
        /failed after 1 attempt and 0 ms of waiting \(the next wait, 30(\.\d+)? s, would pass the limit of 1\.0 s\); last problem: HTTP 429.* Partner Center is throttling this partner: wait a minute and resume, or raise -MaxRetry\.\n$/,
      );
    },
  );

  it('refuses bad values before any request, naming the parameter or the variable', async () => {
    const results = await Promise.all([
      runListing('in-process', ['-MaxRetry', '21'], env),
      runListing('in-process', [], { ...env, PARTNERCENTER_MAX_RETRY: 'lots' }),
      runListing('in-process', [], { ...env, PARTNERCENTER_REQUEST_TIMEOUT_MS: '-5' }),
    ]);
    expect(results.map((result) => result.code)).toEqual([2, 2, 2]);
    expect(results[0]!.stderr).toBe(
      "Get-PartnerCustomer: Cannot bind parameter 'MaxRetry': 21 is outside the " +
        'allowed range 0..20. Use a whole number from 0 to 20.\n',
    );
    expect(results[1]!.stderr).toMatch(
      /^Get-PartnerCustomer: Cannot bind parameter 'MaxRetry' from environment variable PARTNERCENTER_MAX_RETRY: /,
    );
    expect(results[2]!.stderr).toBe(
      'Get-PartnerCustomer: Environment variable ' +
        'PARTNERCENTER_REQUEST_TIMEOUT_MS is "-5", which is not a number from 1 ' +
        'to 3600000. Set PARTNERCENTER_REQUEST_TIMEOUT_MS to a number from 1 to ' +
        '3600000, or unset it.\n',
    );
  });
});
