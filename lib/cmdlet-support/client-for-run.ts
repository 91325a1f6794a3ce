/**
 * The bridge from a running cmdlet to an HTTP client: opens the session of the chosen context and
 * builds one PartnerCenterClient per run, reused by every pipeline item so the connection
 * (keep-alive) and the token survive from one item to the next.
 */
import type { CmdletContext } from './cmdlet.js';
import { PartnerCenterClient } from '../partner-center/client.js';
import { retryOptionsFor } from '../session/retry-settings.js';
import { openSession } from '../session/session.js';

const APPLICATION_NAME = 'PartnerCenter-Node/0.1.0';

export interface ClientSettings {
  /**
   * -MaxRetry as bound (it already fell back to PARTNERCENTER_MAX_RETRY); the context's saved value
   * otherwise.
   */
  maxRetry?: number;
}

/**
 * Keyed by the run's signal (one per command run, shared by its pipeline items), then by context
 * name: a process normally makes one run, but specs drive many runs in one process, and a client
 * must never outlive the run whose signal it listens to.
 */
const clientsByRun = new WeakMap<AbortSignal, Map<string, Promise<PartnerCenterClient>>>();

export function clientForRun(
  context: CmdletContext,
  settings: ClientSettings = {},
): Promise<PartnerCenterClient> {
  let clients = clientsByRun.get(context.signal);
  if (!clients) {
    clients = new Map();
    clientsByRun.set(context.signal, clients);
  }
  const key = context.contextName ?? '';
  let client = clients.get(key);
  if (!client) {
    client = createClient(context, settings);
    clients.set(key, client);
    // A failed sign-in must not be cached: the next pipeline item reports it again.
    client.catch(() => clients.delete(key));
  }
  return client;
}

async function createClient(
  context: CmdletContext,
  settings: ClientSettings,
): Promise<PartnerCenterClient> {
  const session = await openSession({
    contextName: context.contextName,
    env: context.env,
    verbose: context.verbose,
  });
  const retry = retryOptionsFor(settings.maxRetry, session.context, context.env);
  context.verbose(
    `Using context '${session.context.name}' (${session.context.environment.apiEndpoint}, ` +
      `tenant ${session.context.tenantId})` +
      `${retry.maxAttempts === undefined ? '' : `; up to ${retry.maxAttempts - 1} retries per request`}.`,
  );
  return new PartnerCenterClient({
    apiEndpoint: session.context.environment.apiEndpoint,
    tokenProvider: session.tokenProvider,
    caCertificate: session.caCertificate,
    correlationId: context.correlationId,
    applicationName: APPLICATION_NAME,
    signal: context.signal,
    debug: context.debug,
    verbose: context.verbose,
    retry,
  });
}
