/**
 * The contract between a cmdlet file and the host. A cmdlet declares its parameters (the binder,
 * the help renderer and shell completion all read the same declaration, so help cannot drift from
 * behaviour) and an async generator that yields output objects. It never touches argv, stdout,
 * process.exit or the terminal: the host does.
 */

import type { ConcurrentInput } from './fan-out.js';
import type { ItemJournal } from './item-journal.js';
import type { RunCommandLine } from './rerun.js';
import type { CmdletServices } from './services.js';

export type ParameterType =
  | 'string'
  | 'int'
  | 'guid'
  | 'switch'
  /**
   * A string that must never be echoed: help shows `<SecureString>`, -Debug and errors redact it.
   */
  | 'secret'
  /** A file path; with `mustExist` the binder checks it before anything runs. */
  | 'path'
  /** Comma-separated or repeated. */
  | 'string[]';

export interface ParameterDeclaration {
  type: ParameterType;
  description: string;
  /** Parameter sets this parameter belongs to; omitted means every set. */
  sets?: readonly string[];
  /** true: mandatory in each of its sets; or the names of the sets where it is mandatory. */
  mandatory?: boolean | readonly string[];
  /** Position for positional binding (0-based), where declared. */
  position?: number;
  aliases?: readonly string[];
  /** Shown in help and used when the parameter is not given. */
  default?: string | number | boolean;
  /** Allowed values, matched case-insensitively and bound in this canonical case. */
  choices?: readonly string[];
  /** Inclusive range for `int`. */
  range?: readonly [number, number];
  /** Regular expression a `string` must match, with a description of what it allows. */
  pattern?: { regex: RegExp; allowed: string };
  /** `path`: must name an existing file. */
  mustExist?: boolean;
  /** Binds from the same-named (or aliased) property of each NDJSON object on stdin. */
  pipeline?: 'byPropertyName';
  /**
   * Partner Center resources name their kind in `attributes.objectType`: the `id` of an object of
   * one of these kinds binds to this parameter (a Customer's id to -CustomerId, a CustomerUser's to
   * -UserId), and the `id` of an object of any other kind does not, even through an `Id` alias.
   * Objects without an objectType bind their `id` through the aliases as before.
   */
  idOf?: readonly string[];
  /**
   * Environment variable read when the parameter is not given (e.g. PARTNERCENTER_CLIENT_SECRET).
   */
  env?: string;
  /** Left out of help, syntax and shell completion (internal switches); still bound when typed. */
  hidden?: boolean;
  /**
   * Changes how the work is done, not which objects are written (-MaxRetry, -ThrottleLimit): a run
   * resumed from a resume file may give another value.
   */
  outputNeutral?: boolean;
}

export interface CmdletExample {
  title: string;
  code: string;
  remarks?: string;
}

/**
 * How the table and CSV formats show an object type by default (e.g. customers). What each
 * column holds is declared, so the table knows what it may cut or leave out on a narrow
 * terminal (about_OutputFormats states the rule).
 */
export interface ViewColumn {
  /** Column heading (the CSV header). */
  name: string;
  /** Dotted property path into the output object, e.g. `companyProfile.domain`. */
  path: string;
  /**
   * What the column holds. `id`: an identifier people copy (a GUID, a domain); a table never cuts
   * it. `text`: free text (a company or offer name); it gets the room the other columns leave and
   * is cut with an ellipsis when that is too little. `date`: an ISO 8601 time, which a table
   * shows as a date, with the UTC time to the minute unless it is midnight. Unset: a short value
   * (a status, a count, a flag), kept whole where the terminal allows.
   */
  kind?: 'id' | 'text' | 'date';
  /** Table: a shorter heading where the name is much wider than the values (`Active`). */
  shortName?: string;
  /**
   * Table: the least width the column gets. A streamed table sizes its columns by the first rows,
   * so a value that may be longer later (a status) would be cut. For `text`, the width it keeps
   * before columns that may be left out give way.
   */
  minWidth?: number;
  /**
   * Table: may be left out when the terminal is too narrow for every column; those with the
   * lowest number go first. Columns without it always stay.
   */
  drop?: number;
  /**
   * Table: shown as a line above each run of rows with the same value (PowerShell's
   * Format-Table -GroupBy) instead of as a column, e.g. the customer of subscriptions.
   */
  group?: boolean;
}

/** The formats for people a command may show by default on a terminal. */
export type TerminalFormat = 'Table' | 'List';

