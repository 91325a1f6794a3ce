/**
 * What a run does when one pipeline object fails: PowerShell's non-terminating error, in one place
 * for every pipeline run (fan-out.ts, whatever its -ThrottleLimit), a single run and the Node API.
 *
 * - The -ErrorAction in force: the parameter, else PARTNERCENTER_ERROR_ACTION_PREFERENCE (which
 *   plays `$ErrorActionPreference`), else Continue, PowerShell's default.
 * - Stop, or an error that ends any run (not signed in, a signal, throttling past the retries):
 *   the run ends with that error. Otherwise the object failed and the run goes on: Continue writes
 *   one line for it; SilentlyContinue writes none but still counts it (PowerShell still records it
 *   in `$Error`; here the summary line with -Verbose and the Node API's `onError`); Ignore writes
 *   and records nothing. Whichever, the run exits 1 when any object failed, as PowerShell's `$?` is
 *   false after a command that wrote an error even under Ignore.
 * - The one line per failure fits the terminal (the object's name, its id, the reason in a few
 *   words with the service's status and code); on a pipe or a file it also keeps the full message,
 *   still on one line. The run ends with one summary line: how many failed, by reason, and whether a
 *   rerun could do better.
 */
import {
  ItemFailure,
  PartnerCenterModuleError,
  ServiceError,
  UsageError,
} from '../common/errors.js';
import { ExitCode } from '../common/exit-codes.js';
import { joinLines, untrustedLine } from '../common/text.js';
import { type CommonParameterValues, type ErrorAction, errorActions } from './common-parameters.js';
import { errorLine } from './error-report.js';

/** Measuring and cutting text in terminal columns (loaded only for a terminal). */
export interface TextWidth {
  displayWidth(text: string): number;
  truncateToWidth(text: string, width: number): string;
}

/** A terminal's width, and how to measure text on it. */
export interface Terminal extends TextWidth {
  width: number;
}

/** The terminal stderr is, with the width functions loaded; undefined for a pipe or a file. */
export async function terminalOf(columns: number | undefined): Promise<Terminal | undefined> {
  if (columns === undefined) return undefined;
  const { displayWidth, truncateToWidth } = await import('../common/text-width.js');
  return { width: columns, displayWidth, truncateToWidth };
}

export const ERROR_ACTION_VARIABLE = 'PARTNERCENTER_ERROR_ACTION_PREFERENCE';

/** PowerShell's default `$ErrorActionPreference`. */
export const DEFAULT_ERROR_ACTION: ErrorAction = 'Continue';

/**
 * The -ErrorAction of a run. Ignore is refused as a preference, as PowerShell refuses it for
 * `$ErrorActionPreference`: it is meant for one command, where dropping errors is a choice made
 * in sight of that command.
 */
export function errorActionOf(common: CommonParameterValues, env: NodeJS.ProcessEnv): ErrorAction {
  if (common.errorAction) return common.errorAction;
  const preference = env[ERROR_ACTION_VARIABLE]?.trim();
  if (!preference) return DEFAULT_ERROR_ACTION;
  const allowed = errorActions.filter((action) => action !== 'Ignore');
  const chosen = allowed.find((action) => action.toLowerCase() === preference.toLowerCase());
  if (chosen) return chosen;
  throw new UsageError(
    `${ERROR_ACTION_VARIABLE} is "${untrustedLine(preference, 40)}", which is not one of ` +
      `${allowed.join(', ')}.`,
    {
      hint:
        preference.toLowerCase() === 'ignore'
          ? 'Ignore is only for one command, as in PowerShell: give -ErrorAction Ignore.'
          : `Set it to one of them, or unset it (the default is ${DEFAULT_ERROR_ACTION}).`,
    },
  );
}

