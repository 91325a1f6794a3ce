import type { ChangeRecord } from './server/change-store.js';
import type { FaultScript } from './server/fault-types.js';
import type { GdapCustomerKind } from './graph/gdap-dataset.js';

export type { GdapCustomerKind } from './graph/gdap-dataset.js';

export type {
  FaultAction,
  FaultRule,
  FaultScript,
  FaultTarget,
  RateLimit,
} from './server/fault-types.js';

/**
 * The emulator's programmatic face: `Start-PartnerEmulator`, `npm start`, specs and benchmarks all
 * start it through `startEmulator(options)` (lib/emulator/index.ts). It is its own world: it never
 * imports the client or the session, and they never import it.
 */

/**
 * How `links.next.uri` (and `links.self`) are written: `mixed` (the default) alternates `v1` and
 * `relative` page by page, as the service has written both since 2021; `absolute` (the API's own
 * origin) is no documented form but one a client may meet behind a proxy.
 */
export const NEXT_LINK_FORMS = ['mixed', 'v1', 'relative', 'absolute'] as const;
export type NextLinkForm = (typeof NEXT_LINK_FORMS)[number];

export interface EmulatorOptions {
  /** 0 picks a free port. Always bound to 127.0.0.1. */
  port?: number;
  /** Number of customers in the data set. Default 2500. */
  customers?: number;
  /** Seed of the deterministic data set. Default 1. */
  seed?: number;
  /**
   * The instant the GDAP relationships' dates are relative to (ms since the epoch or an ISO 8601
   * date): which relationships are active, which end within 30 days, which expired. Default: the
   * start of the current UTC day when the emulator starts. Give it for data that never changes.
   */
  now?: number | string;
  /** Serve plain HTTP instead of HTTPS with a self-signed certificate. */
  http?: boolean;
  /**
   * Shape of `links.next.uri`: `mixed` (default: `/v1/customers?...` on one page,
   * `/customers?...` on the next, as the service writes them), `v1`, `relative`, or `absolute`
   * (`https://<emulator>/v1/customers?...`).
   */
  nextLinkForm?: NextLinkForm;
  /** Prefix every JSON body with a UTF-8 byte-order mark, as the real service sometimes does. */
  bom?: boolean;
  /** Lifetime of issued access tokens, in seconds. Default 3600. */
  accessTokenLifetimeSeconds?: number;
  /**
   * Extra latency added to every Partner Center API response (pages, single resources, errors and
   * 429s alike; not the Entra ID routes), in ms. Default 0.
   */
  apiLatencyMs?: number;
  /**
   * The gateway's rate limit per partner tenant (the token's `tid`), in requests per minute: a
   * token bucket refilled continuously that holds at most one second's worth, so bursts are cut
   * to the rate; a request over it gets the gateway's 429 with Retry-After. Default 0: none.
   * A fault script's `rateLimit` wins while it is set (see gateway-rate-limit.ts).
   */
  rateLimitPerMinute?: number;
  /**
   * Keep the customers of recently served pages, up to this many megabytes, and serve them again
   * from memory: repeated listings (benchmarks, a runbook run again and again) then cost the
   * emulator little more than HTTPS. Default 0: every page is derived anew.
   */
  pageCacheMegabytes?: number;
  /**
   * Directory for the emulator's files; default a fresh temp directory (removed on close). A given
   * directory keeps the token-signing key (`signing-key.pem`, 0600) and the TLS certificate
   * (`server-certificate.pem`, its key 0600) across runs, so a restart on the same port is still
   * trusted by saved contexts and honours their stored tokens; other files of one instance (client
   * certificates) are named by thumbprint.
   */
  stateDir?: string;
  /**
   * Access-token lifetime per sign-in flow, in seconds, overriding `accessTokenLifetimeSeconds`
   * (renewal tests in seconds).
   */
  tokenLifetimes?: Partial<Record<TokenFlow, number>>;
  /** Lifetime of refresh tokens, in seconds. Default 90 days. */
  refreshTokenLifetimeSeconds?: number;
  /**
   * Device-code sign-ins are approved as soon as they start (the demo); otherwise a test approves
   * them.
   */
  autoApproveDeviceCode?: boolean;
  /**
   * The authorization endpoint redirects straight back with a code (browser sign-in without a
   * person).
   */
  autoApproveAuthorization?: boolean;
  /** The polling interval the device-code endpoint tells clients, in seconds. Default 1. */
  deviceCodeIntervalSeconds?: number;
  /** How long a continuation token stays valid, in seconds. Default 3600. */
  continuationTokenLifetimeSeconds?: number;
  /** Scripted faults from the first request on (see fault-types.ts). */
  faults?: FaultScript;
  /**
   * How many reconciliation line items the latest invoice has (older invoices somewhat fewer; each
   * month's EUR invoice a fifth). Lines are derived as they are served, so millions cost no
   * memory. Default 2,000.
   */
  billingLineItems?: number;
  /**
   * How long the blob SAS of a billing manifest stays valid, in seconds (reading the manifest
   * again gives a new one). Default 12 hours, as Microsoft's example manifest shows.
   */
  sasLifetimeSeconds?: number;
  /**
   * Lines per exported blob; default 0: a third of the export's lines, at most 50,000 (so small
   * exports still come as three blobs).
   */
  billingLinesPerBlob?: number;
  /**
   * A directory (the caller's, existing) where each exported blob's compressed bytes are kept once
   * measured, and served from: downloads then cost what a blob store's do, not the making of the
   * lines (benchmarks of clients). Memory stays flat; the disk holds the blobs (about 80 bytes a
   * line item). Default none: every download compresses the lines again.
   */
  billingBlobCacheDirectory?: string;
  /** Retry-After of a running export operation, in seconds. Default 1. */
  exportRetryAfterSeconds?: number;
  /**
   * The billing data's version (default 1): a new one changes every export's eTag and blob names,
   * as a re-published invoice does.
   */
  billingDataVersion?: number;
  /**
   * The RSA private key (PEM) that signs access tokens, instead of a new 2048-bit one per start
   * (or the one kept in `stateDir`, which a given key overrides and which it is never written to).
   * For test suites that start many emulators; anything else should let each start make its own.
   */
  signingKey?: string;
  /**
   * The TLS certificate and key (PEM) to serve, instead of a new self-signed one per start (or the
   * one kept in `stateDir`, which a given pair overrides). For test suites, like `signingKey`: no
   * certificate is then made.
   */
  serverCertificate?: { cert: string; key: string };
}

