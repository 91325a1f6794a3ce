/**
 * Starts the emulator: one HTTP(S) server on 127.0.0.1 that is both the Partner Center API and the
 * Entra ID authority (so `apiEndpoint === authorityHost`), over a deterministic data set.
 */
import { randomBytes, X509Certificate } from 'node:crypto';
import { promises as fs, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { AccessTokenAuthority, PARTNER_CENTER_AUDIENCE } from './entra/access-tokens.js';
import { startOfDay } from './partner-center/customer-context.js';
import { AuthorizationCodeStore } from './entra/authorization-codes.js';
import {
  createClientCertificate,
  createServerCertificate,
  persistentServerCertificate,
  portalThumbprint,
} from './server/certificates.js';
import { ChangeStore } from './server/change-store.js';
import { ContinuationTokenCodec } from './partner-center/continuation-tokens.js';
import { datasetView } from './partner-center/customer-resources.js';
import { CustomerDataset } from './partner-center/dataset.js';
import { DeviceCodeStore } from './entra/device-codes.js';
import { createDirectory, WELL_KNOWN_PUBLIC_CLIENTS } from './entra/directory.js';
import {
  applySettings,
  counters,
  issueRefreshToken,
  resetCounters,
} from './server/emulator-control.js';
import type { EmulatorSettings, EmulatorState } from './server/emulator-state.js';
import { FaultInjector } from './server/fault-injector.js';
import { GatewayRateLimit } from './server/gateway-rate-limit.js';
import { GdapDataset } from './graph/gdap-dataset.js';
import { gdapView } from './graph/gdap-view.js';
import { createJwtSigner } from './entra/jwt.js';
import { RefreshTokenStore } from './entra/refresh-tokens.js';
import { PageCache } from './partner-center/page-cache.js';
import { createRequestListener } from './server/request-handler.js';
import { BillingState } from './billing/billing-state.js';
import { billingView } from './billing/billing-view.js';
import { RequestRecorder } from './server/request-recorder.js';
import type { ClientCertificateFiles, EmulatorOptions, StartedEmulator } from './types.js';
import { controlRoutes } from './server/control-routes.js';
import { applicationRolesOf, delegatedPermissions } from './entra/scopes.js';

export type * from './types.js';
export { GDAP_CUSTOMER_KINDS, RELATIONSHIP_STATUSES } from './graph/gdap-dataset.js';
export { GLOBAL_ADMINISTRATOR_ROLE_ID } from './graph/gdap-roles.js';

/** The emulator's own levers (`METHOD /_emulator/...`), for help texts that list them. */
export const CONTROL_ROUTES: readonly string[] = Object.keys(controlRoutes);
export { CONTROL_KEY_HEADER } from './server/control-routes.js';

/**
 * The defaults of the options, stated once: startEmulator applies them, and Start-PartnerEmulator
 * declares its parameters' defaults from them.
 */
export const EMULATOR_DEFAULTS = {
  port: 0,
  customers: 2500,
  seed: 1,
  accessTokenLifetimeSeconds: 3600,
  apiLatencyMs: 0,
  rateLimitPerMinute: 0,
  pageCacheMegabytes: 0,
  deviceCodeIntervalSeconds: 1,
  continuationTokenLifetimeSeconds: 3600,
  billingLineItems: 2000,
  sasLifetimeSeconds: 12 * 3600,
  exportRetryAfterSeconds: 1,
} as const;
const MAX_BILLING_LINE_ITEMS = 100_000_000;
const MAX_CUSTOMERS = 2_000_000;
const NINETY_DAYS = 90 * 24 * 3600;

/**
 * Temp directories of emulators still running, removed if the process exits without closing them.
 */
const liveTempDirs = new Set<string>();
let exitHookInstalled = false;

function removeOnExit(dir: string): void {
  liveTempDirs.add(dir);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const live of liveTempDirs) rmSync(live, { recursive: true, force: true });
  });
}

