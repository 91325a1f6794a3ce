/**
 * Small text helpers shared by every layer. The two ways of making one line differ on purpose:
 * our own messages keep their characters, text a service sent us is distrusted.
 */
import { redactSecrets } from './redact.js';

/** `text` with its first character in upper case: a clause that now starts a sentence. */
export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Text without the byte-order mark some services put before JSON. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** One of our own messages on one line: a line break and the blanks around it become a space. */
export function joinLines(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/**
 * What a service's text may contribute to an error message: one line, no control characters,
 * at most `maxLength` characters, and never a credential even if the service echoes one back.
 */
export function untrustedLine(text: string, maxLength = 300): string {
  const flat = redactSecrets(text)
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return flat.length > maxLength ? `${flat.slice(0, maxLength - 1)}…` : flat;
}
