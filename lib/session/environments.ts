/** The Partner Center clouds (docs/partner-center-api.md, "Clouds and endpoints"). */

export const ENVIRONMENT_NAMES = ['AzureCloud', 'AzureChinaCloud', 'AzureUSGovernment'] as const;
export type EnvironmentName = (typeof ENVIRONMENT_NAMES)[number];

export interface PartnerEnvironment {
  name: EnvironmentName | 'Custom';
  apiEndpoint: string;
  authorityHost: string;
  /** Resource of the access token; the app-only scope is `{audience}/.default`. */
  audience: string;
}

const PARTNER_CENTER_AUDIENCE = 'https://api.partnercenter.microsoft.com';

export const ENVIRONMENTS: Readonly<Record<EnvironmentName, PartnerEnvironment>> = {
  AzureCloud: {
    name: 'AzureCloud',
    apiEndpoint: 'https://api.partnercenter.microsoft.com',
    authorityHost: 'https://login.microsoftonline.com',
    audience: PARTNER_CENTER_AUDIENCE,
  },
  AzureChinaCloud: {
    name: 'AzureChinaCloud',
    apiEndpoint: 'https://partner.partnercenterapi.microsoftonline.cn',
    authorityHost: 'https://login.chinacloudapi.cn',
    audience: 'https://partner.partnercenterapi.microsoftonline.cn',
  },
  AzureUSGovernment: {
    name: 'AzureUSGovernment',
    apiEndpoint: 'https://api.partnercenter.microsoft.com',
    authorityHost: 'https://login.microsoftonline.us',
    audience: PARTNER_CENTER_AUDIENCE,
  },
};

/**
 * A named cloud, optionally overridden by a custom API endpoint and/or authority host (the local
 * emulator, a proxy). The audience stays the named cloud's: the token is still for Partner Center,
 * whichever address its requests travel to.
 */
export function resolveEnvironment(
  name: EnvironmentName | undefined,
  overrides: { apiEndpoint?: string; authorityHost?: string },
): PartnerEnvironment {
  const base = ENVIRONMENTS[name ?? 'AzureCloud'];
  if (!overrides.apiEndpoint && !overrides.authorityHost) return base;
  return {
    name: 'Custom',
    apiEndpoint: trimSlash(overrides.apiEndpoint ?? base.apiEndpoint),
    authorityHost: trimSlash(overrides.authorityHost ?? base.authorityHost),
    audience: base.audience,
  };
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
