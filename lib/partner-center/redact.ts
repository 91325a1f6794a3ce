/**
 * What a service description may contribute to an error message: one line, no control
 * characters, bounded length, and never a credential even if the service echoes one back.
 */
import { redactSecrets } from '../common/redact.js';

export { redactSecrets };

export function oneLine(text: string, maxLength = 300): string {
  const flat = redactSecrets(text)
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return flat.length > maxLength ? `${flat.slice(0, maxLength - 1)}…` : flat;
}