/** Sign-in flows with their own token lifetime. */
export type TokenFlow =
  | 'clientCredentials'
  | 'clientAssertion'
  | 'deviceCode'
  | 'authorizationCode'
  | 'refreshToken'
  | 'password'
  | 'managedIdentity';

/** What `configure()` and `POST /_emulator/configure` may change while the emulator runs. */
export type LiveSettings = Partial<
  Pick<
    EmulatorOptions,
    | 'nextLinkForm'
    | 'bom'
    | 'apiLatencyMs'
    | 'rateLimitPerMinute'
    | 'accessTokenLifetimeSeconds'
    | 'tokenLifetimes'
    | 'refreshTokenLifetimeSeconds'
    | 'autoApproveDeviceCode'
    | 'autoApproveAuthorization'
    | 'deviceCodeIntervalSeconds'
    | 'sasLifetimeSeconds'
    | 'billingLinesPerBlob'
    | 'exportRetryAfterSeconds'
    | 'billingDataVersion'
  >
>;

export interface EmulatorCounters {
  /**
   * Requests by route, keyed `METHOD /route/template`, e.g. `GET /v1/customers`, `POST
   * /{tenant}/oauth2/v2.0/token`.
   */
  requests: Record<string, number>;
  /** Access tokens issued by the token endpoint, all grants together. */
  tokensIssued: number;
  /**
   * Scripted faults that fired (each firing of a rule or of the script's rate limit counts once;
   * 429s of the `rateLimitPerMinute` setting are not scripted faults and count only in `api`).
   */
  faultsInjected?: number;
  /**
   * Partner Center API requests received and how many were answered 429 (by a rate limit or a
   * scripted throttle), in total and per partner tenant (the token's `tid`; `anonymous` without a
   * readable token).
   */
  api: ApiCounters;
}

