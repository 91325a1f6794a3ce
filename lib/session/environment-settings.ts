/**
 * Connect-Partner -FromEnvironment: every setting from a PARTNERCENTER_ variable named after the
 * parameter in upper snake case (-ApplicationId → PARTNERCENTER_APPLICATION_ID), so a runbook
 * needs no flags. Which way to sign in follows from what is set.
 */
import { UsageError } from '../common/errors.js';
import { isGuid } from '../common/guid.js';
import { ENVIRONMENT_NAMES, type EnvironmentName } from './environments.js';

/** What every way of signing in may read from the environment. */
interface SharedSettings {
  ApplicationId?: string;
  Tenant?: string;
  Environment?: EnvironmentName;
  ApiEndpoint?: string;
  AuthorityHost?: string;
  GraphEndpoint?: string;
  CaCertificatePath?: string;
  CertificatePassword?: string;
}

/**
 * The settings as the Connect-Partner parameter set they amount to, each set with the values it
 * needs (settingsFromEnvironment checked them), named like the parameters.
 */
export type EnvironmentSettings = SharedSettings &
  (
    | { parameterSet: 'AccessToken'; AccessToken: string }
    | {
        parameterSet: 'ServicePrincipal';
        ApplicationId: string;
        Tenant: string;
        ClientSecret: string;
      }
    | {
        parameterSet: 'ServicePrincipalCertificate';
        ApplicationId: string;
        Tenant: string;
        CertificatePath: string;
      }
    | {
        parameterSet: 'RefreshToken';
        ApplicationId: string;
        RefreshToken: string;
        ClientSecret?: string;
        CertificatePath?: string;
      }
    | { parameterSet: 'ManagedIdentity' }
  );

type ReadSettings = SharedSettings & {
  AccessToken?: string;
  RefreshToken?: string;
  ClientSecret?: string;
  CertificatePath?: string;
};

export function environmentVariableFor(parameter: string): string {
  return `PARTNERCENTER_${parameter.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`;
}

export function settingsFromEnvironment(env: NodeJS.ProcessEnv): EnvironmentSettings {
  const read = (parameter: string) => env[environmentVariableFor(parameter)] || undefined;
  const settings: ReadSettings = {
    AccessToken: read('AccessToken'),
    RefreshToken: read('RefreshToken'),
    ApplicationId: read('ApplicationId'),
    Tenant: read('Tenant'),
    ClientSecret: read('ClientSecret'),
    CertificatePath: read('CertificatePath'),
    CertificatePassword: read('CertificatePassword'),
    ApiEndpoint: read('ApiEndpoint'),
    AuthorityHost: read('AuthorityHost'),
    GraphEndpoint: read('GraphEndpoint'),
    CaCertificatePath: read('CaCertificatePath'),
  };
  const environment = read('Environment');
  if (environment) {
    const canonical = ENVIRONMENT_NAMES.find(
      (name) => name.toLowerCase() === environment.toLowerCase(),
    );
    if (!canonical)
      throw new UsageError(`PARTNERCENTER_ENVIRONMENT '${environment}' is not a known cloud.`, {
        hint: `Use one of: ${ENVIRONMENT_NAMES.join(', ')}.`,
      });
    settings.Environment = canonical;
  }
  if (settings.ApplicationId !== undefined && !isGuid(settings.ApplicationId)) {
    throw new UsageError(
      `PARTNERCENTER_APPLICATION_ID '${settings.ApplicationId}' is not a GUID.`,
      { hint: 'Give the application (client) id, e.g. 00000000-0000-0000-0000-000000000001.' },
    );
  }
  const kind = kindOf(settings, env);
  const needs = (parameter: 'ApplicationId' | 'Tenant') => {
    if (!settings[parameter])
      throw new UsageError(
        `-FromEnvironment (${kind}) needs ${environmentVariableFor(parameter)}.`,
        { hint: 'Set it, or connect with explicit parameters.' },
      );
  };
  if (kind === 'ServicePrincipal' || kind === 'ServicePrincipalCertificate') {
    needs('ApplicationId');
    needs('Tenant');
  }
  if (kind === 'RefreshToken') needs('ApplicationId');
  // kindOf chose the set from the value it needs, and `needs` checked the others.
  return { ...settings, parameterSet: kind } as EnvironmentSettings;
}

function kindOf(
  settings: ReadSettings,
  env: NodeJS.ProcessEnv,
): EnvironmentSettings['parameterSet'] {
  if (settings.AccessToken) return 'AccessToken';
  if (settings.RefreshToken) return 'RefreshToken';
  if (settings.ClientSecret) return 'ServicePrincipal';
  if (settings.CertificatePath) return 'ServicePrincipalCertificate';
  if (
    /^(1|true|yes)$/i.test(env.PARTNERCENTER_IDENTITY ?? '') ||
    env.IDENTITY_ENDPOINT ||
    env.MSI_ENDPOINT
  )
    return 'ManagedIdentity';
  throw new UsageError('-FromEnvironment found no credential in the environment.', {
    hint:
      'Set PARTNERCENTER_CLIENT_SECRET, PARTNERCENTER_CERTIFICATE_PATH, ' +
      'PARTNERCENTER_REFRESH_TOKEN or PARTNERCENTER_ACCESS_TOKEN (or ' +
      'PARTNERCENTER_IDENTITY=true for a managed identity).',
  });
}
