/**
 * Per-context preferences the host needs before a cmdlet runs (the default output format on a
 * terminal). Read with plain fs rather than conf, so the host pays no start-up cost for them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveConfigDir } from './config-dir.js';
import { CONTEXT_NAME } from './context-store.js';

export interface Preferences {
  /** Default -OutputFormat on a terminal: PARTNERCENTER_OUTPUT_FORMAT, else the one saved with the context. */
  outputFormat?: string;
}

/** Reads the preferences of a context; a missing or unreadable context yields {} (the command itself will report it). */
export async function readPreferences(contextName: string | undefined, env: NodeJS.ProcessEnv): Promise<Preferences> {
  if (env.PARTNERCENTER_OUTPUT_FORMAT) return { outputFormat: env.PARTNERCENTER_OUTPUT_FORMAT };
  const dir = resolveConfigDir(env);
  const name = contextName ?? (env.PARTNERCENTER_CONTEXT || readJson(join(dir, 'settings.json'))?.defaultContext || 'default');
  if (typeof name !== 'string' || !CONTEXT_NAME.test(name)) return {};
  const context = readJson(join(dir, 'contexts', `${name}.json`));
  return typeof context?.outputFormat === 'string' ? { outputFormat: context.outputFormat } : {};
}

function readJson(path: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
