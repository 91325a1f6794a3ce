/**
 * One process smoke per cmdlet that works per customer, per GDAP relationship or per CSV row: the
 * real bin/ commands in real shell pipelines, each binding from the previous one's output, with
 * their exit codes (and, for the per-customer progress line, a real terminal). The cases
 * themselves are proven in-process: spec/e2e/customer-resources.spec.ts,
 * spec/graph/gdap.spec.ts, spec/host/pipeline-input.spec.ts (CSV input). One file for the three,
 * each with an emulator of its own (a start costs milliseconds), because jest loads a file's
 * modules afresh.
 * The customers file the per-customer pipelines read is written by an in-process
 * Get-PartnerCustomer (its own process smoke is in list-customers.spec.ts; the GDAP pipeline runs
 * it as a process too).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EmulatorOptions } from '../../lib/emulator/types.js';
import { ExitCode } from '../../lib/common/exit-codes.js';
import { binPath, runBash, runOnTerminal } from '../support/cli.js';
import { type EmulatedPartner, emulatedPartner } from '../support/emulated-partner.js';
import { parseNdjson } from '../support/ndjson.js';

const bin = (name: string) => `"${process.execPath}" "${binPath(name)}"`;

/** An emulated partner for the enclosing describe, set up by `setUp` once it is connected. */
function partnerFor(
  options: EmulatorOptions,
  setUp?: (partner: EmulatedPartner) => Promise<void>,
): () => EmulatedPartner {
  let partner: EmulatedPartner | undefined;
  beforeAll(async () => {
    partner = await emulatedPartner(options);
    await setUp?.(partner);
  });
  afterAll(async () => {
    await partner?.dispose();
  });
  return () => partner!;
}

describe('per-customer cmdlets as processes', () => {
  const partner = partnerFor({ customers: 12 }, (started) => started.connectUser('user'));

  /** Lists customers in-process into a file of the config directory, as `Get-PartnerCustomer > file`. */
  async function listCustomersInto(name: string, args: readonly string[]): Promise<void> {
    const listed = await partner().runInProcess('Get-PartnerCustomer', args);
    expect([listed.code, listed.stderr]).toEqual([0, '']);
    writeFileSync(join(partner().configDir, name), listed.stdout);
  }

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
    const dir = partner().configDir;
    const result = await runBash(`cd "${dir}" && ${script}`, { env: partner().env });
    const data = partner().emulator.dataset;
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
    const dir = partner().configDir;
    await listCustomersInto('six.ndjson', ['-First', '6']);
    // Slow enough for the line to be redrawn with the total (counted from the file meanwhile).
    partner().emulator.configure({ apiLatencyMs: 400 });
    try {
      const command =
        `cd "${dir}" && ${bin('Get-PartnerCustomerSubscription')} -ThrottleLimit 1 ` +
        '-ErrorAction SilentlyContinue < six.ndjson > six-subs.ndjson';
      const terminal = await runOnTerminal(command, { env: partner().env });
      expect(terminal.stdout).toMatch(/\d of 6 customers done \(\d read\), \d+ objects? written/);
      const piped = await runBash(`${command} 2> six.err; cat six.err`, { env: partner().env });
      expect(piped.stdout).toBe('');
    } finally {
      partner().emulator.configure({ apiLatencyMs: 0 });
    }
  });
});

