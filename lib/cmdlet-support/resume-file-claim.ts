/**
 * What every resume file goes through before a run uses it, a listing's (resume-file.ts) and a
 * pipeline run's (lib/host/pipeline-resume-file.ts) alike. A resume file belongs to one run at a
 * time and is only ever a resume file:
 *
 * - a symlink, a directory or any other non-regular file is refused, never followed (lstat, then
 *   O_NOFOLLOW where the platform has it);
 * - the run takes the file's lock (`<file>.lock`, lib/common/lock-file.ts) before reading it: a
 *   second run on the same file is refused at once, naming the process that holds it, instead of
 *   doing every object twice; the lock of a killed run is taken over;
 * - taking the lock creates a file in the resume file's directory, and an existing resume file is
 *   opened for writing: a missing or read-only directory (or file) is refused before anything is
 *   sent or written, not discovered when the first position or record is saved;
 * - each kind of resume file recognises its own content (its first line's `kind`) and refuses any
 *   other file untouched, naming what it is when it is another kind of resume file (a listing's
 *   given to a pipeline run, or the other way round). An empty file (as mktemp makes) is a new one.
 *
 * Every refusal is a UsageError (exit 2): nothing was sent, and the fix is another -ResumeFile.
 */
import { closeSync, constants, lstatSync, openSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigFileError, UsageError } from '../common/errors.js';
import { acquireLock, describeHolder, type HeldLock, LockBusyError } from '../common/lock-file.js';

/**
 * Declared in parameters.ts, so a cmdlet's help does not load this module; kept here too for
 * modules that read the rules beside the claim.
 */
export { RESUME_FILE_RULES } from './parameters.js';

/** The kind a pipeline run's resume file names on its first line. */
export const PIPELINE_RUN_KIND = 'PartnerCenter.PipelineRun.Resume';

/** The kind a listing's resume file names, e.g. `PartnerCenter.CustomerListing.Resume`. */
export function listingKind(item: string): string {
  return `PartnerCenter.${item}Listing.Resume`;
}

const LISTING_KIND = /^PartnerCenter\.(\w+)Listing\.Resume$/;

/** Never follow a symlink where the platform can say so (not on Windows: lstat covers it there). */
const NO_FOLLOW = constants.O_NOFOLLOW ?? 0;

export interface ClaimedResumeFile {
  /** The absolute path. */
  readonly path: string;
  /** The file's content; undefined when it does not exist yet. */
  readonly text: string | undefined;
  /** Gives the file up for the next run (deletes the lock); safe to call twice. */
  release(): void;
}

/**
 * Takes `path` for this run (`cmdletName` names it to a run that finds it taken) and reads it.
 * The caller checks the content and calls `release()` when it refuses it or when the run ends.
 */
export function claimResumeFile(path: string, cmdletName: string): ClaimedResumeFile {
  const absolute = resolve(path);
  refuseNonRegular(absolute, lstatOrUndefined(absolute));
  let lock: HeldLock;
  try {
    lock = acquireLock(`${absolute}.lock`, cmdletName);
  } catch (error) {
    if (error instanceof LockBusyError) throw inUse(absolute, error);
    throw cannotWrite(absolute, error);
  }
  try {
    return { path: absolute, text: readForWriting(absolute), release: () => lock.release() };
  } catch (error) {
    lock.release();
    throw error;
  }
}

/**
 * A resume file as one run holds it: claimed by the first `read` (which checks the text with the
 * caller's `check`; a refusal gives the file up again), given up by `release`, safe to call twice.
 * The listing's and the billing export's position files both hold theirs this way.
 */
export class HeldResumeFile {
  private claim: ClaimedResumeFile | undefined;

  constructor(
    readonly path: string,
    private readonly cmdletName: string,
  ) {}

  read<T>(check: (text: string | undefined) => T): T {
    this.claim ??= claimResumeFile(this.path, this.cmdletName);
    try {
      return check(this.claim.text);
    } catch (error) {
      this.release();
      throw error;
    }
  }

  release(): void {
    this.claim?.release();
    this.claim = undefined;
  }
}

