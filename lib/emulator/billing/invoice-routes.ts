/**
 * Partner Center's v1 invoice routes (docs/billing.md): the invoices, newest first
 * (`GET /v1/invoices`, `size` and `offset`), one invoice (`GET /v1/invoices/{id}`), and the
 * OneTime billing line items of invoices older than the v2 coverage, seek-paged with the
 * continuation token (`GET /v1/invoices/{id}/lineitems?provider=onetime&invoicelineitemtype=
 * billinglineitems&size=`, then `.../lineitems/OneTime/BillingLineItems?seekOperation=Next` with
 * `MS-ContinuationToken`).
 */
import { isoDate } from '../partner-center/customer-context.js';
import type { EmulatorState } from '../server/emulator-state.js';
import { jsonReply, type Exchange, type Reply } from '../server/http-exchange.js';
import {
  errorReply,
  linkUri,
  queryParam,
  seekPageReply,
  type ApiCaller,
  type SeekCollection,
} from '../partner-center/paged-collection.js';
import { pcErrors, type PartnerCenterError } from '../partner-center/partner-center-errors.js';
import type { BillingDataset, Invoice } from './invoices.js';

/** "Default max size = 2000" for OneTime line items. */
export const MAX_LINE_ITEMS_PAGE = 2000;
const DEFAULT_INVOICE_PAGE = 200;
const ONE_TIME_QUERY = 'provider=onetime&invoicelineitemtype=billinglineitems';

function link(uri: string) {
  return { uri, method: 'GET', headers: [] };
}

const cents = (value: number) => value / 100;

function invoiceJson(
  billing: BillingDataset,
  invoice: Invoice,
  single: boolean,
): Record<string, unknown> {
  const total = billing.totalCents(invoice);
  const lineItemsUri = `/invoices/${invoice.id}/lineitems/OneTime/BillingLineItems`;
  return {
    id: invoice.id,
    invoiceDate: isoDate(invoice.invoiceDate),
    billingPeriodStartDate: isoDate(invoice.periodStart),
    billingPeriodEndDate: isoDate(invoice.periodEnd - 1000),
    totalCharges: cents(total),
    paidAmount: invoice.paid ? -cents(total) : 0,
    currencyCode: invoice.currency.code,
    currencySymbol: invoice.currency.symbol,
    // Only on the invoice read by id, as documented.
    ...(single ? { pdfDownloadLink: `/invoices/${invoice.id}/documents/statement` } : {}),
    invoiceDetails: [
      {
        invoiceLineItemType: 'billing_line_items',
        billingProvider: 'one_time',
        links: { self: link(lineItemsUri) },
        attributes: { objectType: 'InvoiceDetail' },
      },
    ],
    documentType: 'invoice',
    invoiceType: 'Recurring',
    amendments: [],
    links: { self: link(`/invoices/${invoice.id}`) },
    attributes: { objectType: 'Invoice' },
  };
}

function nonNegativeInteger(
  exchange: Exchange,
  name: string,
  fallback: number,
): number | PartnerCenterError {
  const text = queryParam(exchange, name);
  if (text === null) return fallback;
  if (!/^\s*\d+\s*$/.test(text))
    return pcErrors.invalidProperty(`${name} must be an integer from 0`);
  return Number(text);
}

export function listInvoices(state: EmulatorState, exchange: Exchange): Reply {
  const { bom } = state.settings;
  const billing = state.billing.dataset;
  const size = nonNegativeInteger(exchange, 'size', DEFAULT_INVOICE_PAGE);
  const offset = nonNegativeInteger(exchange, 'offset', 0);
  if (typeof size !== 'number') return errorReply(size, bom);
  if (typeof offset !== 'number') return errorReply(offset, bom);
  const pageSize = size === 0 ? DEFAULT_INVOICE_PAGE : size;
  const items = billing.invoices.slice(offset, offset + pageSize);
  const next = offset + pageSize < billing.invoices.length;
  const listing = (at: number) =>
    link(linkUri(state, `/invoices?size=${pageSize}&offset=${at}`, { offset: at, size: pageSize }));
  return jsonReply(
    200,
    {
      totalCount: items.length,
      items: items.map((invoice) => invoiceJson(billing, invoice, false)),
      links: {
        self: listing(offset),
        ...(next ? { next: listing(offset + pageSize) } : {}),
      },
      attributes: { objectType: 'Collection' },
    },
    { bom },
  );
}

function invoiceOf(state: EmulatorState, exchange: Exchange): Invoice | PartnerCenterError {
  const { id } = exchange.params;
  return state.billing.dataset.invoiceById(id) ?? pcErrors.notFound(`invoice ${id}`);
}

export function getInvoice(state: EmulatorState, exchange: Exchange): Reply {
  const invoice = invoiceOf(state, exchange);
  if ('status' in invoice) return errorReply(invoice, state.settings.bom);
  return jsonReply(200, invoiceJson(state.billing.dataset, invoice, true), {
    bom: state.settings.bom,
  });
}