describe('GDAP cmdlets as processes', () => {
  const partner = partnerFor({ customers: 12 });

  it('customers | relationships | access assignments, and customers | status, with each exit code', async () => {
    const script = [
      `${bin('Get-PartnerCustomer')} > customers.ndjson`,
      `${bin('Get-PartnerGdapRelationship')} < customers.ndjson | ${bin('Get-PartnerGdapAccessAssignment')} ` +
        '> assignments.ndjson',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: bash's ${PIPESTATUS[n]}, not ours
      'echo "relationships:${PIPESTATUS[0]} assignments:${PIPESTATUS[1]}"',
      `${bin('Get-PartnerCustomerGdapStatus')} < customers.ndjson > status.ndjson`,
      'echo "status:$?"',
      'cat assignments.ndjson status.ndjson',
    ].join('\n');
    const result = await runBash(`cd "${partner().configDir}" && ${script}`, {
      env: partner().env,
    });
    expect(result.stderr).toBe('');
    const lines = result.stdout.split('\n');
    expect(lines.filter((line) => /^(relationships|assignments|status):/.test(line))).toEqual([
      'relationships:0 assignments:0',
      'status:0',
    ]);
    const objects = parseNdjson(lines.filter((line) => line.startsWith('{')).join('\n'));
    const data = partner().emulator.dataset;
    const customers = Array.from({ length: 12 }, (_, index) => data.idOf(index));
    const relationships = customers.flatMap((id) => data.relationshipsOf(id));
    expect(
      objects
        .filter((o) => 'relationshipId' in o)
        .map((o) => o.id)
        .sort(),
    ).toEqual(
      relationships
        .flatMap((r) => data.accessAssignmentsOf(r.id as string).map((a) => a.id))
        .sort(),
    );
    expect(
      objects.filter((o) => 'status' in o && 'companyName' in o).map((o) => o.customerId),
    ).toEqual(customers);
  });
});

describe('a CSV plan through a real pipe', () => {
  const partner = partnerFor({ customers: 8 });

  it('Import-Csv plan.csv | Get-PartnerCustomerSubscription, and cat | ConvertFrom-Csv', async () => {
    const data = partner().emulator.dataset;
    const customers = [...Array(8).keys()]
      .map((index) => data.idOf(index))
      .filter((id) => data.hasCommerceRelationship(id) && data.subscriptionsOf(id).length > 0)
      .slice(0, 2);
    expect(customers).toHaveLength(2);
    // As Excel saves it: a byte-order mark, CRLF, the header in its own case, a blank last line.
    const plan = `\ufeffCustomerId,SubscriptionId,Quantity\r\n${customers
      .map((id) => `${id},${String(data.subscriptionsOf(id)[0]?.id)},12\r\n`)
      .join('')}\r\n`;
    writeFileSync(join(partner().configDir, 'plan.csv'), plan);
    writeFileSync(join(partner().configDir, 'bad.csv'), 'customerId,quantity\r\nc1\r\n');
    const script = [
      `${bin('Import-Csv')} plan.csv | ${bin('Get-PartnerCustomerSubscription')} > subs.ndjson`,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: bash's ${PIPESTATUS[n]}, not ours
      'echo "import:${PIPESTATUS[0]} subscriptions:${PIPESTATUS[1]}"',
      `cat plan.csv | ${bin('ConvertFrom-Csv')} > rows.ndjson`,
      'echo "convert:$?"',
      `${bin('Import-Csv')} bad.csv > bad.ndjson 2> bad.err`,
      'echo "bad:$?"',
      'echo "--- subs"; cat subs.ndjson; echo "--- rows"; cat rows.ndjson; echo "--- err"; cat bad.err',
    ].join('\n');
    const result = await runBash(`cd "${partner().configDir}" && ${script}`, {
      env: partner().env,
    });
    const [status, rest = ''] = result.stdout.split('--- subs\n');
    expect(status?.trim().split('\n')).toEqual([
      'import:0 subscriptions:0',
      'convert:0',
      `bad:${ExitCode.Usage}`,
    ]);
    const [subs = '', afterSubs = ''] = rest.split('--- rows\n');
    const [rows = '', err = ''] = afterSubs.split('--- err\n');
    // Each row binds CustomerId and SubscriptionId: its one subscription, not the customer's list.
    // The fan-out writes each object's output in the order the objects finish, not the input's.
    expect(
      parseNdjson(subs)
        .map((subscription) => subscription.id)
        .sort(),
    ).toEqual(customers.map((id) => data.subscriptionsOf(id)[0]?.id).sort());
    expect(parseNdjson(rows)).toEqual(
      customers.map((id) => ({
        CustomerId: id,
        SubscriptionId: String(data.subscriptionsOf(id)[0]?.id),
        Quantity: '12',
      })),
    );
    expect(err).toBe(
      'Import-Csv: bad.csv: row 2 (line 2) has 1 field; the header row has 2. ' +
        'Quote a field that holds the delimiter \',\', a quote or a line break ("a,b"); ' +
        'give -Delimiter when the file uses another.\n',
    );
  });
});
