/**
 * Private JSON files written atomically: a temp file in the same directory (0600 from its first
 * byte), flushed to disk (fsync), then renamed over the file, then the directory flushed (POSIX)
 * so the rename itself survives a power loss. A reader in another process sees the old file or
 * the new one, never half; a power loss leaves the old file or the new one, never an empty one
 * (without the fsync, a filesystem may commit the rename before the data: ext4 with
 * delalloc, XFS).
 *
 * On Windows a rename fails for a moment with EPERM, EBUSY or EACCES while another process (an
 * antivirus scanner, the search indexer, a reader of the old file) has the target open; the rename
 * is then tried again a few times, as npm's write-file-atomic and graceful-fs do.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync } from 'node:fs';
import { removeFile } from '../common/remove-file.js';
import { dirname } from 'node:path';
import { pauseSync } from '../common/blocking-pause.js';
import { createPrivateFile } from '../common/new-private-file.js';
import { ConfigFileError } from '../common/errors.js';
import { assertPrivate } from './config-dir.js';

export function writePrivateJson(path: string, value: unknown): void {
  writePrivateFile(path, JSON.stringify(value));
}

/** Writes `text` as the whole new content of the private file `path` (see the header). */
export function writePrivateFile(path: string, text: string, retry: RenameRetry = {}): void {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    createPrivateFile(temp, text);
    renameWithRetry(temp, path, retry);
  } catch (error) {
    removeFile(temp);
    throw error;
  }
  syncDirectory(dirname(path));
}

export interface RenameRetry {
  rename?: (from: string, to: string) => void;
  platform?: NodeJS.Platform;
  pause?: (ms: number) => void;
  /** Attempts in all (default 6: waits of 10, 20, 40, 80 and 160 ms between them). */
  attempts?: number;
}

/** Codes with which Windows refuses a rename while another process has one of the files open. */
const TRANSIENT_ON_WINDOWS = new Set(['EPERM', 'EBUSY', 'EACCES']);

/**
 * renameSync, tried again after a short pause when Windows refuses it for a moment. Elsewhere
 * those codes mean what they say (no permission) and are thrown at once.
 */
export function renameWithRetry(from: string, to: string, options: RenameRetry = {}): void {
  const {
    rename = renameSync,
    platform = process.platform,
    pause = pauseSync,
    attempts = 6,
  } = options;
  for (let attempt = 1; ; attempt++) {
    try {
      rename(from, to);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (platform !== 'win32' || !TRANSIENT_ON_WINDOWS.has(code) || attempt >= attempts)
        throw error;
      pause(10 * 2 ** (attempt - 1));
    }
  }
}

/**
 * Flushes a directory's entries (the rename) to disk. Windows cannot open a directory for this
 * (and NTFS journals the rename itself); some filesystems refuse fsync on a directory: neither
 * loses the file's own content, which was flushed before the rename.
 */
function syncDirectory(directory: string): void {
  if (process.platform === 'win32') return;
  let fd: number | undefined;
  try {
    fd = openSync(directory, 'r');
    fsyncSync(fd);
  } catch {
    // See above: best effort.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * undefined when the file does not exist; a ConfigFileError naming the file when it is unreadable.
 */
export function readPrivateJson<T>(path: string, recoverHint: string): T | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigFileError(`Cannot read '${path}': ${(error as Error).message}.`, {
      hint: recoverHint,
      cause: error,
    });
  }
  assertPrivate(path, 0o600);
  try {
    const value = JSON.parse(text) as unknown;
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      throw new SyntaxError('not a JSON object');
    return value as T;
  } catch (error) {
    throw new ConfigFileError(`The file '${path}' is corrupted (${(error as Error).message}).`, {
      hint: recoverHint,
      cause: error,
    });
  }
}
