/**
 * What Connect-Partner and Get-PartnerContext show of a context: everything useful, nothing secret.
 */
import { applicationIdOf, secretSourceOf } from './context-kinds.js';
import type { PartnerContext } from './context-store.js';
import { graphOf } from './environments.js';
import { tokenResource } from './token-resources.js';
import { accessTokenOf, type TokenRecord } from './token-store.js';
import type { ContextView } from './views.js';

export type { ContextView } from './views.js';

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
    graphEndpoint: graphOf(context.environment).endpoint,
    tenantId: context.tenantId,
    account: context.account,
    authentication: context.authentication,
    applicationId: applicationIdOf(context),
    secretSource: secretSourceOf(context),
    caCertificatePath: context.caCertificatePath,
    connectedAt: context.connectedAt,
    tokenExpiresOn: tokens.accessToken
      ? new Date(tokens.accessToken.expiresOnTimestamp).toISOString()
      : undefined,
  };
  const graphToken = accessTokenOf(tokens, tokenResource(context.environment, 'Graph'));
  if (graphToken) view.graphTokenExpiresOn = new Date(graphToken.expiresOnTimestamp).toISOString();
  // What Set-PartnerContext saved, under the names its parameters have.
  view.defaultOutputFormat = context.outputFormat;
  view.maxRetry = context.maxRetry;
  view.maxRetryWaitSeconds = context.maxRetryWaitSeconds;
  for (const key of Object.keys(view) as (keyof ContextView)[])
    if (view[key] === undefined) delete view[key];
  return view;
}

export const CONTEXT_VIEW_COLUMNS = [
  { name: 'Name', path: 'name', kind: 'id' },
  { name: 'Default', path: 'isDefault' },
  { name: 'Environment', path: 'environment', drop: 3 },
  { name: 'Tenant', path: 'tenantId', kind: 'id' },
  { name: 'Account', path: 'account', kind: 'id', drop: 2 },
  { name: 'TokenExpiresOn', path: 'tokenExpiresOn', kind: 'date', drop: 1 },
] as const;

/** Set-PartnerContext's table: which context, and the settings it keeps (empty when not set). */
export const CONTEXT_SETTINGS_COLUMNS = [
  { name: 'Name', path: 'name', kind: 'id' },
  { name: 'Default', path: 'isDefault' },
  { name: 'DefaultOutputFormat', path: 'defaultOutputFormat' },
  { name: 'MaxRetry', path: 'maxRetry' },
  { name: 'MaxRetryWaitSeconds', path: 'maxRetryWaitSeconds' },
] as const;
