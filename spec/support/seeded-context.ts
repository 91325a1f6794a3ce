/**
 * A saved service-principal context, written the way Connect-Partner -ServicePrincipal writes it,
 * without spawning Connect-Partner: the access token comes from the emulator's real token endpoint
 * (client-credentials grant over HTTPS) and the files are written by lib/session's real
 * ContextStore and TokenStore. A Connect-Partner process costs about 0.2 s of CPU and a little
 * more of wall time (node start-up, @azure/identity, a token request); specs that only need to be
 * connected use this, and the sign-in specs run the real command. spec/e2e/session.spec.ts checks
 * that both write the same context.
 */
import type { StartedEmulator } from '../../lib/emulator/index.js';
import type { PartnerContext } from '../../lib/session/context-store.js';
import { resolveEnvironment } from '../../lib/session/environments.js';
import { accountOf, readAccessTokenClaims } from '../../lib/session/jwt-claims.js';
import { storesFor } from '../../lib/session/session.js';
import { request } from '../emulator/support.js';

export interface SeededContext {
  context: PartnerContext;
  accessToken: string;
}

/** What `Connect-Partner -ServicePrincipal` with the emulator's app and endpoints would save. */
export async function seedServicePrincipalContext(
  emulator: StartedEmulator,
  env: NodeJS.ProcessEnv,
  contextName = 'default',
): Promise<SeededContext> {
  const environment = resolveEnvironment(undefined, {
    apiEndpoint: emulator.apiEndpoint,
    authorityHost: emulator.authorityHost,
    graphEndpoint: emulator.graphEndpoint,
  });
  const issued = await request(emulator, `/${emulator.tenantId}/oauth2/v2.0/token`, {
    body: {
      grant_type: 'client_credentials',
      client_id: emulator.applicationId,
      client_secret: emulator.clientSecret,
      scope: `${environment.audience}/.default`,
    },
  });
  if (issued.status !== 200)
    throw new Error(`the emulator's token endpoint answered ${issued.status}: ${issued.text}`);
  const token = issued.json.access_token as string;
  const claims = readAccessTokenClaims(token);
  // The same fields in the same order as lib/session/connect.ts saves them.
  const context = {
    name: contextName,
    environment,
    caCertificatePath: emulator.caCertificatePath,
    tenantId: claims.tid ?? emulator.tenantId,
    authentication: 'ServicePrincipal',
    account: accountOf(claims),
    connectedAt: new Date().toISOString(),
    applicationId: emulator.applicationId,
    secretSource: 'TokenStore',
  } satisfies PartnerContext;
  const stores = storesFor(env);
  // Tokens first, as Connect-Partner writes them: a context never exists without its tokens.
  stores.tokens.write(contextName, {
    accessToken: {
      token,
      expiresOnTimestamp: Date.now() + (issued.json.expires_in as number) * 1000,
    },
    clientSecret: emulator.clientSecret,
  });
  await stores.contexts.write(context);
  await stores.contexts.setDefault(contextName);
  return { context, accessToken: token };
}
