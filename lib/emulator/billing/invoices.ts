/**
 * The partner's invoices: one per month and billing currency for the INVOICE_MONTHS months before
 * the emulator's `now`, newest first, each with a line-item source whose lines add up to its total
 * (docs/billing.md). The latest invoice has `billingLineItems` lines; older ones somewhat fewer.
 * Nothing but the invoices' few facts and their totals (once summed) is kept.
 */
import { lineItemsApiFor } from '../../common/billing-facts.js';
import type { CustomerDataset } from '../partner-center/dataset.js';
import { hash32 } from '../server/random.js';
import { BilledCustomers } from './billed-customers.js';
import {
  CURRENCIES,
  type Currency,
  type LineFamily,
  LineItemReader,
  type LineSource,
} from './line-items.js';

/** Enough history to reach back before the v2 coverage (February 2024) from any recent `now`. */
const INVOICE_MONTHS = 40;
/** A share of the USD invoice's lines, for the smaller EUR invoice of the same month. */
const SECOND_CURRENCY_SHARE = 5;
const DAY_MS = 86_400_000;

export type BillingPeriod = 'current' | 'last';

export interface Invoice {
  readonly id: string;
  readonly currency: Currency;
  readonly invoiceDate: number;
  readonly periodStart: number;
  readonly periodEnd: number;
  /** Which API serves the line items: v1 (Partner Center pages) or v2 (Graph exports). */
  readonly api: 'v1' | 'v2';
  readonly reconciliation: LineSource;
  readonly usage: LineSource;
  /** Whether a payment was received (every invoice but the latest month's). */
  readonly paid: boolean;
}

function monthStart(ms: number, monthsBack: number): number {
  const date = new Date(ms);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() - monthsBack, 1);
}

export class BillingDataset {
  readonly customers: BilledCustomers;
  readonly partnerId: string;
  readonly mpnId: string;
  private readonly totals = new Map<string, number>();
  private readonly byId = new Map<string, Invoice>();
  private list?: readonly Invoice[];

  constructor(
    readonly dataset: CustomerDataset,
    readonly now: number,
    readonly latestLineItems: number,
  ) {
    this.customers = new BilledCustomers(dataset);
    this.partnerId = dataset.partnerTenantId;
    this.mpnId = String(1_000_000 + (hash32(dataset.seed, 5, 91) % 8_999_999));
  }

  /**
   * Newest first. Made on the first billing request (it finds the billed customers), not when the
   * emulator starts.
   */
  get invoices(): readonly Invoice[] {
    this.list ??= this.makeInvoices();
    return this.list;
  }

  private makeInvoices(): Invoice[] {
    const { dataset, now, latestLineItems } = this;
    const invoices: Invoice[] = [];
    for (let back = 1; back <= INVOICE_MONTHS; back++) {
      const periodStart = monthStart(now, back);
      const periodEnd = monthStart(now, back - 1);
      const invoiceDate = Math.min(periodEnd + 4 * DAY_MS, now);
      CURRENCIES.forEach((currency, currencyIndex) => {
        const monthNumber =
          new Date(periodStart).getUTCFullYear() * 12 + new Date(periodStart).getUTCMonth();
        const hash = hash32(dataset.seed, monthNumber, 92 + currencyIndex);
        const share = back === 1 ? 100 : 60 + (hash % 41);
        const usdCount = Math.floor((latestLineItems * share) / 100);
        const count =
          currencyIndex === 0
            ? usdCount
            : Math.max(1, Math.floor(usdCount / SECOND_CURRENCY_SHARE));
        // G, then the month and the currency (unique by construction), then five digits of hash.
        const unique = (monthNumber * CURRENCIES.length + currencyIndex) % 10_000;
        const id = `G${String(unique).padStart(4, '0')}${String(hash % 100_000).padStart(5, '0')}`;
        invoices.push({
          id,
          currency,
          invoiceDate,
          periodStart,
          periodEnd,
          // The module's own line between the APIs (lib/common/billing-facts.ts), drawn once.
          api: lineItemsApiFor(new Date(periodStart).toISOString()) ?? 'v2',
          reconciliation: this.source(
            'reconciliation',
            hash,
            count,
            currency,
            id,
            periodStart,
            periodEnd,
          ),
          usage: this.source(
            'usage',
            hash ^ 0x5f3759df,
            Math.max(1, Math.floor(count / 2)),
            currency,
            id,
            periodStart,
            periodEnd,
          ),
          paid: back > 1,
        });
      });
    }
    for (const invoice of invoices) this.byId.set(invoice.id.toUpperCase(), invoice);
    return invoices;
  }

  private source(
    family: LineFamily,
    salt: number,
    count: number,
    currency: Currency,
    invoiceId: string,
    periodStart: number,
    periodEnd: number,
  ): LineSource {
    return {
      family,
      salt: salt >>> 0,
      // No billed customer, no line item (an emulator of 0 customers).
      count: this.customers.count === 0 ? 0 : count,
      currency,
      invoiceId,
      periodStart,
      periodEnd,
      partnerId: this.partnerId,
      mpnId: this.mpnId,
    };
  }

  invoiceById(id: string): Invoice | undefined {
    if (!this.list) this.list = this.makeInvoices();
    return this.byId.get(id.toUpperCase());
  }

  currencyOf(code: string): Currency | undefined {
    return CURRENCIES.find((currency) => currency.code === code.toUpperCase());
  }

  /**
   * What is not yet invoiced in one currency: the current month so far, or the last month when
   * its invoice is not out yet (the emulator keeps half and a quarter of the latest invoice's size).
   */
  unbilledSource(family: LineFamily, period: BillingPeriod, currency: Currency): LineSource {
    const periodStart = monthStart(this.now, period === 'current' ? 0 : 1);
    const periodEnd =
      period === 'current' ? Math.max(this.now, periodStart + DAY_MS) : monthStart(this.now, 0);
    const base =
      currency === CURRENCIES[0]
        ? this.latestLineItems
        : Math.floor(this.latestLineItems / SECOND_CURRENCY_SHARE);
    const count = Math.max(1, Math.floor(base / (period === 'current' ? 2 : 4)));
    const salt =
      hash32(this.dataset.seed, period === 'current' ? 1 : 2, family === 'usage' ? 97 : 96) ^
      currency.code.charCodeAt(0);
    return this.source(family, salt, count, currency, '', periodStart, periodEnd);
  }

  /** A reader of one source's lines. */
  reader(source: LineSource): LineItemReader {
    return new LineItemReader(source, this.customers);
  }

  /** The invoice's total in cents: the sum of its reconciliation lines (line-items.ts). */
  totalCents(invoice: Invoice): number {
    let total = this.totals.get(invoice.id);
    if (total === undefined) {
      total = this.reader(invoice.reconciliation).totalCents();
      this.totals.set(invoice.id, total);
    }
    return total;
  }
}
