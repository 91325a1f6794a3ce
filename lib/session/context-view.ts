/**
 * What Connect-Partner and Get-PartnerContext show of a context: everything useful, nothing secret.
 */
import type { PartnerContext } from './context-store.js';
import type { TokenRecord } from './token-store.js';

export interface ContextView {
  name: string;
  isDefault: boolean;
  environment: string;
  apiEndpoint: string;
  authorityHost: string;
  tenantId: string;
  account?: string;
  authentication: string;
  applicationId?: string;
  secretSource?: string;
  caCertificatePath?: string;
  connectedAt: string;
  /**
   * When the stored access token expires (ISO 8601); it renews by itself where the sign-in allows.
   */
  tokenExpiresOn?: string;
}

export function viewOf(
  context: PartnerContext,
  tokens: TokenRecord,
  isDefault: boolean,
): ContextView {
  const view: ContextView = {
    name: context.name,
    isDefault,
    environment: context.environment.name,
    apiEndpoint: context.environment.apiEndpoint,
    authorityHost: context.environment.authorityHost,
    tenantId: context.tenantId,
    account: context.account,
    authentication: context.authentication,
    applicationId: context.applicationId,
    secretSource: context.secretSource,
    caCertificatePath: context.caCertificatePath,
    connectedAt: context.connectedAt,
    tokenExpiresOn: tokens.accessToken
      ? new Date(tokens.accessToken.expiresOnTimestamp).toISOString()
      : undefined,
  };
  for (const key of Object.keys(view) as (keyof ContextView)[])
    if (view[key] === undefined) delete view[key];
  return view;
}

export const CONTEXT_VIEW_COLUMNS = [
  { name: 'Name', path: 'name' },
  { name: 'Environment', path: 'environment' },
  { name: 'Tenant', path: 'tenantId' },
  { name: 'Account', path: 'account' },
  { name: 'TokenExpiresOn', path: 'tokenExpiresOn' },
] as const;
