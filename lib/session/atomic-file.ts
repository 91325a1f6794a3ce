/**
 * Private JSON files written atomically: a temp file in the same directory (0600 from its first
 * byte), then rename. A reader in another process sees the old file or the new one, never half.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { ConfigFileError } from '../common/errors.js';
import { assertPrivate } from './config-dir.js';

export function writePrivateJson(path: string, value: unknown): void {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(temp, JSON.stringify(value), { mode: 0o600, flag: 'wx' });
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
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
