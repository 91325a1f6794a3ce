/**
 * Creates a new private file with its whole content on disk: `wx` (O_CREAT | O_EXCL, so an
 * existing file or a symlink at that name is never written through), mode 0600 from its first
 * byte, and fsync before it is closed, so whatever is done with it next (a rename over another
 * file, a hard link as a lock) never exposes an empty or half-written file after a power loss.
 */
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';

export function createPrivateFile(path: string, text: string): void {
  const fd = openSync(path, 'wx', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
