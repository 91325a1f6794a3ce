/**
 * Everything the route handlers share: the settings a test may change while running, the data set,
 * the directory, the token machinery and the stores of delegated sign-ins.
 */
import type { BillingState } from '../billing/billing-state.js';
import type { AccessTokenAuthority } from '../entra/access-tokens.js';
import type { AuthorizationCodeStore } from '../entra/authorization-codes.js';
import type { ChangeStore } from './change-store.js';
import type { ContinuationTokenCodec } from '../partner-center/continuation-tokens.js';
import type { CustomerDataset } from '../partner-center/dataset.js';
import type { DeviceCodeStore } from '../entra/device-codes.js';
import type { GdapDataset } from '../graph/gdap-dataset.js';
import type { EmulatedDirectory } from '../entra/directory.js';
import type { FaultInjector } from './fault-injector.js';
import type { GatewayRateLimit } from './gateway-rate-limit.js';
import type { JwtSigner } from '../entra/jwt.js';
import type { PageCache } from '../partner-center/page-cache.js';
import type { RefreshTokenStore } from '../entra/refresh-tokens.js';
import type { RequestRecorder } from './request-recorder.js';
import type { ClientCertificateFiles, NextLinkForm, TokenFlow } from '../types.js';

export interface EmulatorSettings {
  nextLinkForm: NextLinkForm;
  bom: boolean;
  apiLatencyMs: number;
  /** 0: no rate limit of its own (a fault script may still set one). */
  rateLimitPerMinute: number;
  accessTokenLifetimeSeconds: number;
  tokenLifetimes: Partial<Record<TokenFlow, number>>;
  refreshTokenLifetimeSeconds: number;
  autoApproveDeviceCode: boolean;
  autoApproveAuthorization: boolean;
  deviceCodeIntervalSeconds: number;
  /** How long a blob SAS in a billing manifest stays valid. */
  sasLifetimeSeconds: number;
  /** The billing data's version: a new one changes every export's eTag and blob names. */
  billingDataVersion: number;
  /** Lines per exported blob; 0: the emulator's rule (a third of the lines, at most 50,000). */
  billingLinesPerBlob: number;
  /** The Retry-After of a running export operation, in seconds. */
  exportRetryAfterSeconds: number;
}

export interface EmulatorState {
  /** `https://127.0.0.1:port`, known once the server listens. */
  baseUrl: string;
  readonly settings: EmulatorSettings;
  /**
   * The emulator's clock for dated data, milliseconds (the `now` option, else the start of
   * today UTC): GDAP relationships and the activity log's seeded records are dated from it.
   */
  readonly now: number;
  readonly dataset: CustomerDataset;
  /** What writes changed over the seeded data, etag versions, the idempotency record, the journal. */
  readonly store: ChangeStore;
  /** Each customer's GDAP relationships (Microsoft Graph), dated relative to the emulator's `now`. */
  readonly gdap: GdapDataset;
  readonly directory: EmulatedDirectory;
  readonly signer: JwtSigner;
  readonly accessTokens: AccessTokenAuthority;
  readonly continuation: ContinuationTokenCodec;
  readonly deviceCodes: DeviceCodeStore;
  readonly refreshTokens: RefreshTokenStore;
  readonly authorizationCodes: AuthorizationCodeStore;
  readonly recorder: RequestRecorder;
  readonly faults: FaultInjector;
  /** The gateway's rate limit per tenant (setting and fault script) and its counters. */
  readonly gateway: GatewayRateLimit;
  /**
   * Recently served pages' customers, when the emulator was asked to keep them
   * (`pageCacheMegabytes`).
   */
  readonly pageCache?: PageCache;
  /** The secret App Service puts in IDENTITY_HEADER. */
  readonly identityHeader: string;
  /** The key the `/_emulator/` control routes require in `x-emulator-key` (control-routes.ts). */
  readonly controlKey: string;
  /** Certificates the application accepts for certificate sign-in (client assertions). */
  readonly clientCertificates: {
    /** Registers a PEM certificate; returns its SHA-1 thumbprint. */
    register(certificatePem: string): string;
    /** Makes a new one, registers it and writes certificate and key to one PEM file. */
    create(): Promise<ClientCertificateFiles>;
  };
  /** Sent back as MS-ServerId. */
  readonly serverId: string;
  /** Invoices, line items, export operations and the blob store's signatures and sizes. */
  readonly billing: BillingState;
}

export function tokenLifetime(settings: EmulatorSettings, flow: TokenFlow): number {
  return settings.tokenLifetimes[flow] ?? settings.accessTokenLifetimeSeconds;
}
