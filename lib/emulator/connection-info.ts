/**
 * What Start-PartnerEmulator writes first (to stdout or -OutFile): everything needed to sign in to
 * the emulator, with Connect-Partner or by hand. Declarations only: the package's published types
 * name it without reaching the emulator's code.
 */
export interface EmulatorConnectionInfo {
  /** The Partner Center API (`https://127.0.0.1:<port>`, or http:// with -Http). */
  apiEndpoint: string;
  /** Microsoft Graph (GDAP), on the same port. */
  graphEndpoint: string;
  /** Entra ID, on the same port. */
  authorityHost: string;
  /** The partner's tenant. */
  tenantId: string;
  applicationId: string;
  /** The emulator's own demo secret, valid nowhere else. */
  clientSecret: string;
  /**
   * What every `/_emulator/` control route requires in the `x-emulator-key` header (made anew at
   * each start).
   */
  controlKey: string;
  /** The certificate to trust (absent with -Http). */
  caCertificatePath?: string;
  tenantDomain: string;
  tokenEndpoint: string;
  tokenEndpointV1: string;
  user: {
    userPrincipalName: string;
    password: string;
    /** The public client a user sign-in uses by default (the Azure CLI's). */
    publicClientId: string;
    /** The request that approves a pending device-code sign-in. */
    approveDeviceCode: string;
  };
  managedIdentity: {
    IDENTITY_ENDPOINT: string;
    IDENTITY_HEADER: string;
    clientId: string;
    userAssignedClientId: string;
    imdsServed: boolean;
  };
  clientCertificate: {
    /** The request that makes a client certificate and registers it on the application. */
    create: string;
    /** The request that registers a certificate of your own. */
    register: string;
  };
  [property: string]: unknown;
}
