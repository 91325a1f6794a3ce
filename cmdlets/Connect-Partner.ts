import { UsageError } from '../lib/common/errors.js';
import { defineCmdlet } from '../lib/cmdlet-support/cmdlet.js';
import { parseEndpointUrl } from '../lib/net/endpoint-url.js';
import { connect, type ConnectRequest } from '../lib/session/connect.js';
import { DEFAULT_CONTEXT_NAME, validateContextName } from '../lib/session/context-store.js';
import { CONTEXT_VIEW_COLUMNS } from '../lib/session/context-view.js';
import { DEFAULT_PUBLIC_CLIENT_ID } from '../lib/session/credentials.js';
import { ENVIRONMENT_NAMES, resolveEnvironment } from '../lib/session/environments.js';
import {
  settingsFromEnvironment,
  type EnvironmentSettings,
} from '../lib/session/environment-settings.js';
import type { RunParameters } from '../lib/cmdlet-support/parameter-types.js';
import { maxRetryParameter } from '../lib/cmdlet-support/parameters.js';
import { retryOptionsFor } from '../lib/session/retry-settings.js';

const APP_SETS = ['ServicePrincipal', 'ServicePrincipalCertificate', 'RefreshToken'] as const;

const connectPartner = defineCmdlet({
  name: 'Connect-Partner',
  helpUri: 'https://learn.microsoft.com/partner-center/developer/partner-center-authentication',
  synopsis: 'Signs in to Partner Center and saves the session context for later commands.',
  description:
    'Signs in to Partner Center, proves it by acquiring an access token, and ' +
    'saves a context (endpoints, tenant, account) so that every later ' +
    'command, in any later process, uses it. Secrets and tokens live in a ' +
    'separate private token store, never in the context; with ' +
    '-FromEnvironment they are never written at all and are read from ' +
    'PARTNERCENTER_* variables each time. Every way of signing in but ' +
    '-AccessToken renews its token by itself: a service principal with its ' +
    'secret or certificate, a user through the cached refresh token, the ' +
    'secure application model through its rotating refresh token, a managed ' +
    'identity through its endpoint. A browser sign-in is started only when a ' +
    'person is at a terminal; use -UseDeviceAuthentication over SSH or on a ' +
    'headless machine.',
  defaultParameterSet: 'User',
  parameters: {
    UseDeviceAuthentication: {
      type: 'switch',
      sets: ['User'],
      aliases: ['Device', 'DeviceCode'],
      description:
        'Sign in with a device code: the code and the URL to enter it at are ' +
        'printed on stderr. For SSH sessions and machines without a browser.',
    },
    AccessToken: {
      type: 'secret',
      sets: ['AccessToken'],
      mandatory: true,
      description:
        'An access token for the Partner Center API (a JWT). Its expiry is ' +
        'checked and reported; it cannot be renewed.',
    },
    ServicePrincipal: {
      type: 'switch',
      sets: ['ServicePrincipal', 'ServicePrincipalCertificate'],
      mandatory: true,
      description: 'Sign in as an application (app-only), with -ClientSecret or -CertificatePath.',
    },
    RefreshToken: {
      type: 'secret',
      sets: ['RefreshToken'],
      mandatory: true,
      description:
        'A refresh token from the CSP secure application model consent. Each ' +
        'renewal rotates it and the new one replaces it in the token store.',
    },
    Identity: {
      type: 'switch',
      sets: ['ManagedIdentity'],
      mandatory: true,
      aliases: ['ManagedIdentity'],
      description:
        'Sign in as the managed identity of this Azure resource (Automation, ' +
        'Functions, App Service, VM). -ApplicationId (alias -ClientId) picks a ' +
        'user-assigned identity.',
    },
    FromEnvironment: {
      type: 'switch',
      sets: ['FromEnvironment'],
      mandatory: true,
      description:
        'Take every setting from PARTNERCENTER_* environment variables ' +
        '(PARTNERCENTER_APPLICATION_ID, PARTNERCENTER_TENANT, ' +
        'PARTNERCENTER_CLIENT_SECRET, PARTNERCENTER_CERTIFICATE_PATH, ' +
        'PARTNERCENTER_REFRESH_TOKEN, PARTNERCENTER_ENVIRONMENT, ' +
        'PARTNERCENTER_API_ENDPOINT, PARTNERCENTER_AUTHORITY_HOST, ' +
        'PARTNERCENTER_GRAPH_ENDPOINT, ' +
        'PARTNERCENTER_CA_CERTIFICATE_PATH, ...). The context keeps reading ' +
        'secrets from the environment and never writes them to disk.',
    },
    ApplicationId: {
      type: 'guid',
      sets: ['User', ...APP_SETS, 'ManagedIdentity'],
      mandatory: [...APP_SETS],
      aliases: ['ClientId', 'AppId'],
      description:
        `The application (client) id. For a user sign-in it defaults to ${DEFAULT_PUBLIC_CLIENT_ID} ` +
        `(the Azure CLI's public client); for -Identity it names a user-assigned identity.`,
    },
    Tenant: {
      type: 'string',
      aliases: ['TenantId', 'Domain'],
      sets: ['User', 'AccessToken', ...APP_SETS, 'ManagedIdentity'],
      mandatory: ['ServicePrincipal', 'ServicePrincipalCertificate'],
      description:
        'The partner tenant: its id (a GUID) or a verified domain. Defaults to ' +
        "the signed-in account's or token's tenant where there is one.",
    },
    ClientSecret: {
      type: 'secret',
      sets: ['ServicePrincipal', 'RefreshToken'],
      mandatory: ['ServicePrincipal'],
      env: 'PARTNERCENTER_CLIENT_SECRET',
      description:
        "The application's client secret. Prefer PARTNERCENTER_CLIENT_SECRET: a " +
        'command line is visible to other users of the machine.',
    },
    CertificatePath: {
      type: 'path',
      mustExist: true,
      sets: ['ServicePrincipalCertificate', 'RefreshToken'],
      mandatory: ['ServicePrincipalCertificate'],
      description:
        "The application's certificate: a PEM file with certificate and private " +
        'key, or a .pfx/.p12 file (converted with openssl, in memory; one exported by older ' +
        "Windows with RC2 encryption is read through openssl's legacy provider).",
    },
    CertificatePassword: {
      type: 'secret',
      sets: ['ServicePrincipalCertificate', 'RefreshToken'],
      env: 'PARTNERCENTER_CERTIFICATE_PASSWORD',
      description: 'The password of the certificate file, if it has one.',
    },
    Environment: {
      type: 'string',
      choices: ENVIRONMENT_NAMES,
      default: 'AzureCloud',
      description:
        'The Partner Center cloud: its API endpoint, Entra ID authority and token ' +
        'audience (Get-PartnerEnvironment lists them).',
    },
    ApiEndpoint: {
      type: 'string',
      description:
        'A custom Partner Center API base URL (e.g. the built-in emulator). ' +
        'https://, or http:// on a loopback address only.',
    },
    AuthorityHost: {
      type: 'string',
      description:
        'A custom Entra ID authority host URL (e.g. the built-in emulator). ' +
        'https://, or http:// on a loopback address only.',
    },
    GraphEndpoint: {
      type: 'string',
      description:
        "A custom Microsoft Graph base URL (e.g. the built-in emulator's graphEndpoint); by " +
        "default the cloud's Graph (https://graph.microsoft.com for AzureCloud). Graph tokens " +
        'are got through the same sign-in when a command first needs one. https://, or ' +
        'http:// on a loopback address only.',
    },
    CaCertificatePath: {
      type: 'path',
      mustExist: true,
      description:
        "A PEM file with a CA certificate to trust besides the system's (e.g. the " +
        "emulator's self-signed certificate).",
    },
    MaxRetry: {
      ...maxRetryParameter,
      description:
        'How many times a request of the sign-in is retried after a dropped connection, a ' +
        'cut-off answer, a timeout, throttling (429) or a server error (408, 5xx) of Entra ID, ' +
        'before Connect-Partner gives up (exit 5). Default 5. Not saved with the context ' +
        '(Set-PartnerContext -MaxRetry is); -Verbose reports each retry.',
    },
    ContextName: {
      type: 'string',
      default: DEFAULT_CONTEXT_NAME,
      description:
        'The name the context is saved under. It becomes the default context (the one ' +
        'commands use without -Context) only when there is none yet, or with -SetDefault; ' +
        'otherwise the default stays as it was. Select-PartnerContext changes the default.',
    },
    SetDefault: {
      type: 'switch',
      description:
        'Make the new context the default even when another context is. Without it, ' +
        'Connect-Partner -ContextName <name> leaves an existing default alone.',
    },
  },
  inputs: 'None.',
  outputType: 'ContextView',
  outputs: 'The saved context; never a secret.',
  view: CONTEXT_VIEW_COLUMNS,
  terminalFormat: () => 'List',
  examples: [
    { title: 'Sign in interactively in a browser', code: 'Connect-Partner' },
    {
      title: 'Sign in from an SSH session with a device code',
      code: 'Connect-Partner -UseDeviceAuthentication -Tenant contoso.onmicrosoft.com',
    },
    {
      title: 'A service principal, the secret from the environment',
      code:
        'export PARTNERCENTER_CLIENT_SECRET=...\nConnect-Partner ' +
        '-ServicePrincipal -ApplicationId 00000000-0000-0000-0000-000000000001 ' +
        '-Tenant contoso.onmicrosoft.com',
    },
    {
      title: 'A service principal with a certificate',
      code:
        'Connect-Partner -ServicePrincipal -ApplicationId <app id> -Tenant ' +
        '<tenant> -CertificatePath ./app.pem',
    },
    {
      title: 'The secure application model (refresh token)',
      code:
        'export PARTNERCENTER_CLIENT_SECRET=...\nConnect-Partner -RefreshToken ' +
        '"$(cat refresh-token.txt)" -ApplicationId <app id> -Tenant <tenant>',
    },
    {
      title: 'A second context, made the default at once',
      code:
        'Connect-Partner -ServicePrincipal -ApplicationId <app id> -Tenant <tenant> ' +
        '-ContextName test -SetDefault',
      remarks:
        'Without -SetDefault the default context stays as it was; -Context test uses ' +
        'the new one for a single command.',
    },
    {
      title: 'A runbook: everything from the environment, nothing written to disk',
      code: 'Connect-Partner -FromEnvironment -ContextName runbook',
    },
    {
      title: 'An Azure Automation runbook with a managed identity',
      code: 'Connect-Partner -Identity',
    },
    {
      title: 'The built-in emulator',
      code:
        'Start-PartnerEmulator > emulator.json &\nConnect-Partner ' +
        '-ServicePrincipal -ApplicationId <applicationId> -Tenant <tenantId> ' +
        '-ApiEndpoint <apiEndpoint> -AuthorityHost <authorityHost> ' +
        '-GraphEndpoint <graphEndpoint> -CaCertificatePath <caCertificatePath>',
      remarks:
        'Use the values Start-PartnerEmulator printed on its first line; put the ' +
        'clientSecret in PARTNERCENTER_CLIENT_SECRET.',
    },
  ],
  async *run(p, context): AsyncGenerator<unknown> {
    const settings =
      p.parameterSet === 'FromEnvironment' ? settingsFromEnvironment(context.env) : p;
    const contextName = validateContextName(p.ContextName);
    if (settings.ApiEndpoint) parseEndpointUrl(settings.ApiEndpoint, '-ApiEndpoint');
    if (settings.AuthorityHost) parseEndpointUrl(settings.AuthorityHost, '-AuthorityHost');
    if (settings.GraphEndpoint) parseEndpointUrl(settings.GraphEndpoint, '-GraphEndpoint');
    const common = {
      contextName,
      environment: resolveEnvironment(settings.Environment, {
        apiEndpoint: settings.ApiEndpoint,
        authorityHost: settings.AuthorityHost,
        graphEndpoint: settings.GraphEndpoint,
      }),
      caCertificatePath: settings.CaCertificatePath,
      tenant: settings.Tenant,
      secretSource:
        context.parameterSet === 'FromEnvironment'
          ? ('Environment' as const)
          : ('TokenStore' as const),
      env: context.env,
      stores: await context.services.stores(),
      setDefault: p.SetDefault === true,
      retry: {
        retry: retryOptionsFor(p.MaxRetry, {}, context.env),
        clock: context.services.clock,
        verbose: context.verbose,
        signal: context.signal,
      },
      inform: context.inform,
      warn: context.warn,
    };
    const request = requestFor(settings, common);
    if (request.kind === 'User' && !request.useDeviceCode && !context.interactive) {
      throw new UsageError(
        'A browser sign-in needs a person at a terminal, and this run is not interactive.',
        {
          hint:
            'Use -UseDeviceAuthentication, or a sign-in for automation: ' +
            '-ServicePrincipal, -RefreshToken, -Identity or -FromEnvironment.',
        },
      );
    }
    context.verbose(
      `Signing in (${request.kind}) through ${common.environment.authorityHost} ` +
        `for ${common.environment.apiEndpoint}.`,
    );
    yield await connect(request);
  },
});
export default connectPartner;

