/**
 * One process smoke per per-customer cmdlet: the real bin/ commands in a real shell pipeline,
 * each binding from the previous one's NDJSON, with their exit codes. The cases themselves are
 * proven in-process (customer-resources.spec.ts). The customers file they read is written by an
 * in-process Get-PartnerCustomer: its own process smoke is in list-customers.spec.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode } from '../../lib/common/exit-codes.js';
import { binPath, runBash, runOnTerminal } from '../support/cli.js';
import { type EmulatedPartner, emulatedPartner } from '../support/emulated-partner.js';
import { parseNdjson } from '../support/ndjson.js';

let partner: EmulatedPartner;

beforeAll(async () => {
  partner = await emulatedPartner({ customers: 12 });
  await partner.connectUser('user');
});

afterAll(async () => {
  await partner?.dispose();
});

const bin = (name: string) => `"${process.execPath}" "${binPath(name)}"`;

/** Lists customers in-process into a file of the config directory, as `Get-PartnerCustomer > file`. */
async function listCustomersInto(name: string, args: readonly string[]): Promise<void> {
  const listed = await partner.runInProcess('Get-PartnerCustomer', args);
  expect([listed.code, listed.stderr]).toEqual([0, '']);
  writeFileSync(join(partner.configDir, name), listed.stdout);
}

describe('per-customer cmdlets as processes', () => {
  it('customers | subscriptions, customers | users | licenses, and SKUs, with each exit code', async () => {
    await listCustomersInto('customers.ndjson', ['-Context', 'user', '-Skip', '6', '-First', '3']);
    const script = [
      `${bin('Get-PartnerCustomerSubscription')} -ErrorAction Continue < customers.ndjson > subs.ndjson`,
      'echo "subscriptions:$?"',
      `${bin('Get-PartnerCustomerUser')} -Context user -ErrorAction Continue < customers.ndjson | ` +
        `${bin('Get-PartnerCustomerUserLicense')} -Context user > licenses.ndjson`,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: bash's ${PIPESTATUS[n]}, not ours
      'echo "users:${PIPESTATUS[0]} licenses:${PIPESTATUS[1]}"',
      `${bin('Get-PartnerCustomerSubscribedSku')} -Context user -ErrorAction Continue ` +
        '< customers.ndjson > skus.ndjson',
      'echo "skus:$?"',
      'cat subs.ndjson licenses.ndjson skus.ndjson',
    ].join('\n');
    const dir = partner.configDir;
    const result = await runBash(`cd "${dir}" && ${script}`, { env: partner.env });
    const data = partner.emulator.dataset;
    const customers = [6, 7, 8].map((index) => data.idOf(index));
    const readable = customers.filter((id) => data.hasCommerceRelationship(id));
    const failed = customers.length - readable.length;
    // With -ErrorAction Continue a run in which some customers failed exits 1.
    const code = failed > 0 ? 1 : 0;
    const status = result.stdout
      .split('\n')
      .filter((line) => /^(subscriptions|users|skus):/.test(line));
    // Users failed for some customers (exit 1): the licenses command's input is incomplete, so it
    // exits 6 (InputIncomplete, about_Pipelines) and says so in one more line.
    const licenses = failed > 0 ? ExitCode.InputIncomplete : 0;
    expect(status).toEqual([
      `subscriptions:${code}`,
      `users:${code} licenses:${licenses}`,
      `skus:${code}`,
    ]);
    const objects = parseNdjson(
      result.stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .join('\n'),
    );
    const kinds = (kind: string) =>
      objects.filter((o) => (o.attributes as { objectType?: string })?.objectType === kind);
    // Customers are worked on side by side: compare as sorted lists of owners.
    const owners = (objects: Record<string, unknown>[]) => objects.map((o) => o.customerId).sort();
    expect(owners(kinds('Subscription'))).toEqual(
      readable.flatMap((id) => data.subscriptionsOf(id).map(() => id)).sort(),
    );
    expect(kinds('License').length).toBe(
      readable.reduce(
        (sum, id) =>
          sum + data.userIdsOf(id).reduce((n, userId) => n + data.licensesOf(id, userId).length, 0),
        0,
      ),
    );
    expect(owners(kinds('SubscribedSku'))).toEqual(
      readable.flatMap((id) => data.subscribedSkusOf(id).map(() => id)).sort(),
    );
    // Each failed customer is one line per cmdlet, plus each cmdlet's summary.
    const errors = result.stderr.trim() === '' ? [] : result.stderr.trim().split('\n');
    expect(errors).toHaveLength(failed === 0 ? 0 : 3 * (failed + 1) + 1);
    if (failed > 0)
      expect(errors).toContainEqual(
        expect.stringMatching(
          /^Get-PartnerCustomerUserLicense: The input is incomplete: Get-PartnerCustomerUser \(process \d+\), which fed this command, exited with code 1 \(some of its objects failed\)\./,
        ),
      );
  });

  it("shows on a terminal how many of the file's customers are done, and nothing on a pipe", async () => {
    const dir = partner.configDir;
    await listCustomersInto('six.ndjson', ['-First', '6']);
    // Slow enough for the line to be redrawn with the total (counted from the file meanwhile).
    partner.emulator.configure({ apiLatencyMs: 400 });
    try {
      const command =
        `cd "${dir}" && ${bin('Get-PartnerCustomerSubscription')} -ThrottleLimit 1 ` +
        '-ErrorAction SilentlyContinue < six.ndjson > six-subs.ndjson';
      const terminal = await runOnTerminal(command, { env: partner.env });
      expect(terminal.stdout).toMatch(/\d of 6 customers done \(\d read\), \d+ objects? written/);
      const piped = await runBash(`${command} 2> six.err; cat six.err`, { env: partner.env });
      expect(piped.stdout).toBe('');
    } finally {
      partner.emulator.configure({ apiLatencyMs: 0 });
    }
  });
});
