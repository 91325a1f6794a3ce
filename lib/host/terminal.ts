/**
 * The terminal the command was started from, opened by name (/dev/tty; on Windows the console,
 * CONIN$ and CONOUT$) rather than through stdin and stderr: in a pipeline stdin carries the
 * objects, and a question read from it would eat them, while the terminal is still the person's
 * (as sudo, ssh and gpg ask for a password). Used for the questions of confirm.ts and
 * prompt-mandatory.ts. A process without a controlling terminal (cron, a runbook, a CI job, a
 * service) fails to open it: then nobody can be asked.
 */
import { closeSync, openSync } from 'node:fs';
import { Writable } from 'node:stream';
import { ReadStream, WriteStream } from 'node:tty';

export interface Terminal {
  /** Writes text where the person reads it. */
  write(text: string): void;
  /**
   * Shows `question` and reads one line typed after it (line editing as readline gives it; a
   * secret without echo). Undefined when the terminal ended (Ctrl-D). Ctrl-C at the question
   * stops the run as a SIGINT would; an aborted `signal` ends the wait.
   */
  readLine(
    question: string,
    options?: { secret?: boolean; signal?: AbortSignal },
  ): Promise<string | undefined>;
}

interface TerminalPaths {
  input: string;
  output: string;
}

function pathsFor(platform: NodeJS.Platform): TerminalPaths {
  return platform === 'win32'
    ? { input: 'CONIN$', output: 'CONOUT$' }
    : { input: '/dev/tty', output: '/dev/tty' };
}

/**
 * The process's terminal, or undefined when it has none. Each question opens it anew and closes it
 * after the answer, so nothing of the terminal stays open (or in raw mode) between questions.
 */
export function processTerminal(
  platform: NodeJS.Platform = process.platform,
): Terminal | undefined {
  const paths = pathsFor(platform);
  let probe: number;
  try {
    probe = openSync(paths.input, 'r');
  } catch {
    return undefined;
  }
  closeSync(probe);
  return new DeviceTerminal(paths);
}

class DeviceTerminal implements Terminal {
  constructor(private readonly paths: TerminalPaths) {}

  write(text: string): void {
    const output = this.openOutput();
    try {
      output.write(text);
    } finally {
      output.end();
    }
  }

  async readLine(
    question: string,
    options: { secret?: boolean; signal?: AbortSignal } = {},
  ): Promise<string | undefined> {
    const { secret = false, signal } = options;
    // Loaded by the runs that ask something, not by every command's start-up.
    const { createInterface } = await import('node:readline');
    if (signal?.aborted) return undefined;
    const input = new ReadStream(openSync(this.paths.input, 'r'));
    const terminal = this.openOutput();
    let muted = false;
    // readline echoes what is typed through `output`: for a secret, swallow all after the question.
    const output = new Writable({
      write(chunk, _encoding, done) {
        if (!muted) terminal.write(chunk);
        done();
      },
    });
    const reader = createInterface({ input, output, terminal: true });
    return new Promise((resolve) => {
      let answer: string | undefined;
      const finish = () => {
        signal?.removeEventListener('abort', close);
        input.destroy();
        terminal.end();
        resolve(answer);
      };
      const close = () => reader.close();
      reader.once('close', finish);
      // In raw mode Ctrl-C is a key, not a signal: pass it on as the signal it means, so the run
      // stops the way it stops anywhere else (main's handler, exit 130).
      reader.on('SIGINT', () => {
        terminal.write('^C\n');
        reader.close();
        process.kill(process.pid, 'SIGINT');
      });
      signal?.addEventListener('abort', close, { once: true });
      reader.question(question, (typed) => {
        answer = typed.trim();
        if (secret) terminal.write('\n');
        reader.close();
      });
      muted = secret;
    });
  }

  private openOutput(): WriteStream {
    return new WriteStream(openSync(this.paths.output, 'w'));
  }
}