/** A sign-in as the command line gave it, or as -FromEnvironment read it. */
type SignIn =
  | Exclude<RunParameters<typeof connectPartner>, { parameterSet: 'FromEnvironment' }>
  | EnvironmentSettings;

function requestFor(p: SignIn, common: Omit<ConnectRequest, 'kind'>): ConnectRequest {
  const kind = p.parameterSet;
  switch (kind) {
    case 'AccessToken':
      return { ...common, kind, accessToken: p.AccessToken };
    case 'ServicePrincipal':
      return { ...common, kind, applicationId: p.ApplicationId, clientSecret: p.ClientSecret };
    case 'ServicePrincipalCertificate':
      return {
        ...common,
        kind,
        applicationId: p.ApplicationId,
        certificatePath: p.CertificatePath,
        certificatePassword: p.CertificatePassword,
      };
    case 'RefreshToken':
      if (!p.ClientSecret && !p.CertificatePath) {
        throw new UsageError('A refresh token sign-in needs the application to prove itself.', {
          hint: 'Give -ClientSecret (or PARTNERCENTER_CLIENT_SECRET) or -CertificatePath.',
        });
      }
      return {
        ...common,
        kind,
        applicationId: p.ApplicationId,
        refreshToken: p.RefreshToken,
        clientSecret: p.ClientSecret,
        certificatePath: p.CertificatePath,
        certificatePassword: p.CertificatePassword,
      };
    case 'ManagedIdentity':
      return { ...common, kind, clientId: p.ApplicationId };
    default:
      return {
        ...common,
        kind: 'User',
        applicationId: p.ApplicationId ?? DEFAULT_PUBLIC_CLIENT_ID,
        useDeviceCode: p.UseDeviceAuthentication === true,
      };
  }
}
