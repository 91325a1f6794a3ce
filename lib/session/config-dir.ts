/**
 * Where the module keeps its state: `PARTNERCENTER_CONFIG_DIR`, else the OS's config directory.
 * The directory is private to the user (0700) and every file in it 0600; anything looser is refused
 * rather than silently fixed, because a readable token store may already have leaked. Inside it,
 * nothing is followed through a symbolic link: a link there (planted, or left by a copy) could send
 * a token write to another file, or a read to a file somebody else controls. The directory itself
 * may be a link (a dotfiles checkout of ~/.config); its target is held to the same mode.
 */
import { chmodSync, lstatSync, mkdirSync, type Stats, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { ConfigFileError } from '../common/errors.js';

/** The folder of the module's state under the OS's config directory (completion.ts lists it too). */
export const APP_DIR_NAME = 'partnercenter';

export function resolveConfigDir(env: NodeJS.ProcessEnv): string {
  if (env.PARTNERCENTER_CONFIG_DIR) return env.PARTNERCENTER_CONFIG_DIR;
  if (process.platform === 'win32')
    return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), APP_DIR_NAME);
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Preferences', APP_DIR_NAME);
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), APP_DIR_NAME);
}

export interface PrivatePathOptions {
  /** The config directory itself: a link to a directory is followed (its target is checked). */
  followLink?: boolean;
}

/** Creates `dir` (0700) if missing; refuses one that others can read or write, or a link. */
export function ensurePrivateDir(dir: string, options: PrivatePathOptions = {}): string {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    // An existing link or file is reported by the check below, in its own words.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST')
      throw stateAccessError(error, dir, 'write') ?? error;
  }
  assertPrivate(dir, 0o700, options);
  return dir;
}

/**
 * Refuses a path that is a symbolic link, of the wrong kind (a directory where a file belongs),
 * or (POSIX) open to other users. A missing path passes: creating it is the caller's business.
 */
export function assertPrivate(
  path: string,
  expected: 0o700 | 0o600,
  options: PrivatePathOptions = {},
): void {
  let stats: Stats;
  try {
    stats = options.followLink ? statSync(path) : lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw stateAccessError(error, path, 'read') ?? error;
  }
  const directory = expected === 0o700;
  if (stats.isSymbolicLink()) {
    throw new ConfigFileError(
      `'${path}' is a symbolic link; contexts and tokens are kept only in the module's own ` +
        'files and directories, never behind a link.',
      {
        hint:
          `Remove the link (rm '${path}') and run Connect-Partner again; to keep this state ` +
          'elsewhere, set PARTNERCENTER_CONFIG_DIR to that directory instead.',
      },
    );
  }
  if (directory ? !stats.isDirectory() : !stats.isFile()) {
    throw new ConfigFileError(
      `'${path}' is not a ${directory ? 'directory' : 'regular file'}, which the module keeps there.`,
      { hint: `Move it away, then run Connect-Partner again.` },
    );
  }
  // Windows ACLs do not map to mode bits, and the profile directory is already private there.
  if (process.platform === 'win32') return;
  const mode = stats.mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new ConfigFileError(
      `'${path}' can be read or written by other users (mode ${mode.toString(8).padStart(4, '0')}).`,
      {
        hint:
          `Make it private with: chmod ${expected.toString(8)} '${path}', then connect ` +
          'again if you think its tokens were exposed.',
      },
    );
  }
}

/** Tightens a file this module just created (some writers ignore the mode they were asked for). */
export function makePrivateFile(path: string): void {
  if (process.platform !== 'win32') chmodSync(path, 0o600);
}

/** File-system refusals that say what the state directory needs, not that the module failed. */
const ACCESS_PROBLEMS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
};

/**
 * The error for a state file or directory that cannot be read or written (permissions, a
 * read-only or full disk), naming the path and what it needs; undefined for any other failure.
 */
export function stateAccessError(
  error: unknown,
  path: string,
  action: 'read' | 'write',
): ConfigFileError | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const problem = code === undefined ? undefined : ACCESS_PROBLEMS[code];
  if (!problem) return undefined;
  const elsewhere = 'or set PARTNERCENTER_CONFIG_DIR to a directory of your own that is.';
  let hint: string;
  if (code === 'EROFS')
    hint =
      'Contexts and renewed tokens are saved there, so it must be on a writable file system; ' +
      'set PARTNERCENTER_CONFIG_DIR to a directory that is.';
  else if (code === 'ENOSPC' || code === 'EDQUOT')
    hint = 'Free some space there, or set PARTNERCENTER_CONFIG_DIR to a directory on another disk.';
  else if (action === 'read')
    hint =
      'It must be readable by you (your own, mode 0700 for a directory, 0600 for a file), ' +
      elsewhere;
  else hint = `'${dirname(path)}' must be writable by you (chmod u+rwx), ${elsewhere}`;
  return new ConfigFileError(`Cannot ${action} '${path}': ${problem} (${code}).`, {
    hint,
    cause: error,
  });
}
