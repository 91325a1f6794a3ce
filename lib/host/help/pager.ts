/**
 * Help longer than the screen goes through a pager, as `git`, `gh` and `man` do: on a terminal only
 * (a pipe or a file gets the text as it is), with `PARTNERCENTER_PAGER`, else `PAGER`, else
 * `less -FRX` (-F: quit at once when the text fits, -R: keep colours, -X: leave the text on the
 * screen). An empty value, or `cat`, turns paging off. A pager that cannot be started falls back to
 * printing the text.
 */
import { spawn } from 'node:child_process';
import { userEnvironment } from './user-environment.js';

export interface PagerTerminal {
  /** stdout is a terminal, and the process's own fd 1 (a pager writes there, not to a stream). */
  stdoutIsTerminal: boolean;
  /** Its height; unknown (a terminal nobody sized) pages, `less -F` then decides. */
  rows?: number;
  env: NodeJS.ProcessEnv;
}

const DEFAULT_PAGER = 'less -FRX';

/** The pager command line, or undefined when paging is off. */
export function pagerCommand(env: NodeJS.ProcessEnv): string | undefined {
  const chosen = env.PARTNERCENTER_PAGER ?? env.PAGER;
  // Windows has no `less` by default; its `more` pages but cannot be told to quit on a short text.
  const command = (chosen ?? (process.platform === 'win32' ? '' : DEFAULT_PAGER)).trim();
  return command === '' || command === 'cat' ? undefined : command;
}

/**
 * Shows `text` through the pager when it does not fit the terminal. Resolves true once the pager
 * has ended, false when the caller must print the text itself (not a terminal, short text, paging
 * off, or the pager could not start).
 */
export async function showPaged(text: string, terminal: PagerTerminal): Promise<boolean> {
  if (!terminal.stdoutIsTerminal) return false;
  const command = pagerCommand(terminal.env);
  if (!command) return false;
  const lines = text.split('\n').length;
  if (terminal.rows && lines < terminal.rows) return false;
  // Ctrl-C reaches the pager and this process alike: it is the pager's (less uses it to stop a
  // search), so this process lets it pass until the pager ends, as git does.
  const held = process.listeners('SIGINT');
  process.removeAllListeners('SIGINT');
  const ignore = () => {};
  process.on('SIGINT', ignore);
  const restore = () => {
    process.off('SIGINT', ignore);
    for (const listener of held) process.on('SIGINT', listener);
  };
  return new Promise<boolean>((resolve) => {
    const child = spawn(command, {
      shell: true,
      stdio: ['pipe', 'inherit', 'inherit'],
      env: pagerEnvironment(terminal.env),
    });
    child.once('error', () => {
      restore();
      resolve(false);
    });
    // A pager quit before reading everything (q in less) closes its input: not an error.
    child.stdin.on('error', () => {});
    child.stdin.end(text);
    child.once('close', (code) => {
      restore();
      // 126/127: the shell could not run the command; nothing was shown.
      resolve(code !== 126 && code !== 127);
    });
  });
}

/**
 * What the pager sees: the user's environment (user-environment.ts). `LESS` left unset gets the
 * same flags as the default command, so a plain `PAGER=less` behaves as gh's does.
 */
function pagerEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { LESS: 'FRX', ...userEnvironment(env) };
}
