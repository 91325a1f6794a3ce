/**
 * Last line of defence for what the client writes to -Debug, -Verbose and error messages: a
 * bearer credential or a JWT never leaves in clear, even if the service echoes one back.
 * (Local until lib/host/redact.ts lands; then this should delegate to `redactSecrets`.)
 */
const BEARER = /\b(Bearer)\s+[^\s,;"']+/gi;
const JWT = /\beyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]*/g;

export function redactSecrets(text: string): string {
  return text.replace(BEARER, '$1 <redacted>').replace(JWT, '<redacted-jwt>');
}

/** One line, no control characters, bounded length: what a service description may contribute to an error message. */
export function oneLine(text: string, maxLength = 300): string {
  const flat = redactSecrets(text).replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
  return flat.length > maxLength ? `${flat.slice(0, maxLength - 1)}…` : flat;
}
