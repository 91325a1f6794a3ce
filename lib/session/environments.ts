/**
 * The Partner Center clouds and each one's Microsoft Graph (docs/partner-center-api.md, "Clouds
 * and endpoints" and "Microsoft Graph").
 */

export const ENVIRONMENT_NAMES = ['AzureCloud', 'AzureChinaCloud', 'AzureUSGovernment'] as const;
export type EnvironmentName = (typeof ENVIRONMENT_NAMES)[number];

export interface PartnerEnvironment {
  name: EnvironmentName | 'Custom';
  apiEndpoint: string;
  authorityHost: string;
  /** Resource of the access token; the app-only scope is `{audience}/.default`. */
  audience: string;
  /**
   * Microsoft Graph's base URL, without `/v1.0`. Absent in contexts saved before the module knew
   * Graph: `graphOf` then gives the cloud's.
   */
  graphEndpoint?: string;
  /** Resource of Graph tokens (the cloud's Graph, whatever address its requests travel to). */
  graphAudience?: string;
}

/** A named cloud: its Microsoft Graph always known. */
interface CloudEnvironment extends PartnerEnvironment {
  name: EnvironmentName;
  graphEndpoint: string;
  graphAudience: string;
}

/** Microsoft Graph's service roots (https://learn.microsoft.com/graph/deployments). */
export const GRAPH_GLOBAL = 'https://graph.microsoft.com';
const GRAPH_US_GOVERNMENT = 'https://graph.microsoft.us';
const GRAPH_CHINA = 'https://microsoftgraph.chinacloudapi.cn';

const PARTNER_CENTER_AUDIENCE = 'https://api.partnercenter.microsoft.com';

const CLOUDS: Readonly<Record<EnvironmentName, CloudEnvironment>> = {
  AzureCloud: {
    name: 'AzureCloud',
    apiEndpoint: 'https://api.partnercenter.microsoft.com',
    authorityHost: 'https://login.microsoftonline.com',
    audience: PARTNER_CENTER_AUDIENCE,
    graphEndpoint: GRAPH_GLOBAL,
    graphAudience: GRAPH_GLOBAL,
  },
  AzureChinaCloud: {
    name: 'AzureChinaCloud',
    apiEndpoint: 'https://partner.partnercenterapi.microsoftonline.cn',
    authorityHost: 'https://login.chinacloudapi.cn',
    audience: 'https://partner.partnercenterapi.microsoftonline.cn',
    graphEndpoint: GRAPH_CHINA,
    graphAudience: GRAPH_CHINA,
  },
  AzureUSGovernment: {
    name: 'AzureUSGovernment',
    apiEndpoint: 'https://api.partnercenter.microsoft.com',
    authorityHost: 'https://login.microsoftonline.us',
    audience: PARTNER_CENTER_AUDIENCE,
    graphEndpoint: GRAPH_US_GOVERNMENT,
    graphAudience: GRAPH_US_GOVERNMENT,
  },
};

/** The named clouds, as every environment is typed (a custom one may lack Graph). */
export const ENVIRONMENTS: Readonly<Record<EnvironmentName, PartnerEnvironment>> = CLOUDS;

/**
 * A named cloud, optionally overridden by a custom API endpoint, authority host and/or Graph
 * endpoint (the local emulator, a proxy). The audiences stay the named cloud's: the tokens are
 * still for Partner Center and Graph, whichever address their requests travel to.
 */
export function resolveEnvironment(
  name: EnvironmentName | undefined,
  overrides: { apiEndpoint?: string; authorityHost?: string; graphEndpoint?: string },
): PartnerEnvironment {
  const base = CLOUDS[name ?? 'AzureCloud'];
  if (!overrides.apiEndpoint && !overrides.authorityHost && !overrides.graphEndpoint) return base;
  return {
    name: 'Custom',
    apiEndpoint: trimSlash(overrides.apiEndpoint ?? base.apiEndpoint),
    authorityHost: trimSlash(overrides.authorityHost ?? base.authorityHost),
    audience: base.audience,
    graphEndpoint: trimSlash(overrides.graphEndpoint ?? base.graphEndpoint),
    graphAudience: base.graphAudience,
  };
}

/** Where a context's Microsoft Graph is, and the resource its tokens are for. */
export interface GraphEnvironment {
  endpoint: string;
  audience: string;
}

/**
 * The Graph of an environment. A context saved before the module knew Graph has none: it gets
 * the Graph of the cloud whose authority it signs in at (global Graph when none matches).
 */
export function graphOf(environment: PartnerEnvironment): GraphEnvironment {
  const cloud =
    Object.values(CLOUDS).find(
      (known) =>
        known.name === environment.name || known.authorityHost === environment.authorityHost,
    ) ?? CLOUDS.AzureCloud;
  return {
    endpoint: environment.graphEndpoint ?? cloud.graphEndpoint,
    audience: environment.graphAudience ?? cloud.graphAudience,
  };
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
