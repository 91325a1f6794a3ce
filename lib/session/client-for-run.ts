/**
 * The bridge from a running cmdlet to an HTTP client: opens the session of the chosen context and
 * builds one PartnerCenterClient per process, reused by every pipeline item so the connection
 * (keep-alive) and the token survive from one item to the next.
 */
import type { CmdletContext } from '../host/cmdlet.js';
import { PartnerCenterClient } from '../partner-center/client.js';
import { openSession } from './session.js';

const APPLICATION_NAME = 'PartnerCenter-Node/0.1.0';
const clients = new Map<string, Promise<PartnerCenterClient>>();

export function clientForRun(context: CmdletContext): Promise<PartnerCenterClient> {
  const key = context.contextName ?? '';
  let client = clients.get(key);
  if (!client) {
    client = createClient(context);
    clients.set(key, client);
    // A failed sign-in must not be cached: the next pipeline item reports it again.
    client.catch(() => clients.delete(key));
  }
  return client;
}

async function createClient(context: CmdletContext): Promise<PartnerCenterClient> {
  const session = await openSession({ contextName: context.contextName, env: context.env, verbose: context.verbose });
  context.verbose(`Using context '${session.context.name}' (${session.context.environment.apiEndpoint}, tenant ${session.context.tenantId}).`);
  return new PartnerCenterClient({
    apiEndpoint: session.context.environment.apiEndpoint,
    tokenProvider: session.tokenProvider,
    caCertificate: session.caCertificate,
    correlationId: context.correlationId,
    applicationName: APPLICATION_NAME,
    signal: context.signal,
    debug: context.debug,
    verbose: context.verbose,
  });
}
