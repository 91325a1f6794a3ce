/**
 * `<Verb-Noun> -?` as a process, when help is the whole command line and stdout is a pipe: what a
 * script, an editor or `| less` asks for. bin/run.cjs then loads this module and the cmdlet's own
 * help bundle (dist/bundle/help/, each one file made by `npm run build`) instead of the host: help
 * needs the cmdlet's declaration and the renderer, not the binder, the client, the session or the
 * output writers, and two modules load in a fraction of the time of the host's thirty (Node's ESM
 * loader reads and links each module on its own). The page is the one run.ts writes: the same
 * renderHelp, view and width. Anything else (a terminal, which pages; a file; other words; a
 * signal during start-up) goes through the host, which gives the same page with its pager, its
 * output checks and its stop line.
 */
import { writeSync } from 'node:fs';
import { pauseSync } from '../common/blocking-pause.js';
import { renderHelp } from './help/render-help.js';
import { cmdletDefinitionOf } from './cmdlet-definition.js';
import { OutputMark } from './pipe-marks.js';

export function showHelp(cmdletName: string, cmdletModule: Record<string, unknown>): void {
  const definition = cmdletDefinitionOf(cmdletModule);
  // Not a cmdlet's module: the host reports it (load-cmdlet.ts), so this is never reached with one.
  if (!definition) throw new Error(`${cmdletName}: the help bundle holds no cmdlet definition.`);
  // As main.ts: a reader of ours tells this run's end from a kill by its mark.
  const outputMark = OutputMark.begin(cmdletName, process.env);
  // stdout is a pipe or a socket here (bin/run.cjs checked): it has no width, and it is written
  // with writeSync on fd 1, because touching process.stdout would load node:net for the pipe's
  // socket, a sizeable part of this path's start-up.
  const page = renderHelp(definition, {
    view: 'default',
    width: Number(process.env.COLUMNS) || undefined,
  });
  writeWhole(page);
  outputMark?.end(0);
  process.exit(0);
}

/**
 * Writes the page to fd 1. A reader that went away (`| head -1`) ends help with 0, as it does
 * through the host: the page is text for a person, not data that was lost. A pipe left
 * non-blocking by whoever made it answers EAGAIN while full: wait a moment and go on.
 */
function writeWhole(text: string): void {
  const bytes = Buffer.from(text);
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
