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
  /**
   * Another page follows (and is already asked for). A page may lead on without a token: the
   * invoices' `size`/`offset` links carry none, so such a listing resumes counted from its start.
   */
  more?: boolean;
}

/**
 * The resources the cmdlets write, as the services send them. Each is what a cmdlet's output type
 * names (lib/output-types.ts): the typed Node functions return it and `Get-Help` lists its
 * properties under OUTPUTS, from these declarations. Every one keeps the properties it does not
 * declare (the services add fields), hence the index signatures.
 */

/** Where a resource points: its own address, the offer or product it came from. */
export interface ResourceLinks {
  self?: Link;
  [relation: string]: Link | undefined;
}

/** Partner Center's `attributes` of every resource: its kind and version. */
export interface ResourceAttributes {
  /** `Customer`, `Subscription`, `CustomerUser`, `SubscribedSku`, `License`, ... */
  objectType?: string;
  /** Changes whenever the resource does (send it back as If-Match to change it). */
  etag?: string;
  [property: string]: unknown;
}

/** A customer's company as Partner Center holds it. */
export interface CompanyProfile {
  /** The customer's Entra tenant id (the same as the customer's id). */
  tenantId?: string;
  /** The customer's initial domain, `<name>.onmicrosoft.com`. */
  domain?: string;
  companyName?: string;
  [property: string]: unknown;
}

/** A customer of the partner, exactly as Partner Center returns it. */
export interface Customer {
  /** The customer's tenant id (a GUID): pipe it on as -CustomerId. */
  id: string;
  companyProfile?: CompanyProfile;
  /** `reseller`, `advisor`, `none`, ... */
  relationshipToPartner?: string;
  associatedPartnerId?: string;
  allowDelegatedAccess?: boolean;
  links?: ResourceLinks;
  attributes?: ResourceAttributes;
  [property: string]: unknown;
}

/** What a per-customer cmdlet puts first in each object: the customer it belongs to. */
export interface OfCustomer {
  /** The customer's tenant id, added by the cmdlet (the service's object does not carry it). */
  customerId: string;
}

/** A customer's subscription (legacy or new commerce), exactly as Partner Center returns it. */
export interface Subscription {
  id: string;
  offerId?: string;
  offerName?: string;
  friendlyName?: string;
  quantity?: number;
  /** `Licenses` or `Usage-based` (Azure). */
  unitType?: string;
  /** `active`, `suspended`, `deleted`, `expired`, `pending`, `disabled`. */
  status?: string;
  autoRenewEnabled?: boolean;
  /** `monthly`, `annual`, `triennial`, `none`. */
  billingCycle?: string;
  /** ISO 8601 duration of the term (`P1M`, `P1Y`, `P3Y`). */
  termDuration?: string;
  creationDate?: string;
  effectiveStartDate?: string;
  commitmentEndDate?: string;
  orderId?: string;
  links?: ResourceLinks;
  attributes?: ResourceAttributes;
  [property: string]: unknown;
}

/** A user of a customer's tenant, exactly as Partner Center returns it. */
export interface CustomerUser {
  /** The user's object id: pipe it on as -UserId. */
  id: string;
  userPrincipalName?: string;
  firstName?: string;
  lastName?: string;
  displayName?: string;
  /** ISO 3166 country code, needed before licenses can be assigned. */
  usageLocation?: string;
  /** `active`, or `inactive` for a deleted user. */
  state?: string;
  /** `none` (the initial domain), `managed` or `federated`. */
  userDomainType?: string;
  /** When a deleted user was deleted (30 days before it is gone). */
  softDeletionTime?: string;
  lastDirectorySyncTime?: string;
  links?: ResourceLinks;
  attributes?: ResourceAttributes;
  [property: string]: unknown;
}

/** The product SKU of a subscribed SKU or of a user's license. */
export interface ProductSku {
  id: string;
  name?: string;
  skuPartNumber?: string;
  targetType?: string;
  /** `Group1` (Entra ID) or `Group2` (Minecraft). */
  licenseGroupId?: string;
  [property: string]: unknown;
}

