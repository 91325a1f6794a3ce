/**
 * What the session cmdlets write: a context as shown (never a secret) and a cloud's endpoints.
 * Declarations only, so the package's published types reach no Node.js type through them.
 */

/** A saved context as Connect-Partner, Get-PartnerContext and the other context cmdlets show it. */
export interface ContextView {
  /** The context's name (`default` unless -ContextName gave one). */
  name: string;
  /**
   * The saved default (Select-PartnerContext): what a command uses without -Context and
   * PARTNERCENTER_CONTEXT, whichever context this command itself uses.
   */
  isDefault: boolean;
  /** The cloud (`AzureCloud`, ...), or `Custom` for endpoints given by hand (the emulator). */
  environment: string;
  apiEndpoint: string;
  authorityHost: string;
  /** Where Microsoft Graph is for this context (GDAP); its tokens come from the same sign-in. */
  graphEndpoint: string;
  /** The partner's tenant. */
  tenantId: string;
  /** The signed-in user, or the application for an app-only sign-in. */
  account?: string;
  /** How it signs in: `ServicePrincipal`, `ServicePrincipalCertificate`, `User`, `RefreshToken`, ... */
  authentication: string;
  applicationId?: string;
  /** Where the secret is kept (`TokenStore`, `Environment`), never the secret itself. */
  secretSource?: string;
  /** An extra certificate authority trusted for this context (the emulator's). */
  caCertificatePath?: string;
  /** When Connect-Partner saved it (ISO 8601). */
  connectedAt: string;
  /**
   * When the stored access token expires (ISO 8601); it renews by itself where the sign-in allows.
   */
  tokenExpiresOn?: string;
  /** When the stored Microsoft Graph token expires, once a command has got one. */
  graphTokenExpiresOn?: string;
  /** Set-PartnerContext's saved preferences, when set. */
  defaultOutputFormat?: string;
  maxRetry?: number;
  maxRetryWaitSeconds?: number;
}

/** A cloud (or a custom environment such as the emulator) as Get-PartnerEnvironment shows it. */
export interface EnvironmentView {
  /** `AzureCloud`, `AzureChinaCloud`, `AzureUSGovernment`, or `Custom`. */
  name: string;
  apiEndpoint: string;
  authorityHost: string;
  /** The audience of Partner Center tokens. */
  audience: string;
  /** The scope an app-only sign-in asks for. */
  scope: string;
  graphEndpoint: string;
  graphAudience: string;
  graphScope: string;
  /** The scope a user sign-in asks Microsoft Graph for (GDAP). */
  graphDelegatedScope: string;
  /** A custom environment of saved contexts rather than a known cloud. */
  custom: boolean;
  /** The saved contexts that use a custom environment. */
  contexts?: string[];
}
