/**
 * A resume file belongs to one run at a time and is only ever a resume file (issue 18, item 3;
 * lib/cmdlet-support/resume-file-claim.ts): a second run on the same file refuses at once (exit 2,
 * naming the process that has it) instead of writing everything twice; the lock of a run killed
 * by SIGKILL is taken over; a symlink, a foreign file, or the other kind of resume file (a
 * listing's given to a fan-out, and the other way round) is refused untouched; a missing or
 * read-only directory is refused before any request or output; resume files are 0600.
 *
 * Overlapping runs of a cron job are real processes; the rest runs in-process against the real
 * emulator.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import getPartnerCustomer from '../../cmdlets/Get-PartnerCustomer.js';
import getSubscription from '../../cmdlets/Get-PartnerCustomerSubscription.js';
import { type InProcessOptions, runInProcess } from '../fixtures/host/run-in-process.js';
import { binPath, runCli, spawnCollect, type CliResult } from '../support/cli.js';
import { type EmulatedPartner, emulatedPartner } from '../support/emulated-partner.js';
import { parseNdjson } from '../support/ndjson.js';

type Json = Record<string, any>;
const FAN_OUT = 'Get-PartnerCustomerSubscription';
const posix = process.platform !== 'win32';

let partner: EmulatedPartner;
/** Customers with subscriptions (and a commerce relationship): each writes at least one line. */
let customers: Json[];
let scratch: string;
let files = 0;
const newPath = (name = 'run') => join(scratch, `${name}-${++files}.resume`);

interface JsonDataset {
  hasCommerceRelationship(customerId: string): boolean;
  subscriptionsOf(customerId: string): Json[];
}
const data = () => partner.emulator.dataset as unknown as JsonDataset;
const line = (customer: Json) => `${JSON.stringify(customer)}\n`;
const input = (list: readonly Json[] = customers) => list.map(line).join('');
const requests = () =>
  Object.values(partner.emulator.counters().requests).reduce((sum, n) => sum + n, 0);
const customerIdsOf = (stdout: string) => [
  ...new Set((parseNdjson(stdout) as Json[]).map((s) => s.customerId as string)),
];
const fanOut = (argv: string[], options: InProcessOptions = {}) =>
  runInProcess(getSubscription, argv, { env: partner.env, stdin: input(), ...options });
const listing = (argv: string[], options: InProcessOptions = {}) =>
  runInProcess(getPartnerCustomer, argv, { env: partner.env, ...options });

/** A file's content and mode, to show it was left untouched. */
const stateOf = (path: string) => ({
  text: readFileSync(path, 'utf8'),
  mode: statSync(path).mode & 0o777,
});

beforeAll(async () => {
  partner = await emulatedPartner({ customers: 30 });
  const listed = await runInProcess(getPartnerCustomer, [], { env: partner.env });
  customers = (parseNdjson(listed.stdout) as Json[]).filter(
    (c) => data().hasCommerceRelationship(c.id) && data().subscriptionsOf(c.id).length > 0,
  );
  expect(customers.length).toBeGreaterThan(4);
  scratch = mkdtempSync(join(tmpdir(), 'resume-claims-'));
});
afterAll(async () => {
  await partner.dispose();
  rmSync(scratch, { recursive: true, force: true });
});

/**
 * A fan-out process whose stdin stays open: it is given the first customer, and `whileRunning`
 * is called once that customer's output came out (the run holds its resume file, and waits for
 * more input); then the rest of the customers are sent, or the process is killed, as it says.
 */
function overlappedRun(
  file: string,
  whileRunning: (pid: number) => Promise<'finish' | 'kill'>,
): Promise<CliResult> {
  const [first, ...rest] = customers;
  const firstLines = data().subscriptionsOf(first!.id).length;
  let started = false;
  return spawnCollect(process.execPath, [binPath(FAN_OUT), '-ResumeFile', file], {
    env: partner.env,
    openStdin: true,
    input: line(first!),
    onOutput: ({ stdout }, child) => {
      if (started || stdout.split('\n').length <= firstLines) return;
      started = true;
      void whileRunning(child.pid!).then((next) => {
        if (next === 'kill') child.kill('SIGKILL');
        else child.stdin!.end(input(rest));
      });
    },
  });
}

