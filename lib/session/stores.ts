/**
 * The stores a session reads (saved contexts, tokens) and the error for a context that is not
 * saved: apart from session.ts, so the commands that only read or choose saved contexts
 * (Get-, Set-, Select-PartnerContext) start without the sign-in machinery session.ts brings.
 */
import { NotConnectedError } from '../common/errors.js';
import { resolveConfigDir } from './config-dir.js';
import { ContextStore, DEFAULT_CONTEXT_NAME } from './context-store.js';
import { TokenStore } from './token-store.js';

export interface SessionStores {
  contexts: ContextStore;
  tokens: TokenStore;
}

export function storesFor(env: NodeJS.ProcessEnv): SessionStores {
  const dir = resolveConfigDir(env);
  return { contexts: new ContextStore(dir), tokens: new TokenStore(dir) };
}

/** How many saved context names an error lists before "and N more". */
const NAMES_LISTED = 8;

/**
 * The error for a context that is not saved, with the saved ones and how to pick one: "not
 * connected" when no context was named (the default is missing), "no context named" when the
 * command or PARTNERCENTER_CONTEXT named one (`explicit`).
 */
export function noSavedContext(
  name: string,
  contexts: ContextStore,
  explicit: boolean,
): NotConnectedError {
  const saved = contexts.list();
  const names =
    saved.length > NAMES_LISTED
      ? `${saved.slice(0, NAMES_LISTED).join(', ')} and ${saved.length - NAMES_LISTED} more`
      : saved.join(', ');
  if (!explicit && saved.length === 0) {
    return new NotConnectedError('Not connected to Partner Center.', {
      hint: 'Run Connect-Partner first (see Get-Help Connect-Partner).',
    });
  }
  if (!explicit) {
    return new NotConnectedError(
      name === DEFAULT_CONTEXT_NAME
        ? `Not connected to Partner Center: no default context is chosen (saved: ${names}).`
        : `Not connected to Partner Center: the default context '${name}' is no longer saved ` +
            `(saved: ${names}).`,
      {
        hint:
          'Choose the default with Select-PartnerContext <name> (Get-PartnerContext ' +
          '-ListAvailable shows them), or one for a command with -Context <name>.',
      },
    );
  }
  return new NotConnectedError(
    `There is no saved context named '${name}'${saved.length ? ` (saved: ${names})` : ''}.`,
    {
      hint: saved.length
        ? 'Use one of the saved names (Get-PartnerContext -ListAvailable shows them), or save ' +
          `this one with Connect-Partner -ContextName ${name}.`
        : `Run Connect-Partner -ContextName ${name} first.`,
    },
  );
}
