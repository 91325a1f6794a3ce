/**
 * How a failure reads on stderr: one line, `<Cmdlet>: <message> <hint>`, and the exit code the
 * error carries (lib/errors.ts). Anything that is not one of our errors is a bug or an unforeseen
 * condition: exit 1, still one line; its stack only with -Debug.
 */
import { ExitCode } from '../common/exit-codes.js';
import { PartnerCenterModuleError } from '../common/errors.js';
import { joinLines } from '../common/text.js';

export function exitCodeOf(error: unknown): number {
  return error instanceof PartnerCenterModuleError ? error.exitCode : ExitCode.Failure;
}

/** The one line for `error` (without its newline), already on one line; the caller redacts. */
export function errorLine(cmdletName: string, error: unknown): string {
  let text: string;
  if (error instanceof PartnerCenterModuleError) {
    text = [error.message, error.hint].filter(Boolean).join(' ');
  } else if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    text =
      `Unexpected error: ${error.message || error.name}${code && !error.message.includes(code) ? ` (${code})` : ''}. ` +
      'Run again with -Debug for details; if it persists, report it.';
  } else {
    text =
      `Unexpected error: ${String(error)}. Run again with -Debug for details; ` +
      'if it persists, report it.';
  }
  return `${cmdletName}: ${joinLines(text)}`;
}

/** The stack and causes of an error, for -Debug. */
export function errorDetails(error: unknown): string[] {
  const lines: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 5; depth++) {
    lines.push(...(current.stack ?? `${current.name}: ${current.message}`).split('\n'));
    current = current.cause;
    if (current !== undefined) lines.push('Caused by:');
  }
  return lines;
}
