/**
 * Microsoft Graph's partner billing reports (docs/billing.md): the four exports
 * (`POST /v1.0/reports/partners/billing/{reconciliation|usage}/{billed|unbilled}/export`), the
 * operation they start (`GET .../operations/{id}`) and the manifest it leads to
 * (`GET .../manifests/{id}`). Every route needs PartnerBilling.Read.All in the Graph token.
 */
import { BadRequestError } from '../server/bad-request.js';
import { isoDate } from '../partner-center/customer-context.js';
import type { EmulatorState } from '../server/emulator-state.js';
import { graphErrors, type GraphError } from '../graph/graph-errors.js';
import { graphRoute } from '../graph/graph-routes.js';
import { jsonReply, readJsonObject, type Exchange, type Reply } from '../server/http-exchange.js';
import type { AttributeSet } from './attribute-sets.js';
import {
  blobCountOf,
  blobNameOf,
  eTagOf,
  type ExportData,
  type ExportKind,
  linesPerBlobFor,
  rootPathOf,
} from './export-data.js';
import type { ExportOperation } from './exports.js';
import type { BillingPeriod } from './invoices.js';

export const BILLING_PATH = '/v1.0/reports/partners/billing';
/** The operation's route: its polls are counted under the fault target `operation`. */
export const BILLING_OPERATION_PATH = `${BILLING_PATH}/operations/{id}`;
/** What a token must carry (delegated `scp` or application `roles`). */
export const BILLING_PERMISSION = 'PartnerBilling.Read.All';
const NAMESPACE = '#microsoft.graph.partners.billing';

const permission = {
  accepted: [BILLING_PERMISSION.toLowerCase()],
  missing: `the token does not carry ${BILLING_PERMISSION}`,
};

function stringField(
  body: Record<string, unknown>,
  name: string,
  required: boolean,
): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) {
    if (required) throw new BadRequestError(`The request body needs '${name}'.`);
    return undefined;
  }
  if (typeof value !== 'string' || value.trim() === '')
    throw new BadRequestError(`'${name}' must be a non-empty string.`);
  return value;
}

function attributeSetOf(body: Record<string, unknown>): AttributeSet {
  const value = stringField(body, 'attributeSet', false) ?? 'full';
  const set = value.toLowerCase();
  if (set !== 'full' && set !== 'basic')
    throw new BadRequestError(`'attributeSet' must be 'full' or 'basic'; got '${value}'.`);
  return set;
}

/** The export data a request asks for; undefined when nothing exists for it (the export fails). */
function requestedData(
  state: EmulatorState,
  kind: ExportKind,
  body: Record<string, unknown>,
): ExportData | undefined {
  const billing = state.billing.dataset;
  const attributeSet = attributeSetOf(body);
  const family = kind.endsWith('Usage') ? 'usage' : 'reconciliation';
  const version = state.settings.billingDataVersion;
  const layout = (source: ExportData['source'], period?: BillingPeriod): ExportData => ({
    kind,
    source,
    attributeSet,
    period,
    version,
    linesPerBlob: linesPerBlobFor(source.count, state.settings.billingLinesPerBlob),
  });
  if (kind.startsWith('billed')) {
    const invoiceId = stringField(body, 'invoiceId', true) ?? '';
    const invoice = billing.invoiceById(invoiceId);
    // Invoices older than the v2 coverage have no export: Partner Center's v1 API serves them.
    if (invoice?.api !== 'v2') return undefined;
    return layout(family === 'usage' ? invoice.usage : invoice.reconciliation);
  }
  const currencyCode = stringField(body, 'currencyCode', true) ?? '';
  const periodText = stringField(body, 'billingPeriod', true) ?? '';
  const period = periodText.toLowerCase();
  if (period !== 'current' && period !== 'last')
    throw new BadRequestError(`'billingPeriod' must be 'current' or 'last'; got '${periodText}'.`);
  const currency = billing.currencyOf(currencyCode);
  if (!currency) return undefined;
  return layout(billing.unbilledSource(family, period, currency), period);
}

function exportRoute(kind: ExportKind) {
  return graphRoute(async (state: EmulatorState, exchange: Exchange): Promise<Reply> => {
    const body = await readJsonObject(exchange.req);
    const data = requestedData(state, kind, body);
    const operation = await state.billing.exports.start(
      data,
      exchange.receivedAt,
      exchange.fault?.exportOutcome,
    );
    return {
      status: 202,
      headers: { Location: `${state.baseUrl}${BILLING_PATH}/operations/${operation.id}` },
      body: Buffer.alloc(0),
    };
  }, permission);
}

