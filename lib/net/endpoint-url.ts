/**
 * The one rule for every endpoint the module talks to: HTTPS, except plain HTTP on a loopback
 * address (the emulator with -Http). A bearer token must never cross a network in clear text.
 */
import { UsageError } from '../common/errors.js';

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * Parses and checks an endpoint given by the user; `what` names it in the error (e.g.
 * "-ApiEndpoint").
 */
export function parseEndpointUrl(value: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${what} '${value}' is not a URL.`, {
      hint: 'Give an absolute https:// URL, e.g. https://api.partnercenter.microsoft.com.',
    });
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return url;
  if (url.protocol === 'http:') {
    throw new UsageError(`${what} '${value}' uses plain http:// on a non-loopback host.`, {
      hint: 'Use https://; plain http is allowed only on 127.0.0.1, ::1 or localhost.',
    });
  }
  throw new UsageError(`${what} '${value}' must use https://.`, { hint: 'Give an https:// URL.' });
}