/** How failures are told: stderr lines (already redacted by the caller) and a terminal's width. */
export interface FailureOutput {
  line(text: string, prefix?: string): void;
  /** The terminal stderr is; absent when stderr is a pipe or a file. */
  terminal?: Terminal;
  /** -Verbose: the summary is shown even under SilentlyContinue. */
  verbose: boolean;
  /** The Node API's `onError`: every failure that is recorded (Continue, SilentlyContinue). */
  onError?: (error: unknown) => void;
  /** A call from Node: the summary speaks of the call's parameters, not of command-line words. */
  inProcess?: boolean;
  /**
   * The cmdlet's -ResumeFile records pipeline input objects (a fan-out's, `concurrentInput`), so
   * the summary may offer it for a rerun. Otherwise a -ResumeFile, if any, is the cmdlet's own
   * (an export's position), which retries no failed object: the summary offers none.
   */
  recordsInput?: boolean;
}

/** The input objects of a run, as the summary names them. */
export interface ItemNoun {
  one: string;
  many: string;
}

const INPUT_OBJECTS: ItemNoun = { one: 'input object', many: 'input objects' };

/** The failed objects of one run: what each failure does to the run, its line, the summary. */
export class ItemFailures {
  /** Objects that failed without ending the run. */
  count = 0;
  private readonly byReason = new Map<string, number>();
  /** Failures a rerun may get through (the service failing for a while), unlike a 403 or a 404. */
  private passing = 0;

  constructor(
    private readonly cmdletName: string,
    readonly action: ErrorAction,
    private readonly output: FailureOutput,
  ) {}

  /**
   * One object failed. True when the run must end with this error (Stop, or an error that ends
   * any run): the caller reports it as the run's end. Otherwise it is counted and, under
   * Continue, reported on its one line.
   */
  stops(error: unknown): boolean {
    if (this.action === 'Stop' || endsRun(error)) return true;
    this.count++;
    if (this.action === 'Ignore') return false;
    const reason = shortReason(error);
    this.byReason.set(reason, (this.byReason.get(reason) ?? 0) + 1);
    if (mayPassOnRerun(error)) this.passing++;
    this.output.onError?.(error);
    if (this.action === 'Continue') this.output.line(this.lineFor(error));
    return false;
  }

  /**
   * The run's only object failed (its input on the command line): whether its own full line is
   * shown (nothing to sum up, and the exit code stays the error's). SilentlyContinue and Ignore
   * silence it, unless it is an error that ends any run.
   */
  showsAlone(error: unknown): boolean {
    return endsRun(error) || (this.action !== 'SilentlyContinue' && this.action !== 'Ignore');
  }

  /** The one line for a failed object, fitted to the terminal when stderr is one. */
  private lineFor(error: unknown): string {
    return itemFailureLine(this.cmdletName, error, this.output.terminal);
  }

  /**
   * The run went through its input: the summary line (Continue; SilentlyContinue with -Verbose)
   * and the exit code, 1 when any object failed. `read`: input objects read; `resumeFile`: the
   * run's resume file, which records the objects done.
   */
  finish(read: number, noun: ItemNoun = INPUT_OBJECTS, resumeFile?: string): number {
    if (this.count === 0) return ExitCode.Success;
    const show =
      this.action === 'Continue' || (this.action === 'SilentlyContinue' && this.output.verbose);
    if (show)
      this.output.line(
        this.summary(read, noun, resumeFile),
        this.action === 'Continue' ? '' : 'VERBOSE: ',
      );
    return ExitCode.Failure;
  }

  private summary(read: number, noun: ItemNoun, resumeFile: string | undefined): string {
    const n = (value: number) => value.toLocaleString('en-US');
    const reasons = [...this.byReason]
      .sort((a, b) => b[1] - a[1])
      .map(([reason, count]) => `${n(count)} × ${reason}`)
      .join(', ');
    const failed =
      `${n(this.count)} of ${n(read)} ${read === 1 ? noun.one : noun.many} failed` +
      (reasons ? `: ${reasons}.` : '.');
    if (this.passing === 0) return `${this.cmdletName}: ${failed}`;
    const some =
      this.passing < this.count ? `${n(this.passing)} of them` : this.count === 1 ? 'It' : 'They';
    const { inProcess, recordsInput } = this.output;
    if (!resumeFile && !recordsInput)
      return `${this.cmdletName}: ${failed} ${some} may pass later.`;
    const rerun = resumeFile
      ? `${resumeFile} records the others: ${inProcess ? 'make the same call' : 'run the same pipeline'} ` +
        'again with it to retry only the failed ones.'
      : inProcess
        ? 'Giving the call ResumeFile: <file> lets the same call again retry only the failed ones.'
        : 'Ending the pipeline in -ResumeFile <file> lets a rerun retry only the failed ones.';
    return `${this.cmdletName}: ${failed} ${some} may pass later. ${rerun}`;
  }
}

