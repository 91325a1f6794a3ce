/**
 * The emulated Entra ID tenant of the partner: its ids, the one registered application (service
 * principal and public client alike), the signed-in user of delegated flows, and the managed
 * identities. Ids and the demo client secret derive from the seed, so a restart with the same seed
 * keeps the same credentials (saved contexts keep working; cached tokens do not, as in real life).
 */
import { createHash, type X509Certificate } from 'node:crypto';
import { seededGuid } from './random.js';

export interface EmulatedUser {
  objectId: string;
  userPrincipalName: string;
  displayName: string;
}

export interface EmulatedIdentity {
  clientId: string;
  objectId: string;
}

export interface EmulatedDirectory {
  tenantId: string;
  tenantDomain: string;
  applicationId: string;
  clientSecret: string;
  /** The object id of the application's service principal (the `oid` of its app-only tokens). */
  servicePrincipalObjectId: string;
  /**
   * Certificates the application accepts client assertions from, by SHA-1 and SHA-256 thumbprint.
   */
  certificates: X509Certificate[];
  user: EmulatedUser;
  systemAssignedIdentity: EmulatedIdentity;
  userAssignedIdentity: EmulatedIdentity;
}

/** Looks like a real Entra client secret (`xxx8Q~...`, 40 characters). */
function demoSecret(seed: number): string {
  const digest = createHash('sha256')
    .update(`partnercenter-emulator-demo-secret:${seed}`)
    .digest('base64url')
    .replace(/[-_]/g, 'x');
  return `${digest.slice(0, 3)}8Q~${digest.slice(3, 37)}`;
}

export function createDirectory(seed: number, tenantId: string): EmulatedDirectory {
  const tenantDomain = 'contosopartner.onmicrosoft.com';
  return {
    tenantId,
    tenantDomain,
    applicationId: seededGuid(seed, 'application'),
    clientSecret: demoSecret(seed),
    servicePrincipalObjectId: seededGuid(seed, 'service-principal'),
    certificates: [],
    user: {
      objectId: seededGuid(seed, 'user'),
      userPrincipalName: `admin@${tenantDomain}`,
      displayName: 'Partner Admin',
    },
    systemAssignedIdentity: {
      clientId: seededGuid(seed, 'system-assigned-identity'),
      objectId: seededGuid(seed, 'system-assigned-identity-object'),
    },
    userAssignedIdentity: {
      clientId: seededGuid(seed, 'user-assigned-identity'),
      objectId: seededGuid(seed, 'user-assigned-identity-object'),
    },
  };
}

/** Well-known tenant aliases delegated flows may use; they resolve to the partner's tenant. */
const USER_FLOW_ALIASES = new Set(['organizations', 'common']);

/**
 * The tenant id for a tenant segment of a URL (id or domain, any case), or undefined when unknown.
 */
export function resolveTenant(
  directory: EmulatedDirectory,
  segment: string,
  options: { allowAliases: boolean },
): string | undefined {
  const lowered = segment.toLowerCase();
  if (lowered === directory.tenantId || lowered === directory.tenantDomain)
    return directory.tenantId;
  if (options.allowAliases && USER_FLOW_ALIASES.has(lowered)) return directory.tenantId;
  return undefined;
}
