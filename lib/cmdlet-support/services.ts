/**
 * The services of one command run, built by the host and handed to the cmdlet in its context: the
 * saved contexts and token store, and the Partner Center and Microsoft Graph clients of the run's
 * context. A cmdlet never builds them itself, so a spec (or an in-process caller) can hand it
 * other ones, and two runs in one process never share a client.
 */
import { type Clock, systemClock } from '../common/clock.js';
import type {
  ApiClient,
  ClientOptions,
  PartnerCenterClient,
  ThrottlingStats,
} from '../partner-center/client.js';
import type { HttpClient } from '../partner-center/client.js';
import type { GraphClient } from '../partner-center/graph-client.js';
import type { PartnerContext } from '../session/context-store.js';
import type { Session } from '../session/session.js';
import type { SessionStores } from '../session/stores.js';
import type { ApiName } from '../session/token-resources.js';

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
  /**
   * The Microsoft Graph client of the run's context, made on first use and shared the same way:
   * its endpoint is the context's Graph endpoint, its tokens Graph tokens of the same sign-in
   * (got on first use, kept in the token store). In a national cloud it is that cloud's Graph.
   */
  graph(settings?: ClientSettings): Promise<GraphClient>;
  /**
   * A client of the blob store at `endpoint` (an origin: where a billing export's files are), made
   * on first use per origin and shared by the run: no bearer token (the files' URLs carry their
   * SAS), the context's extra CA trusted, the run's retries, correlation id and signal.
   */
  blobStorage?(endpoint: string, settings?: ClientSettings): Promise<HttpClient>;
  /**
   * Work the invocations of one run share: the first call with `key` runs `make`, every later
   * call of the run (another pipeline object, a concurrent invocation of a fan-out) gets the same
   * promise. A GDAP cmdlet lists every relationship once per run this way, however many customers
   * are piped in. The outcome is kept whatever it is: a failed listing is reported by each later
   * invocation without being asked for again. The host builds services once per run, so nothing
   * outlives the run; `key` should name the work and everything that decides its result.
   */
  shared<T>(key: string, make: () => Promise<T>): Promise<T>;
  /** The saved context the run uses (no secrets: those stay in the token store). */
  currentContext(): Promise<PartnerContext>;
  /** The run's time: retry waits, Retry-After dates and token expiry are read against it. */
  readonly clock: Clock;
  /**
   * How the services have throttled the run so far (the clients' 429s and the time requests were
   * held for them), for the progress line; undefined before any client exists.
   */
  throttling?(): Pick<ThrottlingStats, 'throttled' | 'gateClosedMs'> | undefined;
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
  throttleLimit?: number;
}

/** Builds the services of a run; the host calls it once per run. */
export type CmdletServicesFactory = (run: RunDescription) => CmdletServices;

const APPLICATION_NAME = 'PartnerCenter-Node/0.1.0';

/** The `shared` of one run's services (also for services a spec builds itself). */
export function sharedWork(): CmdletServices['shared'] {
  const work = new Map<string, Promise<unknown>>();
  return <T>(key: string, make: () => Promise<T>): Promise<T> => {
    let promise = work.get(key) as Promise<T> | undefined;
    if (!promise) {
      // Deferred a turn so a `make` that throws at once rejects the promise rather than the caller.
      promise = Promise.resolve().then(make);
      // Work started ahead of need may fail before anyone awaits it: that is no unhandled
      // rejection, since every caller still sees the failure.
      promise.catch(() => {});
      work.set(key, promise);
    }
    return promise;
  };
}

/** The real services: the session of the run's context and an HTTPS client to its API endpoint. */
export const createCmdletServices: CmdletServicesFactory = (run) => {
  let stores: Promise<SessionStores> | undefined;
  let saved: Promise<PartnerContext> | undefined;
  // One session for both clients: one read of the context, and renewals that take turns.
  const session = onceUnlessFailed(() => openRunSession(run, services));
  const made: ApiClient[] = [];
  const client = onceUnlessFailed((settings: ClientSettings) =>
    createPartnerCenterClient(run, settings, session).then(madeOne),
  );
  const graph = onceUnlessFailed((settings: ClientSettings) =>
    createGraphClient(run, settings, session).then(madeOne),
  );
  const storage = new Map<string, Promise<HttpClient>>();
  function madeOne<C extends ApiClient>(created: C): C {
    made.push(created);
    return created;
  }
  const services: CmdletServices = {
    clock: run.clock ?? systemClock,
    shared: sharedWork(),
    stores() {
      stores ??= import('../session/stores.js').then(({ storesFor }) => storesFor(run.env));
      return stores;
    },
    currentContext() {
      // Read once a run: every pipeline object of the run uses the same context.
      saved ??= readCurrentContext(run, services);
      return saved;
    },
    partnerCenter: (settings = {}) => client(settings),
    graph: (settings = {}) => graph(settings),
    blobStorage(endpoint, settings = {}) {
      let made = storage.get(endpoint);
      if (!made) {
        const creating = createBlobClient(run, settings, session, endpoint);
        made = creating;
        storage.set(endpoint, creating);
        creating.catch(() => {
          if (storage.get(endpoint) === creating) storage.delete(endpoint);
        });
      }
      return made;
    },
    throttling() {
      if (made.length === 0) return undefined;
      const all = made.map((one) => one.throttling);
      return {
        throttled: all.reduce((sum, stats) => sum + stats.throttled, 0),
        gateClosedMs: all.reduce((sum, stats) => sum + stats.gateClosedMs, 0),
      };
    },
  };
  return services;
};