/** One service plan of a SKU or license (Exchange, SharePoint, Teams, ...). */
export interface ServicePlan {
  id?: string;
  displayName?: string;
  serviceName?: string;
  capabilityStatus?: string;
  targetType?: string;
  [property: string]: unknown;
}

/** A license a customer has (a subscribed SKU), with units used and free. */
export interface SubscribedSku {
  availableUnits?: number;
  activeUnits?: number;
  consumedUnits?: number;
  suspendedUnits?: number;
  totalUnits?: number;
  warningUnits?: number;
  productSku: ProductSku;
  servicePlans?: ServicePlan[];
  /** `Enabled`, `Suspended`, `Warning`, ... */
  capabilityStatus?: string;
  attributes?: ResourceAttributes;
  [property: string]: unknown;
}

/** A license assigned to a user. */
export interface License {
  productSku: ProductSku;
  servicePlans?: ServicePlan[];
  attributes?: ResourceAttributes;
  [property: string]: unknown;
}

/** A role a GDAP relationship or access assignment grants (Entra's role definition id). */
export interface UnifiedRole {
  roleDefinitionId: string;
  [property: string]: unknown;
}

/** A granular delegated admin (GDAP) relationship, exactly as Microsoft Graph returns it. */
export interface GdapRelationship {
  id: string;
  displayName?: string;
  /** ISO 8601 duration (`P730D`). */
  duration?: string;
  customer?: { tenantId?: string; displayName?: string | null; [property: string]: unknown } | null;
  accessDetails?: { unifiedRoles?: UnifiedRole[] | null; [property: string]: unknown } | null;
  /** `active`, `approvalPending`, `activating`, `expiring`, `expired`, `terminated`, ... */
  status?: string;
  /** `P180D` when it renews itself at its end, `PT0S` when not. */
  autoExtendDuration?: string | null;
  createdDateTime?: string;
  lastModifiedDateTime?: string;
  activatedDateTime?: string | null;
  endDateTime?: string | null;
  [property: string]: unknown;
}

/** The security group a GDAP access assignment gives its roles to. */
export interface AccessContainer {
  accessContainerId: string;
  /** `securityGroup`. */
  accessContainerType?: string;
  [property: string]: unknown;
}

/** A GDAP access assignment (a security group and its roles), exactly as Graph returns it. */
export interface GdapAccessAssignment {
  id: string;
  /** `active`, `pending`, `deleting`, `deleted`, `error`. */
  status?: string;
  createdDateTime?: string;
  lastModifiedDateTime?: string;
  accessContainer?: AccessContainer;
  accessDetails?: { unifiedRoles?: UnifiedRole[]; [property: string]: unknown };
  [property: string]: unknown;
}

/** One entry of the activity log, exactly as Partner Center returns it. */
export interface AuditRecord {
  id?: string;
  partnerId?: string;
  /** The customer the change concerned (a GUID). */
  customerId?: string;
  customerName?: string;
  /** Who made the change; absent or null for an application acting alone. */
  userPrincipalName?: string | null;
  /** The Entra application the change came through. */
  applicationId?: string;
  /** What changed: `subscription`, `order`, `customer`, `customer_user`, ... */
  resourceType?: string;
  /** The resource before the change, as JSON text (PascalCase names); null when it was created. */
  resourceOldValue?: string | null;
  /** The resource after the change, as JSON text (PascalCase names). */
  resourceNewValue?: string | null;
  /** What was done, snake_case: `update_subscription`, `create_order`, ... */
  operationType?: string;
  /** When, in UTC (ISO 8601). */
  operationDate?: string;
  /** `succeeded`, `failed`, `progress`. */
  operationStatus?: string;
  /** The MS-CorrelationId of the request that made the change. */
  originalCorrelationId?: string;
  sessionId?: string;
  /** More about the change as key/value pairs (e.g. `SubscriptionId`). */
  customizedData?: { key: string; value: string }[];
  attributes?: ResourceAttributes;
  [property: string]: unknown;
}
