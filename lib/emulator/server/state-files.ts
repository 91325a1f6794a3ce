/** Files the emulator keeps in a state directory, written whole: a temp file, then rename. */
import { promises as fs } from 'node:fs';

export async function writeAtomically(file: string, text: string, mode: number): Promise<void> {
  const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await fs.writeFile(temporary, text, { mode });
  await fs.rename(temporary, file);
}