export interface CmdletDefinition<P = Record<string, unknown>> {
  name: string;
  synopsis: string;
  description: string;
  /** Set used when the given parameters fit several (or none were given). */
  defaultParameterSet?: string;
  /** Declared through `defineCmdlet`, which computes `run`'s parameter types from them. */
  parameters: Readonly<Record<string, ParameterDeclaration>>;
  /** Help's INPUTS section. */
  inputs?: string;
  /**
   * The type of each object written, by its name in lib/output-types.ts: the typed Node function
   * returns it, and help's OUTPUTS lists its properties (the build reads them from the type).
   */
  outputType?: string;
  /** More for help's OUTPUTS than the type says (when objects are written, what is left out). */
  outputs?: string;
  /** Default columns for Table/Csv output of what this cmdlet yields. */
  view?: readonly ViewColumn[];
  /**
   * What a person sees on a terminal when no format was chosen (about_OutputFormats): `List` for
   * a command that writes one object or objects with many long properties (a context, an
   * environment), else a Table of the view. Decided from the parameters given on the command
   * line (Get-PartnerContext shows a table with -ListAvailable).
   */
  terminalFormat?(given: Partial<P>): TerminalFormat;
  examples: readonly CmdletExample[];
  /** Extra help text, e.g. notes; shown by -Detailed and -Full. */
  notes?: string;
  /**
   * The public documentation of the Partner Center (or Graph) operation the cmdlet calls, as
   * PowerShell's HelpUri: help's RELATED LINKS, and what `Get-Help <cmdlet> -Online` opens.
   */
  helpUri?: string;
  /**
   * Its text output is a page to read (help): on a terminal, text longer than the screen goes
   * through the pager (lib/host/help/pager.ts).
   */
  pagedText?: boolean;
  /**
   * Set by a cmdlet that works on many pipeline input objects at once (every per-customer cmdlet):
   * it declares `fanOutParameters` (-ThrottleLimit, -ResumeFile, -First) and the host runs up to
   * -ThrottleLimit invocations of `run` side by side (lib/host/fan-out.ts). Names the input
   * objects for messages.
   */
  concurrentInput?: ConcurrentInput;
  /**
   * Set by a cmdlet that changes something (PowerShell's SupportsShouldProcess), with how much a
   * change matters (its ConfirmImpact). The host then gives it -WhatIf, -Confirm and -Force, and
   * it calls `context.shouldProcess` before each change (lib/host/confirm.ts, about_CommonParameters).
   */
  changes?: { confirmImpact: ConfirmImpact };
  /** Called once per pipeline input object (or once when there is no pipeline input). */
  run(parameters: P, context: CmdletContext): AsyncIterable<unknown>;
}

/**
 * How much a change matters, as PowerShell's ConfirmImpact: a change is confirmed when its impact
 * is at least PARTNERCENTER_CONFIRM_PREFERENCE (PowerShell's $ConfirmPreference, High by default).
 */
export type ConfirmImpact = 'Low' | 'Medium' | 'High';

/** One property a change sets, for -WhatIf and the confirmation: `quantity 10 → 12`. */
export interface PropertyChange {
  property: string;
  before: unknown;
  after: unknown;
}

/**
 * Asks whether to make one change (PowerShell's ShouldProcess): `target` names what changes (a
 * customer's subscription), `action` what is done to it ("Set subscription"), `detail` what it
 * becomes (a sentence, or the properties before → after). Resolves true when the cmdlet may make
 * the change now; false under -WhatIf (the host printed what would change) or when the person at
 * the terminal said No. Rejects when the run must stop (a confirmation is due and nobody can
 * answer, Ctrl-C at the question).
 */
export type ShouldProcess = (
  target: string,
  action: string,
  detail?: string | readonly PropertyChange[],
) => Promise<boolean>;

/**
 * What the host gives a running cmdlet. Everything here is injectable, so specs drive a cmdlet
 * without a terminal.
 */