describe('two runs on one resume file', () => {
  it(
    'a second run (a cron job overlapping itself) refuses at once with exit 2, naming ' +
      'the first; the first does every customer once',
    async () => {
      const file = newPath('cron');
      let second: CliResult | undefined;
      let requestsOfSecond = -1;
      let holder = 0;
      const first = await overlappedRun(file, async (pid) => {
        holder = pid;
        const before = requests();
        second = await runCli(FAN_OUT, ['-ResumeFile', file], { env: partner.env, input: input() });
        requestsOfSecond = requests() - before;
        return 'finish';
      });
      expect(second?.code).toBe(2);
      expect(second?.stdout).toBe('');
      expect(second?.stderr).toMatch(
        new RegExp(
          `^${FAN_OUT}: The resume file '${escapeRegExp(file)}' is in use by another run: process ` +
            `${holder} \\(${FAN_OUT}\\), since \\S+\\. Wait for that run to end, or give this one ` +
            'another -ResumeFile',
        ),
      );
      expect(second?.stderr.trim().split('\n')).toHaveLength(1);
      expect(requestsOfSecond).toBe(0);
      expect([first.code, first.stderr]).toEqual([0, '']);
      expect(customerIdsOf(first.stdout).sort()).toEqual(customers.map((c) => c.id).sort());
      expect(parseNdjson(first.stdout)).toHaveLength(
        customers.reduce((n, c) => n + data().subscriptionsOf(c.id).length, 0),
      );
      // Done: neither the resume file nor its lock is left.
      expect([existsSync(file), existsSync(`${file}.lock`)]).toEqual([false, false]);
    },
  );

  it(
    'a run killed by SIGKILL leaves its lock, which the next run takes over: it does ' +
      'exactly the customers not recorded',
    async () => {
      const file = newPath('killed');
      const killed = await overlappedRun(file, async () => 'kill');
      expect(killed.signal).toBe('SIGKILL');
      expect(existsSync(`${file}.lock`)).toBe(true);
      // Killed right after its first customer's output came out: recorded then, or not yet.
      const recorded = (existsSync(file) ? readFileSync(file, 'utf8') : '')
        .split('\n')
        .slice(1)
        .filter(Boolean)
        .map((record) => JSON.parse(record).key as string);
      const resumed = await fanOut(['-ResumeFile', file]);
      expect([resumed.code, resumed.stderr]).toEqual([0, '']);
      expect(recorded.length).toBeLessThanOrEqual(1);
      expect(customerIdsOf(resumed.stdout).sort()).toEqual(
        customers
          .map((c) => c.id)
          .filter((id) => !recorded.includes(id))
          .sort(),
      );
      expect([existsSync(file), existsSync(`${file}.lock`)]).toEqual([false, false]);
    },
  );

  it('a listing refuses a file another listing is using (in-process), and runs once it is free', async () => {
    const file = newPath('listing');
    // The first listing's stdout takes its first page and then nothing (a reader that stalls,
    // with no room to buffer): it holds the file.
    let taken = '';
    let holding = true;
    let held: (() => void) | undefined;
    let firstWrite: () => void = () => {};
    const wrote = new Promise<void>((resolve) => {
      firstWrite = resolve;
    });
    const stalled = new Writable({
      highWaterMark: 1,
      write(chunk: Buffer, _encoding, callback) {
        taken += chunk.toString('utf8');
        if (!holding) return callback();
        held = callback;
        firstWrite();
      },
    });
    const first = listing(['-PageSize', '5', '-ResumeFile', file], { stdout: stalled });
    await wrote;
    const before = requests();
    const second = await listing(['-PageSize', '5', '-ResumeFile', file]);
    expect(second.code).toBe(2);
    expect(second.stdout).toBe('');
    expect(second.stderrLines).toEqual([
      expect.stringMatching(
        new RegExp(
          `^Get-PartnerCustomer: The resume file '${escapeRegExp(file)}' is in use by another run: ` +
            `process ${process.pid} \\(Get-PartnerCustomer\\)`,
        ),
      ),
    ]);
    expect(requests()).toBe(before);
    // Let the first one go: it runs to the end and frees the file.
    holding = false;
    held?.();
    const result = await first;
    expect(result.code).toBe(0);
    expect(parseNdjson(taken)).toHaveLength(30);
    expect(existsSync(`${file}.lock`)).toBe(false);
    const again = await listing(['-PageSize', '5', '-ResumeFile', file, '-First', '2']);
    expect(again.code).toBe(0);
  });
});

