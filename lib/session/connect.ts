/**
 * Connecting: sign in the way the user chose, prove it by acquiring a token, then save the
 * context (no secret) and the token store (secrets only where the user gave them on connect).
 */
import { AuthenticationError, UsageError } from '../common/errors.js';
import { withoutUndefined } from '../common/objects.js';
import type { KindFields, PartnerContext, SecretSource } from './context-kinds.js';
import { viewOf, type ContextView } from './context-view.js';
import {
  authenticateUser,
  createCredential,
  delegatedScope,
  type CredentialRequest,
} from './credentials.js';
import type { PartnerEnvironment } from './environments.js';
import { EntraAnswerLog } from './entra-answer-log.js';
import { accountOf, readAccessTokenClaims } from './jwt-claims.js';
import { redeemRefreshToken } from './refresh-token-grant.js';
import { acquireToken, explainSignInFailure, type SessionStores, storesFor } from './session.js';
import type { CachedAccessToken, TokenRecord } from './token-store.js';
import type { TokenRetrySettings } from './token-retry.js';

export type ConnectRequest = {
  contextName: string;
  environment: PartnerEnvironment;
  caCertificatePath?: string;
  tenant?: string;
  /** 'Environment': secrets stay in PARTNERCENTER_* variables and are never written to disk. */
  secretSource: SecretSource;
  env: NodeJS.ProcessEnv;
  /** The run's stores; by default those of the config directory `env` names. */
  stores?: SessionStores;
  /** How often a dropped or failed answer of the authority is asked again (-MaxRetry). */
  retry?: TokenRetrySettings;
  /**
   * -SetDefault: make the new context the default even when another one is. Without it, it
   * becomes the default only when there is none (or it already was).
   */
  setDefault?: boolean;
  inform(message: string): void;
  warn(message: string): void;
} & (
  | { kind: 'AccessToken'; accessToken: string }
  | { kind: 'ServicePrincipal'; applicationId: string; clientSecret: string }
  | {
      kind: 'ServicePrincipalCertificate';
      applicationId: string;
      certificatePath: string;
      certificatePassword?: string;
    }
  | {
      kind: 'RefreshToken';
      applicationId: string;
      refreshToken: string;
      clientSecret?: string;
      certificatePath?: string;
      certificatePassword?: string;
    }
  | { kind: 'ManagedIdentity'; clientId?: string }
  | { kind: 'User'; applicationId: string; useDeviceCode: boolean }
);

interface SignedIn {
  accessToken: CachedAccessToken;
  /** What this kind of sign-in saves with the context. */
  fields: KindFields;
  /** The tenant and account the sign-in itself names, before the token's claims. */
  tenantId?: string;
  account?: string;
  tokens: TokenRecord;
}

export async function connect(request: ConnectRequest): Promise<ContextView> {
  const signedIn = await signIn(request);
  const claims = readAccessTokenClaims(signedIn.accessToken.token);
  const tenantId = signedIn.tenantId ?? claims.tid ?? request.tenant;
  if (!tenantId)
    throw new UsageError('Cannot tell the partner tenant: the token names none.', {
      hint: 'Pass -Tenant.',
    });
  // The fields in the order every version saved them: what all contexts have, then the kind's.
  const base = {
    name: request.contextName,
    environment: request.environment,
    caCertificatePath: request.caCertificatePath,
    tenantId,
    authentication: request.kind,
    account: signedIn.account ?? accountOf(claims),
    connectedAt: new Date().toISOString(),
  };
  const context: PartnerContext = withoutUndefined({ ...base, ...signedIn.fields });
  const tokens: TokenRecord = {
    accessToken: signedIn.accessToken,
    ...(request.secretSource === 'TokenStore' ? signedIn.tokens : {}),
  };
  const stores = request.stores ?? storesFor(request.env);
  const becomesDefault =
    request.setDefault === true || !(await anotherDefault(stores, request.contextName));
  // Tokens first: a context must never exist without what it needs to renew its token.
  stores.tokens.write(request.contextName, tokens);
  await stores.contexts.write(context);
  if (becomesDefault) await stores.contexts.setDefault(request.contextName);
  return viewOf(context, tokens, becomesDefault);
}

/**
 * Whether a context other than `name` is the saved default. A default whose context is gone (it
 * was disconnected) is none; one whose file cannot be read still is (it is not ours to replace).
 */
async function anotherDefault(stores: SessionStores, name: string): Promise<boolean> {
  const current = await stores.contexts.resolveName(undefined);
  if (current === name) return false;
  try {
    return (await stores.contexts.read(current)) !== undefined;
  } catch {
    return true;
  }
}

