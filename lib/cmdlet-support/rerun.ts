/**
 * The command that continues a stopped run, derived in one place from what the run was given: the
 * fan-out's ("end the pipeline in: ..."), a listing's ("run: ...") and a write's alike. The host
 * hands the run's command line to the cmdlet (CmdletContext.commandLine), so no cmdlet writes its
 * own words for it.
 *
 * Two ways to repeat a run, because they continue differently:
 * - the whole run (`repeatRun`): a pipeline continued through its -ResumeFile repeats every
 *   parameter it was given (bar the resume file and secrets) and the common parameters that shape
 *   its output, so the rerun is the same command with the same file;
 * - a listing's selection (`repeatSelection`): what decides which items are listed, without the
 *   parameters that only change how the work is done (`outputNeutral`: -MaxRetry) and without the
 *   listing's own position (-PageSize, -First, -Skip, -ContinuationToken, -ResumeFile), which the
 *   listing writes itself from where it stopped; then -OutputFormat and -Property when given, so
 *   that what the rerun adds has the shape of what the stopped run wrote.
 */
import type { ParameterDeclaration } from './cmdlet.js';

/** The command line a run was started with (a call from Node: its parameters), as bound. */
export interface RunCommandLine {
  cmdlet: string;
  /** The cmdlet's declarations: which parameters are secret, which `outputNeutral`. */
  parameters: Readonly<Record<string, ParameterDeclaration>>;
  /** The cmdlet's own parameters given, in the order given, converted. */
  given: ReadonlyMap<string, unknown>;
  /** The common parameters given that the rerun repeats. */
  common: {
    errorAction?: string;
    outputFormat?: string;
    property?: readonly string[];
    contextName?: string;
  };
  /** A call from Node: continued with parameters, not command-line words. */
  inProcess: boolean;
}

/** The parameters a listing writes itself from where it stopped. */
const LISTING_POSITION: ReadonlySet<string> = new Set([
  'PageSize',
  'First',
  'Skip',
  'ContinuationToken',
  'ResumeFile',
]);

/**
 * The words that repeat the whole run, bar -ResumeFile and secrets, then the common parameters;
 * `dropStop`: without -ErrorAction Stop (a rerun with it would stop at the same object again).
 */
export function repeatRun(line: RunCommandLine, options: { dropStop?: boolean } = {}): string[] {
  const words = wordsOf(line, (name) => name !== 'ResumeFile');
  const { common } = line;
  if (common.errorAction && !(options.dropStop && common.errorAction === 'Stop'))
    words.push('-ErrorAction', common.errorAction);
  if (common.outputFormat) words.push('-OutputFormat', common.outputFormat);
  if (common.property) words.push('-Property', common.property.join(','));
  if (common.contextName !== undefined) words.push('-Context', common.contextName);
  return words;
}

/**
 * The words that repeat what a listing selects (`-Domain contoso`), for its own command. `pinned`:
 * values the cmdlet resolved itself that the rerun must repeat as they are, given or not (a window
 * of days counted from today, which tomorrow's default would move); they come first.
 */
export function repeatSelection(
  line: RunCommandLine,
  pinned: Readonly<Record<string, unknown>> = {},
): string[] {
  const given = new Map([...Object.entries(pinned), ...line.given]);
  for (const [name, value] of Object.entries(pinned)) given.set(name, value);
  const words = wordsOf(
    { ...line, given },
    (name, declaration) => !declaration.outputNeutral && !LISTING_POSITION.has(name),
  );
  // The rerun appends to the output the stopped run wrote: it must write it in the same shape
  // (a Csv file continued as Csv, not as NDJSON).
  const { outputFormat, property } = line.common;
  if (outputFormat) words.push('-OutputFormat', outputFormat);
  if (property) words.push('-Property', property.join(','));
  return words;
}

/** `-Name value` for each parameter given that `keep` keeps (never a secret). */
function wordsOf(
  line: RunCommandLine,
  keep: (name: string, declaration: ParameterDeclaration) => boolean,
): string[] {
  const words: string[] = [];
  for (const [name, value] of line.given) {
    const declaration = line.parameters[name];
    if (!declaration || declaration.type === 'secret' || !keep(name, declaration)) continue;
    if (value === true) words.push(`-${name}`);
    else if (value !== false)
      words.push(`-${name}`, Array.isArray(value) ? value.join(',') : String(value));
  }
  return words;
}