/**
 * `make` on first use, its promise then shared by every later call; a failure is not kept (a
 * failed sign-in is reported again by the next pipeline object, which may find it fixed).
 */
function onceUnlessFailed<A extends unknown[], T>(
  make: (...args: A) => Promise<T>,
): (...args: A) => Promise<T> {
  let current: Promise<T> | undefined;
  return (...args) => {
    if (!current) {
      const created = make(...args);
      current = created;
      created.catch(() => {
        if (current === created) current = undefined;
      });
    }
    return current;
  };
}

async function readCurrentContext(
  run: RunDescription,
  services: CmdletServices,
): Promise<PartnerContext> {
  const [{ contexts }, { noSavedContext }] = await Promise.all([
    services.stores(),
    import('../session/stores.js'),
  ]);
  const name = await contexts.resolveName(run.contextName);
  const context = await contexts.read(name);
  if (!context) throw noSavedContext(name, contexts, run.contextName !== undefined);
  return context;
}

async function openRunSession(run: RunDescription, services: CmdletServices): Promise<Session> {
  const { openSession } = await import('../session/session.js');
  return openSession({
    contextName: run.contextName,
    env: run.env,
    verbose: run.verbose,
    stores: await services.stores(),
    clock: services.clock,
  });
}

/** What both clients are made of: the session's token provider for `api`, retries, the run. */
async function clientOptions(
  run: RunDescription,
  settings: ClientSettings,
  session: Session,
  api: ApiName,
  apiEndpoint: string,
): Promise<ClientOptions> {
  const { retryOptionsFor } = await import('../session/retry-settings.js');
  const retry = retryOptionsFor(settings.maxRetry, session.context, run.env);
  const { name, tenantId } = session.context;
  const retries =
    retry.maxAttempts === undefined ? '' : `; up to ${retry.maxAttempts - 1} retries per request`;
  const service = api === 'Graph' ? 'Microsoft Graph at ' : '';
  run.verbose(`Using context '${name}' (${service}${apiEndpoint}, tenant ${tenantId})${retries}.`);
  return {
    apiEndpoint,
    // Renewals of the token follow the same retry settings as the API's requests.
    tokenProvider: session.tokenProviderFor(api, retry),
    caCertificate: session.caCertificate,
    correlationId: run.correlationId,
    applicationName: APPLICATION_NAME,
    signal: run.signal,
    debug: run.debug,
    verbose: run.verbose,
    retry,
    clock: run.clock ?? systemClock,
    // The client's name for it: the ceiling of its adaptive limit on requests in flight.
    maxConcurrency: run.throttleLimit,
  };
}

async function createPartnerCenterClient(
  run: RunDescription,
  settings: ClientSettings,
  session: () => Promise<Session>,
): Promise<PartnerCenterClient> {
  const [opened, { PartnerCenterClient }] = await Promise.all([
    session(),
    import('../partner-center/client.js'),
  ]);
  return new PartnerCenterClient(
    await clientOptions(
      run,
      settings,
      opened,
      'PartnerCenter',
      opened.context.environment.apiEndpoint,
    ),
  );
}

async function createGraphClient(
  run: RunDescription,
  settings: ClientSettings,
  session: () => Promise<Session>,
): Promise<GraphClient> {
  const [opened, { GraphClient }, { graphOf }] = await Promise.all([
    session(),
    import('../partner-center/graph-client.js'),
    import('../session/environments.js'),
  ]);
  const { endpoint } = graphOf(opened.context.environment);
  return new GraphClient(await clientOptions(run, settings, opened, 'Graph', endpoint));
}

async function createBlobClient(
  run: RunDescription,
  settings: ClientSettings,
  session: () => Promise<Session>,
  endpoint: string,
): Promise<HttpClient> {
  const [opened, { blobClient }, { retryOptionsFor }] = await Promise.all([
    session(),
    import('../partner-center/blob-api.js'),
    import('../session/retry-settings.js'),
  ]);
  return blobClient({
    apiEndpoint: endpoint,
    caCertificate: opened.caCertificate,
    correlationId: run.correlationId,
    applicationName: APPLICATION_NAME,
    signal: run.signal,
    debug: run.debug,
    verbose: run.verbose,
    retry: retryOptionsFor(settings.maxRetry, opened.context, run.env),
    clock: run.clock ?? systemClock,
  });
}

/** Either client, for code that lists through whichever API a collection belongs to. */
export type AnyApiClient = ApiClient;