/** A v1 OneTime line item, from the same line as the v2 reconciliation file holds. */
function oneTimeItem(record: Record<string, unknown>): Record<string, unknown> {
  return {
    partnerId: record.PartnerId,
    customerId: record.CustomerId,
    customerName: record.CustomerName,
    customerDomainName: record.CustomerDomainName,
    customerCountry: record.CustomerCountry,
    invoiceNumber: record.InvoiceNumber,
    mpnId: record.MpnId,
    resellerMpnId: record.Tier2MpnId,
    orderId: record.OrderId,
    orderDate: record.OrderDate,
    productId: record.ProductId,
    skuId: record.SkuId,
    availabilityId: record.AvailabilityId,
    productName: record.ProductName,
    skuName: record.SkuName,
    productQualifiers: record.ProductQualifiers,
    chargeType: record.ChargeType,
    unitPrice: record.UnitPrice,
    effectiveUnitPrice: record.EffectiveUnitPrice,
    unitType: record.UnitType,
    quantity: record.Quantity,
    subtotal: record.Subtotal,
    taxTotal: record.TaxTotal,
    totalForCustomer: record.Total,
    currency: record.Currency,
    publisherName: record.PublisherName,
    publisherId: record.PublisherId,
    subscriptionDescription: record.SubscriptionDescription,
    subscriptionId: record.SubscriptionId,
    subscriptionStartDate: record.SubscriptionStartDate,
    subscriptionEndDate: record.SubscriptionEndDate,
    chargeStartDate: record.ChargeStartDate,
    chargeEndDate: record.ChargeEndDate,
    termAndBillingCycle: record.TermAndBillingCycle,
    alternateId: record.AlternateId,
    referenceId: record.ReferenceId,
    priceAdjustmentDescription: record.PriceAdjustmentDescription,
    discountDetails: '',
    pricingCurrency: record.PricingCurrency,
    pcToBCExchangeRate: record.PCToBCExchangeRate,
    pcToBCExchangeRateDate: record.PCToBCExchangeRateDate,
    billableQuantity: record.BillableQuantity,
    meterDescription: record.MeterDescription,
    billingFrequency: record.BillingFrequency,
    reservationOrderId: record.ReservationOrderId,
    promotionId: record.PromotionId,
    invoiceLineItemType: 'billing_line_items',
    billingProvider: 'one_time',
    attributes: { objectType: 'OneTimeInvoiceLineItem' },
  };
}

function lineItemCollection(state: EmulatorState, invoice: Invoice): SeekCollection<null> {
  const source = invoice.reconciliation;
  return {
    scope: `invoice-lineitems:${invoice.id}`,
    defaultPageSize: MAX_LINE_ITEMS_PAGE,
    maxPageSize: MAX_LINE_ITEMS_PAGE,
    parseFilter: () => ({ ok: false, reason: 'invoice line items take no filter' }),
    filterKey: () => '',
    page: (cursor) => {
      const reader = state.billing.dataset.reader(source);
      const end = Math.min(source.count, cursor.offset + cursor.size);
      const items: string[] = [];
      for (let position = cursor.offset; position < end; position++)
        items.push(JSON.stringify(oneTimeItem(reader.record(position))));
      return {
        items: Buffer.from(items.join(','), 'utf8'),
        count: items.length,
        nextOffset: end < source.count ? end : undefined,
      };
    },
    uri: (size, _filter, next) =>
      next
        ? `/invoices/${invoice.id}/lineitems/OneTime/BillingLineItems?seekOperation=Next`
        : `/invoices/${invoice.id}/lineitems?${ONE_TIME_QUERY}&size=${size}`,
  };
}

/**
 * `provider` and `invoicelineitemtype` of the query, or of the path of a next link
 * (`.../lineitems/OneTime/BillingLineItems`).
 */
function lineItemKind(exchange: Exchange): { provider: string; type: string } {
  return {
    provider: (exchange.params.provider ?? queryParam(exchange, 'provider') ?? '').toLowerCase(),
    type: (exchange.params.type ?? queryParam(exchange, 'invoicelineitemtype') ?? '').toLowerCase(),
  };
}

export function listInvoiceLineItems(
  state: EmulatorState,
  exchange: Exchange,
  caller: ApiCaller,
): Reply {
  const { bom } = state.settings;
  const invoice = invoiceOf(state, exchange);
  if ('status' in invoice) return errorReply(invoice, bom);
  const { provider, type } = lineItemKind(exchange);
  if (provider !== 'onetime' || type !== 'billinglineitems')
    return errorReply(
      pcErrors.invalidProperty(
        `the emulator serves ${ONE_TIME_QUERY} (the Office and Azure providers belong to ` +
          'legacy invoices it does not have)',
      ),
      bom,
    );
  if (invoice.api !== 'v1')
    return errorReply(
      pcErrors.invalidProperty(
        `invoice ${invoice.id} (billing period from ${isoDate(invoice.periodStart).slice(0, 10)}) ` +
          'is served by the v2 reconciliation export: POST ' +
          '/v1.0/reports/partners/billing/reconciliation/billed/export on Microsoft Graph',
      ),
      bom,
    );
  return seekPageReply(state, exchange, caller, lineItemCollection(state, invoice));
}
