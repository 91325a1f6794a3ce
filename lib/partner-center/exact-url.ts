/**
 * A URL to be requested exactly as the service wrote it. Microsoft Graph's `@odata.nextLink` is
 * opaque: a client must follow it as given, not rebuild it. The WHATWG parser behind `URL`
 * re-encodes some characters of a query (a `'` becomes `%27`), so the transport sends the link's
 * own path and query text as the request target, while the parsed URL still says where the
 * request goes (origin, TLS, redirects, traces).
 */
import { ServiceError } from '../common/errors.js';

/** What may stand in an HTTP request target as it is: visible ASCII (RFC 9112, section 3.2). */
const SENDABLE_AS_IS = /^[\x21-\x7e]+$/;

export class ExactUrl extends URL {
  /** The path and query to send, character for character as given (the fragment dropped). */
  readonly requestTarget: string;

  constructor(readonly given: string) {
    super(given);
    const afterAuthority = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(given);
    const rest = afterAuthority ? given.slice(afterAuthority[0].length).replace(/#.*$/s, '') : '';
    const target = rest === '' ? '/' : rest.startsWith('?') ? `/${rest}` : rest;
    if (!SENDABLE_AS_IS.test(target)) {
      throw new ServiceError(
        'The service returned a next link that cannot be sent as it is (it holds spaces ' +
          'or characters outside visible ASCII); it was not followed.',
        { hint: 'Report this to the module maintainers with the -Debug output.' },
      );
    }
    this.requestTarget = target;
  }
}

/** The request target to send for `url`: an ExactUrl's own text, else what the parser made. */
export function requestTargetOf(url: URL): string {
  return url instanceof ExactUrl ? url.requestTarget : `${url.pathname}${url.search}`;
}
