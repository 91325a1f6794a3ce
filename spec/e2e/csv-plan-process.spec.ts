/**
 * A seat plan kept as CSV feeding a per-customer cmdlet through a real shell pipe, as
 * `Import-Csv plan.csv | Set-PartnerCustomerSubscription` does in PowerShell: the real bin/
 * commands, each row bound by property name, and the exit codes. The parsing rules are proven
 * in-process (spec/host/csv-input.spec.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode } from '../../lib/common/exit-codes.js';
import { binPath, runBash } from '../support/cli.js';
import { type EmulatedPartner, emulatedPartner } from '../support/emulated-partner.js';
import { parseNdjson } from '../support/ndjson.js';

let partner: EmulatedPartner;

beforeAll(async () => {
  partner = await emulatedPartner({ customers: 8 });
});

afterAll(async () => {
  await partner?.dispose();
});

const bin = (name: string) => `"${process.execPath}" "${binPath(name)}"`;

describe('a CSV plan through a real pipe', () => {
  it('Import-Csv plan.csv | Get-PartnerCustomerSubscription, and cat | ConvertFrom-Csv', async () => {
    const data = partner.emulator.dataset;
    const customers = [...Array(8).keys()]
      .map((index) => data.idOf(index))
      .filter((id) => data.hasCommerceRelationship(id) && data.subscriptionsOf(id).length > 0)
      .slice(0, 2);
    expect(customers).toHaveLength(2);
    // As Excel saves it: a byte-order mark, CRLF, the header in its own case, a blank last line.
    const plan = `\ufeffCustomerId,SubscriptionId,Quantity\r\n${customers
      .map((id) => `${id},${String(data.subscriptionsOf(id)[0]?.id)},12\r\n`)
      .join('')}\r\n`;
    writeFileSync(join(partner.configDir, 'plan.csv'), plan);
    writeFileSync(join(partner.configDir, 'bad.csv'), 'customerId,quantity\r\nc1\r\n');
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
    const result = await runBash(`cd "${partner.configDir}" && ${script}`, { env: partner.env });
    const [status, rest = ''] = result.stdout.split('--- subs\n');
    expect(status?.trim().split('\n')).toEqual([
      'import:0 subscriptions:0',
      'convert:0',
      `bad:${ExitCode.Usage}`,
    ]);
    const [subs = '', afterSubs = ''] = rest.split('--- rows\n');
    const [rows = '', err = ''] = afterSubs.split('--- err\n');
    // Each row binds CustomerId and SubscriptionId: its one subscription, not the customer's list.
    expect(parseNdjson(subs).map((subscription) => subscription.id)).toEqual(
      customers.map((id) => data.subscriptionsOf(id)[0]?.id),
    );
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
