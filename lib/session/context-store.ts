/**
 * Saved session contexts. One conf file per context (`contexts/<name>.json`) plus a tiny
 * `settings.json` naming the default, so two processes connecting to different contexts at once
 * never overwrite each other (conf writes atomically but loses concurrent updates to one file).
 * A context holds no secret: those live in the token store. Reading does without conf (plain JSON,
 * the same checks and errors): conf and its schema validator cost about 15 ms of start-up even
 * bundled (100 ms unbundled), which every command that merely uses a context paid.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { removeFile } from '../common/remove-file.js';
import { dirname, join } from 'node:path';
import { ConfigFileError, UsageError } from '../common/errors.js';
import {
  assertPrivate,
  ensurePrivateDir,
  makePrivateFile,
  stateAccessError,
} from './config-dir.js';
import { contextFromStored, type PartnerContext } from './context-kinds.js';

export const DEFAULT_CONTEXT_NAME = 'default';
export const CONTEXT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export type {
  AuthenticationKind,
  PartnerContext,
  SecretSource,
} from './context-kinds.js';

type ConfInstance = {
  store: Record<string, unknown>;
  path: string;
  set(value: Record<string, unknown>): void;
};

/** Names the sign-in cache uses beside a context's tokens: `<context>.msal[.cae].json`. */
export const SIGN_IN_CACHE_SUFFIX = /\.msal(\.cae)?$/i;

export function validateContextName(name: string): string {
  if (SIGN_IN_CACHE_SUFFIX.test(name)) {
    throw new UsageError(
      `Context name '${name}' is not allowed: it ends like a sign-in cache file.`,
      {
        hint: "Choose a name that does not end in '.msal' or '.msal.cae'.",
      },
    );
  }
  if (!CONTEXT_NAME.test(name)) {
    throw new UsageError(`Context name '${name}' is not allowed.`, {
      hint:
        'Use 1-64 letters, digits, dots, dashes or underscores, starting with a ' +
        'letter or digit.',
    });
  }
  return name;
}

export class ContextStore {
  readonly contextsDir: string;

  constructor(readonly configDir: string) {
    this.contextsDir = join(configDir, 'contexts');
  }

  /**
   * The context to use: an explicit name, else PARTNERCENTER_CONTEXT (applied by the caller), else
   * the saved default.
   */
  async resolveName(explicit: string | undefined): Promise<string> {
    if (explicit) return validateContextName(explicit);
    const path = join(this.configDir, 'settings.json');
    const saved = checkSettings(readStoreFile(path, true) ?? {}, path).defaultContext;
    return typeof saved === 'string' ? saved : DEFAULT_CONTEXT_NAME;
  }

  /** The saved context of that name as its kind (context-kinds.ts); undefined when none is. */
  async read(name: string): Promise<PartnerContext | undefined> {
    validateContextName(name);
    const path = join(this.contextsDir, `${name}.json`);
    const stored = readStoreFile(path, false);
    return stored && contextFromStored(stored, path, name);
  }

  async write(context: PartnerContext): Promise<string> {
    validateContextName(context.name);
    const conf = await this.open(context.name, this.contextsDir);
    saving(conf.path, () => {
      conf.set(context as unknown as Record<string, unknown>);
      makePrivateFile(conf.path);
    });
    return conf.path;
  }

  async setDefault(name: string): Promise<void> {
    const settings = await this.open('settings', this.configDir);
    checkSettings(settings.store, settings.path);
    saving(settings.path, () => {
      settings.set({ ...settings.store, defaultContext: validateContextName(name) });
      makePrivateFile(settings.path);
    });
  }

  list(): string[] {
    if (!existsSync(this.contextsDir)) return [];
    assertPrivate(this.contextsDir, 0o700);
    let files: string[];
    try {
      files = readdirSync(this.contextsDir);
    } catch (error) {
      throw stateAccessError(error, this.contextsDir, 'read') ?? error;
    }
    return files
      .filter((file) => file.endsWith('.json'))
      .map((file) => file.slice(0, -'.json'.length))
      .filter((name) => CONTEXT_NAME.test(name))
      .sort();
  }

  /** Returns whether there was a context to remove. */
  remove(name: string): boolean {
    validateContextName(name);
    const path = join(this.contextsDir, `${name}.json`);
    if (!existsSync(path)) return false;
    saving(path, () => removeFile(path));
    return true;
  }

