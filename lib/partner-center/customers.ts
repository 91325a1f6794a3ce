/** The Customer resource: listing (plain, filtered, resumed) and reading one customer. */
import { NotFoundError, UsageError } from '../common/errors.js';
import type { JsonTextList } from '../json/json-text.js';
import type { PartnerCenterClient } from './client.js';
import { firstRequestOf, type SeekCollection } from './collections.js';
import type { Customer, Page } from './types.js';

export type { Customer } from './types.js';
/**
 * A page of customers, each kept as the service's bytes (written out as is, parsed only when
 * needed).
 */
export type CustomerPage = Page<JsonTextList<Customer>>;

/** The service's maximum page size, and its default. */
export const MAX_PAGE_SIZE = 500;

export type CustomerFilterField = 'CompanyName' | 'Domain' | 'IndirectReseller';

export interface CustomerFilter {
  field: CustomerFilterField;
  value: string;
}

export interface ListCustomersOptions {
  /** 1..500; default 500. */
  pageSize?: number;
  /**
   * Server-side search; `starts_with`, case-insensitive (IndirectReseller: the reseller's tenant
   * id, App+User only).
   */
  filter?: CustomerFilter;
  /** Resume after the page that returned this token (`Page.continuationToken`). */
  continuationToken?: string;
  /**
   * -First: no page is requested after the one that reaches this many customers (the caller trims
   * that page).
   */
  limit?: number;
}

export const CUSTOMER = { item: 'Customer', one: 'customer', many: 'customers' } as const;

/** The customers collection, optionally searched (seek-paged, 500 a page at most). */
export function customersCollection(filter?: CustomerFilter): SeekCollection {
  if (filter && !filter.value)
    throw new UsageError(`The ${filter.field} filter needs a value.`, {
      hint: 'Give the text the value starts with.',
    });
  // The service takes the filter as URL-encoded JSON; only starts_with is valid for customers.
  const query: [string, string][] = filter
    ? [
        [
          'filter',
          encodeURIComponent(
            JSON.stringify({ Field: filter.field, Value: filter.value, Operator: 'starts_with' }),
          ),
        ],
      ]
    : [];
  return { noun: CUSTOMER, paging: 'seek', path: '/customers', query, maxPageSize: MAX_PAGE_SIZE };
}

/** Path and query of the first request of a listing; a resumed one is the documented seek form. */
export function customersQuery(options: ListCustomersOptions = {}): string {
  const size = options.pageSize ?? MAX_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw new UsageError(`The page size ${size} is out of range.`, {
      hint: `Give a whole number from 1 to ${MAX_PAGE_SIZE}.`,
    });
  }
  if (options.continuationToken === '')
    throw new UsageError('The continuation token is empty.', {
      hint: 'Give the token a previous run reported, or leave it out.',
    });
  return firstRequestOf(customersCollection(options.filter), {
    pageSize: size,
    resumed: options.continuationToken !== undefined,
  });
}

/** Every page of the partner's customers, one page prefetched while the current one is consumed. */
export function listCustomers(
  client: PartnerCenterClient,
  options: ListCustomersOptions = {},
): AsyncGenerator<CustomerPage> {
  return client.jsonTextPages<Customer>(customersQuery(options), {
    continuationToken: options.continuationToken,
    limit: options.limit,
  });
}

export async function getCustomer(
  client: PartnerCenterClient,
  customerId: string,
): Promise<Customer> {
  if (!customerId.trim())
    throw new UsageError('The customer id is empty.', {
      hint: "Give the customer's tenant id (a GUID).",
    });
  try {
    return await client.getJson<Customer>(`/customers/${encodeURIComponent(customerId)}`);
  } catch (error) {
    if (error instanceof NotFoundError) {
      throw new NotFoundError(
        `Customer ${customerId} was not found among this partner's customers.`,
        {
          hint: 'Check the id; Get-PartnerCustomer lists the customers this partner has.',
          cause: error,
        },
      );
    }
    throw error;
  }
}