export interface ApiCounters {
  requests: number;
  throttled: number;
  tenants: Record<string, { requests: number; throttled: number }>;
}

/**
 * One request as the emulator saw it, secrets redacted (Authorization shows `Bearer <redacted>`).
 */
export interface RecordedRequest {
  method: string;
  /** Path and query as received. */
  url: string;
  route: string;
  status: number;
  /** Lower-cased header names. */
  headers: Record<string, string>;
}

export interface RunningEmulator {
  /** Base of the Partner Center API, without `/v1`: e.g. `https://127.0.0.1:43123`. */
  apiEndpoint: string;
  /**
   * Base of Microsoft Graph, without `/v1.0`: the same server, e.g. `https://127.0.0.1:43123`.
   * It accepts only tokens whose audience is `https://graph.microsoft.com`.
   */
  graphEndpoint: string;
  /**
   * Entra ID authority host, e.g. `https://127.0.0.1:43123` (token endpoint at
   * `{authorityHost}/{tenant}/oauth2/v2.0/token`).
   */
  authorityHost: string;
  /** The partner's tenant id (GUID). Its domain `tenantDomain` is accepted in token URLs too. */
  tenantId: string;
  tenantDomain: string;
  /** A service principal registered in the emulated tenant. */
  applicationId: string;
  clientSecret: string;
  /** PEM file of the self-signed certificate (HTTPS only). */
  caCertificatePath?: string;
  /** The same certificate as PEM text. */
  caCertificate?: string;
  /**
   * The Connect-Partner parameters that point any sign-in at this emulator: -Tenant,
   * -ApiEndpoint, -AuthorityHost, -GraphEndpoint and, over HTTPS, -CaCertificatePath.
   */
  connectEndpoints: string[];
  /**
   * The whole data set, in listing order (as returned by `GET /v1/customers`, list shape).
   * Materialised on first access: for large data sets use `customerAt`/`customerIds` of
   * StartedEmulator.
   */
  customers: readonly Record<string, unknown>[];
  /** The audience the API accepts in access tokens: `https://api.partnercenter.microsoft.com`. */
  audience: string;
  counters(): EmulatorCounters;
  /** The most recent requests (newest last), at most `limit` (default 100). */
  recentRequests(limit?: number): RecordedRequest[];
  resetCounters(): void;
  /**
   * Forgets every write: the data is the seed's again, the idempotency record (by MS-RequestId)
   * and the journal of changes are emptied. Etags handed out before stay invalid. Also
   * `POST /_emulator/store/reset`.
   */
  resetStore(): void;
  /**
   * The changes applied since the last reset, oldest first (what the audit records are made of):
   * a fault suite counts from it that no write was applied twice.
   */
  changeJournal(): readonly ChangeRecord[];
  /**
   * Mint an access token directly (for -AccessToken tests); `lifetimeSeconds` may be negative for
   * an expired one.
   */
  issueAccessToken(options?: {
    lifetimeSeconds?: number;
    audience?: string;
    tenantId?: string;
  }): string;
  /** Change behaviour while running (next-link form, BOM, latency, rate limit, token lifetime). */
  configure(
    options: Partial<
      Pick<
        EmulatorOptions,
        | 'nextLinkForm'
        | 'bom'
        | 'apiLatencyMs'
        | 'rateLimitPerMinute'
        | 'accessTokenLifetimeSeconds'
      >
    >,
  ): void;
  close(): Promise<void>;
}

/**
 * The data behind the per-customer routes, derived from the seed exactly as the routes derive it:
 * specs check exact ids without HTTP. Functions taking a customer id throw a RangeError for an id
 * the data set does not have; they return a customer's data even when its routes answer 403.
 */
