/**
 * Per-context preferences the host needs before a cmdlet runs (the default output format on a
 * terminal). The context store reads contexts without conf, so this costs the host no start-up.
 */
import { resolveConfigDir } from './config-dir.js';
import { ContextStore } from './context-store.js';

export interface Preferences {
  /**
   * Default -OutputFormat on a terminal: PARTNERCENTER_OUTPUT_FORMAT, else the one saved with the
   * context.
   */
  outputFormat?: string;
}

/**
 * Reads the preferences of a context; a missing or unreadable context yields {} (the command itself
 * will report it).
 */
export async function readPreferences(
  contextName: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<Preferences> {
  if (env.PARTNERCENTER_OUTPUT_FORMAT) return { outputFormat: env.PARTNERCENTER_OUTPUT_FORMAT };
  try {
    const contexts = new ContextStore(resolveConfigDir(env));
    const context = await contexts.read(
      await contexts.resolveName(contextName ?? (env.PARTNERCENTER_CONTEXT || undefined)),
    );
    return typeof context?.outputFormat === 'string' ? { outputFormat: context.outputFormat } : {};
  } catch {
    return {};
  }
}
