/**
 * `<Verb-Noun> -?` as a process, when help is the whole command line and stdout is a pipe at the
 * default width (no COLUMNS): what a script, an editor or `| less` asks for. The page is a pure
 * function of the cmdlet's declaration, so the build renders it once (lib/generate-help-pages.ts,
 * dist/help-pages/<Verb-Noun>.txt, the same renderHelp, view and width as run.ts) and bin/run.cjs
 * reads it and hands it to this module, which the build bundles alone as CommonJS
 * (dist/bundle/help-page.cjs, a few kilobytes): no cmdlet, no renderer, no ES module graph is
 * loaded, and help starts about as fast as `node -e 0`. Anything else (a terminal, which pages; a
 * file; another width; other words) goes through the host, which gives the same page with its
 * pager and its output checks.
 */
import { writeSync } from 'node:fs';
import { pauseSync } from '../common/blocking-pause.js';
import { OutputMark } from './pipe-marks.js';

/** Writes the page and ends the process with 0. */
export function writeHelpPage(cmdletName: string, page: Uint8Array): never {
  // As main.ts: a reader of ours tells this run's end from a kill by its mark.
  const outputMark = OutputMark.begin(cmdletName, process.env);
  // stdout is a pipe or a socket here (bin/run.cjs checked); written with writeSync on fd 1,
  // because touching process.stdout would load node:net for the pipe's socket.
  writeWhole(page);
  outputMark?.end(0);
  process.exit(0);
}

/**
 * Writes the page to fd 1. A reader that went away (`| head -1`) ends help with 0, as it does
 * through the host: the page is text for a person, not data that was lost. A pipe left
 * non-blocking by whoever made it answers EAGAIN while full: wait a moment and go on.
 */
function writeWhole(bytes: Uint8Array): void {
  let written = 0;
  while (written < bytes.length) {
    try {
      written += writeSync(1, bytes, written);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EPIPE') return;
      if (code !== 'EAGAIN') throw error;
      pauseSync(5);
    }
  }
}
