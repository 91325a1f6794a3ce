/**
 * A session is a saved context plus a way to get a valid access token for it. Later processes
 * reuse the stored access token while it is valid (no @azure/identity import, no network), and
 * renew it through the credential the user connected with when it is about to expire.
 */
import { AuthenticationError, NotConnectedError } from '../errors.js';
import { diagnoseEndpoint } from '../net/diagnose-endpoint.js';
import { resolveConfigDir } from './config-dir.js';
import { ContextStore, type PartnerContext } from './context-store.js';
import { appOnlyScope, readCaCertificate, servicePrincipalCredential, type ServicePrincipalSignIn } from './credentials.js';
import { translateSignInError } from './sign-in-errors.js';
import { TokenStore, type CachedAccessToken } from './token-store.js';

/** Renew a little before expiry, so a request never leaves with a token that dies on the way. */
const EXPIRY_MARGIN_MS = 60_000;

export interface TokenProvider {
  getToken(options?: { forceRefresh?: boolean; signal?: AbortSignal }): Promise<string>;
}

export interface SessionOptions {
  /** -Context; falls back to PARTNERCENTER_CONTEXT, then the saved default. */
  contextName?: string;
  env: NodeJS.ProcessEnv;
  verbose?: (message: string) => void;
}

export interface Session {
  context: PartnerContext;
  tokenProvider: TokenProvider;
  /** The extra CA to trust for the API (custom environments), as PEM. */
  caCertificate?: string;
}

export function storesFor(env: NodeJS.ProcessEnv): { contexts: ContextStore; tokens: TokenStore } {
  const dir = resolveConfigDir(env);
  return { contexts: new ContextStore(dir), tokens: new TokenStore(dir) };
}

export async function openSession(options: SessionOptions): Promise<Session> {
  const { contexts, tokens } = storesFor(options.env);
  const name = await contexts.resolveName(options.contextName ?? (options.env.PARTNERCENTER_CONTEXT || undefined));
  const context = await contexts.read(name);
  if (!context) {
    throw new NotConnectedError(
      name === 'default' ? 'Not connected to Partner Center.' : `There is no saved context named '${name}'.`,
      { hint: 'Run Connect-Partner first (see Get-Help Connect-Partner).' },
    );
  }
  return {
    context,
    caCertificate: readCaCertificate(context.caCertificatePath),
    tokenProvider: new ContextTokenProvider(context, tokens, options),
  };
}

class ContextTokenProvider implements TokenProvider {
  constructor(
    private readonly context: PartnerContext,
    private readonly tokens: TokenStore,
    private readonly options: SessionOptions,
  ) {}

  async getToken(request: { forceRefresh?: boolean } = {}): Promise<string> {
    const stored = this.tokens.read(this.context.name);
    if (!request.forceRefresh && stored.accessToken && isFresh(stored.accessToken)) return stored.accessToken.token;
    const renewed = await this.renew(stored.clientSecret);
    this.tokens.update(this.context.name, { accessToken: renewed });
    return renewed.token;
  }

  private async renew(storedSecret: string | undefined): Promise<CachedAccessToken> {
    const { context } = this;
    if (context.authentication === 'AccessToken') {
      throw new NotConnectedError(`The access token saved in context '${context.name}' has expired (or was rejected) and cannot be renewed.`, {
        hint: 'Run Connect-Partner again with a new -AccessToken, or connect with -ServicePrincipal so tokens renew themselves.',
      });
    }
    const clientSecret = context.secretSource === 'Environment' ? this.options.env.PARTNERCENTER_CLIENT_SECRET : storedSecret;
    if (!clientSecret || !context.applicationId) {
      throw new NotConnectedError(`The token of context '${context.name}' must be renewed, but its client secret is not available.`, {
        hint: context.secretSource === 'Environment'
          ? 'Set PARTNERCENTER_CLIENT_SECRET, which this context reads the secret from.'
          : 'Run Connect-Partner -ServicePrincipal again.',
      });
    }
    this.options.verbose?.(`Renewing the access token of context '${context.name}' through ${context.environment.authorityHost}.`);
    return acquireServicePrincipalToken({
      environment: context.environment,
      tenantId: context.tenantId,
      applicationId: context.applicationId,
      clientSecret,
      caCertificatePath: context.caCertificatePath,
    });
  }
}

function isFresh(token: CachedAccessToken): boolean {
  return token.expiresOnTimestamp - Date.now() > EXPIRY_MARGIN_MS;
}

/** Signs in with a client secret and returns the access token; failures explained (AADSTS code kept). */
export async function acquireServicePrincipalToken(signIn: ServicePrincipalSignIn): Promise<CachedAccessToken> {
  const credential = await servicePrincipalCredential(signIn);
  try {
    const token = await credential.getToken(appOnlyScope(signIn.environment));
    if (!token) throw new AuthenticationError('Sign-in returned no access token.');
    return { token: token.token, expiresOnTimestamp: token.expiresOnTimestamp };
  } catch (error) {
    if (error instanceof AuthenticationError) throw error;
    throw await explainSignInFailure(error, signIn);
  }
}

async function explainSignInFailure(error: unknown, signIn: ServicePrincipalSignIn): Promise<AuthenticationError> {
  const translated = translateSignInError(error, signIn.environment.authorityHost);
  if (translated.aadstsCode) return translated;
  // MSAL says "endpoints_resolution_error" for both an unreachable host and an untrusted
  // certificate; a handshake of our own says which.
  const problem = await diagnoseEndpoint(new URL(signIn.environment.authorityHost), readCaCertificate(signIn.caCertificatePath));
  if (problem === 'reachable') return translated;
  return new AuthenticationError(`Sign-in failed: cannot reach the authority ${signIn.environment.authorityHost} (${problem}).`, {
    hint: problem === 'untrusted certificate'
      ? 'Its TLS certificate is not trusted: pass -CaCertificatePath with the PEM of the CA that signed it.'
      : 'Check -AuthorityHost / -Environment and the network.',
    cause: error,
  });
}
