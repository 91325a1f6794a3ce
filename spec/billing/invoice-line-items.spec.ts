/**
 * Get-PartnerInvoiceLineItem and Get-PartnerRatedUsage in-process against a real emulator: the
 * Graph export started, followed, its manifest read and its gzip files streamed, line items as
 * NDJSON with the service's names, adding up to the invoice; each refusal as one line.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { StartedEmulator } from '../../lib/emulator/index.js';
import { emulatedPartner, type EmulatedPartner } from '../support/emulated-partner.js';
import { wholeNdjsonLines } from '../support/ndjson.js';
import { FAST_RETRIES } from '../faults/support/listing-runs.js';
import { runInProcess } from '../fixtures/host/run-in-process.js';
import GetPartnerInvoiceLineItem from '../../cmdlets/Get-PartnerInvoiceLineItem.js';

type Json = Record<string, any>;

let partner: EmulatedPartner;
let emulator: StartedEmulator;

beforeAll(async () => {
  partner = await emulatedPartner({
    customers: 60,
    billingLineItems: 1500,
    billingLinesPerBlob: 400,
    now: '2026-11-20',
    seed: 5,
  });
  emulator = partner.emulator;
});
afterEach(() => emulator.setFaults({}));
afterAll(() => partner.dispose());

const latest = () =>
  emulator.billing.invoices()[0] as ReturnType<StartedEmulator['billing']['invoices']>[number];
const cents = (lines: Json[]) =>
  lines.reduce((sum, line) => sum + Math.round(Number(line.Total) * 100), 0);

async function lineItems(args: readonly string[], stdin?: string) {
  const result = await runInProcess(GetPartnerInvoiceLineItem, [...args], {
    env: { ...partner.env, ...FAST_RETRIES },
    stdin,
  });
  return { ...result, lines: () => wholeNdjsonLines(result.stdout) as Json[] };
}

describe('billed line items of an invoice', () => {
  it("streams every line item once, with the service's names, adding up to the invoice", async () => {
    const invoice = latest();
    const run = await lineItems(['-InvoiceId', invoice.id]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.lines();
    expect(lines).toHaveLength(invoice.lineItemCount);
    expect(new Set(lines.map((line) => line.AlternateId)).size).toBe(invoice.lineItemCount);
    expect(cents(lines)).toBe(emulator.billing.totalCents(invoice.id));
    const expected = [...emulator.billing.lineItems(invoice.id)];
    expect(Object.keys(lines[0] as Json)).toEqual(Object.keys(expected[0] as Json));
  });
});
