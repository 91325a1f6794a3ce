/**
 * One process smoke per GDAP cmdlet: the real bin/ commands in a shell pipeline, each binding from
 * the previous one's NDJSON (customers | relationships | access assignments; customers | status),
 * with their exit codes. The cases themselves are proven in-process (spec/graph/gdap-cmdlets.spec.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { binPath, runBash } from '../support/cli.js';
import { type EmulatedPartner, emulatedPartner } from '../support/emulated-partner.js';
import { parseNdjson } from '../support/ndjson.js';

let partner: EmulatedPartner;
beforeAll(async () => {
  partner = await emulatedPartner({ customers: 12 });
});
afterAll(() => partner?.dispose());

const bin = (name: string) => `"${process.execPath}" "${binPath(name)}"`;

describe('GDAP cmdlets as processes', () => {
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
    const result = await runBash(`cd "${partner.configDir}" && ${script}`, { env: partner.env });
    expect(result.stderr).toBe('');
    const lines = result.stdout.split('\n');
    expect(lines.filter((line) => /^(relationships|assignments|status):/.test(line))).toEqual([
      'relationships:0 assignments:0',
      'status:0',
    ]);
    const objects = parseNdjson(lines.filter((line) => line.startsWith('{')).join('\n'));
    const data = partner.emulator.dataset;
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
