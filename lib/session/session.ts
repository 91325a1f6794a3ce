/**
 * A session is a saved context plus a way to get a valid access token for it. Later processes
 * reuse the stored access token while it is valid (no @azure/identity import, no network), and
 * renew it, without asking anyone, through the way the user connected.
 */
import type { TokenProvider } from '../partner-center/client.js';
import {
  AuthenticationError,
  NotConnectedError,
  PartnerCenterModuleError,
} from '../common/errors.js';
import { type Clock, systemClock } from '../common/clock.js';
import { getJson } from '../net/json-request.js';
import { diagnoseEndpoint } from '../net/diagnose-endpoint.js';
import { secretsFromEnvironment } from './context-kinds.js';
import type { PartnerContext } from './context-store.js';
import {
  agentTrusting,
  appOnlyScope,
  createCredential,
  delegatedScope,
  readCaCertificate,
  type CredentialRequest,
} from './credentials.js';
import { EntraAnswerLog } from './entra-answer-log.js';
import { redeemRefreshToken } from './refresh-token-grant.js';
import { translateSignInError } from './sign-in-errors.js';
import { managedIdentityNetworkFailure, TokenExchangeWatch } from './token-exchange-watch.js';
import { TransientTokenError, type TokenRetrySettings, withTokenRetries } from './token-retry.js';
import type { RetryOptions } from '../partner-center/retry-policy.js';
import {
  accessTokenOf,
  type TokenStore,
  type CachedAccessToken,
  type TokenRecord,
} from './token-store.js';
import { scopeOf, tokenResource, type ApiName, type TokenResource } from './token-resources.js';
import { noSavedContext, type SessionStores, storesFor } from './stores.js';

// Their home is stores.ts, which the commands that only read saved contexts load without this.
export { noSavedContext, type SessionStores, storesFor } from './stores.js';

/** Renew a little before expiry, so a request never leaves with a token that dies on the way. */
const EXPIRY_MARGIN_MS = 60_000;
/** A token that cannot be renewed is worth using to its last seconds. */
const UNRENEWABLE_MARGIN_MS = 5_000;

/** The session provides the client's TokenProvider: one interface, declared where it is used. */
export type { TokenProvider };

export interface SessionOptions {
  /** -Context; falls back to PARTNERCENTER_CONTEXT, then the saved default. */
  contextName?: string;
  env: NodeJS.ProcessEnv;
  verbose?: (message: string) => void;
  /** The run's stores; by default those of the config directory `env` names. */
  stores?: SessionStores;
  /** What "has the saved token expired" is asked against, and renewal retries sleep on. */
  clock?: Clock;
  /**
   * How often a renewal asks the authority again after a dropped or failed answer (the run's
   * -MaxRetry); a client's `tokenProviderFor(api, retry)` may give it later.
   */
  retry?: RetryOptions;
}

export interface Session {
  context: PartnerContext;
  /** Partner Center's tokens: `tokenProviderFor('PartnerCenter')`. */
  tokenProvider: TokenProvider;
  /**
   * The tokens of one API of the context (Graph's are got on first use through the same sign-in),
   * one provider per API and session; their renewals take turns. `retry`: the run's retry
   * settings, which every later renewal of the session follows (both clients of a run share them).
   */
  tokenProviderFor(api: ApiName, retry?: RetryOptions): TokenProvider;
  /** The extra CA to trust for the API (custom environments), as PEM. */
  caCertificate?: string;
}

/** The saved contexts and their tokens, in one config directory. */
export async function openSession(options: SessionOptions): Promise<Session> {
  const { contexts, tokens } = options.stores ?? storesFor(options.env);
  const named = options.contextName ?? (options.env.PARTNERCENTER_CONTEXT || undefined);
  const name = await contexts.resolveName(named);
  const context = await contexts.read(name);
  if (!context) throw noSavedContext(name, contexts, named !== undefined);
  const renewals = new RenewalQueue();
  const providers = new Map<ApiName, TokenProvider>();
  let retry = options.retry;
  const tokenProviderFor = (api: ApiName, runRetry?: RetryOptions): TokenProvider => {
    if (runRetry) retry = runRetry;
    let provider = providers.get(api);
    if (!provider) {
      const resource = tokenResource(context.environment, api);
      provider = new ContextTokenProvider(
        context,
        resource,
        tokens,
        options,
        renewals,
        () => retry,
      );
      providers.set(api, provider);
    }
    return provider;
  };
  return {
    context,
    caCertificate: readCaCertificate(context.caCertificatePath),
    tokenProvider: tokenProviderFor('PartnerCenter'),
    tokenProviderFor,
  };
}

