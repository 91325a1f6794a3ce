/**
 * A saved context is one of six kinds, one per way of signing in, told apart by `authentication`.
 * Each kind has as required fields what its sign-in always has (a service principal its
 * application id, a certificate sign-in its certificate path, a user the record that renews it
 * silently), so the code that renews a token reads them without asserting they are there. The file
 * on disk keeps the flat shape every earlier version wrote (the same field names, the kind in
 * `authentication`): `contextFromStored` turns such a file into its kind, or refuses it with one
 * line naming what is missing.
 */
import { ConfigFileError } from '../common/errors.js';
import { withoutUndefined } from '../common/objects.js';
import type { PartnerEnvironment } from './environments.js';

/** Where the secret that renews tokens comes from (-FromEnvironment: never written to disk). */
export type SecretSource = 'TokenStore' | 'Environment';

/** What every context has, whatever the way it signs in. */
export interface ContextBase {
  name: string;
  environment: PartnerEnvironment;
  /** PEM file trusted in addition to the system roots (the emulator's self-signed certificate). */
  caCertificatePath?: string;
  tenantId: string;
  /** Who signed in, as the token says (app id or user principal name). */
  account?: string;
  connectedAt: string;
  /** Set-PartnerContext -DefaultOutputFormat. */
  outputFormat?: string;
  /**
   * Retries per request when a command gives no -MaxRetry (and PARTNERCENTER_MAX_RETRY is unset).
   */
  maxRetry?: number;
  /** Total wait per request, in seconds, when PARTNERCENTER_MAX_RETRY_WAIT is unset. */
  maxRetryWaitSeconds?: number;
}

/** -AccessToken: a token given by hand, used until it expires; nothing renews it. */
export interface AccessTokenContext extends ContextBase {
  authentication: 'AccessToken';
}

/** -ServicePrincipal with a client secret (app-only). */
export interface ServicePrincipalContext extends ContextBase {
  authentication: 'ServicePrincipal';
  applicationId: string;
  secretSource: SecretSource;
}

/** -ServicePrincipal with a certificate (app-only); its password, if any, is a secret. */
export interface ServicePrincipalCertificateContext extends ContextBase {
  authentication: 'ServicePrincipalCertificate';
  applicationId: string;
  certificatePath: string;
  secretSource: SecretSource;
}

/** -RefreshToken: the secure application model (app+user), proven by a secret or a certificate. */
export interface RefreshTokenContext extends ContextBase {
  authentication: 'RefreshToken';
  applicationId: string;
  secretSource: SecretSource;
  /** When the application proves itself with a certificate rather than a client secret. */
  certificatePath?: string;
}

/** -Identity: the managed identity of the Azure resource the command runs on. */
export interface ManagedIdentityContext extends ContextBase {
  authentication: 'ManagedIdentity';
  /** The client id of a user-assigned identity; absent for the system-assigned one. */
  managedIdentityClientId?: string;
  /** The same id, shown as the context's application. */
  applicationId?: string;
}

/** A user, in a browser or with a device code; renewed silently through MSAL's cache. */
export interface UserContext extends ContextBase {
  authentication: 'User';
  applicationId: string;
  /** The device-code flow rather than a browser. */
  useDeviceCode: boolean;
  /** @azure/identity's serialized AuthenticationRecord (account and home tenant; no secret). */
  authenticationRecord: string;
}

export type PartnerContext =
  | AccessTokenContext
  | ServicePrincipalContext
  | ServicePrincipalCertificateContext
  | RefreshTokenContext
  | ManagedIdentityContext
  | UserContext;

export type AuthenticationKind = PartnerContext['authentication'];

/** What one kind adds to the base: what a sign-in of that kind decides. */
export type KindFields = PartnerContext extends infer C
  ? C extends PartnerContext
    ? Omit<C, keyof ContextBase>
    : never
  : never;

/**
 * A stored context file as its kind. `path` names the file in the refusal of one that is not a
 * context, of a kind this version does not know, or that lacks what its kind must have (never
 * written so by any version: edited by hand, or cut short).
 */
