/**
 * The one check every GDAP cmdlet makes before it asks Microsoft Graph anything: the context's
 * Graph must be one that serves the GDAP APIs (docs/partner-center-api.md, "Microsoft Graph").
 * The module treats them as global-only, as issue 14 reads Graph's documentation; a national
 * cloud's Graph is refused in one line, before a token is asked for, with exit code 2 (Usage:
 * nothing was sent). A custom -GraphEndpoint (the emulator, a proxy) is the user's choice and is
 * allowed.
 */
import { UsageError } from '../common/errors.js';
import { graphOf, NATIONAL_GRAPH_ENDPOINTS } from '../session/environments.js';
import type { PartnerContext } from '../session/context-store.js';

/**
 * Refuses a context whose Microsoft Graph is a national cloud's. `feature` names what the caller
 * wanted, for the message.
 */
export function requireGlobalGraph(
  context: PartnerContext,
  feature = 'Granular delegated admin (GDAP) relationships',
): void {
  const { endpoint } = graphOf(context.environment);
  const normalised = endpoint.replace(/\/+$/, '').toLowerCase();
  if (!NATIONAL_GRAPH_ENDPOINTS.includes(normalised)) return;
  const cloud =
    context.environment.name === 'Custom' ? 'a national cloud' : context.environment.name;
  throw new UsageError(
    `${feature} are read through Microsoft Graph's global service only, and context ` +
      `'${context.name}' uses ${cloud}, whose Graph is ${endpoint}.`,
    {
      hint:
        'Use a context connected to the global cloud (Connect-Partner -Environment ' +
        'AzureCloud, the default), or one with a custom -GraphEndpoint such as the emulator.',
      // Every pipeline object of the run would be refused the same way.
      endsRun: true,
    },
  );
}