/**
 * The secrets that renew a context's tokens: from the token store, or (-FromEnvironment) the
 * environment.
 */
export function renewalSecrets(
  context: PartnerContext,
  stored: TokenRecord,
  env: NodeJS.ProcessEnv,
): TokenRecord {
  if (!secretsFromEnvironment(context)) return stored;
  return {
    clientSecret: env.PARTNERCENTER_CLIENT_SECRET || undefined,
    certificatePassword: env.PARTNERCENTER_CERTIFICATE_PASSWORD || undefined,
    refreshToken: stored.refreshToken ?? (env.PARTNERCENTER_REFRESH_TOKEN || undefined),
  };
}

/**
 * One renewal of a context's tokens at a time, whichever API it is for: a refresh token rotates
 * with each use, so the second renewal must read the token the first one stored, not redeem the
 * same one again.
 */
class RenewalQueue {
  private last: Promise<unknown> = Promise.resolve();

  run<T>(renewal: () => Promise<T>): Promise<T> {
    const next = this.last.then(renewal, renewal);
    this.last = next.catch(() => undefined);
    return next;
  }
}

class ContextTokenProvider implements TokenProvider {
  private inFlight?: Promise<string>;
  /**
   * The token last read or renewed: reused while valid, so a listing reads the token file once, not
   * once per page.
   */
  private current?: CachedAccessToken;

  constructor(
    private readonly context: PartnerContext,
    private readonly resource: TokenResource,
    private readonly tokens: TokenStore,
    private readonly options: SessionOptions,
    private readonly renewals: RenewalQueue,
    private readonly retry: () => RetryOptions | undefined,
  ) {}

  async getToken(
    request: { forceRefresh?: boolean; refused?: string; signal?: AbortSignal } = {},
  ): Promise<string> {
    const forceRefresh = request.forceRefresh === true;
    const refused = forceRefresh ? request.refused : undefined;
    // Concurrent callers share one renewal rather than each asking the authority.
    const joined = this.inFlight !== undefined;
    this.inFlight ??= this.obtain(forceRefresh, refused, request.signal).finally(
      () => (this.inFlight = undefined),
    );
    const token = await this.inFlight;
    // A renewal joined while a plain read was under way can hand back the very token refused.
    if (joined && refused !== undefined && token === refused)
      return this.getToken({ forceRefresh, refused, signal: request.signal });
    return token;
  }