export function contextFromStored(
  stored: Record<string, unknown>,
  path: string,
  fileName: string,
): PartnerContext {
  const environment = stored.environment as Partial<PartnerEnvironment> | undefined;
  if (typeof stored.tenantId !== 'string' || typeof environment?.apiEndpoint !== 'string') {
    throw new ConfigFileError(`The context file '${path}' is not a PartnerCenter context.`, {
      hint:
        'Remove it with Disconnect-Partner (or delete the file) and run ' +
        'Connect-Partner again.',
    });
  }
  const text = (field: string): string | undefined =>
    typeof stored[field] === 'string' ? stored[field] : undefined;
  const number = (field: string): number | undefined =>
    typeof stored[field] === 'number' ? stored[field] : undefined;
  const kind = stored.authentication;
  const needed = (field: string): string => {
    const value = text(field);
    if (value) return value;
    throw new ConfigFileError(
      `The context file '${path}' is a ${String(kind)} context without its ${field}.`,
      {
        hint:
          'Run Connect-Partner again for this context (Disconnect-Partner removes it, or ' +
          'delete the file).',
      },
    );
  };
  // In the order Connect-Partner writes them (the kind's own fields come after `connectedAt`).
  const saved = {
    // The name it was saved under; a file without one is named by its file.
    name: typeof stored.name === 'string' ? stored.name : fileName,
    environment: stored.environment as PartnerEnvironment,
    caCertificatePath: text('caCertificatePath'),
    tenantId: stored.tenantId,
    authentication: kind,
    account: text('account'),
    connectedAt: String(stored.connectedAt ?? ''),
  };
  // Set-PartnerContext's settings, which it adds after them.
  const settings = {
    outputFormat: text('outputFormat'),
    maxRetry: number('maxRetry'),
    maxRetryWaitSeconds: number('maxRetryWaitSeconds'),
  };
  // Absent in no file a version wrote; the token store is what an absent source always meant.
  const secretSource: SecretSource =
    stored.secretSource === 'Environment' ? 'Environment' : 'TokenStore';
  const fields = ((): KindFields => {
    switch (kind) {
      case 'AccessToken':
        return { authentication: kind };
      case 'ServicePrincipal':
        return { authentication: kind, applicationId: needed('applicationId'), secretSource };
      case 'ServicePrincipalCertificate':
        return {
          authentication: kind,
          applicationId: needed('applicationId'),
          certificatePath: needed('certificatePath'),
          secretSource,
        };
      case 'RefreshToken':
        return {
          authentication: kind,
          applicationId: needed('applicationId'),
          secretSource,
          certificatePath: text('certificatePath'),
        };
      case 'ManagedIdentity':
        return {
          authentication: kind,
          managedIdentityClientId: text('managedIdentityClientId'),
          applicationId: text('applicationId'),
        };
      case 'User':
        return {
          authentication: kind,
          applicationId: needed('applicationId'),
          useDeviceCode: stored.useDeviceCode === true,
          authenticationRecord: needed('authenticationRecord'),
        };
      default:
        throw new ConfigFileError(
          `The context file '${path}' signs in a way this version does not know ` +
            `(authentication: ${JSON.stringify(kind) ?? 'missing'}).`,
          {
            hint:
              'A newer version of the module may have saved it: use that version, or run ' +
              'Connect-Partner again for this context.',
          },
        );
    }
  })();
  return withoutUndefined({ ...saved, ...fields, ...settings });
}

/** Whether the context reads its renewal secret from PARTNERCENTER_* variables each time. */
export function secretsFromEnvironment(context: PartnerContext): boolean {
  return 'secretSource' in context && context.secretSource === 'Environment';
}

/** The application a context signs in as or for, where its kind has one. */
export function applicationIdOf(context: PartnerContext): string | undefined {
  return 'applicationId' in context ? context.applicationId : undefined;
}

/** Where a context's renewal secret is kept, where its kind has one. */
export function secretSourceOf(context: PartnerContext): SecretSource | undefined {
  return 'secretSource' in context ? context.secretSource : undefined;
}