describe('only ever a resume file', () => {
  const tokenFile = () => join(partner.configDir, 'tokens', 'default.json');

  it(
    'refuses a symlink planted where the resume file should be (pointing at the token ' +
      'store), leaving the target as it was',
    async () => {
      const link = newPath('planted');
      symlinkSync(tokenFile(), link);
      const before = stateOf(tokenFile());
      const requestsBefore = requests();
      for (const run of [fanOut, listing]) {
        const result = await run(['-ResumeFile', link]);
        expect(result.code).toBe(2);
        expect(result.stdout).toBe('');
        expect(result.stderrLines).toHaveLength(1);
        expect(result.stderrLines[0]).toContain(
          `The resume file '${link}' is a symbolic link (a resume file is never followed to ` +
            'another file); it was left untouched.',
        );
      }
      expect(requests()).toBe(requestsBefore);
      expect(stateOf(tokenFile())).toEqual(before);
      expect(existsSync(`${link}.lock`)).toBe(false);
    },
  );

  it('refuses any other file, a one-line JSON file included (a copy of the token file), untouched', async () => {
    const foreign = newPath('foreign');
    writeFileSync(foreign, readFileSync(tokenFile()), { mode: 0o640 });
    chmodSync(foreign, 0o640);
    const before = stateOf(foreign);
    const requestsBefore = requests();
    for (const run of [fanOut, listing]) {
      const result = await run(['-ResumeFile', foreign]);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderrLines).toEqual([
        expect.stringContaining(
          `The resume file '${foreign}' is not a resume file of this module; it was left ` +
            'untouched. Give this command a -ResumeFile of its own',
        ),
      ]);
    }
    expect(requests()).toBe(requestsBefore);
    expect(stateOf(foreign)).toEqual(before);
  });

  it(
    "refuses a listing's resume file given to a fan-out, and the other way round; " +
      'each still resumes its own run',
    async () => {
      // A listing that stops after its first page keeps its position in its file.
      const listingFile = newPath('listing-kept');
      partner.emulator.setFaults({
        rules: [{ after: 1, action: { type: 'status', status: 503 } }],
      });
      const stopped = await listing([
        '-PageSize',
        '5',
        '-MaxRetry',
        '0',
        '-ResumeFile',
        listingFile,
      ]);
      partner.emulator.setFaults({});
      expect(stopped.code).toBe(5);
      const listed = (parseNdjson(stopped.stdout) as Json[]).map((c) => c.id);
      expect(listed).toHaveLength(5);
      // A fan-out that stops at -First keeps what it recorded in its file.
      const journal = newPath('journal-kept');
      const cut = await fanOut(['-ResumeFile', journal, '-First', '1', '-ThrottleLimit', '1']);
      expect(cut.code).toBe(0);
      const [listingBefore, journalBefore] = [stateOf(listingFile), stateOf(journal)];
      if (posix) expect([listingBefore.mode, journalBefore.mode]).toEqual([0o600, 0o600]);

      const requestsBefore = requests();
      const swappedIntoFanOut = await fanOut(['-ResumeFile', listingFile]);
      const swappedIntoListing = await listing(['-PageSize', '5', '-ResumeFile', journal]);
      expect(requests()).toBe(requestsBefore);
      expect([swappedIntoFanOut.code, swappedIntoFanOut.stdout]).toEqual([2, '']);
      expect(swappedIntoFanOut.stderrLines).toEqual([
        `${FAN_OUT}: The resume file '${listingFile}' is the resume file of a Customer listing, not ` +
          `one of ${FAN_OUT}'s pipeline runs; it was left untouched. Give this command a ` +
          '-ResumeFile of its own (a new path, or an empty file): each command of a pipeline ' +
          'needs its own.',
      ]);
      expect([swappedIntoListing.code, swappedIntoListing.stdout]).toEqual([2, '']);
      expect(swappedIntoListing.stderrLines[0]).toContain(
        `The resume file '${journal}' is the resume file of a pipeline run of ${FAN_OUT}, not one ` +
          "of Get-PartnerCustomer's listings; it was left untouched.",
      );
      expect([stateOf(listingFile), stateOf(journal)]).toEqual([listingBefore, journalBefore]);

      // The listing continues where it stopped (not from 0), and completes the set.
      const resumed = await listing(['-PageSize', '5', '-ResumeFile', listingFile]);
      expect(resumed.code).toBe(0);
      const all = (parseNdjson((await listing([])).stdout) as Json[]).map((c) => c.id);
      expect([...listed, ...(parseNdjson(resumed.stdout) as Json[]).map((c) => c.id)]).toEqual(all);
    },
  );

  it(
    'takes an empty file (as mktemp makes) or a header cut by a crash as a new resume file, ' +
      'and creates new ones 0600',
    async () => {
      const empty = newPath('mktemp');
      writeFileSync(empty, '', { mode: 0o600 });
      const result = await fanOut(['-ResumeFile', empty], { stdin: input(customers.slice(0, 2)) });
      expect([result.code, result.stderr]).toEqual([0, '']);
      expect(customerIdsOf(result.stdout)).toEqual(customers.slice(0, 2).map((c) => c.id));
      expect(existsSync(empty)).toBe(false);
      // A journal cut before its first line reached the disk: a prefix of the header, then NULs.
      const cut = newPath('cut-header');
      writeFileSync(cut, `{"kind":"PartnerCenter.Pipel${'\0'.repeat(40)}`, { mode: 0o600 });
      const afterCut = await fanOut(['-ResumeFile', cut], { stdin: input(customers.slice(0, 1)) });
      expect([afterCut.code, afterCut.stderr]).toEqual([0, '']);
      expect(customerIdsOf(afterCut.stdout)).toEqual([customers[0]!.id]);
      const created = newPath('created');
      await fanOut(['-ResumeFile', created, '-First', '1', '-ThrottleLimit', '1']);
      if (posix) expect(statSync(created).mode & 0o777).toBe(0o600);
    },
  );
});

