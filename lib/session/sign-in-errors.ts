/**
 * Turns what @azure/identity and MSAL throw into one sentence a partner admin understands, keeping
 * Entra's AADSTS code (support asks for it). Errors are matched by name and text, not by class, so
 * this module does not import @azure/identity.
 */
import { AuthenticationError } from '../common/errors.js';
import { mentionsCertificateProblem } from '../common/certificate-errors.js';

interface KnownAadsts {
  code: string;
  message: string;
  hint: string;
}

const KNOWN: readonly KnownAadsts[] = [
  {
    code: '7000215',
    message: 'The client secret is wrong.',
    hint:
      'Check -ClientSecret (or PARTNERCENTER_CLIENT_SECRET): copy the secret ' +
      'value, not its id, and make sure it has not expired.',
  },
  {
    code: '7000222',
    message: 'The client secret has expired.',
    hint: 'Create a new secret for the app registration and connect again with it.',
  },
  {
    code: '700016',
    message: 'The application was not found in the tenant.',
    hint: 'Check -ApplicationId and -Tenant, and that the app is consented in that tenant.',
  },
  {
    code: '90002',
    message: 'The tenant was not found.',
    hint:
      'Check -Tenant: give the partner tenant id (a GUID) or its domain, e.g. ' +
      'contoso.onmicrosoft.com.',
  },
  {
    code: '900023',
    message: 'The tenant is not a valid tenant id or domain.',
    hint: 'Give the partner tenant id (a GUID) or its domain.',
  },
  {
    code: '50076',
    message: 'Multi-factor authentication is required.',
    hint:
      'Sign in interactively (Connect-Partner -UseDeviceAuthentication) to ' +
      'satisfy MFA, then use the new refresh token.',
  },
  {
    code: '50079',
    message: 'Multi-factor authentication registration is required.',
    hint: 'Register MFA for the account, then sign in interactively again.',
  },
  {
    code: '700082',
    message: 'The refresh token has expired from inactivity.',
    hint: 'Sign in interactively again to get a new refresh token.',
  },
  {
    code: '70008',
    message: 'The refresh token or authorization code has expired.',
    hint: 'Sign in interactively again to get a new refresh token.',
  },
  {
    code: '65001',
    message: 'The application has not been granted consent in the tenant.',
    hint:
      'Ask an admin to grant consent to the app (and its Partner Center API ' +
      'permission), then connect again.',
  },
  {
    code: '700024',
    message: 'The client assertion is not within its valid time range: this clock may be wrong.',
    hint: 'Check the system clock (time zone and NTP sync) and try again.',
  },
  {
    code: '700027',
    message: 'The certificate is not registered for this application.',
    hint: 'Upload the certificate to the app registration, or give the one that is registered.',
  },
  {
    code: '500011',
    message: 'The resource (Partner Center API) was not found in the tenant.',
    hint: 'Check -Environment: the token audience must match the cloud you sign in to.',
  },
];

/**
 * `entraAnswer` is Entra's own last error answer of the sign-in (EntraAnswerLog), read when what
 * MSAL threw lost its AADSTS code.
 */
export function translateSignInError(
  error: unknown,
  authorityHost: string,
  entraAnswer?: string,
): AuthenticationError {
  const thrown = describe(error);
  const text = entraAnswer && !/AADSTS\d+/.test(thrown) ? `${entraAnswer} | ${thrown}` : thrown;
  const aadsts = /AADSTS(\d+)/.exec(text)?.[1];
  const known = aadsts ? KNOWN.find((entry) => entry.code === aadsts) : undefined;
  if (known)
    return new AuthenticationError(`Sign-in failed: ${known.message} (AADSTS${known.code})`, {
      hint: known.hint,
      aadstsCode: known.code,
      cause: error,
    });
  if (aadsts) {
    const firstLine = (/AADSTS\d+:[^\r\n]*/.exec(text)?.[0] ?? `AADSTS${aadsts}`).slice(0, 300);
    return new AuthenticationError(`Sign-in failed: ${firstLine}`, {
      hint: 'Look the code up in the Entra ID sign-in error reference.',
      aadstsCode: aadsts,
      cause: error,
    });
  }
  if (
    /endpoints_resolution_error|ECONNREFUSED|ENOTFOUND|EAI_AGAIN/i.test(text) ||
    mentionsCertificateProblem(text)
  ) {
    return new AuthenticationError(
      `Sign-in failed: cannot reach the authority ${authorityHost} (${networkReason(text)}).`,
      {
        hint: mentionsCertificateProblem(text)
          ? 'Its TLS certificate is not trusted: pass -CaCertificatePath with the PEM of its CA.'
          : 'Check -AuthorityHost / -Environment and the network.',
        cause: error,
      },
    );
  }
  // What the token requests' own retries did not cover (an interactive sign-in): still the
  // network's failure, not the parameters'.
  if (/network_error|ECONNRESET|ETIMEDOUT|socket hang up|\baborted\b/i.test(text)) {
    return new AuthenticationError(
      `Sign-in failed: the connection to the authority ${authorityHost} broke (${firstSentence(text)}).`,
      { hint: 'The network or Entra ID failed: try again.', cause: error },
    );
  }
  return new AuthenticationError(`Sign-in failed: ${firstSentence(text)}`, {
    hint: 'Check the sign-in parameters and try again.',
    cause: error,
  });
}

function networkReason(text: string): string {
  if (mentionsCertificateProblem(text)) return 'untrusted TLS certificate';
  if (/ECONNREFUSED/.test(text)) return 'connection refused';
  if (/ENOTFOUND|EAI_AGAIN/.test(text)) return 'host name not found';
  return 'the OpenID configuration could not be fetched';
}

function describe(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    if (current instanceof Error) {
      parts.push(current.message);
      const response = (current as { errorResponse?: { errorDescription?: string } }).errorResponse;
      if (response?.errorDescription) parts.push(response.errorDescription);
      current = (current as { cause?: unknown }).cause;
    } else {
      parts.push(String(current));
      break;
    }
  }
  return parts.join(' | ');
}

function firstSentence(text: string): string {
  // split gives one part at least, so the first is always there.
  return (text.split(/\r?\n/, 1)[0] ?? '').slice(0, 300);
}