export interface EmulatorDataset {
  idOf(index: number): string;
  /** The listing index of a customer id, or -1. */
  indexOfId(customerId: string): number;
  /** False for customers whose resources answer 403 code 20002 (relationshipToPartner `none`). */
  hasCommerceRelationship(customerId: string): boolean;
  userCounts(customerId: string): { active: number; deleted: number };
  /** Indices below `limit` (default all) of customers with more than 1,000 users: one per 50. */
  customersWithManyUsers(limit?: number): number[];
  /** Indices below `limit` (default all) of customers that answer 403 code 20002. */
  customersWithoutCommerceRelationship(limit?: number): number[];
  /** `GET /v1/customers/{id}/subscriptions`'s items, in order. */
  subscriptionsOf(customerId: string): Record<string, unknown>[];
  /** Active users in listing order, or with `deleted` the users the UserState Inactive filter lists. */
  usersOf(customerId: string, options?: { deleted?: boolean }): Record<string, unknown>[];
  userIdsOf(customerId: string, options?: { deleted?: boolean }): string[];
  /** `GET /v1/customers/{id}/subscribedskus`'s items (every license group). */
  subscribedSkusOf(customerId: string): Record<string, unknown>[];
  /** `GET /v1/customers/{id}/users/{user-id}/licenses`'s items (every license group). */
  licensesOf(customerId: string, userId: string): Record<string, unknown>[];
  /** `GET /v1/customers/{id}/users/{user-id}/directoryroles`'s items. */
  directoryRolesOf(customerId: string, userId: string): Record<string, unknown>[];
  /** The instant the GDAP data is dated from (ISO 8601, UTC): the emulator's `now`. */
  gdapNow: string;
  /** What kind of GDAP customer this is (which relationships it was given). */
  gdapKindOf(customerId: string): GdapCustomerKind;
  /** Indices below `limit` (default all) of the customers of one GDAP kind, in listing order. */
  customersOfGdapKind(kind: GdapCustomerKind, limit?: number): number[];
  /** The customer's relationships as Graph lists them (`customer/tenantId` is the customer id). */
  relationshipsOf(customerId: string): Record<string, unknown>[];
  /**
   * Every relationship in the order `GET /v1.0/tenantRelationships/delegatedAdminRelationships`
   * lists them, derived one by one.
   */
  relationships(): IterableIterator<Record<string, unknown>>;
  /** How many relationships the whole listing has (visits every customer). */
  relationshipCount(): number;
  /** One relationship by id, or undefined. */
  relationshipById(relationshipId: string): Record<string, unknown> | undefined;
  /** A relationship's access assignments as Graph lists them; RangeError for an unknown id. */
  accessAssignmentsOf(relationshipId: string): Record<string, unknown>[];
  /** A relationship's requests as Graph lists them; RangeError for an unknown id. */
  relationshipRequestsOf(relationshipId: string): Record<string, unknown>[];
}

/**
 * The billing data behind `/v1/invoices` and Microsoft Graph's billing exports, derived exactly
 * as the routes derive it (docs/billing.md).
 */
export interface EmulatorBilling {
  /** Billing periods from this date on are exported through Graph (v2); earlier ones are v1 only. */
  v2CoverageStart: string;
  /** Every invoice, newest first, with which API serves its lines and how many it has. */
  invoices(): {
    id: string;
    currencyCode: string;
    billingPeriodStartDate: string;
    api: 'v1' | 'v2';
    lineItemCount: number;
    usageLineItemCount: number;
  }[];
  /** The invoice's total in cents of its currency: the sum of its lines' `Total`. */
  totalCents(invoiceId: string): number;
  /**
   * The invoice's reconciliation line items (Full attribute set), or with `usage` its rated usage
   * line items, in file order, derived one by one.
   */
  lineItems(
    invoiceId: string,
    options?: { usage?: boolean },
  ): IterableIterator<Record<string, unknown>>;
  /** Every blob SAS issued so far is answered as expired from now on. */
  expireBlobSignatures(): void;
}