export interface CmdletContext {
  /** The parameter set the binder chose. */
  parameterSet: string;
  /**
   * The pipeline object this invocation was bound from (PowerShell's `$_`), when there is one: a
   * cmdlet names it in a failure (a customer's company name as well as its id).
   */
  pipelineObject?: Readonly<Record<string, unknown>>;
  /** Aborted on SIGINT/SIGTERM or when stdout's reader went away (e.g. `| head`). */
  signal: AbortSignal;
  /** One GUID for the whole command run: Partner Center's MS-CorrelationId. */
  correlationId: string;
  /**
   * The run's services (stores, the Partner Center client), built by the host once per run and
   * shared by its pipeline objects. Cmdlets reach the session and the API only through these.
   */
  services: CmdletServices;
  /**
   * Call before each change, and make it only when this resolves true (see ShouldProcess). For a
   * cmdlet that does not declare `changes`, it throws: a write must be declared to be confirmed.
   */
  shouldProcess: ShouldProcess;
  /** -Verbose: a line of what the cmdlet is doing, on stderr. No-op otherwise. */
  verbose(message: string): void;
  /** A warning line on stderr (always shown). */
  warn(message: string): void;
  /**
   * -Debug: a trace line (HTTP trace). Undefined when -Debug is off. Callers must redact secrets.
   */
  debug?: (message: string) => void;
  /**
   * Progress of a long listing or export; the host shows it on a terminal only (`detail`: the
   * cmdlet's own words for where it stands, after the counts).
   */
  progress(status: { activity: string; pages?: number; items?: number; detail?: string }): void;
  /** A message meant for the person at the keyboard (e.g. a device code), on stderr. */
  inform(message: string): void;
  /** -Context <name> or PARTNERCENTER_CONTEXT; undefined means the default context. */
  contextName?: string;
  /** The environment the cmdlet should read (process.env in production). */
  env: NodeJS.ProcessEnv;
  /**
   * A person is at a terminal (stdin and stderr are TTYs and CI is unset): only then may a cmdlet
   * start anything that waits for a human, such as a browser sign-in. Undefined counts as false.
   */
  interactive?: boolean;
  /** Width of the terminal stdout goes to, when it is one (help text wraps to it). */
  terminalColumns?: number;
  /**
   * What a cmdlet that records its progress (a resume file) needs of stdout; absent where the
   * caller takes the objects itself (from Node), which then counts as taken at once.
   */
  output?: CmdletOutput;
  /**
   * The command line the run was started with (a call from Node: its parameters), from which the
   * command that continues a stopped run is derived (rerun.ts); absent in a context made by hand.
   */
  commandLine?: RunCommandLine;
  /**
   * This pipeline object's entry in the run's -ResumeFile (item-journal.ts): what an earlier run
   * began of it, and `begin` to record what a rerun needs before work that must not be repeated
   * blindly. Absent without a resume file, and for a run without pipeline input.
   */
  journal?: ItemJournal;
  /**
   * Standard input as bytes, for a cmdlet that reads text rather than pipeline objects
   * (ConvertFrom-Csv) and so declares no pipeline parameter: the host then leaves stdin unread.
   * Absent in-process, where callers hand values as parameters.
   */
  standardInput?: AsyncIterable<Uint8Array | string>;
}

/**
 * Where a regular file used as stdout stood once some output was in it: its device, inode (as
 * decimal strings: they may not fit a double) and size. A resume file keeps the mark of its last
 * record, so that a resumed run writing to the same file can cut off what came after it (a run
 * killed or stopped between its output and its record).
 */
export interface StdoutMark {
  dev: string;
  ino: string;
  size: number;
}

export interface CmdletOutput {
  /**
   * Hands everything yielded so far to stdout and tells whether it got out of the process whole:
   * `true` at once when it did there and then (a file, or a pipe with room: then record in the same
   * turn), a promise otherwise; `false` when stdout failed or its reader went away: nothing may
   * then be recorded as written.
   */
  delivered(): boolean | Promise<boolean>;
  /** Where stdout stands now, when it is a regular file (call right after `delivered()`). */
  mark(): StdoutMark | undefined;
  /**
   * After stdout failed: cuts it back to `mark` (what the last record says was written), when it
   * is the file of that mark. Returns a sentence for the stop line saying what was removed, or
   * what is left torn and how to remove it.
   */
  cutBackTo(mark: StdoutMark | undefined): string | undefined;
  /**
   * Before a resumed run writes: when stdout is the file the earlier run's last record marks,
   * removes what that run wrote after the record (it is written again now). Refuses (UsageError)
   * a file that holds less than the mark (emptied by `>` since: the output the records speak of
   * is gone), or one it cannot cut; `resumeFile` names the record in those messages. Returns the
   * bytes removed.
   */
  resumeFrom(mark: StdoutMark | undefined, resumeFile: string): number;
}

/**
 * Preformatted text a cmdlet yields instead of an object (a help page, a completion script): the
 * host writes it to stdout as it is, whatever -OutputFormat says, ending it with a newline if it
 * lacks one.
 */
export class TextOutput {
  constructor(readonly text: string) {}
}

/**
 * Several objects yielded at once, written in order exactly as if they had been yielded one by one
 * (PowerShell's WriteObject(list, enumerateCollection: true)). A listing hands out each page this
 * way: the host then waits for a congested stdout and checks for signals between pages rather than
 * between objects, which saves a trip through every generator of the chain per object (most of
 * what a long listing allocated).
 */
export class ObjectList<T = unknown> {
  constructor(readonly objects: Iterable<T>) {}
}

export { defineCmdlet } from './parameter-types.js';