function checkOptions(options: EmulatorOptions): void {
  const port = options.port ?? EMULATOR_DEFAULTS.port;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new RangeError(`port must be an integer from 0 to 65535; got ${port}`);
  const customers = options.customers ?? EMULATOR_DEFAULTS.customers;
  if (!Number.isInteger(customers) || customers < 0 || customers > MAX_CUSTOMERS)
    throw new RangeError(
      `customers must be an integer from 0 to ${MAX_CUSTOMERS}; got ${customers}`,
    );
  if (options.seed !== undefined && !Number.isInteger(options.seed))
    throw new RangeError(`seed must be an integer; got ${options.seed}`);
  const cache = options.pageCacheMegabytes ?? EMULATOR_DEFAULTS.pageCacheMegabytes;
  if (!(Number.isFinite(cache) && cache >= 0))
    throw new RangeError(`pageCacheMegabytes must be a number from 0; got ${cache}`);
  const lineItems = options.billingLineItems ?? EMULATOR_DEFAULTS.billingLineItems;
  if (!Number.isInteger(lineItems) || lineItems < 1 || lineItems > MAX_BILLING_LINE_ITEMS)
    throw new RangeError(
      `billingLineItems must be an integer from 1 to ${MAX_BILLING_LINE_ITEMS}; got ${lineItems}`,
    );
  if (options.now !== undefined && !Number.isFinite(nowOf(options)))
    throw new RangeError(
      `now must be milliseconds since the epoch or an ISO 8601 date; got ${String(options.now)}`,
    );
}

/** The emulator's `now` for dated data: as given, or the start of today (UTC). */
function nowOf(options: EmulatorOptions): number {
  if (options.now === undefined) return startOfDay(Date.now());
  return typeof options.now === 'number' ? options.now : Date.parse(options.now);
}

function initialSettings(options: EmulatorOptions, gateway: GatewayRateLimit): EmulatorSettings {
  const settings: EmulatorSettings = {
    nextLinkForm: 'mixed',
    bom: false,
    apiLatencyMs: EMULATOR_DEFAULTS.apiLatencyMs,
    rateLimitPerMinute: EMULATOR_DEFAULTS.rateLimitPerMinute,
    accessTokenLifetimeSeconds: EMULATOR_DEFAULTS.accessTokenLifetimeSeconds,
    tokenLifetimes: {},
    refreshTokenLifetimeSeconds: NINETY_DAYS,
    autoApproveDeviceCode: false,
    autoApproveAuthorization: false,
    deviceCodeIntervalSeconds: EMULATOR_DEFAULTS.deviceCodeIntervalSeconds,
    sasLifetimeSeconds: EMULATOR_DEFAULTS.sasLifetimeSeconds,
    billingDataVersion: 1,
    billingLinesPerBlob: 0,
    exportRetryAfterSeconds: EMULATOR_DEFAULTS.exportRetryAfterSeconds,
  };
  applySettings(settings, gateway, options);
  return settings;
}