/** A certificate registered on the emulated application, for the certificate sign-in flow. */
export interface ClientCertificateFiles {
  /**
   * PEM with the certificate and its unencrypted private key (what ClientCertificateCredential
   * reads).
   */
  certificatePath: string;
  /** The certificate alone, PEM. */
  certificatePem: string;
  /** The private key alone, PEM (PKCS#8). */
  privateKeyPem: string;
  /** SHA-1 thumbprint, upper-case hex, as the Azure portal shows it. */
  thumbprint: string;
}

/**
 * What `startEmulator` actually returns: the contract above plus the levers of the sign-in and
 * fault-injection tests (issues 3, 4 and 5). Every lever also exists as a route under
 * `/_emulator/`.
 */
export interface StartedEmulator extends RunningEmulator {
  /** Number of customers, without materialising `customers`. */
  customerCount: number;
  /** Each customer's subscriptions, users and licenses as the routes serve them. */
  dataset: EmulatorDataset;
  /** The seed the data set, tenant, application and secrets derive from. */
  seed: number;
  /** The customer at a listing position, list shape (cheap: derived on demand). */
  customerAt(index: number): Record<string, unknown>;
  /**
   * Every customer id in listing order, derived one by one (about 0.2 µs each): for comparing large
   * listings.
   */
  customerIds(): IterableIterator<string>;
  /**
   * Tenant ids of the indirect resellers some customers carry as `associatedPartnerId` (filter
   * `IndirectReseller`).
   */
  indirectResellers: readonly string[];
  /**
   * The user of delegated sign-ins (device code, browser, refresh token), and the demo password
   * of the resource-owner password grant.
   */
  user: { userPrincipalName: string; objectId: string; password: string };
  /**
   * Microsoft's well-known public clients (Azure CLI first), accepted for user sign-ins without a
   * secret as in every real tenant.
   */
  publicClientIds: readonly string[];
  /** App Service-shaped managed identity: set these as IDENTITY_ENDPOINT and IDENTITY_HEADER. */
  identityEndpoint: string;
  identityHeader: string;
  /**
   * What the `/_emulator/` control routes require in the `x-emulator-key` header (a new one at
   * every start); Start-PartnerEmulator prints it as `controlKey`.
   */
  controlKey: string;
  /** Client ids of the system-assigned and the user-assigned managed identity. */
  managedIdentityClientId: string;
  userAssignedIdentityClientId: string;
  /**
   * An access token for `audience` (default Partner Center): app-only with the application
   * permissions the emulated app holds there (`roles`), or with `delegated` the user's, carrying
   * `scopes` (default: what the user consented to on the audience) in `scp`.
   */
  issueAccessToken(options?: {
    lifetimeSeconds?: number;
    audience?: string;
    tenantId?: string;
    delegated?: boolean;
    scopes?: readonly string[];
  }): string;
  configure(options: LiveSettings): void;
  /**
   * Approves the pending device-code sign-in with this user code, or all pending ones; returns how
   * many.
   */
  approveDeviceCode(userCode?: string): number;
  declineDeviceCode(userCode?: string): number;
  /** A refresh token for the emulated user (the CSP "secure application model" starts from one). */
  issueRefreshToken(options?: {
    mfaRequired?: boolean;
    lifetimeSeconds?: number;
    scopes?: readonly string[];
  }): string;
  /** Revokes one refresh token, or all; returns how many. */
  revokeRefreshTokens(refreshToken?: string): number;
  /** Every access token issued so far stops working (the API answers 401). */
  revokeAccessTokens(): void;
  /** Every continuation token issued so far is refused with a 400. */
  invalidateContinuationTokens(): void;
  /** Every blob SAS issued so far is answered as expired (403 AuthenticationFailed). */
  expireBlobSignatures(): void;
  /** Invoices and their line items as the billing routes serve them. */
  billing: EmulatorBilling;
  /**
   * Creates a self-signed RSA certificate, registers it on the application and writes it as PEM.
   */
  createClientCertificate(): Promise<ClientCertificateFiles>;
  /** Registers an existing certificate (PEM) on the application; returns its SHA-1 thumbprint. */
  registerClientCertificate(certificatePem: string): string;
  /** Replaces the fault script (request counting restarts); `{}` clears it. */
  setFaults(script: FaultScript): void;
}
