/**
 * Where the module keeps its state: `PARTNERCENTER_CONFIG_DIR`, else the OS's config directory.
 * The directory is private to the user (0700) and every file in it 0600; anything looser is refused
 * rather than silently fixed, because a readable token store may already have leaked.
 */
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
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

/** Creates `dir` (0700) if missing; refuses one that others can read or write. */
export function ensurePrivateDir(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  assertPrivate(dir, 0o700);
  return dir;
}

/**
 * POSIX only: Windows ACLs do not map to mode bits, and the profile directory is already private
 * there.
 */
export function assertPrivate(path: string, expected: 0o700 | 0o600): void {
  if (process.platform === 'win32') return;
  let mode: number;
  try {
    mode = statSync(path).mode & 0o777;
  } catch {
    return;
  }
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