  /**
   * conf is imported here, not at module load, so commands that never touch a context do not pay
   * for it.
   */
  private async open(configName: string, cwd: string): Promise<ConfInstance> {
    ensurePrivateDir(cwd, { followLink: cwd === this.configDir });
    const path = join(cwd, `${configName}.json`);
    assertPrivate(path, 0o600);
    assertJsonObjectIfPresent(path, configName === 'settings');
    const { default: Conf } = await importConf();
    try {
      return new Conf({
        projectName: 'partnercenter',
        cwd,
        configName,
        configFileMode: 0o600,
        clearInvalidConfig: false,
        accessPropertiesByDotNotation: false,
      }) as unknown as ConfInstance;
    } catch (error) {
      throw (
        stateAccessError(error, path, 'read') ??
        corruptedFile(path, configName === 'settings', error)
      );
    }
  }
}

/** A change to a context or settings file; a refusal of the disk says what the file needs. */
function saving(path: string, change: () => void): void {
  try {
    change();
  } catch (error) {
    throw stateAccessError(error, path, 'write') ?? error;
  }
}

/** settings.json, refused rather than ignored (and later overwritten) when it is not ours. */
function checkSettings(store: Record<string, unknown>, path: string): Record<string, unknown> {
  const { defaultContext, ...others } = store;
  if (
    Object.keys(others).length > 0 ||
    (defaultContext !== undefined &&
      !(typeof defaultContext === 'string' && CONTEXT_NAME.test(defaultContext)))
  ) {
    throw new ConfigFileError(
      `The file '${path}' is not a PartnerCenter settings file (that holds only ` +
        '{"defaultContext": "<context name>"}).',
      {
        hint:
          'Move it away (or delete it) to forget the default context, then run ' +
          'Select-PartnerContext or Connect-Partner.',
      },
    );
  }
  return store;
}

/**
 * A context or settings file as `open` sees it, without loading conf; undefined when it does not
 * exist.
 */
function readStoreFile(path: string, isSettings: boolean): Record<string, unknown> | undefined {
  // The settings file lives in the config directory itself, which may be a link.
  assertPrivate(dirname(path), 0o700, { followLink: isSettings });
  assertPrivate(path, 0o600);
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw stateAccessError(error, path, 'read') ?? corruptedFile(path, isSettings, error);
  }
  assertJsonObject(value, path, isSettings);
  return value as Record<string, unknown>;
}

function corruptedFile(path: string, isSettings: boolean, error: unknown): ConfigFileError {
  return new ConfigFileError(
    `The file '${path}' is corrupted or not valid JSON (${(error as Error).message}).`,
    {
      hint: isSettings
        ? 'Delete it to forget the default context, then run Select-PartnerContext ' +
          'or Connect-Partner.'
        : 'Run Disconnect-Partner for this context (or delete the file) and run ' +
          'Connect-Partner again.',
      cause: error,
    },
  );
}

/**
 * conf spreads whatever JSON it finds into an object, so `[]` or `"text"` would read as an empty
 * store (and be overwritten by the next write): anything but a JSON object is refused first.
 */
function assertJsonObjectIfPresent(path: string, isSettings: boolean): void {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return; // Missing: conf starts an empty one. Unreadable: conf reports it.
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return; // conf reports the syntax error with its position.
  }
  assertJsonObject(value, path, isSettings);
}

function assertJsonObject(value: unknown, path: string, isSettings: boolean): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return;
  throw new ConfigFileError(
    `The file '${path}' is not a PartnerCenter ${isSettings ? 'settings' : 'context'} ` +
      `file (it holds ${value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`}, ` +
      'not an object).',
    {
      hint: isSettings
        ? 'Move it away (or delete it) to forget the default context, then run ' +
          'Select-PartnerContext or Connect-Partner.'
        : 'Move it away (or delete it, or run Disconnect-Partner for this context) ' +
          'and run Connect-Partner again.',
    },
  );
}

const HOST_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * conf writes through `atomically`, whose `when-exit` hooks SIGINT and SIGTERM at import and sends
 * the same signal to the process again after its cleanup. The host owns those two signals (it stops
 * between two output lines, says how to resume, and treats a second signal as "exit now"), so that
 * echo cut output short mid-line. The listeners the import adds for them are taken off again.
 */
async function importConf(): Promise<typeof import('conf')> {
  const before = HOST_SIGNALS.map((signal) => ({
    signal,
    listeners: new Set(process.listeners(signal)),
  }));
  const module = await import('conf');
  for (const { signal, listeners } of before) {
    for (const listener of process.listeners(signal))
      if (!listeners.has(listener)) process.off(signal, listener);
  }
  return module;
}
