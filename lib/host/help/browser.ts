/**
 * Opens a web page for `Get-Help -Online`: the command in `BROWSER` (the convention xdg-open, git
 * and gh share), else the desktop's opener (xdg-open where a display exists, `open` on macOS,
 * Explorer on Windows). It never waits for the browser, and never starts one where nobody can see
 * it (no display: an SSH session, CI), where a text browser would take over the terminal; the
 * caller then only prints the address.
 */
import { spawn } from 'node:child_process';
import { userEnvironment } from './user-environment.js';

/** The opener's command and its arguments before the URL, or undefined where none can show it. */
export function browserCommand(env: NodeJS.ProcessEnv): [string, ...string[]] | undefined {
  const chosen = env.BROWSER?.split(process.platform === 'win32' ? ';' : ':')[0]?.trim();
  if (chosen) return [chosen];
  if (process.platform === 'darwin') return ['open'];
  if (process.platform === 'win32') return ['explorer.exe'];
  return env.DISPLAY || env.WAYLAND_DISPLAY ? ['xdg-open'] : undefined;
}

/** Resolves true once the opener started (not when the page shows), false when it could not. */
export function openInBrowser(url: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  const command = browserCommand(env);
  if (!command) return Promise.resolve(false);
  const [program, ...args] = command;
  return new Promise((resolve) => {
    const child = spawn(program, [...args, url], {
      detached: true,
      stdio: 'ignore',
      env: userEnvironment(env),
    });
    child.once('error', () => resolve(false));
    child.once('spawn', () => {
      child.unref();
      resolve(true);
    });
  });
}
