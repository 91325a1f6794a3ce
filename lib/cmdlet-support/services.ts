/**
 * The services of one command run, built by the host and handed to the cmdlet in its context: the
 * saved contexts and token store, and the Partner Center client of the run's context. A cmdlet
 * never builds them itself, so a spec (or an in-process caller) can hand it other ones, and two
 * runs in one process never share a client.
 */
import { type Clock, systemClock } from '../common/clock.js';
import type { PartnerCenterClient } from '../partner-center/client.js';
import type { PartnerContext } from '../session/context-store.js';
import type { SessionStores } from '../session/session.js';

export type { SessionStores };

export interface ClientSettings {
  /**
   * -MaxRetry as bound (it already fell back to PARTNERCENTER_MAX_RETRY); the context's saved
   * value otherwise.
   */
  maxRetry?: number;
}

export interface CmdletServices {
  /**
   * The contexts and tokens under the run's config directory (PARTNERCENTER_CONFIG_DIR of its
   * environment). Loaded on first use: most of start-up is what a run does not import.
   */
  stores(): Promise<SessionStores>;
  /**
   * The client of the run's context, made on first use and then shared by every pipeline object
   * of the run, so the connection (keep-alive) and the token survive from one object to the next.
   * A failed sign-in is not kept: the next object reports it again.
   */
  partnerCenter(settings?: ClientSettings): Promise<PartnerCenterClient>;
  /** The saved context the run uses (no secrets: those stay in the token store). */
  currentContext(): Promise<PartnerContext>;
  /** The run's time: retry waits, Retry-After dates and token expiry are read against it. */
  readonly clock: Clock;
}

/** What the default services need to know of the run. */
export interface RunDescription {
  env: NodeJS.ProcessEnv;
  /** -Context or PARTNERCENTER_CONTEXT; undefined is the default context. */
  contextName?: string;
  /** The run's MS-CorrelationId. */
  correlationId: string;
  /** Aborted when the run stops: requests in flight end with it. */
  signal: AbortSignal;
  verbose(message: string): void;
  debug?: (message: string) => void;
  /** The system clock unless the caller hands another (specs: a manual one). */
  clock?: Clock;
  /**
   * The most requests the run's client has in flight at once (the host's -ThrottleLimit); its
   * adaptive limit stays at or below it. The client's default (64) when absent.
   */
  maxConcurrency?: number;
}

/** Builds the services of a run; the host calls it once per run. */
export type CmdletServicesFactory = (run: RunDescription) => CmdletServices;

const APPLICATION_NAME = 'PartnerCenter-Node/0.1.0';

/** The real services: the session of the run's context and an HTTPS client to its API endpoint. */
export const createCmdletServices: CmdletServicesFactory = (run) => {
  let stores: Promise<SessionStores> | undefined;
  let client: Promise<PartnerCenterClient> | undefined;
  let saved: Promise<PartnerContext> | undefined;
  const services: CmdletServices = {
    clock: run.clock ?? systemClock,
    stores() {
      stores ??= import('../session/session.js').then(({ storesFor }) => storesFor(run.env));
      return stores;
    },
    currentContext() {
      // Read once a run: every pipeline object of the run uses the same context.
      saved ??= readCurrentContext(run, services);
      return saved;
    },
    partnerCenter(settings = {}) {
      if (!client) {
        const created = createClient(run, settings, services);
        client = created;
        created.catch(() => {
          if (client === created) client = undefined;
        });
      }
      return client;
    },
  };
  return services;
};

async function readCurrentContext(
  run: RunDescription,
  services: CmdletServices,
): Promise<PartnerContext> {
  const [{ contexts }, { noSavedContext }] = await Promise.all([
    services.stores(),
    import('../session/session.js'),
  ]);
  const name = await contexts.resolveName(run.contextName);
  const context = await contexts.read(name);
  if (!context) throw noSavedContext(name);
  return context;
}

async function createClient(
  run: RunDescription,
  settings: ClientSettings,
  services: CmdletServices,
): Promise<PartnerCenterClient> {
  const [{ openSession }, { retryOptionsFor }, { PartnerCenterClient }] = await Promise.all([
    import('../session/session.js'),
    import('../session/retry-settings.js'),
    import('../partner-center/client.js'),
  ]);
  const session = await openSession({
    contextName: run.contextName,
    env: run.env,
    verbose: run.verbose,
    stores: await services.stores(),
    clock: services.clock,
  });
  const retry = retryOptionsFor(settings.maxRetry, session.context, run.env);
  const { environment, name, tenantId } = session.context;
  const retries =
    retry.maxAttempts === undefined ? '' : `; up to ${retry.maxAttempts - 1} retries per request`;
  run.verbose(
    `Using context '${name}' (${environment.apiEndpoint}, tenant ${tenantId})${retries}.`,
  );
  return new PartnerCenterClient({
    apiEndpoint: environment.apiEndpoint,
    tokenProvider: session.tokenProvider,
    caCertificate: session.caCertificate,
    correlationId: run.correlationId,
    applicationName: APPLICATION_NAME,
    signal: run.signal,
    debug: run.debug,
    verbose: run.verbose,
    retry,
    clock: services.clock,
    maxConcurrency: run.maxConcurrency,
  });
}
