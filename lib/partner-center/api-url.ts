/**
 * Turns the paths the service and our callers use into absolute URLs under the version root.
 * The service writes link URIs relative to the version root, `/customers?...`, and since late
 * 2021 also as `/v1/customers?...`; naive joining produced `/v1//v1/customers` in the PowerShell
 * module and broke every second page. Both forms (and an absolute URL on our own origin) land on
 * the same URL here.
 */
import { ServiceError } from '../common/errors.js';
import { parseEndpointUrl } from '../net/endpoint-url.js';

const VERSION_SEGMENT = '/v1';

export class ApiRoot {
  /** Where the API lives, without the version: e.g. https://api.partnercenter.microsoft.com. */
  readonly endpoint: URL;
  /** Path prefix of the endpoint (usually empty), without trailing slash. */
  private readonly basePath: string;

  constructor(apiEndpoint: string) {
    this.endpoint = parseEndpointUrl(apiEndpoint, '-ApiEndpoint');
    this.basePath = this.endpoint.pathname.replace(/\/+$/, '');
  }

  get origin(): string {
    return this.endpoint.origin;
  }

  isSameOrigin(url: URL): boolean {
    return url.origin === this.endpoint.origin;
  }

  /**
   * `/customers?size=7`, `/v1/customers?size=7`, `customers?size=7` and
   * `https://<our host>/v1/customers?size=7` all resolve to `<endpoint>/v1/customers?size=7`.
   * An absolute URL on another origin is refused: following it would send our token elsewhere.
   */
  resolve(uri: string): URL {
    if (/^[a-z][a-z0-9+.-]*:/i.test(uri)) {
      const absolute = new URL(uri);
      if (!this.isSameOrigin(absolute)) {
        throw new ServiceError(
          `Partner Center returned a link to another host (${absolute.origin}); it ` +
            'was not followed.',
          {
            hint: 'Report this to the module maintainers with the -Debug output.',
          },
        );
      }
      return absolute;
    }
    let path = uri.startsWith('/') ? uri : `/${uri}`;
    if (this.basePath && path.startsWith(`${this.basePath}/`))
      path = path.slice(this.basePath.length);
    const versioned =
      path === VERSION_SEGMENT ||
      path.startsWith(`${VERSION_SEGMENT}/`) ||
      path.startsWith(`${VERSION_SEGMENT}?`);
    return new URL(
      `${this.basePath}${versioned ? '' : VERSION_SEGMENT}${path}`,
      this.endpoint.origin,
    );
  }
}
