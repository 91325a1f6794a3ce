/**
 * The emulated Entra ID tenant of the partner: its ids, the one registered application (service
 * principal and public client alike), the signed-in user of delegated flows, and the managed
 * identities. Ids and the demo client secret derive from the seed, so a restart with the same seed
 * keeps the same credentials (saved contexts keep working; cached tokens do not, as in real life).
 */
import { createHash, type X509Certificate } from 'node:crypto';
import { seededGuid } from '../server/random.js';

export interface EmulatedUser {
  objectId: string;
  userPrincipalName: string;
  displayName: string;
  /** The demo password of the resource-owner password grant (valid nowhere else). */
  password: string;
}

/**
 * Microsoft's first-party public clients, present in every real tenant: Connect-Partner, the
 * PartnerCenter PowerShell module and @azure/identity sign users in with the Azure CLI's by default,
 * and scripts of the PowerShell ecosystem with the others. A public client has no secret.
 */
export const WELL_KNOWN_PUBLIC_CLIENTS: ReadonlyMap<string, string> = new Map([
  ['04b07795-8ddb-461a-bbee-02f9e1bf7b46', 'Microsoft Azure CLI'],
  ['1950a258-227b-4e31-a9cf-717495945fc2', 'Microsoft Azure PowerShell'],
  ['14d82eec-204b-4c2f-b7e8-296a70dab67e', 'Microsoft Graph Command Line Tools'],
  ['04f0c124-f2bc-4f59-8241-bf6df9866bbd', 'Visual Studio'],
  ['aebc6443-996d-45c2-90f0-388ff96faa56', 'Visual Studio Code'],
]);

/** How the directory knows a client id: the registered application, a public client, or not. */
export type ClientKind = 'application' | 'public' | undefined;

export function clientKind(directory: EmulatedDirectory, clientId: string): ClientKind {
  const lowered = clientId.toLowerCase();
  if (lowered === directory.applicationId) return 'application';
  return WELL_KNOWN_PUBLIC_CLIENTS.has(lowered) ? 'public' : undefined;
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

function demoDigest(seed: number, purpose: string): string {
  return createHash('sha256')
    .update(`partnercenter-emulator-demo-${purpose}:${seed}`)
    .digest('base64url')
    .replace(/[-_]/g, 'x');
}

/** Looks like a real Entra client secret (`xxx8Q~...`, 40 characters). */
function demoSecret(seed: number): string {
  const digest = demoDigest(seed, 'secret');
  return `${digest.slice(0, 3)}8Q~${digest.slice(3, 37)}`;
}

/** Meets Entra's complexity rule (upper, lower, digit, symbol), so scripts can reuse it as is. */
function demoPassword(seed: number): string {
  return `Demo-${demoDigest(seed, 'password').slice(0, 12)}-9a`;
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
      password: demoPassword(seed),
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
