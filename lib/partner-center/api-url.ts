/**
 * Turns the paths the service and our callers use into absolute URLs under the version root.
 * The service writes link URIs relative to the version root, `/customers?...`, and since late
 * 2021 also as `/v1/customers?...`; naive joining produced `/v1//v1/customers` in the PowerShell
 * module and broke every second page. Both forms (and an absolute URL on our own origin) land on
 * the same URL here.
 */
import { ServiceError } from '../common/errors.js';
import { parseEndpointUrl } from '../net/endpoint-url.js';

/** Which API a root belongs to: its version segment, and how messages name it. */
export interface ApiRootSettings {
  /** `/v1` for Partner Center, `/v1.0` for Microsoft Graph. */
  versionSegment: string;
  service: string;
  endpointParameter: string;
}

const PARTNER_CENTER_ROOT: ApiRootSettings = {
  versionSegment: '/v1',
  service: 'Partner Center',
  endpointParameter: '-ApiEndpoint',
};

export class ApiRoot {
  /** Where the API lives, without the version: e.g. https://api.partnercenter.microsoft.com. */
  readonly endpoint: URL;
  /** Path prefix of the endpoint (usually empty), without trailing slash. */
  private readonly basePath: string;

  constructor(
    apiEndpoint: string,
    private readonly settings: ApiRootSettings = PARTNER_CENTER_ROOT,
  ) {
    this.endpoint = parseEndpointUrl(apiEndpoint, settings.endpointParameter);
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
          `${this.settings.service} returned a link to another host (${absolute.origin}); it ` +
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
    const version = this.settings.versionSegment;
    const versioned =
      path === version || path.startsWith(`${version}/`) || path.startsWith(`${version}?`);
    return new URL(`${this.basePath}${versioned ? '' : version}${path}`, this.endpoint.origin);
  }
}
