/**
 * Builds @azure/identity credentials for a context. This is the only module that imports
 * @azure/identity, and only when a token must really be acquired (it costs ~200 ms at start-up).
 */
import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { rootCertificates } from 'node:tls';
import type { TokenCredential } from '@azure/core-auth';
import { ConfigFileError } from '../errors.js';
import { isLoopbackHost } from '../net/endpoint-url.js';
import type { PartnerEnvironment } from './environments.js';

export interface ServicePrincipalSignIn {
  environment: PartnerEnvironment;
  tenantId: string;
  applicationId: string;
  clientSecret: string;
  caCertificatePath?: string;
}

export function readCaCertificate(path: string | undefined): string | undefined {
  if (!path) return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigFileError(`Cannot read the CA certificate '${path}': ${(error as Error).message}.`, {
      hint: 'Give -CaCertificatePath an existing PEM file, or connect again without it.',
      cause: error,
    });
  }
}

/**
 * Options every credential shares: the authority, and for a custom (local) authority no instance
 * discovery and an agent trusting its CA; DESIGN.md explains why not NODE_EXTRA_CA_CERTS.
 */
function commonOptions(environment: PartnerEnvironment, caCertificatePath: string | undefined) {
  const ca = readCaCertificate(caCertificatePath);
  const authority = new URL(environment.authorityHost);
  return {
    authorityHost: environment.authorityHost,
    disableInstanceDiscovery: environment.name === 'Custom',
    allowInsecureConnection: authority.protocol === 'http:' && isLoopbackHost(authority.hostname),
    ...(ca ? { agent: new Agent({ keepAlive: true, ca: [...rootCertificates, ca] }) } : {}),
  };
}

export async function servicePrincipalCredential(signIn: ServicePrincipalSignIn): Promise<TokenCredential> {
  const { ClientSecretCredential } = await import('@azure/identity');
  return new ClientSecretCredential(
    signIn.tenantId,
    signIn.applicationId,
    signIn.clientSecret,
    commonOptions(signIn.environment, signIn.caCertificatePath),
  );
}

export function appOnlyScope(environment: PartnerEnvironment): string {
  return `${environment.audience}/.default`;
}
