/**
 * Builds @azure/identity credentials for each way of signing in. This is the only module that
 * imports @azure/identity, and only when a token must really be acquired (it costs ~200 ms at
 * start-up, so a command with a valid stored token never loads it).
 */
import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import type { TokenCredential } from '@azure/core-auth';
import { ConfigFileError } from '../common/errors.js';
import { isLoopbackHost } from '../net/endpoint-url.js';
import { trustingExtraCa } from '../net/extra-ca.js';
import type { PartnerEnvironment } from './environments.js';
import type { EntraAnswerLog } from './entra-answer-log.js';
import { registerCachePersistence } from './msal-cache-plugin.js';
import { loadCertificatePem } from './certificate-file.js';
import type { TokenExchangeWatch } from './token-exchange-watch.js';
import { tokenResource } from './token-resources.js';

/** Azure CLI's well-known public client, used for user sign-in when no -ApplicationId is given. */
export const DEFAULT_PUBLIC_CLIENT_ID = '04b07795-8ddb-461a-bbee-02f9e1bf7b46';

interface Common {
  environment: PartnerEnvironment;
  tenantId: string;
  caCertificatePath?: string;
}

export type CredentialRequest = Common &
  (
    | { kind: 'ServicePrincipal'; applicationId: string; clientSecret: string }
    | {
        kind: 'ServicePrincipalCertificate';
        applicationId: string;
        certificatePath: string;
        certificatePassword?: string;
      }
    | {
        kind: 'User';
        applicationId: string;
        useDeviceCode: boolean;
        /**
         * Where MSAL's cache (refresh token) persists: the context's name, and the tokens
         * directory.
         */
        cacheName: string;
        tokensDir: string;
        /** Serialized AuthenticationRecord of an earlier sign-in: renew silently, never prompt. */
        authenticationRecord?: string;
        inform(message: string): void;
      }
    | { kind: 'ManagedIdentity'; clientId?: string }
  );

export function readCaCertificate(path: string | undefined): string | undefined {
  if (!path) return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigFileError(
      `Cannot read the CA certificate '${path}': ${(error as Error).message}.`,
      {
        hint: 'Give -CaCertificatePath an existing PEM file, or connect again without it.',
        cause: error,
      },
    );
  }
}

/**
 * An https.Agent trusting the system roots plus an extra CA (NODE_EXTRA_CA_CERTS is read once at
 * start-up, too late for a CA named by the context).
 */
export function agentTrusting(ca: string | undefined): Agent | undefined {
  return ca ? new Agent({ keepAlive: true, ...trustingExtraCa(ca) }) : undefined;
}

/**
 * Options every credential shares: the authority, and for a custom (local) authority no instance
 * discovery. With a `watch`, the credential's own retries are off: the caller retries whole
 * attempts under the run's -MaxRetry (token-retry.ts), judging each from what the watch saw.
 */
function commonOptions(
  request: CredentialRequest,
  answers: EntraAnswerLog | undefined,
  watch: TokenExchangeWatch | undefined,
) {
  const authority = new URL(request.environment.authorityHost);
  const agent = agentTrusting(readCaCertificate(request.caCertificatePath));
  const policies = [
    ...(answers ? [{ policy: answers.policy, position: 'perCall' as const }] : []),
    ...(watch ? [{ policy: watch.policy, position: 'perRetry' as const }] : []),
  ];
  return {
    authorityHost: request.environment.authorityHost,
    disableInstanceDiscovery: request.environment.name === 'Custom',
    allowInsecureConnection: authority.protocol === 'http:' && isLoopbackHost(authority.hostname),
    ...(agent ? { agent } : {}),
    ...(policies.length > 0 ? { additionalPolicies: policies } : {}),
    // The managed identity credential would not put the watch in its pipeline (see
    // managedIdentityNetworkFailure), so its own retries (IMDS probing included) stay on.
    ...(watch && request.kind !== 'ManagedIdentity' ? { retryOptions: { maxRetries: 0 } } : {}),
  };
}

/**
 * MSAL calls the prompt with whatever the device-code endpoint answered, an error included (then
 * every field is undefined): stop the sign-in there instead of showing "undefined" and polling
 * with no code. The sign-in error then names Entra's answer, which `answers` has kept.
 */
function deviceCodePrompt(inform: (message: string) => void) {
  return (info: { message?: string; userCode?: string }) => {
    if (typeof info.message !== 'string' || !info.userCode)
      throw new Error('The device-code endpoint returned no code.');
    inform(info.message);
  };
}

/**
 * `answers` records Entra's error answers of this credential's requests (see EntraAnswerLog);
 * `watch` judges each exchange for a retry (see TokenExchangeWatch).
 */
export async function createCredential(
  request: CredentialRequest,
  answers?: EntraAnswerLog,
  watch?: TokenExchangeWatch,
): Promise<TokenCredential> {
  const identity = await import('@azure/identity');
  const options = commonOptions(request, answers, watch);
  switch (request.kind) {
    case 'ServicePrincipal':
      return new identity.ClientSecretCredential(
        request.tenantId,
        request.applicationId,
        request.clientSecret,
        options,
      );
    case 'ServicePrincipalCertificate': {
      const certificate = await loadCertificatePem(
        request.certificatePath,
        request.certificatePassword,
      );
      return new identity.ClientCertificateCredential(
        request.tenantId,
        request.applicationId,
        { certificate },
        options,
      );
    }
    case 'ManagedIdentity':
      return request.clientId
        ? new identity.ManagedIdentityCredential({ ...options, clientId: request.clientId })
        : new identity.ManagedIdentityCredential(options);
    case 'User': {
      registerCachePersistence(identity, request.tokensDir);
      const userOptions = {
        ...options,
        tenantId: request.tenantId,
        clientId: request.applicationId,
        tokenCachePersistenceOptions: { enabled: true, name: request.cacheName },
        ...(request.authenticationRecord
          ? {
              authenticationRecord: identity.deserializeAuthenticationRecord(
                request.authenticationRecord,
              ),
              disableAutomaticAuthentication: true,
            }
          : {}),
      };
      if (request.useDeviceCode) {
        return new identity.DeviceCodeCredential({
          ...userOptions,
          userPromptCallback: deviceCodePrompt(request.inform),
        });
      }
      return new identity.InteractiveBrowserCredential({
        ...userOptions,
        redirectUri: 'http://localhost',
      });
    }
  }
}

/** Signs a user in (prompting once) and returns the record later processes renew silently with. */
export async function authenticateUser(
  credential: TokenCredential,
  scope: string,
): Promise<string> {
  const identity = await import('@azure/identity');
  const record = await (
    credential as unknown as { authenticate(scopes: string[]): Promise<unknown> }
  ).authenticate([scope]);
  if (!record) throw new Error('The sign-in returned no account.');
  return identity.serializeAuthenticationRecord(
    record as Parameters<typeof identity.serializeAuthenticationRecord>[0],
  );
}

/** Partner Center's app-only scope (token-resources.ts has every API's). */
export function appOnlyScope(environment: PartnerEnvironment): string {
  return tokenResource(environment, 'PartnerCenter').appOnlyScope;
}

/** Partner Center's delegated scope (token-resources.ts has every API's). */
export function delegatedScope(environment: PartnerEnvironment): string {
  return tokenResource(environment, 'PartnerCenter').delegatedScope;
}