/**
 * The refusal of a file that is not the resume file this run needs; `owner` says whose it should
 * be, e.g. "Get-PartnerCustomerSubscription's pipeline runs".
 */
export function notThisResumeFile(path: string, text: string, owner: string): UsageError {
  const what = whatItIs(text);
  return new UsageError(
    `The resume file '${path}' ${what ?? 'is not a resume file of this module'}` +
      `${what ? `, not one of ${owner}` : ''}; it was left untouched.`,
    {
      hint:
        'Give this command a -ResumeFile of its own (a new path, or an empty file): each ' +
        'command of a pipeline needs its own.',
    },
  );
}

/** A resume file's first line (a listing's file is that one line), when it is a JSON object. */
export function headerOf(text: string): Record<string, unknown> | undefined {
  const end = text.indexOf('\n');
  try {
    const value: unknown = JSON.parse(end === -1 ? text : text.slice(0, end));
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** What a file is when it is a resume file of this module, from its first line. */
function whatItIs(text: string): string | undefined {
  const header = headerOf(text);
  const kind = typeof header?.kind === 'string' ? header.kind : '';
  if (kind === PIPELINE_RUN_KIND)
    return `is the resume file of a pipeline run of ${String(header?.cmdlet ?? 'another command')}`;
  const listing = LISTING_KIND.exec(kind);
  return listing ? `is the resume file of a ${listing[1]} listing` : undefined;
}

function lstatOrUndefined(path: string) {
  try {
    return lstatSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw cannotWrite(path, error);
  }
}

function refuseNonRegular(path: string, stats: ReturnType<typeof lstatOrUndefined>): void {
  if (!stats || stats.isFile()) return;
  const what = stats.isSymbolicLink()
    ? 'is a symbolic link (a resume file is never followed to another file)'
    : stats.isDirectory()
      ? 'is a directory'
      : 'is not a regular file';
  throw new UsageError(`The resume file '${path}' ${what}; it was left untouched.`, {
    hint: 'Give -ResumeFile the path of a regular file (or of one to be created).',
  });
}

/** The file's text, opened for writing so a file this run could not update is refused now. */
function readForWriting(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDWR | NO_FOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    // Replaced by a symlink since the lstat.
    if (code === 'ELOOP') refuseNonRegular(path, lstatOrUndefined(path));
    throw cannotWrite(path, error);
  }
  try {
    return readFileSync(fd, 'utf8');
  } catch (error) {
    throw new ConfigFileError(
      `Cannot read the resume file '${path}': ${(error as Error).message}.`,
      { hint: 'Check the file, or choose another -ResumeFile.', cause: error },
    );
  } finally {
    closeSync(fd);
  }
}

function inUse(path: string, error: LockBusyError): UsageError {
  if (!error.holder) {
    return new UsageError(
      `The resume file '${path}' is locked by '${error.lockPath}', which is not a lock this ` +
        'module wrote.',
      { hint: `If no run of this module uses the resume file, delete '${error.lockPath}'.` },
    );
  }
  return new UsageError(
    `The resume file '${path}' is in use by another run: ${describeHolder(error.holder)}.`,
    {
      hint:
        'Wait for that run to end, or give this one another -ResumeFile (two runs on one file ' +
        `would do the same objects twice). If that process is not a run of this module, delete '${error.lockPath}'.`,
    },
  );
}

/** The directory (or the file) cannot be written: said now, before the first object goes out. */
function cannotWrite(path: string, error: unknown): UsageError | ConfigFileError {
  const { code, message } = error as NodeJS.ErrnoException;
  const directory = dirname(path);
  const hint = 'Choose a -ResumeFile in a directory this user can write.';
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return new UsageError(
        `The resume file '${path}' cannot be created: the directory '${directory}' does not ` +
          'exist.',
        { hint: 'Create the directory, or choose another -ResumeFile.', cause: error },
      );
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new UsageError(
        `The resume file '${path}' cannot be written (${code}): '${directory}' or the file is ` +
          'read-only for this user.',
        { hint, cause: error },
      );
    default:
      return new ConfigFileError(`Cannot write the resume file '${path}': ${message}.`, {
        hint,
        cause: error,
      });
  }
}
