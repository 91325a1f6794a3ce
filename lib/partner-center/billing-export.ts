/**
 * Microsoft Graph's partner billing exports (docs/billing.md, "Reconciliation through Microsoft
 * Graph"): a POST starts an export of an invoice's (or an unbilled period's) reconciliation or
 * rated-usage line items, the operation it answers with is followed until it succeeds, and its
 * manifest names gzip files of JSON lines in blob storage behind a SAS token. This module makes the
 * calls; reading the files is billing-export-blobs.ts, the run a cmdlet makes of it is
 * lib/cmdlet-support/billing-export-run.ts. Imported only by the commands that export.
 */
import {
  AuthenticationError,
  type PartnerCenterModuleError,
  ServiceError,
} from '../common/errors.js';
import { untrustedLine } from '../common/text.js';
import type { ExchangeAnswer, HttpClient } from './client.js';
import {
  followOperation,
  GRAPH_OPERATION_STATUS,
  type OperationProgress,
} from './long-operation.js';

/** The Graph permission every billing export call needs, delegated or application. */
export const BILLING_PERMISSION = 'PartnerBilling.Read.All';

/** The first look at a started export whose 202 named no Retry-After. */
const FIRST_POLL_MS = 100;

/** Where the exports live, under Graph's `/v1.0`. */
const BILLING_ROOT = '/reports/partners/billing';

/** Reconciliation line items (what an invoice charged) or daily rated usage. */
export type BillingData = 'reconciliation' | 'usage';
/** Graph's `attributeSet`: every attribute, or the shorter Basic set. */
export type AttributeSet = 'full' | 'basic';
export type BillingPeriod = 'current' | 'last';

/** Which line items: those of an invoice, or the not yet invoiced ones of a period and currency. */
export type ExportScope =
  | { billed: true; invoiceId: string }
  | { billed: false; currencyCode: string; billingPeriod: BillingPeriod };

export interface ExportRequest {
  data: BillingData;
  scope: ExportScope;
  attributeSet: AttributeSet;
}

/** A manifest as Graph describes it (docs/billing.md, "The manifest"); only what is read here. */
export interface ExportManifest {
  id: string;
  /** Changes whenever the data does: a run resumed across a new eTag would mix two versions. */
  eTag: string;
  rootDirectory: string;
  sasToken: string;
  blobs: { name: string; partitionValue?: string }[];
}

/** `the billed reconciliation export of invoice G016907411`, for messages. */
export function describeExport(request: ExportRequest): string {
  const { scope } = request;
  const kind = `${scope.billed ? 'billed' : 'unbilled'} ${request.data === 'usage' ? 'rated usage' : 'reconciliation'}`;
  return scope.billed
    ? `the ${kind} export of invoice ${scope.invoiceId}`
    : `the ${kind} export of the ${scope.billingPeriod} period in ${scope.currencyCode}`;
}

/** The POST's path and JSON body (docs/billing.md, "Starting an export"). */
export function exportCall(request: ExportRequest): { path: string; body: Record<string, string> } {
  const { scope } = request;
  return {
    path: `${BILLING_ROOT}/${request.data}/${scope.billed ? 'billed' : 'unbilled'}/export`,
    body: scope.billed
      ? { invoiceId: scope.invoiceId, attributeSet: request.attributeSet }
      : {
          currencyCode: scope.currencyCode,
          billingPeriod: scope.billingPeriod,
          attributeSet: request.attributeSet,
        },
  };
}

/**
 * Starts the export. Sent again after a failure like a read: a repeat only starts a second
 * export (the first is never read), where giving up would stop the whole run.
 */
export async function startExport(
  graph: HttpClient,
  request: ExportRequest,
  signal?: AbortSignal,
): Promise<ExchangeAnswer<unknown>> {
  const { path, body } = exportCall(request);
  return withBillingPermission(describeExport(request), () =>
    graph.exchange(path, { method: 'POST', json: body, signal, repeatable: true }),
  );
}

/**
 * The answer that accepted an export an earlier run started, rebuilt from its operation's URL (the
 * 202's Location, kept in a resume file): waitForExport follows it as it follows a fresh one.
 */
export function acceptedEarlier(operationUrl: string): ExchangeAnswer<unknown> {
  return {
    status: 202,
    headers: {},
    value: undefined,
    location: new URL(operationUrl),
    requestId: '',
  };
}

/** Whether `error` is Graph's word that the export itself failed ("No data available"). */
export function isFailedExport(error: unknown, request: ExportRequest): boolean {
  return error instanceof ServiceError && error.reason === `${describeExport(request)} failed`;
}

export interface WaitOptions {
  signal?: AbortSignal;
  onProgress?: (progress: OperationProgress) => void;
  timeoutMs?: number;
}

/**
 * Follows the started export's operation, after each Retry-After, until it succeeded (`succeeded`,
 * or `completed` as the resource page says) and returns its manifest's URL; a failed one ("No data
 * available") is one ServiceError in Graph's words.
 */
