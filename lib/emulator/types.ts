/**
 * The emulator's programmatic face: `Start-PartnerEmulator`, `npm start`, specs and benchmarks all
 * start it through `startEmulator(options)` (lib/emulator/index.ts). It is its own world: it never
 * imports the client or the session, and they never import it.
 */

export type NextLinkForm = 'v1' | 'relative';

export interface EmulatorOptions {
  /** 0 picks a free port. Always bound to 127.0.0.1. */
  port?: number;
  /** Number of customers in the data set. Default 2500. */
  customers?: number;
  /** Seed of the deterministic data set. Default 1. */
  seed?: number;
  /** Serve plain HTTP instead of HTTPS with a self-signed certificate. */
  http?: boolean;
  /** Shape of `links.next.uri`: `/v1/customers?...` (default, what the service returns since 2021) or `/customers?...`. */
  nextLinkForm?: NextLinkForm;
  /** Prefix every JSON body with a UTF-8 byte-order mark, as the real service sometimes does. */
  bom?: boolean;
  /** Lifetime of issued access tokens, in seconds. Default 3600. */
  accessTokenLifetimeSeconds?: number;
  /** Extra latency added to every API page response, in ms. Default 0. */
  pageLatencyMs?: number;
  /** Directory for the generated CA certificate file; default a fresh temp directory. */
  stateDir?: string;
}

export interface EmulatorCounters {
  /** Requests by route, keyed `METHOD /route/template`, e.g. `GET /v1/customers`, `POST /{tenant}/oauth2/v2.0/token`. */
  requests: Record<string, number>;
  /** Access tokens issued by the token endpoint, all grants together. */
  tokensIssued: number;
}

/** One request as the emulator saw it, secrets redacted (Authorization shows `Bearer <redacted>`). */
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
  /** Entra ID authority host, e.g. `https://127.0.0.1:43123` (token endpoint at `{authorityHost}/{tenant}/oauth2/v2.0/token`). */
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
  /** The whole data set, in listing order (as returned by `GET /v1/customers`, list shape). */
  customers: readonly Record<string, unknown>[];
  /** The audience the API accepts in access tokens: `https://api.partnercenter.microsoft.com`. */
  audience: string;
  counters(): EmulatorCounters;
  /** The most recent requests (newest last), at most `limit` (default 100). */
  recentRequests(limit?: number): RecordedRequest[];
  resetCounters(): void;
  /** Mint an access token directly (for -AccessToken tests); `lifetimeSeconds` may be negative for an expired one. */
  issueAccessToken(options?: { lifetimeSeconds?: number; audience?: string; tenantId?: string }): string;
  /** Change behaviour while running (next-link form, BOM, latency, token lifetime). */
  configure(options: Partial<Pick<EmulatorOptions, 'nextLinkForm' | 'bom' | 'pageLatencyMs' | 'accessTokenLifetimeSeconds'>>): void;
  close(): Promise<void>;
}