  /**
   * `refused`: the token the API refused. When the current one (or the file's) is already another
   * valid token, a concurrent caller or another process renewed it after that refusal: it is used,
   * and many workers refused at once renew once, not once each.
   */
  private async obtain(
    forceRefresh: boolean,
    refused: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<string> {
    const margin =
      this.context.authentication === 'AccessToken' ? UNRENEWABLE_MARGIN_MS : EXPIRY_MARGIN_MS;
    const valid = (token: CachedAccessToken | undefined): token is CachedAccessToken =>
      token !== undefined &&
      token.expiresOnTimestamp - (this.options.clock ?? systemClock).now() > margin;
    const usable = (token: CachedAccessToken | undefined): token is CachedAccessToken =>
      valid(token) && (!forceRefresh || (refused !== undefined && token.token !== refused));
    if (usable(this.current)) return this.current.token;
    // Near expiry (or refused): the file may hold a token another process has renewed meanwhile.
    const stored = accessTokenOf(this.tokens.read(this.context.name), this.resource);
    if (usable(stored)) {
      this.current = stored;
      return stored.token;
    }
    if (this.context.authentication === 'AccessToken') throw this.unrenewable(stored);
    return this.renewals.run(async () => {
      // Read again in the queue: the renewal before this one may have rotated the refresh token.
      const record = this.tokens.read(this.context.name);
      this.options.verbose?.(
        `${this.renewalVerb(accessTokenOf(record, this.resource))} of context ` +
          `'${this.context.name}' (${this.context.authentication}) through ` +
          `${this.context.environment.authorityHost}.`,
      );
      const renewed = await renewToken(
        this.context,
        renewalSecrets(this.context, record, this.options.env),
        this.tokens.tokensDir,
        this.resource,
        {
          retry: this.retry(),
          clock: this.options.clock,
          verbose: this.options.verbose,
          signal,
        },
      );
      this.tokens.saveAccessToken(
        this.context.name,
        this.resource,
        renewed.accessToken,
        // Only a refresh token the user gave us is kept; one from the environment stays there.
        renewed.refreshToken && !secretsFromEnvironment(this.context)
          ? { refreshToken: renewed.refreshToken }
          : {},
      );
      this.current = renewed.accessToken;
      return renewed.accessToken.token;
    });
  }

  private renewalVerb(stored: CachedAccessToken | undefined): string {
    if (this.resource.api === 'PartnerCenter') return 'Renewing the access token';
    return stored
      ? `Renewing the ${this.resource.service} access token`
      : `Getting a ${this.resource.service} access token (${scopeOf(this.resource, this.context.authentication)})`;
  }

  private unrenewable(stored: CachedAccessToken | undefined): NotConnectedError {
    if (this.resource.api !== 'PartnerCenter' && !stored) {
      return new NotConnectedError(
        `Context '${this.context.name}' was connected with -AccessToken, a token for ` +
          `Partner Center only, and ${this.resource.service} needs a token of its own.`,
        {
          hint:
            'Connect with a sign-in that can get one: -ServicePrincipal, -RefreshToken, ' +
            '-Identity or a user sign-in.',
        },
      );
    }
    return new NotConnectedError(
      `The access token saved in context '${this.context.name}' has expired (or ` +
        'was rejected) and cannot be renewed.',
      {
        hint:
          'Run Connect-Partner again with a new -AccessToken, or use a sign-in that ' +
          'renews itself (e.g. -ServicePrincipal).',
      },
    );
  }
}

async function renewToken(
  context: PartnerContext,
  secrets: TokenRecord,
  tokensDir: string,
  resource: TokenResource,
  retry: TokenRetrySettings,
): Promise<{ accessToken: CachedAccessToken; refreshToken?: string }> {
  const scope = scopeOf(resource, context.authentication);
  const common = {
    environment: context.environment,
    tenantId: context.tenantId,
    caCertificatePath: context.caCertificatePath,
  };
  const missing = (what: string, variable: string) =>
    new NotConnectedError(
      `The token of context '${context.name}' must be renewed, but its ${what} is not available.`,
      {
        hint: secretsFromEnvironment(context)
          ? `Set ${variable}, which this context reads it from.`
          : 'Run Connect-Partner again.',
      },
    );
  switch (context.authentication) {
    case 'ServicePrincipal':
      if (!secrets.clientSecret) throw missing('client secret', 'PARTNERCENTER_CLIENT_SECRET');
      return {
        accessToken: await acquireToken(
          {
            ...common,
            kind: 'ServicePrincipal',
            applicationId: context.applicationId,
            clientSecret: secrets.clientSecret,
          },
          scope,
          retry,
        ),
      };
    case 'ServicePrincipalCertificate':
      return {
        accessToken: await acquireToken(
          {
            ...common,
            kind: 'ServicePrincipalCertificate',
            applicationId: context.applicationId,
            certificatePath: context.certificatePath,
            certificatePassword: secrets.certificatePassword,
          },
          scope,
          retry,
        ),
      };
    case 'ManagedIdentity':
      return {
        accessToken: await acquireToken(
          { ...common, kind: 'ManagedIdentity', clientId: context.managedIdentityClientId },
          scope,
          retry,
        ),
      };
    case 'User':
      return {
        accessToken: await acquireToken(
          {
            ...common,
            kind: 'User',
            applicationId: context.applicationId,
            useDeviceCode: context.useDeviceCode,
            cacheName: context.name,
            tokensDir,
            authenticationRecord: context.authenticationRecord,
            inform: () => undefined,
          },
          scope,
          retry,
        ),
      };
    case 'RefreshToken':
      if (!secrets.refreshToken) throw missing('refresh token', 'PARTNERCENTER_REFRESH_TOKEN');
      return redeemRefreshToken(
        {
          ...common,
          applicationId: context.applicationId,
          refreshToken: secrets.refreshToken,
          clientSecret: secrets.clientSecret,
          certificatePath: context.certificatePath,
          certificatePassword: secrets.certificatePassword,
          scope,
        },
        retry,
      );
    case 'AccessToken':
      throw missing('access token', 'PARTNERCENTER_ACCESS_TOKEN');
  }
}

export function scopeFor(request: CredentialRequest): string {
  return request.kind === 'User'
    ? delegatedScope(request.environment)
    : appOnlyScope(request.environment);
}

/**
 * Acquires an access token through @azure/identity; failures explained (AADSTS code kept, network
 * cause named). A dropped or failed answer of the authority is retried as `retry` allows
 * (token-retry.ts), each attempt with a credential of its own: MSAL remembers a throttled
 * authority per application, and a fresh one asks again.
 */
export async function acquireToken(
  request: CredentialRequest,
  scope: string = scopeFor(request),
  retry: TokenRetrySettings = {},
): Promise<CachedAccessToken> {
  return withTokenRetries(
    (timeoutMs) => acquireTokenOnce(request, scope, new TokenExchangeWatch(timeoutMs)),
    retry,
  );
}

async function acquireTokenOnce(
  request: CredentialRequest,
  scope: string,
  watch: TokenExchangeWatch,
): Promise<CachedAccessToken> {
  const answers = new EntraAnswerLog();
  try {
    const credential = await createCredential(request, answers, watch);
    const token = await credential.getToken(scope);
    if (!token) throw new AuthenticationError('Sign-in returned no access token.');
    return { token: token.token, expiresOnTimestamp: token.expiresOnTimestamp };
  } catch (error) {
    if (error instanceof PartnerCenterModuleError) throw error;
    // Judged by what the authority's last exchange came to, before any reading of MSAL's words:
    // a silent user renewal whose answer was cut reads as "authentication required" too.
    const transient =
      watch.transient ??
      (request.kind === 'ManagedIdentity' && watch.sent === 0
        ? managedIdentityNetworkFailure(error)
        : undefined);
    if (transient) throw new TransientTokenError(transient, { cause: error });
    // @azure/identity wraps every MSAL failure, a wrong secret included, as
    // AuthenticationRequiredError: only a user sign-in with no AADSTS code behind it really means
    // "sign in again".
    if (
      request.kind === 'User' &&
      (error as Error).name === 'AuthenticationRequiredError' &&
      !answers.last &&
      !/AADSTS\d+/.test(String((error as Error).message))
    ) {
      throw new NotConnectedError('The saved user sign-in can no longer be renewed silently.', {
        hint:
          'Run Connect-Partner again to sign in (with -UseDeviceAuthentication on a ' +
          'headless machine).',
        cause: error,
      });
    }
    throw await explainSignInFailure(error, request, answers);
  }
}

export async function explainSignInFailure(
  error: unknown,
  request: {
    environment: CredentialRequest['environment'];
    caCertificatePath?: string;
    tenantId: string;
  },
  answers?: EntraAnswerLog,
): Promise<AuthenticationError> {
  const translated = translateSignInError(
    error,
    request.environment.authorityHost,
    answers?.describe(),
  );
  if (translated.aadstsCode) return translated;
  // MSAL says "endpoints_resolution_error" for an unreachable host, an untrusted certificate and
  // an unknown tenant alike; a handshake and a look at the OpenID configuration say which.
  const ca = readCaCertificate(request.caCertificatePath);
  const problem = await diagnoseEndpoint(new URL(request.environment.authorityHost), ca);
  if (problem === 'reachable') return (await openIdConfigurationError(request, ca)) ?? translated;
  return new AuthenticationError(
    `Sign-in failed: cannot reach the authority ${request.environment.authorityHost} (${problem}).`,
    {
      hint:
        problem === 'untrusted certificate'
          ? 'Its TLS certificate is not trusted: pass -CaCertificatePath with the PEM ' +
            'of the CA that signed it.'
          : 'Check -AuthorityHost / -Environment and the network.',
      cause: error,
    },
  );
}

/**
 * The authority's own error for the tenant's OpenID configuration (e.g. AADSTS90002), which MSAL
 * does not pass on.
 */
async function openIdConfigurationError(
  request: { environment: CredentialRequest['environment']; tenantId: string },
  ca: string | undefined,
): Promise<AuthenticationError | undefined> {
  try {
    const tenant = encodeURIComponent(request.tenantId);
    const url = new URL(
      `${request.environment.authorityHost}/${tenant}/v2.0/.well-known/openid-configuration`,
    );
    const answer = await getJson(url, agentTrusting(ca));
    if (answer.status === 200) return undefined;
    const translated = translateSignInError(
      new Error(String(answer.body.error_description ?? answer.body.error ?? answer.status)),
      request.environment.authorityHost,
    );
    return translated.aadstsCode ? translated : undefined;
  } catch {
    return undefined;
  }
}
