/**
 * Masks secrets in text bound for stderr (errors, -Verbose, -Debug traces): bearer tokens, anything
 * shaped like a JWT, secret-bearing form fields, JSON members and headers, and the literal values
 * of `secret` parameters. The host runs every stderr line through it; the client and session use it
 * for their traces too. Over-masking is acceptable; a leak is not.
 */

const mask = '***';

const patterns: ReadonlyArray<[RegExp, string]> = [
  // Authorization: Bearer <token>, Basic <credentials>, and bare "Bearer <token>" anywhere.
  [/\b(Bearer|Basic|PoP)\s+[^\s"',;]+/gi, `$1 ${mask}`],
  // JWTs: three base64url segments, the first starting with {" encoded.
  [/\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, mask],
  // Form and query fields: client_secret=..., refresh_token=..., ...
  [
    /\b((?:client_secret|client_assertion|refresh_token|access_token|id_token|device_code|password|code|assertion|secret|sig|token)=)[^&\s"']*/gi,
    `$1${mask}`,
  ],
  // JSON members: "access_token": "...", "clientSecret": "...", ...
  [
    /("(?:[a-z_]*(?:secret|token|password|assertion)[a-z_]*|authorization|device_code)"\s*:\s*")(?:[^"\\]|\\.)*"/gi,
    `$1${mask}"`,
  ],
  // Headers: Authorization, Cookie, managed identity's X-IDENTITY-HEADER, ...
  [
    /\b((?:authorization|proxy-authorization|cookie|set-cookie|x-identity-header|identity_header|secret)\s*[:=]\s*)[^\r\n]+/gi,
    `$1${mask}`,
  ],
];

/** Returns `text` with every recognisable secret, and each of `secretValues`, replaced by `***`. */
export function redactSecrets(text: string, secretValues: Iterable<string> = []): string {
  let result = text;
  for (const value of secretValues) {
    // Very short values would mask ordinary words; a secret that short is no secret anyway.
    if (value.length >= 4) result = result.split(value).join(mask);
  }
  for (const [pattern, replacement] of patterns) result = result.replace(pattern, replacement);
  return result;
}

/** A redactor bound to the secret values known so far; `add` registers more as they appear. */
export interface Redactor {
  (text: string): string;
  add(value: string): void;
}

export function createRedactor(initial: Iterable<string> = []): Redactor {
  const values = new Set(initial);
  const redactor = ((text: string) => redactSecrets(text, values)) as Redactor;
  redactor.add = (value: string) => {
    values.add(value);
  };
  return redactor;
}