/** Whether the failure ends the whole run, whatever -ErrorAction says: the error says so itself. */
export function endsRun(error: unknown): boolean {
  return error instanceof PartnerCenterModuleError && error.endsRun;
}

/**
 * A failure the same request may not meet again: the service failing (5xx, or still failing when
 * the retries ran out). A refusal (400, 403, 404) or bad input meets the same answer on a rerun.
 */
export function mayPassOnRerun(error: unknown): boolean {
  const cause = error instanceof ItemFailure ? error.cause : error;
  if (!(cause instanceof ServiceError)) return false;
  const { status } = cause;
  return status === undefined || status >= 500 || status === 408 || status === 429;
}

/** What a failure without words of its own is, by the exit code it carries. */
const REASON_BY_EXIT_CODE: Readonly<Record<number, string>> = {
  [ExitCode.Usage]: 'bad input',
  [ExitCode.Authentication]: 'access denied',
  [ExitCode.NotFound]: 'not found',
  [ExitCode.ServiceFailure]: 'service failure',
};

/** The reason in a few words with the service's status and code: `not found (404)`. */
function shortReason(error: unknown): string {
  if (!(error instanceof PartnerCenterModuleError)) return 'unexpected error';
  const reason = error.reason ?? REASON_BY_EXIT_CODE[error.exitCode] ?? 'failed';
  // A code of 0 (a gateway's or a generic answer's) tells nothing.
  const code = error.serviceCode === 0 || error.serviceCode === '' ? undefined : error.serviceCode;
  const answer = [error.status, code].filter((part) => part !== undefined).join(', ');
  return answer ? `${reason} (${answer})` : reason;
}

/**
 * The line for one failed object: `<Cmdlet>: <name> (<id>): <reason> (<status>, <code>)`.
 * On a terminal it fits its width (the id shortened, then the name cut); elsewhere it keeps the
 * full message after the short form, still one line. A failure that names no object (a bad input
 * line) is its error line, cut to the terminal.
 */
export function itemFailureLine(cmdletName: string, error: unknown, terminal?: Terminal): string {
  // The last column left free: a line that fills it wraps on some terminals.
  const room = terminal && Math.max(20, terminal.width - 1);
  if (!(error instanceof ItemFailure) || !error.reason) {
    const line = errorLine(cmdletName, error);
    return terminal && room ? terminal.truncateToWidth(line, room) : line;
  }
  const { item } = error;
  const name = item.name ? untrustedLine(item.name, 200) : undefined;
  const reason = shortReason(error);
  const label = (id: string, shownName = name) =>
    shownName ? `${shownName} (${id})` : `${item.kind} ${id}`;
  const line = (shownLabel: string) => `${cmdletName}: ${shownLabel}: ${reason}`;
  if (!terminal || !room) {
    // Full detail for a log (the request, the service's words), without the hint the short
    // reason already says; still one line.
    return `${line(label(item.id))}. ${joinLines(error.cause.message)}`;
  }
  const { displayWidth, truncateToWidth } = terminal;
  const fits = (text: string) => displayWidth(text) <= room;
  const full = line(label(item.id));
  if (fits(full)) return full;
  const shortId = item.id.length > 9 ? `${item.id.slice(0, 8)}…` : item.id;
  const shortened = line(label(shortId));
  if (fits(shortened) || !name) return truncateToWidth(shortened, room);
  // The name gives way down to a few characters, then the id goes (the name still tells the
  // object apart on a screen, and the log line of a pipe or file keeps it); then the line's end.
  const withName = (suffix: string, least: number) =>
    line(`${truncateToWidth(name, Math.max(least, room - displayWidth(line(suffix))))}${suffix}`);
  const cutName = withName(` (${shortId})`, 8);
  if (fits(cutName)) return cutName;
  return truncateToWidth(withName('', 6), room);
}
