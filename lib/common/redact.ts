/**
 * Masks secrets in text bound for stderr (errors, -Verbose, -Debug traces): bearer tokens, anything
 * shaped like a JWT, secret-bearing form fields, JSON members and headers, and the literal values
 * of `secret` parameters. The host runs every stderr line through it; the client and session use it
 * for their traces too. Over-masking is acceptable; a leak is not.
 */

const mask = '***';

type Replacement = string | ((match: string, ...groups: string[]) => string);

const patterns: ReadonlyArray<[RegExp, Replacement]> = [
  // Authorization: Bearer <token> and PoP <token>, and bare "Bearer <token>" anywhere.
  [/\b(Bearer|PoP)\s+[^\s"',;]+/gi, `$1 ${mask}`],
  // Basic <credentials> anywhere, when it is credentials: "Basic" is also an ordinary word
  // ("AttributeSet Basic", "Business Basic plan"). An Authorization header is masked whole below.
  [
    /\b(Basic\s+)([A-Za-z0-9+/]+={0,2})(?![\w+/=-])/gi,
    (match, scheme, token) => (isBasicCredentials(token) ? `${scheme}${mask}` : match),
  ],
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

/**
 * Whether a word after "Basic" is the scheme's credentials: base64 of `user-id:password` (RFC
 * 7617), i.e. text with a colon after a user id once decoded (a word decodes to control bytes and
 * U+FFFD, or now and then to text like ":yr", from "Only"); or, as some clients send an API key in
 * its place, a token of 16 or more characters with one a word does not have (a digit, +, / or =).
 */
function isBasicCredentials(token: string): boolean {
  if (token.length < 4) return false;
  const decoded = Buffer.from(token, 'base64').toString('utf8');
  if (decoded.indexOf(':') > 0 && !/[\u0000-\u001f\u007f-\u009f\ufffd]/.test(decoded)) return true;
  return token.length >= 16 && /[0-9+/=]/.test(token);
}

/** Returns `text` with every recognisable secret, and each of `secretValues`, replaced by `***`. */
export function redactSecrets(text: string, secretValues: Iterable<string> = []): string {
  let result = text;
  for (const value of secretValues) {
    // Very short values would mask ordinary words; a secret that short is no secret anyway.
    if (value.length >= 4) result = result.split(value).join(mask);
  }
  for (const [pattern, replacement] of patterns)
    result =
      typeof replacement === 'string'
        ? result.replace(pattern, replacement)
        : result.replace(pattern, replacement);
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