export async function waitForExport(
  graph: HttpClient,
  request: ExportRequest,
  started: ExchangeAnswer<unknown>,
  options: WaitOptions = {},
): Promise<URL> {
  const what = describeExport(request);
  const done = await withBillingPermission(what, () =>
    followOperation<Record<string, unknown>>(graph, started, {
      statusOf: GRAPH_OPERATION_STATUS,
      what,
      signal: options.signal,
      onProgress: options.onProgress,
      timeoutMs: options.timeoutMs,
      // The POST's 202 carries no Retry-After: a small export is often ready at once, so the
      // first look is soon (then the waits double, or follow the operation's Retry-After).
      intervalMs: FIRST_POLL_MS,
    }).catch((error: unknown) => {
      if (error instanceof ServiceError && error.reason === `${what} failed`)
        throw failedExport(error, request);
      throw error;
    }),
  );
  const body = done.value ?? {};
  const link = body['resourceLocation@odata.navigationLink'];
  const url = typeof link === 'string' ? link : undefined;
  if (!url) {
    throw new ServiceError(
      `Microsoft Graph reports that ${what} succeeded but names no manifest ` +
        '(no resourceLocation@odata.navigationLink).',
      { requestId: done.requestId, hint: 'Start it again; report this with the -Debug output.' },
    );
  }
  return graph.resolve(url);
}

/** Reads (again) the export's manifest: a new SAS token at each read, the same eTag. */
export async function readManifest(
  graph: HttpClient,
  url: string | URL,
  what: string,
  signal?: AbortSignal,
): Promise<ExportManifest> {
  const answer = await withBillingPermission(what, () =>
    graph.exchange<Record<string, unknown>>(url, { signal }),
  );
  return manifestOf(answer.value, what);
}

/** The manifest's fields this module relies on, checked: anything else is Graph's fault. */
export function manifestOf(value: unknown, what: string): ExportManifest {
  const record = (value && typeof value === 'object' ? value : {}) as Record<string, unknown>;
  const text = (name: string) => (typeof record[name] === 'string' ? String(record[name]) : '');
  const blobs = Array.isArray(record.blobs) ? record.blobs : undefined;
  const missing = ['id', 'eTag', 'rootDirectory', 'sasToken'].filter((name) => text(name) === '');
  if (!blobs) missing.push('blobs');
  const named = (blobs ?? []).filter(
    (blob): blob is { name: string; partitionValue?: string } =>
      !!blob && typeof blob === 'object' && typeof (blob as { name?: unknown }).name === 'string',
  );
  if (missing.length > 0 || named.length !== (blobs ?? []).length) {
    throw new ServiceError(
      `The manifest of ${what} lacks ${missing.length ? missing.join(', ') : "some blobs' names"}; ` +
        'its files cannot be read.',
      { hint: 'Start the export again; report this with the -Debug output.' },
    );
  }
  const format = text('dataFormat');
  if (format && format.toLowerCase() !== 'compressedjsonlines') {
    throw new ServiceError(
      `The manifest of ${what} names files of the format '${untrustedLine(format, 40)}'; this ` +
        'module reads compressedJSONLines (gzip of JSON lines) only.',
      { hint: 'Report this to the module maintainers.' },
    );
  }
  return {
    id: text('id'),
    eTag: text('eTag'),
    rootDirectory: text('rootDirectory').replace(/\/+$/, ''),
    sasToken: text('sasToken').replace(/^\?/, ''),
    blobs: named.map(({ name, partitionValue }) => ({ name, partitionValue })),
  };
}

/** A blob's URL with the manifest's SAS: `{rootDirectory}/{name}?{sasToken}`. */
export function blobUrl(manifest: ExportManifest, name: string): string {
  return `${manifest.rootDirectory}/${name}?${manifest.sasToken}`;
}

/**
 * A 403 from the billing routes is the missing Graph permission: said in one line that names it
 * (Graph's generic hint names the GDAP permission). Other errors pass as they are.
 */
async function withBillingPermission<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof AuthenticationError && error.status === 403) {
      throw new AuthenticationError(
        `Microsoft Graph denied ${what}: the application or signed-in user lacks the ` +
          `permission ${BILLING_PERMISSION} (${/\((.*)\)\.?$/s.exec(error.message)?.[1] ?? 'HTTP 403'}).`,
        {
          hint:
            `Grant the application the Microsoft Graph permission ${BILLING_PERMISSION} ` +
            '(application, or delegated for a work account of the partner tenant), consented ' +
            'by an administrator of the partner tenant, then sign in again with Connect-Partner.',
          reason: `no ${BILLING_PERMISSION}`,
          status: 403,
          serviceCode: error.serviceCode,
          cause: error,
        },
      );
    }
    throw error;
  }
}

/** A failed export ("No data available"): one line, exit 5, with what it usually means. */
function failedExport(error: ServiceError, request: ExportRequest): PartnerCenterModuleError {
  // What the user gave is what to check: the invoice, or the currency and period.
  const check = request.scope.billed
    ? 'check the invoice number (Get-PartnerInvoice lists the invoices and their periods)'
    : 'check the currency and the period (the invoices of Get-PartnerInvoice show the ' +
      'currencies billed)';
  return new ServiceError(error.message, {
    reason: error.reason,
    serviceCode: error.serviceCode,
    hint: `Microsoft Graph has no line items for it (yet): ${check}, or try again later.`,
    cause: error,
  });
}
