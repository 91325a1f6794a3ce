/**
 * Entra ID's OAuth error body, in the shape MSAL parses (`error`, `error_description` starting with
 * the AADSTS code, `error_codes`, `timestamp`, `trace_id`, `correlation_id`), with the codes real
 * sign-ins produce, so the client's explanations can be tested against what Entra really says.
 */
import { randomUUID } from 'node:crypto';

export interface EntraError {
  status: number;
  body: Record<string, unknown>;
}

function timestamp(): string {
  return new Date()
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
}

export function entraError(
  status: number,
  error: string,
  code: number,
  description: string,
  correlationId?: string,
  extra: Record<string, unknown> = {},
): EntraError {
  const traceId = randomUUID();
  const correlation = correlationId ?? randomUUID();
  return {
    status,
    body: {
      error,
      error_description:
        `AADSTS${code}: ${description} Trace ID: ${traceId} Correlation ID: ${correlation} ` +
        `Timestamp: ${timestamp()}`,
      error_codes: [code],
      timestamp: timestamp(),
      trace_id: traceId,
      correlation_id: correlation,
      error_uri: `https://login.microsoftonline.com/error?code=${code}`,
      ...extra,
    },
  };
}

export const entraErrors = {
  tenantNotFound: (tenant: string, c?: string) =>
    entraError(
      400,
      'invalid_request',
      90002,
      `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ` +
        'ID and are signing into the correct cloud.',
      c,
    ),
  invalidTenantConfiguration: (tenant: string) =>
    entraError(
      400,
      'invalid_tenant',
      90002,
      `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ` +
        'ID and are signing into the correct cloud.',
    ),
  applicationNotFound: (appId: string, tenant: string, c?: string) =>
    entraError(
      400,
      'unauthorized_client',
      700016,
      `Application with identifier '${appId}' was not found in the directory '${tenant}'. ` +
        'This can happen if the application has not been installed by the administrator ' +
        'of the tenant or consented to by any user in the tenant.',
      c,
    ),
  invalidClientSecret: (appId: string, c?: string) =>
    entraError(
      401,
      'invalid_client',
      7000215,
      'Invalid client secret provided. Ensure the secret being sent in the request ' +
        'is the client secret value, not the client secret ID, for a secret added ' +
        `to app '${appId}'.`,
      c,
    ),
  missingClientCredential: (c?: string) =>
    entraError(
      401,
      'invalid_client',
      7000218,
      'The request body must contain the following parameter: ' +
        "'client_assertion' or 'client_secret'.",
      c,
    ),
  invalidClientAssertion: (why: string, c?: string) =>
    entraError(
      401,
      'invalid_client',
      700027,
      `Client assertion failed signature validation or is not valid: ${why}`,
      c,
    ),
  clientAssertionExpired: (c?: string) =>
    entraError(
      401,
      'invalid_client',
      700024,
      'Client assertion is not within its valid time range.',
      c,
    ),
  certificateNotRegistered: (thumbprint: string, appId: string, c?: string) =>
    entraError(
      401,
      'invalid_client',
      700027,
      'The certificate with identifier used to sign the client assertion is not ' +
        'registered on application. [Reason - The key was not found., Thumbprint ' +
        `of key used by client: '${thumbprint}', Please visit the Azure Portal, ` +
        'Graph Explorer or directly use MS Graph to see configured keys for app ' +
        `Id '${appId}'.]`,
      c,
    ),
  publicClientWithCredential: (c?: string) =>
    entraError(
      400,
      'invalid_client',
      700025,
      "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.",
      c,
    ),
  /** RFC 6749 §2.3: one authentication method per request; 9002313 is Entra's "malformed". */
  multipleClientAuthentication: (c?: string) =>
    entraError(
      400,
      'invalid_request',
      9002313,
      'Invalid request. Request is malformed or invalid: the request authenticates the ' +
        'client more than once (Authorization: Basic and the body disagree or both carry ' +
        'a secret); use one client authentication method.',
      c,
    ),
  malformedBasicAuthorization: (c?: string) =>
    entraError(
      400,
      'invalid_request',
      9002313,
      'Invalid request. Request is malformed or invalid: the Authorization header must be ' +
        "'Basic' followed by base64 of the form-encoded 'client_id:client_secret'.",
      c,
    ),
  userNotFound: (tenant: string, c?: string) =>
    entraError(
      400,
      'invalid_grant',
      50034,
      `The user account {EUII Hidden} does not exist in the ${tenant} directory. To sign into ` +
        'this application, the account must be added to the directory.',
      c,
    ),
  invalidPassword: (c?: string) =>
    entraError(
      400,
      'invalid_grant',
      50126,
      'Error validating credentials due to invalid username or password.',
      c,
    ),
  unsupportedGrant: (grant: string, c?: string) =>
    entraError(
      400,
      'unsupported_grant_type',
      70003,
      `The app requested an unsupported grant type '${grant}'.`,
      c,
    ),
  /** Entra's refusal of a scope or resource whose service principal the tenant does not have. */
  resourceNotFound: (resource: string, tenant: string, c?: string) =>
    entraError(
      400,
      'invalid_resource',
      500011,
      `The resource principal named ${resource} was not found in the tenant named ${tenant}. ` +
        'This can happen if the application has not been installed by the administrator of the ' +
        'tenant or consented to by any user in the tenant. You might have sent your ' +
        'authentication request to the wrong tenant.',
      c,
    ),
  missingParameter: (name: string, c?: string) =>
    entraError(
      400,
      'invalid_request',
      900144,
      `The request body must contain the following parameter: '${name}'.`,
      c,
    ),
  invalidScope: (scope: string, c?: string) =>
    entraError(
      400,
      'invalid_scope',
      70011,
      `The provided request must include a 'scope' input parameter. The provided ` +
        `value for the input parameter 'scope' is not valid: '${scope}'.`,
      c,
    ),
  authorizationPending: (c?: string) =>
    entraError(
      400,
      'authorization_pending',
      70016,
      'OAuth 2.0 device flow error. Authorization is pending. Continue polling.',
      c,
    ),
  authorizationDeclined: (c?: string) =>
    entraError(400, 'authorization_declined', 70000, 'The user declined the sign-in request.', c),
  deviceCodeExpired: (c?: string) =>
    entraError(
      400,
      'expired_token',
      70020,
      "The provided value for the input parameter 'device_code' is not valid. " +
        'This device code has expired.',
      c,
    ),
  badDeviceCode: (c?: string) =>
    entraError(400, 'invalid_grant', 70019, 'Verification code expired or not valid.', c),
  refreshTokenExpired: (c?: string) =>
    entraError(
      400,
      'invalid_grant',
      700082,
      'The refresh token has expired due to inactivity. The token was issued on ' +
        'a date and was inactive for longer than allowed.',
      c,
    ),
  refreshTokenRevoked: (c?: string) =>
    entraError(
      400,
      'invalid_grant',
      50173,
      'The provided grant has expired due to it being revoked, a fresh auth ' +
        'token is needed. The user might have changed or reset their password.',
      c,
    ),
  refreshTokenInvalid: (c?: string) =>
    entraError(
      400,
      'invalid_grant',
      9002313,
      'Invalid request. Request is malformed or invalid.',
      c,
    ),
  mfaRequired: (resource: string, c?: string) =>
    entraError(
      400,
      'invalid_grant',
      50076,
      'Due to a configuration change made by your administrator, or because you ' +
        `moved to a new location, you must use multi-factor authentication to access '${resource}'.`,
      c,
      {
        suberror: 'basic_action',
        claims:
          '{"access_token":{"capolids":{"essential":true,"values":["00000000-0000-0000-0000-000000000000"]}}}',
      },
    ),
  badAuthorizationCode: (c?: string) =>
    entraError(
      400,
      'invalid_grant',
      70008,
      'The provided authorization code or refresh token has expired due to ' +
        'inactivity. Send a new interactive authorization request for this user ' +
        'and resource.',
      c,
    ),
  pkceMismatch: (c?: string) =>
    entraError(
      400,
      'invalid_grant',
      501481,
      'The Code_Verifier does not match the code_challenge supplied in the authorization request.',
      c,
    ),
  redirectUriMismatch: (uri: string, c?: string) =>
    entraError(
      400,
      'invalid_request',
      50011,
      `The redirect URI '${uri}' specified in the request does not match the redirect ` +
        'URIs configured for the application.',
      c,
    ),
} as const;
