/**
 * Removes one file; a file already gone is fine. `unlinkSync` rather than `rmSync({ force: true })`:
 * Node 24's rmSync reports a failure (a read-only file system, a directory without write
 * permission) with an empty `code`, and the module names such failures by their code.
 */
import { unlinkSync } from 'node:fs';

export function removeFile(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
