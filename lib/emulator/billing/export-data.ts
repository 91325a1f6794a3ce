/**
 * What an export produced and where it lies in the blob store: its line-item source and attribute
 * set, split into blobs of `linesPerBlob` lines, under a root directory laid out as Microsoft's
 * example manifests show (`.../PartnerTenantId=.../BillingMonth=.../InvoiceId=.../Fragment=...
 * /PartitionType=default`). Everything is derived from these few values, so a blob's path alone
 * says which lines it holds (the blob store keeps nothing per blob but its size).
 */
import { guidFromWords, hash32, mix32 } from '../server/random.js';
import { ATTRIBUTE_SETS, type AttributeSet } from './attribute-sets.js';
import type { BillingDataset, BillingPeriod } from './invoices.js';
import type { LineSource } from './line-items.js';

export type ExportKind =
  | 'billedReconciliation'
  | 'unbilledReconciliation'
  | 'billedUsage'
  | 'unbilledUsage';

/** The blob store's account name: the first segment of every blob path on the emulator. */
export const BLOB_ACCOUNT = 'billingexports';
/** Most lines in one blob unless the emulator is told otherwise (`billingLinesPerBlob`). */
export const DEFAULT_MAX_LINES_PER_BLOB = 50_000;
/** Small exports still come as a few blobs, so that clients meet more than one. */
const MIN_BLOBS = 3;

const CONTAINERS: Record<ExportKind, string> = {
  billedReconciliation: 'billedreconciliation',
  unbilledReconciliation: 'unbilledreconciliation',
  billedUsage: 'billedusage',
  unbilledUsage: 'unbilledusage',
};

export interface ExportData {
  readonly kind: ExportKind;
  readonly source: LineSource;
  readonly attributeSet: AttributeSet;
  readonly period?: BillingPeriod;
  /** The emulator's billing data version when the export ran (a new one changes the eTag). */
  readonly version: number;
  readonly linesPerBlob: number;
}

export function linesPerBlobFor(count: number, setting: number): number {
  if (setting > 0) return setting;
  return Math.max(1, Math.min(DEFAULT_MAX_LINES_PER_BLOB, Math.ceil(count / MIN_BLOBS)));
}

export function blobCountOf(data: ExportData): number {
  return Math.ceil(data.source.count / data.linesPerBlob);
}

/** The lines of blob `part`: [start, end). */
export function linesOfBlob(data: ExportData, part: number): { start: number; end: number } {
  const start = part * data.linesPerBlob;
  return { start, end: Math.min(data.source.count, start + data.linesPerBlob) };
}

const billingMonth = (ms: number) => {
  const date = new Date(ms);
  return `${date.getUTCFullYear()}${String(date.getUTCMonth() + 1).padStart(2, '0')}`;
};

/** The root directory's path (no host): `/{account}/{container}/v1/...`. */
export function rootPathOf(data: ExportData): string {
  const { source } = data;
  const parts = [
    '',
    BLOB_ACCOUNT,
    CONTAINERS[data.kind],
    'v1',
    `PartnerTenantId=${source.partnerId}`,
    `BillingMonth=${billingMonth(source.periodStart)}`,
    ...(source.invoiceId
      ? [`InvoiceId=${source.invoiceId}`, `InvoiceVersion=${data.version}`]
      : [
          `Currency=${source.currency.code}`,
          `BillingPeriod=${data.period}`,
          `DataVersion=${data.version}`,
        ]),
    `Fragment=${data.attributeSet}`,
    `LinesPerBlob=${data.linesPerBlob}`,
    'PartitionType=default',
  ];
  return parts.join('/');
}

function fingerprint(data: ExportData): number {
  const { source } = data;
  return hash32(
    hash32(source.salt, source.count, data.version),
    data.linesPerBlob,
    ATTRIBUTE_SETS.indexOf(data.attributeSet) + (data.kind.length << 4),
  );
}

/** The manifest's eTag: a new data version (or another layout) gives another. */
export function eTagOf(data: ExportData): string {
  const print = fingerprint(data);
  const hex = (value: number) => (value >>> 0).toString(16).toUpperCase().padStart(8, '0');
  return `0x${hex(print)}${hex(mix32(print))}`;
}

export function blobNameOf(data: ExportData, part: number): string {
  const print = fingerprint(data);
  const uuid = guidFromWords(print, mix32(print ^ 1), mix32(print ^ 2), mix32(print ^ 3));
  return `part-${String(part).padStart(5, '0')}-${uuid}.c000.json.gz`;
}

const KIND_OF_CONTAINER = new Map(
  Object.entries(CONTAINERS).map(([kind, container]) => [container, kind as ExportKind]),
);

/**
 * The export data and blob a path names, given the billing data as it is now; undefined when no
 * such blob exists (another data version, a name that was never listed).
 */
export function resolveBlobPath(
  billing: BillingDataset,
  version: number,
  path: string,
): { data: ExportData; part: number } | undefined {
  const segments = path.split('/');
  if (segments[1] !== BLOB_ACCOUNT) return undefined;
  const kind = KIND_OF_CONTAINER.get(segments[2] ?? '');
  if (!kind || segments[3] !== 'v1') return undefined;
  const fields = new Map<string, string>();
  for (const segment of segments.slice(4, -1)) {
    const equals = segment.indexOf('=');
    if (equals > 0) fields.set(segment.slice(0, equals), segment.slice(equals + 1));
  }
  const attributeSet = fields.get('Fragment') as AttributeSet;
  const linesPerBlob = Number(fields.get('LinesPerBlob'));
  if (
    !ATTRIBUTE_SETS.includes(attributeSet) ||
    !(Number.isInteger(linesPerBlob) && linesPerBlob > 0)
  )
    return undefined;
  const family = kind.endsWith('Usage') ? 'usage' : 'reconciliation';
  let source: LineSource | undefined;
  let period: BillingPeriod | undefined;
  if (kind.startsWith('billed')) {
    if (fields.get('InvoiceVersion') !== String(version)) return undefined;
    const invoice = billing.invoiceById(fields.get('InvoiceId') ?? '');
    source = invoice && (family === 'usage' ? invoice.usage : invoice.reconciliation);
  } else {
    if (fields.get('DataVersion') !== String(version)) return undefined;
    const currency = billing.currencyOf(fields.get('Currency') ?? '');
    period = fields.get('BillingPeriod') as BillingPeriod;
    if (currency && (period === 'current' || period === 'last'))
      source = billing.unbilledSource(family, period, currency);
  }
  if (!source) return undefined;
  const data: ExportData = { kind, source, attributeSet, period, version, linesPerBlob };
  if (rootPathOf(data) !== segments.slice(0, -1).join('/')) return undefined;
  const name = segments[segments.length - 1];
  const part = Number(/^part-(\d{5})-/.exec(name)?.[1]);
  if (!(part >= 0 && part < blobCountOf(data)) || blobNameOf(data, part) !== name) return undefined;
  return { data, part };
}
