/**
 * What only a process shows of Get-PartnerInvoiceLineItem: SIGKILLed in the middle of an export
 * appended to a file (`-ResumeFile f >> out`), the same line run again continues where the output
 * stopped: the file then holds every line item of the invoice exactly once, only whole lines.
 * (The progress line is shown in-process with a terminal's stderr: invoice-line-items.spec.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StartedEmulator } from '../../lib/emulator/index.js';
import { binPath, runBash } from '../support/cli.js';
import { emulatedPartner, type EmulatedPartner } from '../support/emulated-partner.js';
import { wholeNdjsonLines } from '../support/ndjson.js';
import { requireBuild } from '../support/required-tools.js';

requireBuild();

let partner: EmulatedPartner;
let emulator: StartedEmulator;

beforeAll(async () => {
  partner = await emulatedPartner({
    customers: 80,
    billingLineItems: 1_500,
    billingLinesPerBlob: 200,
    now: '2026-11-20',
    seed: 9,
  });
  emulator = partner.emulator;
});
afterAll(() => partner.dispose());

const command = (args: string) =>
  `${JSON.stringify(process.execPath)} ${JSON.stringify(binPath('Get-PartnerInvoiceLineItem'))} ${args}`;

describe('Get-PartnerInvoiceLineItem as a process', () => {
  it('SIGKILLed mid-export into >> out, then run again: every line item exactly once', async () => {
    const invoice = emulator.billing.invoices()[0]!;
    const out = join(partner.configDir, 'lines.ndjson');
    const resume = join(partner.configDir, 'lines.resume');
    // Every file holds its second half back a moment, so the kill lands while files are coming.
    emulator.setFaults({
      rules: [{ target: 'blob', after: 0, action: { type: 'stall', ms: 300 } }],
    });
    const line = command(`-InvoiceId ${invoice.id} -ResumeFile ${JSON.stringify(resume)}`);
    const script = [
      `${line} >> ${JSON.stringify(out)} 2>/dev/null & pid=$!`,
      // Killed once some of the line items are out.
      `while [ "$(stat -c %s ${JSON.stringify(out)} 2>/dev/null || echo 0)" -lt 200000 ]; do sleep 0.02; done`,
      'kill -KILL $pid; wait $pid; echo "killed=$?"',
      `${line} >> ${JSON.stringify(out)}; echo "resumed=$?"`,
    ].join('\n');
    const result = await runBash(script, { env: partner.env, timeoutMs: 60_000 });
    expect(result.stdout).toMatch(/killed=137/);
    expect(result.stdout).toMatch(/resumed=0/);
    const lines = wholeNdjsonLines(readFileSync(out, 'utf8'));
    const ids = lines.map((one) => String(one.AlternateId));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(invoice.lineItemCount);
    const cents = lines.reduce((sum, one) => sum + Math.round(Number(one.Total) * 100), 0);
    expect(cents).toBe(emulator.billing.totalCents(invoice.id));
    expect(existsSync(resume)).toBe(false);
    emulator.setFaults({});
  });
});