function manifestJson(
  state: EmulatorState,
  operation: ExportOperation,
  data: ExportData,
  nowMs: number,
) {
  const rootPath = rootPathOf(data);
  const blobs = Array.from({ length: blobCountOf(data) }, (_, part) => ({
    name: blobNameOf(data, part),
    partitionValue: 'default',
  }));
  return {
    '@odata.type': `${NAMESPACE}.manifest`,
    id: operation.manifestId,
    schemaVersion: '2',
    dataFormat: 'compressedJSONLines',
    createdDateTime: isoDate(operation.manifestCreatedAt ?? nowMs),
    eTag: eTagOf(data),
    partnerTenantId: data.source.partnerId,
    rootDirectory: `${state.baseUrl}${rootPath}`,
    // A fresh signature at every read: reading the manifest again renews an expired one.
    sasToken: state.billing.sas.issue(rootPath, nowMs, state.settings.sasLifetimeSeconds),
    partitionType: 'default',
    blobCount: blobs.length,
    blobs,
  };
}

const getOperation = graphRoute((state: EmulatorState, exchange: Exchange): Reply | GraphError => {
  const { id } = exchange.params;
  const view = state.billing.exports.poll(id, exchange.receivedAt);
  if (!view) return graphErrors.notFound(id);
  const { operation } = view;
  const common = {
    '@odata.context': `${state.baseUrl}/v1.0/$metadata#reports/partners/billing/operations/$entity`,
    id: operation.id,
    createdDateTime: isoDate(operation.createdAt),
    lastActionDateTime: new Date(
      Math.max(operation.lastActionAt, operation.createdAt),
    ).toISOString(),
  };
  if (view.status === 'running')
    return jsonReply(
      200,
      { ...common, '@odata.type': `${NAMESPACE}.runningOperation`, status: 'running' },
      { headers: { 'Retry-After': String(state.settings.exportRetryAfterSeconds) } },
    );
  if (view.status === 'failed')
    return jsonReply(200, {
      ...common,
      '@odata.type': `${NAMESPACE}.failedOperation`,
      status: 'failed',
      error: { code: view.failure.code, message: view.failure.message },
    });
  const manifestLink = `${state.baseUrl}${BILLING_PATH}/manifests/${operation.manifestId}`;
  // Microsoft's sample reads the manifest inline as `resourceLocation`: $expand gives it that way.
  const expand = exchange.query.get('$expand')?.toLowerCase() === 'resourcelocation';
  const manifest = expand
    ? state.billing.exports.manifest(operation.manifestId, exchange.receivedAt)
    : undefined;
  return jsonReply(200, {
    ...common,
    '@odata.type': `${NAMESPACE}.exportSuccessOperation`,
    status: 'succeeded',
    'resourceLocation@odata.navigationLink': manifestLink,
    ...(manifest
      ? {
          resourceLocation: manifestJson(
            state,
            manifest.operation,
            manifest.data,
            exchange.receivedAt,
          ),
        }
      : {}),
  });
}, permission);

const getManifest = graphRoute((state: EmulatorState, exchange: Exchange): Reply | GraphError => {
  const { id } = exchange.params;
  const found = state.billing.exports.manifest(id, exchange.receivedAt);
  if (!found) return graphErrors.notFound(id);
  return jsonReply(200, {
    '@odata.context': `${state.baseUrl}/v1.0/$metadata#reports/partners/billing/manifests/$entity`,
    ...manifestJson(state, found.operation, found.data, exchange.receivedAt),
  });
}, permission);

/** The route table's entries for the billing reports (method, path, handler). */
export const GRAPH_BILLING_ROUTES = [
  ['POST', `${BILLING_PATH}/reconciliation/billed/export`, exportRoute('billedReconciliation')],
  ['POST', `${BILLING_PATH}/reconciliation/unbilled/export`, exportRoute('unbilledReconciliation')],
  ['POST', `${BILLING_PATH}/usage/billed/export`, exportRoute('billedUsage')],
  ['POST', `${BILLING_PATH}/usage/unbilled/export`, exportRoute('unbilledUsage')],
  ['GET', BILLING_OPERATION_PATH, getOperation],
  ['GET', `${BILLING_PATH}/manifests/{id}`, getManifest],
] as const;