async function listen(server: http.Server, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<StartedEmulator> {
  checkOptions(options);
  const seed = options.seed ?? EMULATOR_DEFAULTS.seed;
  const gateway = new GatewayRateLimit();
  const settings = initialSettings(options, gateway);
  const ownStateDir = options.stateDir === undefined;
  const stateDir =
    options.stateDir ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'partnercenter-emulator-')));
  await fs.mkdir(stateDir, { recursive: true, mode: 0o700 });
  if (ownStateDir) removeOnExit(stateDir);
  // The two slow steps run side by side: the RSA signing key and the TLS certificate. A state
  // directory given by the caller keeps both, so a restart keeps saved contexts and tokens valid.
  const [signer, tls] = await Promise.all([
    createJwtSigner(options.stateDir, options.signingKey),
    options.http
      ? undefined
      : (options.serverCertificate ??
        (options.stateDir
          ? persistentServerCertificate(options.stateDir)
          : createServerCertificate())),
  ]);

  const dataset = new CustomerDataset(seed, options.customers ?? EMULATOR_DEFAULTS.customers);
  const store = new ChangeStore();
  const now = nowOf(options);
  const gdap = new GdapDataset(dataset, now);
  const billing = new BillingState(
    dataset,
    now,
    options.billingLineItems ?? EMULATOR_DEFAULTS.billingLineItems,
    options.billingBlobCacheDirectory,
  );
  const cacheMegabytes = options.pageCacheMegabytes ?? EMULATOR_DEFAULTS.pageCacheMegabytes;
  const directory = createDirectory(seed, dataset.partnerTenantId);
  const accessTokens = new AccessTokenAuthority(signer, directory.tenantId);
  const continuation = new ContinuationTokenCodec(
    options.continuationTokenLifetimeSeconds ?? EMULATOR_DEFAULTS.continuationTokenLifetimeSeconds,
  );
  const refreshTokens = new RefreshTokenStore();
  // Files are named by port or thumbprint, so emulators sharing a state directory never overwrite
  // each other's; a persistent certificate is shared by them and outlives every instance.
  const instanceFiles: string[] = [];
  const registerClientCertificate = (certificatePem: string): string => {
    const certificate = new X509Certificate(certificatePem);
    directory.certificates.push(certificate);
    return portalThumbprint(certificate);
  };
  const clientCertificates = {
    register: registerClientCertificate,
    create: async (): Promise<ClientCertificateFiles> => {
      const pair = await createClientCertificate(
        `PartnerCenter emulator app ${directory.applicationId}`,
      );
      const thumbprint = registerClientCertificate(pair.cert);
      const certificatePath = path.join(stateDir, `client-certificate-${thumbprint}.pem`);
      await fs.writeFile(certificatePath, `${pair.key}${pair.cert}`, { mode: 0o600 });
      instanceFiles.push(certificatePath);
      return { certificatePath, certificatePem: pair.cert, privateKeyPem: pair.key, thumbprint };
    },
  };
  const state: EmulatorState = {
    baseUrl: '',
    settings,
    now,
    dataset,
    store,
    gdap,
    directory,
    signer,
    accessTokens,
    continuation,
    deviceCodes: new DeviceCodeStore(),
    refreshTokens,
    authorizationCodes: new AuthorizationCodeStore(),
    recorder: new RequestRecorder(),
    faults: new FaultInjector(
      {
        expireAccessTokens: () => accessTokens.revokeAll(),
        revokeRefreshTokens: () => refreshTokens.revoke(),
        invalidateContinuationTokens: () => continuation.invalidateAll(),
        expireBlobSignatures: () => billing.sas.expireAll(),
      },
      gateway,
    ),
    billing,
    gateway,
    pageCache: cacheMegabytes > 0 ? new PageCache(cacheMegabytes * 1024 * 1024) : undefined,
    identityHeader: randomBytes(24).toString('hex'),
    controlKey: randomBytes(24).toString('hex'),
    clientCertificates,
    serverId: String(100000000 + ((seed >>> 0) % 900000000)),
  };
  if (options.faults) state.faults.set(options.faults);

  const listener = createRequestListener(state);
  const server = tls
    ? https.createServer({ key: tls.key, cert: tls.cert }, listener)
    : http.createServer(listener);
  server.keepAliveTimeout = 30_000;
  const port = await listen(server, options.port ?? EMULATOR_DEFAULTS.port);
  const baseUrl = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  state.baseUrl = baseUrl;

  let caCertificatePath: string | undefined;
  if (tls && 'path' in tls) caCertificatePath = tls.path as string;
  else if (tls) {
    caCertificatePath = path.join(stateDir, `emulator-ca-${port}.pem`);
    await fs.writeFile(caCertificatePath, tls.cert, { mode: 0o644 });
    instanceFiles.push(caCertificatePath);
  }

  let materialised: readonly Record<string, unknown>[] | undefined;
  let closed: Promise<void> | undefined;

  const emulator: StartedEmulator = {
    apiEndpoint: baseUrl,
    graphEndpoint: baseUrl,
    authorityHost: baseUrl,
    tenantId: directory.tenantId,
    tenantDomain: directory.tenantDomain,
    applicationId: directory.applicationId,
    clientSecret: directory.clientSecret,
    caCertificatePath,
    caCertificate: tls?.cert,
    connectEndpoints: [
      '-Tenant',
      directory.tenantId,
      '-ApiEndpoint',
      baseUrl,
      '-AuthorityHost',
      baseUrl,
      '-GraphEndpoint',
      baseUrl,
      ...(caCertificatePath ? ['-CaCertificatePath', caCertificatePath] : []),
    ],
    audience: PARTNER_CENTER_AUDIENCE,
    get customers() {
      materialised ??= Object.freeze(
        Array.from({ length: dataset.count }, (_, index) => dataset.listItem(index)),
      );
      return materialised;
    },
    customerCount: dataset.count,
    dataset: { ...datasetView(dataset, store), ...gdapView(gdap) },
    seed,
    customerAt: (index) => {
      if (!Number.isInteger(index) || index < 0 || index >= dataset.count)
        throw new RangeError(`no customer at index ${index}`);
      return dataset.listItem(index);
    },
    customerIds: function* () {
      for (let index = 0; index < dataset.count; index++) yield dataset.idOf(index);
    },
    billing: billingView(billing),
    indirectResellers: dataset.indirectResellers,
    user: {
      userPrincipalName: directory.user.userPrincipalName,
      objectId: directory.user.objectId,
      password: directory.user.password,
    },
    publicClientIds: [...WELL_KNOWN_PUBLIC_CLIENTS.keys()],
    identityEndpoint: `${baseUrl}/msi/token`,
    identityHeader: state.identityHeader,
    controlKey: state.controlKey,
    managedIdentityClientId: directory.systemAssignedIdentity.clientId,
    userAssignedIdentityClientId: directory.userAssignedIdentity.clientId,
    counters: () => counters(state),
    recentRequests: (limit) => state.recorder.recentRequests(limit),
    resetCounters: () => resetCounters(state),
    resetStore: () => store.reset(),
    changeJournal: () => store.journal,
    issueAccessToken: (request = {}) => {
      const audience = request.audience ?? PARTNER_CENTER_AUDIENCE;
      return accessTokens.mint(
        {
          tenantId: request.tenantId ?? directory.tenantId,
          clientId: directory.applicationId,
          audience,
          lifetimeSeconds: request.lifetimeSeconds ?? settings.accessTokenLifetimeSeconds,
          clientAuthentication: '1',
          objectId: directory.servicePrincipalObjectId,
          ...(request.delegated
            ? {
                user: directory.user,
                scopes: request.scopes ?? delegatedPermissions(audience, ['.default']),
              }
            : { roles: applicationRolesOf(audience) }),
        },
        Date.now(),
        false,
      ).accessToken;
    },
    configure: (changes) => applySettings(settings, gateway, changes),
    approveDeviceCode: (userCode) => state.deviceCodes.settle('approved', userCode),
    declineDeviceCode: (userCode) => state.deviceCodes.settle('declined', userCode),
    issueRefreshToken: (request) => issueRefreshToken(state, request),
    revokeRefreshTokens: (refreshToken) => refreshTokens.revoke(refreshToken),
    revokeAccessTokens: () => accessTokens.revokeAll(),
    invalidateContinuationTokens: () => continuation.invalidateAll(),
    expireBlobSignatures: () => billing.sas.expireAll(),
    registerClientCertificate,
    createClientCertificate: clientCertificates.create,
    setFaults: (script) => state.faults.set(script),
    close: () => {
      closed ??= (async () => {
        billing.close();
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        // close() alone waits for idle keep-alive sockets to time out; end them now.
        server.closeAllConnections();
        await stopped;
        if (ownStateDir) {
          liveTempDirs.delete(stateDir);
          await fs.rm(stateDir, { recursive: true, force: true });
        } else await Promise.all(instanceFiles.map((file) => fs.rm(file, { force: true })));
      })();
      return closed;
    },
  };
  return emulator;
}
