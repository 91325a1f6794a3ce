/**
 * Partner Center's customer routes: `GET /v1/customers` (seek paging, size, filter) and
 * `GET /v1/customers/{id}`, shaped as docs/partner-center-api.md documents. The paging itself is
 * the shared seek protocol (paged-collection.ts, which reads query names in any case, as the
 * service does); this file says what a page of customers is.
 */
import { isGuid } from '../../common/guid.js';
import { matchesFilter, parseCustomerFilter, type CustomerFilter } from './customer-filter.js';
import type { ListingCursor } from './continuation-tokens.js';
import { MAX_CUSTOMER_JSON_BYTES, writeCustomerListJson } from './customer-json.js';
import type { CustomerDataset, CustomerSummary } from './dataset.js';
import type { EmulatorState } from '../server/emulator-state.js';
import { jsonReply, type Exchange, type Reply } from '../server/http-exchange.js';
import {
  errorReply,
  seekPageReply,
  type ApiCaller,
  type SeekCollection,
} from './paged-collection.js';
import { pcErrors } from './partner-center-errors.js';
import type { CachedPage } from './page-cache.js';

export { errorReply, type ApiCaller } from './paged-collection.js';

export const MAX_PAGE_SIZE = 500;

interface PageSlice {
  customers: CustomerSummary[];
  /** Where the following page starts, or undefined on the last page. */
  nextOffset?: number;
}

/**
 * Collects one page from the cursor; a filtered scan looks one match ahead so the last page has no
 * next link.
 */
function slicePage(dataset: CustomerDataset, cursor: ListingCursor): PageSlice {
  const partner = dataset.partnerTenantId;
  const customers: CustomerSummary[] = [];
  const { filter } = cursor;
  if (!filter) {
    const end = Math.min(cursor.offset + cursor.size, dataset.count);
    for (let index = cursor.offset; index < end; index++) customers.push(dataset.summary(index));
    return { customers, nextOffset: end < dataset.count ? end : undefined };
  }
  for (let index = cursor.offset; index < dataset.count; index++) {
    if (!matchesFilter(dataset.searchFields(index), filter, partner)) continue;
    if (customers.length === cursor.size) return { customers, nextOffset: index };
    customers.push(dataset.summary(index));
  }
  return { customers };
}

function listingUri(size: number, filter: CustomerFilter | null, next: boolean): string {
  const filterJson =
    filter && JSON.stringify({ Field: filter.field, Value: filter.value, Operator: 'starts_with' });
  const filterPart = filterJson ? `&filter=${encodeURIComponent(filterJson)}` : '';
  return `/customers?size=${size}${filterPart}${next ? '&seekOperation=Next' : ''}`;
}

/**
 * Where a page's customers are serialised: sized for the worst case (every customer at its
 * longest), reused by every page, and only the bytes written are copied out. A fresh worst-case
 * buffer per page was about 1 MB of allocation for 280 KB of page.
 */
let scratch = Buffer.alloc(0);

/**
 * The page's customers as the items array's contents (JSON joined by commas): the hot path of every
 * listing.
 */
function itemsOf(slice: PageSlice): CachedPage {
  const worstCase = slice.customers.length * (MAX_CUSTOMER_JSON_BYTES + 1);
  if (scratch.length < worstCase) scratch = Buffer.allocUnsafe(worstCase);
  let offset = 0;
  slice.customers.forEach((customer, n) => {
    if (n > 0) scratch[offset++] = 0x2c;
    offset = writeCustomerListJson(scratch, offset, customer);
  });
  return {
    items: Buffer.from(scratch.subarray(0, offset)),
    count: slice.customers.length,
    nextOffset: slice.nextOffset,
  };
}

function customerCollection(state: EmulatorState): SeekCollection<CustomerFilter> {
  return {
    defaultPageSize: MAX_PAGE_SIZE,
    maxPageSize: MAX_PAGE_SIZE,
    // Microsoft's own search example sends size=0 and is answered with 200 and one full page.
    parseFilter: parseCustomerFilter,
    filterKey: (filter) => `${filter.field}:${filter.value}`,
    page: (cursor) => itemsOf(slicePage(state.dataset, cursor)),
    uri: (size, filter, next) => listingUri(size, filter, next),
    refuse: (cursor, caller) =>
      cursor.filter?.field === 'IndirectReseller' && !caller.delegated
        ? pcErrors.accessDenied403(
            'the IndirectReseller filter needs an App+User (delegated) token',
          )
        : undefined,
  };
}

export function listCustomers(state: EmulatorState, exchange: Exchange, caller: ApiCaller): Reply {
  return seekPageReply(state, exchange, caller, customerCollection(state));
}

export function getCustomer(state: EmulatorState, exchange: Exchange): Reply {
  // The route matcher has already decoded the path segment once; decoding again would misread ids.
  const id = exchange.params.id;
  if (!isGuid(id)) return errorReply(pcErrors.invalidCustomerId(), state.settings.bom);
  const index = state.dataset.indexOfId(id);
  if (index < 0) return errorReply(pcErrors.tenantNotFound(id), state.settings.bom);
  return jsonReply(200, state.dataset.detail(index), { bom: state.settings.bom });
}