describe('a resume file that cannot be written is refused before anything goes out', () => {
  it('a missing directory: exit 2, empty stdout, no request (listing and fan-out)', async () => {
    const file = join(scratch, 'no-such-dir', 'r.resume');
    const before = requests();
    for (const run of [fanOut, listing]) {
      const result = await run(['-ResumeFile', file]);
      expect([result.code, result.stdout]).toEqual([2, '']);
      expect(result.stderrLines).toEqual([
        expect.stringContaining(
          `The resume file '${file}' cannot be created: the directory ` +
            `'${join(scratch, 'no-such-dir')}' does not exist. Create the directory, or choose ` +
            'another -ResumeFile.',
        ),
      ]);
    }
    expect(requests()).toBe(before);
  });

  it('a read-only directory (a read-only mount when run as root): exit 2, empty stdout, no request', async () => {
    const directory = readOnlyDirectory();
    try {
      const file = join(directory.path, 'r.resume');
      const before = requests();
      for (const run of [fanOut, listing]) {
        const result = await run(['-ResumeFile', file]);
        expect([result.code, result.stdout]).toEqual([2, '']);
        expect(result.stderrLines).toEqual([
          expect.stringMatching(
            new RegExp(
              `The resume file '${escapeRegExp(file)}' cannot be written \\((EROFS|EACCES)\\): ` +
                `'${escapeRegExp(directory.path)}' or the file is read-only for this user\\.`,
            ),
          ),
        ]);
      }
      expect(requests()).toBe(before);
    } finally {
      directory.dispose();
    }
  });
});

/**
 * A directory this process cannot write: as root (who writes through any mode bits) a read-only
 * tmpfs, which CI's root can mount; otherwise mode 0555.
 */
function readOnlyDirectory(): { path: string; dispose(): void } {
  const path = join(scratch, `read-only-${++files}`);
  mkdirSync(path);
  if (process.getuid?.() === 0) {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'tmpfs', path]);
    return {
      path,
      dispose: () => execFileSync('umount', [path]),
    };
  }
  chmodSync(path, 0o555);
  return { path, dispose: () => chmodSync(path, 0o755) };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
