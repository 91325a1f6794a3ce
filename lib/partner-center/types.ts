/** Wire shapes of Partner Center resources the client reads (docs/partner-center-api.md). */

/**
 * A link as the service writes it: `uri` relative to the version root (`/customers?...` or
 * `/v1/customers?...`).
 */
export interface Link {
  uri: string;
  method?: string;
  headers?: ReadonlyArray<{ key: string; value: string }>;
}

/** A page's items: parsed objects in an array, or a JsonTextList over the page's own bytes. */
export interface ItemList {
  readonly length: number;
}

export interface Collection<L extends ItemList = unknown[]> {
  /** Items in THIS page, not the grand total. */
  totalCount?: number;
  items: L;
  links?: { self?: Link; next?: Link; previous?: Link };
  continuationToken?: string;
  attributes?: { objectType?: string };
}

/**
 * One page of a listing, as `PartnerCenterClient.pages` (T[]) or `jsonTextPages` (JsonTextList)
 * yields it.
 */
export interface Page<L extends ItemList> {
  items: L;
  /** 1-based position of this page in this run of the listing. */
  pageNumber: number;
  /**
   * Opaque token that resumes the listing AFTER this page (undefined on the last page). Once the
   * page's items are written, a failed run resumes from here without duplicates or gaps.
   */
  continuationToken?: string;
}

export interface CompanyProfile {
  tenantId?: string;
  domain?: string;
  companyName?: string;
  [property: string]: unknown;
}

/** A customer exactly as the API returns it (lossless: unknown properties are kept). */
export interface Customer {
  id: string;
  companyProfile?: CompanyProfile;
  relationshipToPartner?: string;
  associatedPartnerId?: string;
  [property: string]: unknown;
}
