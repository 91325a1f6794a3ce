/**
 * The parameters both billing export cmdlets take (Get-PartnerInvoiceLineItem,
 * Get-PartnerRatedUsage), declared once so they read and bind the same, and the export request
 * they make. Nothing here loads the export's code: help and usage errors never need it.
 */
import type { AttributeSet, BillingData, ExportRequest } from '../partner-center/billing-export.js';
import { invoiceIdPattern, maxRetryParameter, RESUME_FILE_RULES } from './parameters.js';

export const BILLED_SET = 'Billed';
export const UNBILLED_SET = 'Unbilled';

export const billingExportParameters = {
  InvoiceId: {
    type: 'string',
    sets: [BILLED_SET],
    mandatory: true,
    position: 0,
    aliases: ['Id'],
    idOf: ['Invoice'],
    pipeline: 'byPropertyName',
    pattern: invoiceIdPattern,
    description:
      "The invoice whose line items to export (its id, e.g. G016907411); a piped invoice's id " +
      'binds here.',
  },
  Unbilled: {
    type: 'switch',
    sets: [UNBILLED_SET],
    mandatory: true,
    description: 'Export what is not invoiced yet, of -BillingPeriod in -CurrencyCode.',
  },
  BillingPeriod: {
    type: 'string',
    sets: [UNBILLED_SET],
    choices: ['Current', 'Last'],
    default: 'Current',
    description:
      'Current: the period still open; Last: the period just closed, before its invoice is out.',
  },
  CurrencyCode: {
    type: 'string',
    sets: [UNBILLED_SET],
    mandatory: true,
    pattern: { regex: /^[A-Za-z]{3}$/, allowed: 'a three-letter currency code, e.g. USD or EUR' },
    description: 'The currency of the unbilled line items (ISO 4217, e.g. USD).',
  },
  AttributeSet: {
    type: 'string',
    choices: ['Full', 'Basic'],
    default: 'Full',
    description:
      "Full: every attribute Microsoft Graph exports; Basic: the shorter set (Graph's " +
      "`attributeSet`). The names and their order are the service's (docs/billing.md).",
  },
  ResumeFile: {
    type: 'path',
    description:
      "Keep the export's position in this file, rewritten as line items get out: if the run " +
      'stops at any point (a kill included), the same command continues with the next line ' +
      "item, from the same export while its data is unchanged (the manifest's eTag); changed " +
      'data is refused rather than mixed. A run stopped while the export is still being ' +
      'prepared keeps the export it started, and the same command goes on waiting for it ' +
      'instead of starting another. The file is deleted when the export completes. It ' +
      'keeps one export: with invoices piped in, a stop ends the run at the invoice that ' +
      'stopped (its line names it and the command that continues), and a rerun should start ' +
      'with that invoice; an invoice piped in again is refused rather than exported twice. ' +
      RESUME_FILE_RULES,
  },
  ContinuationToken: {
    type: 'string',
    pattern: { regex: /^[A-Za-z0-9_-]+$/, allowed: 'the token a stopped export reported' },
    description:
      'Continue an export that stopped without a -ResumeFile: the token its stop line gave ' +
      '(with the same parameters, which the line repeats).',
  },
  MaxRetry: maxRetryParameter,
} as const;

/** The export request of the parameters as bound. */
export function exportRequestOf(
  data: BillingData,
  p: {
    parameterSet: string;
    InvoiceId?: string;
    BillingPeriod?: string;
    CurrencyCode?: string;
    AttributeSet: string;
  },
): ExportRequest {
  const attributeSet = p.AttributeSet.toLowerCase() as AttributeSet;
  if (p.parameterSet === UNBILLED_SET) {
    return {
      data,
      scope: {
        billed: false,
        currencyCode: (p.CurrencyCode ?? '').toUpperCase(),
        billingPeriod: (p.BillingPeriod ?? 'Current').toLowerCase() as 'current' | 'last',
      },
      attributeSet,
    };
  }
  return { data, scope: { billed: true, invoiceId: p.InvoiceId ?? '' }, attributeSet };
}

/** What the help says of the export, the same for both cmdlets. */
export const BILLING_EXPORT_NOTES =
  'How the export runs: Microsoft Graph starts an export (POST), the command follows its ' +
  "operation after each of the service's Retry-After waits, reads the manifest, and downloads " +
  'its gzip files of JSON lines three at a time, decompressing them as they arrive: memory does ' +
  'not grow with the number of line items, and the first ones are written while the rest still ' +
  'download. A download link (SAS) that expires mid-download is renewed by reading the manifest ' +
  'again. On a terminal a progress line shows the wait, then files done, line items, rate and ' +
  'time left; nothing is shown on a pipe. Line items are written in the order they arrive, ' +
  'files interleaved. Needs the Microsoft Graph permission PartnerBilling.Read.All (a 403 names ' +
  'it) and the global cloud: Graph does not offer these exports in US Government or China, and ' +
  'such a context is refused before any request. A failed export ("No data available") is one ' +
  'line and exit 5. Sources: https://learn.microsoft.com/graph/api/resources/partners-billing-operation, ' +
  'https://learn.microsoft.com/graph/api/resources/partners-billing-manifest.';