async function signIn(request: ConnectRequest): Promise<SignedIn> {
  const common = { environment: request.environment, caCertificatePath: request.caCertificatePath };
  const tenantId = request.tenant ?? 'organizations';
  switch (request.kind) {
    case 'AccessToken':
      return {
        accessToken: checkAccessToken(request.accessToken, request.warn),
        fields: { authentication: 'AccessToken' },
        tenantId: request.tenant,
        tokens: {},
      };
    case 'ServicePrincipal':
      return {
        accessToken: await acquireToken(
          {
            ...common,
            tenantId: requireTenant(request.tenant),
            kind: 'ServicePrincipal',
            applicationId: request.applicationId,
            clientSecret: request.clientSecret,
          },
          undefined,
          request.retry,
        ),
        fields: {
          authentication: 'ServicePrincipal',
          applicationId: request.applicationId,
          secretSource: request.secretSource,
        },
        tokens: { clientSecret: request.clientSecret },
      };
    case 'ServicePrincipalCertificate':
      return {
        accessToken: await acquireToken(
          {
            ...common,
            tenantId: requireTenant(request.tenant),
            kind: 'ServicePrincipalCertificate',
            applicationId: request.applicationId,
            certificatePath: request.certificatePath,
            certificatePassword: request.certificatePassword,
          },
          undefined,
          request.retry,
        ),
        fields: {
          authentication: 'ServicePrincipalCertificate',
          applicationId: request.applicationId,
          certificatePath: request.certificatePath,
          secretSource: request.secretSource,
        },
        tokens: request.certificatePassword
          ? { certificatePassword: request.certificatePassword }
          : {},
      };
    case 'ManagedIdentity':
      return {
        accessToken: await acquireToken(
          {
            ...common,
            tenantId,
            kind: 'ManagedIdentity',
            clientId: request.clientId,
          },
          undefined,
          request.retry,
        ),
        fields: {
          authentication: 'ManagedIdentity',
          managedIdentityClientId: request.clientId,
          applicationId: request.clientId,
        },
        tokens: {},
      };
    case 'RefreshToken': {
      const redeemed = await redeemRefreshToken(
        {
          ...common,
          tenantId,
          applicationId: request.applicationId,
          refreshToken: request.refreshToken,
          clientSecret: request.clientSecret,
          certificatePath: request.certificatePath,
          certificatePassword: request.certificatePassword,
        },
        request.retry,
      );
      return {
        accessToken: redeemed.accessToken,
        fields: {
          authentication: 'RefreshToken',
          applicationId: request.applicationId,
          secretSource: request.secretSource,
          certificatePath: request.certificatePath,
        },
        tokens: {
          refreshToken: redeemed.refreshToken ?? request.refreshToken,
          clientSecret: request.clientSecret,
          certificatePassword: request.certificatePassword,
        },
      };
    }
    case 'User':
      return signInUser({
        ...common,
        tenantId,
        kind: 'User',
        applicationId: request.applicationId,
        useDeviceCode: request.useDeviceCode,
        cacheName: request.contextName,
        tokensDir: (request.stores ?? storesFor(request.env)).tokens.tokensDir,
        inform: request.inform,
      });
  }
}

/**
 * A user signs in once, here; the record saved with the context lets later processes renew
 * silently.
 */
async function signInUser(
  request: Extract<CredentialRequest, { kind: 'User' }>,
): Promise<SignedIn> {
  const answers = new EntraAnswerLog();
  try {
    const credential = await createCredential(request, answers);
    const authenticationRecord = await authenticateUser(
      credential,
      delegatedScope(request.environment),
    );
    const token = await credential.getToken(delegatedScope(request.environment));
    if (!token) throw new AuthenticationError('Sign-in returned no access token.');
    const record = JSON.parse(authenticationRecord) as { tenantId?: string; username?: string };
    return {
      accessToken: { token: token.token, expiresOnTimestamp: token.expiresOnTimestamp },
      fields: {
        authentication: 'User',
        applicationId: request.applicationId,
        useDeviceCode: request.useDeviceCode,
        authenticationRecord,
      },
      tenantId: record.tenantId,
      account: record.username,
      tokens: {},
    };
  } catch (error) {
    if (error instanceof AuthenticationError) throw error;
    throw await explainSignInFailure(error, request, answers);
  }
}

function checkAccessToken(token: string, warn: (message: string) => void): CachedAccessToken {
  const claims = readAccessTokenClaims(token);
  if (typeof claims.exp !== 'number')
    throw new UsageError('-AccessToken has no expiry (exp) claim.', {
      hint: 'Pass an access token issued by Entra ID.',
    });
  const expiresOn = new Date(claims.exp * 1000);
  if (expiresOn.getTime() <= Date.now()) {
    throw new AuthenticationError(`The access token expired at ${expiresOn.toISOString()}.`, {
      hint:
        'Get a new token and connect again, or use a sign-in that renews itself ' +
        '(e.g. -ServicePrincipal).',
    });
  }
  const minutesLeft = Math.round((expiresOn.getTime() - Date.now()) / 60_000);
  if (minutesLeft < 10)
    warn(
      `The access token expires in ${minutesLeft} minute(s), at ${expiresOn.toISOString()}; ` +
        'it cannot be renewed.',
    );
  return { token, expiresOnTimestamp: expiresOn.getTime() };
}

function requireTenant(tenant: string | undefined): string {
  if (!tenant)
    throw new UsageError('A service principal sign-in needs the partner tenant.', {
      hint: 'Pass -Tenant <tenant id or domain>.',
    });
  return tenant;
}
