import { AuthenticationError, UsageError } from '../lib/errors.js';
import { defineCmdlet } from '../lib/host/cmdlet.js';
import { parseEndpointUrl } from '../lib/net/endpoint-url.js';
import { DEFAULT_CONTEXT_NAME, validateContextName, type PartnerContext } from '../lib/session/context-store.js';
import { CONTEXT_VIEW_COLUMNS, viewOf } from '../lib/session/context-view.js';
import { ENVIRONMENT_NAMES, resolveEnvironment, type EnvironmentName } from '../lib/session/environments.js';
import { accountOf, readAccessTokenClaims } from '../lib/session/jwt-claims.js';
import { acquireServicePrincipalToken, storesFor } from '../lib/session/session.js';
import type { TokenRecord } from '../lib/session/token-store.js';

interface Parameters extends Record<string, unknown> {
  AccessToken?: string;
  ServicePrincipal?: boolean;
  ApplicationId?: string;
  Tenant?: string;
  ClientSecret?: string;
  Environment?: EnvironmentName;
  ApiEndpoint?: string;
  AuthorityHost?: string;
  CaCertificatePath?: string;
  ContextName?: string;
}

export default defineCmdlet<Parameters>({
  name: 'Connect-Partner',
  synopsis: 'Signs in to Partner Center and saves the session context for later commands.',
  description:
    'Signs in to Partner Center, proves the sign-in by acquiring an access token, and saves a context (endpoints, tenant, account) so that every later command, in any later process, uses it. Secrets and tokens go to a separate private token store, never into the context. With -ServicePrincipal the token renews itself when it expires; with -AccessToken it is used until it expires.',
  defaultParameterSet: 'ServicePrincipal',
  parameters: {
    AccessToken: { type: 'secret', sets: ['AccessToken'], mandatory: true, description: 'An access token for the Partner Center API (a JWT). Its expiry is checked and reported; it cannot be renewed.' },
    ServicePrincipal: { type: 'switch', sets: ['ServicePrincipal'], mandatory: true, description: 'Sign in as an application (app-only) with its client secret.' },
    ApplicationId: { type: 'guid', sets: ['ServicePrincipal'], mandatory: true, aliases: ['ClientId', 'AppId'], description: 'The application (client) id of the service principal.' },
    Tenant: { type: 'string', aliases: ['TenantId', 'Domain'], mandatory: ['ServicePrincipal'], description: 'The partner tenant: its id (a GUID) or a verified domain. With -AccessToken it defaults to the token\'s tenant.' },
    ClientSecret: { type: 'secret', sets: ['ServicePrincipal'], mandatory: true, env: 'PARTNERCENTER_CLIENT_SECRET', description: 'The application\'s client secret. Prefer the PARTNERCENTER_CLIENT_SECRET environment variable: a command line is visible to other users of the machine.' },
    Environment: { type: 'string', choices: ENVIRONMENT_NAMES, default: 'AzureCloud', description: 'The Partner Center cloud: its API endpoint, Entra ID authority and token audience.' },
    ApiEndpoint: { type: 'string', description: 'A custom Partner Center API base URL (e.g. the built-in emulator). https://, or http:// on a loopback address only.' },
    AuthorityHost: { type: 'string', description: 'A custom Entra ID authority host URL (e.g. the built-in emulator). https://, or http:// on a loopback address only.' },
    CaCertificatePath: { type: 'path', mustExist: true, description: 'A PEM file with a CA certificate to trust in addition to the system\'s (e.g. the emulator\'s self-signed certificate).' },
    ContextName: { type: 'string', default: DEFAULT_CONTEXT_NAME, description: 'Name under which the context is saved; it becomes the default context.' },
  },
  inputs: 'None.',
  outputs: 'The saved context (name, environment, endpoints, tenant, account, token expiry); never a secret.',
  view: CONTEXT_VIEW_COLUMNS,
  examples: [
    {
      title: 'Sign in as a service principal, the secret from the environment',
      code: 'export PARTNERCENTER_CLIENT_SECRET=...\nConnect-Partner -ServicePrincipal -ApplicationId 00000000-0000-0000-0000-000000000001 -Tenant contoso.onmicrosoft.com',
    },
    {
      title: 'Sign in to the built-in emulator',
      code: 'Start-PartnerEmulator > emulator.json &\nConnect-Partner -ServicePrincipal -ApplicationId <applicationId> -Tenant <tenantId> -ClientSecret <clientSecret> -ApiEndpoint <apiEndpoint> -AuthorityHost <authorityHost> -CaCertificatePath <caCertificatePath>',
      remarks: 'Use the values Start-PartnerEmulator printed on its first line.',
    },
    { title: 'Use an access token obtained elsewhere', code: 'Connect-Partner -AccessToken "$(az account get-access-token --resource https://api.partnercenter.microsoft.com --query accessToken -o tsv)"' },
  ],
  async *run(p, context) {
    const contextName = validateContextName(p.ContextName ?? DEFAULT_CONTEXT_NAME);
    if (p.ApiEndpoint) parseEndpointUrl(p.ApiEndpoint, '-ApiEndpoint');
    if (p.AuthorityHost) parseEndpointUrl(p.AuthorityHost, '-AuthorityHost');
    const environment = resolveEnvironment(p.Environment, { apiEndpoint: p.ApiEndpoint, authorityHost: p.AuthorityHost });
    const now = new Date();
    let saved: PartnerContext;
    let tokens: TokenRecord;

    if (context.parameterSet === 'AccessToken') {
      const claims = readAccessTokenClaims(p.AccessToken!);
      if (typeof claims.exp !== 'number') throw new UsageError('-AccessToken has no expiry (exp) claim.', { hint: 'Pass an access token issued by Entra ID.' });
      const expiresOn = new Date(claims.exp * 1000);
      if (expiresOn <= now) {
        throw new AuthenticationError(`The access token expired at ${expiresOn.toISOString()}.`, { hint: 'Get a new token and connect again, or use -ServicePrincipal so tokens renew themselves.' });
      }
      const tenantId = p.Tenant ?? claims.tid;
      if (!tenantId) throw new UsageError('The access token names no tenant (tid claim).', { hint: 'Pass -Tenant.' });
      const minutesLeft = Math.round((expiresOn.getTime() - now.getTime()) / 60_000);
      if (minutesLeft < 10) context.warn(`The access token expires in ${minutesLeft} minute(s), at ${expiresOn.toISOString()}; it cannot be renewed.`);
      tokens = { accessToken: { token: p.AccessToken!, expiresOnTimestamp: expiresOn.getTime() } };
      saved = { name: contextName, environment, caCertificatePath: p.CaCertificatePath, tenantId, authentication: 'AccessToken', account: accountOf(claims), connectedAt: now.toISOString() };
    } else {
      context.verbose(`Signing in as application ${p.ApplicationId} to tenant ${p.Tenant} through ${environment.authorityHost}.`);
      const accessToken = await acquireServicePrincipalToken({
        environment,
        tenantId: p.Tenant!,
        applicationId: p.ApplicationId!,
        clientSecret: p.ClientSecret!,
        caCertificatePath: p.CaCertificatePath,
      });
      const claims = readAccessTokenClaims(accessToken.token);
      tokens = { accessToken, clientSecret: p.ClientSecret };
      saved = {
        name: contextName,
        environment,
        caCertificatePath: p.CaCertificatePath,
        tenantId: claims.tid ?? p.Tenant!,
        authentication: 'ServicePrincipal',
        applicationId: p.ApplicationId,
        secretSource: 'TokenStore',
        account: p.ApplicationId,
        connectedAt: now.toISOString(),
      };
    }

    // Tokens first: a context must never exist without the tokens it needs.
    const stores = storesFor(context.env);
    stores.tokens.write(contextName, tokens);
    await stores.contexts.write(saved);
    await stores.contexts.setDefault(contextName);
    context.verbose(`Saved context '${contextName}' in ${stores.contexts.contextsDir}.`);
    yield viewOf(saved, tokens, true);
  },
});
