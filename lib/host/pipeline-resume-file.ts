/**
 * The resume file of a fan-out run (`-ResumeFile` of a per-customer cmdlet): a journal of the
 * pipeline input objects whose output was written whole. Line 1 names the run (cmdlet and the
 * parameters that decide its output); each later line is one input object done, appended once its
 * output was taken by stdout. Appending (instead of rewriting a list) keeps each record one small
 * write however many objects are done, and a run killed mid-write leaves at most a torn last line,
 * which the next read ignores: that object is simply done again.
 *
 * A cmdlet whose work must not be repeated blindly (a write) may also record an object as begun
 * before its work (`begin`: `{"key","line","begun":{...}}`, e.g. the request id it sends): a rerun
 * hands that back to the cmdlet for an object begun and not done (ItemJournal), so it repeats the
 * work exactly (the same request id) rather than anew.
 *
 * Objects are recorded by their key (the values they bound, e.g. the customer's id), not by their
 * line: the same pipeline run again may list customers added since, or in another order, and each
 * one is still done exactly once.
 *
 * The file is claimed for the run when it is opened (resume-file-claim.ts: one run at a time, never
 * a symlink or a file of another kind, a writable directory checked before the first object goes
 * out) and given up by `close()`.
 *
 * When stdout is a regular file, each record also carries its mark (`stdout`: device, inode and
 * size once the object's output was in it): a run stopped between an output and its record (a
 * SIGKILL, a full disk) leaves bytes after the last record's mark, which the next run with that
 * file as stdout cuts off before it writes (CmdletOutput.resumeFrom), so the file ends with every
 * object exactly once.
 */
import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { removeFile } from '../common/remove-file.js';
import type { StdoutMark } from '../cmdlet-support/cmdlet.js';
import type { ItemJournal } from '../cmdlet-support/item-journal.js';
import { stdoutMarkOf } from '../cmdlet-support/resume-file.js';
import {
  type ClaimedResumeFile,
  claimResumeFile,
  headerOf,
  notThisResumeFile,
  PIPELINE_RUN_KIND as KIND,
} from '../cmdlet-support/resume-file-claim.js';
import { ConfigFileError, UsageError } from '../common/errors.js';

const VERSION = 1;
/** How every header line begins (JSON.stringify keeps the order `header()` gives). */
const HEADER_START = `{"kind":"${KIND}"`;

/** What decides which objects a run writes: compared as JSON with the file's. */
export interface PipelineRunIdentity {
  cmdlet: string;
  parameters: Record<string, unknown>;
}

interface Header extends PipelineRunIdentity {
  kind: typeof KIND;
  version: typeof VERSION;
  createdAt: string;
}

export class PipelineResumeFile {
  readonly path: string;
  /** Keys recorded by earlier runs (and this one). */
  private readonly done = new Set<string>();
  /** What was recorded before the work of objects begun and not done (a write's request id). */
  private readonly begun = new Map<string, Readonly<Record<string, unknown>>>();
  /** Objects recorded by the earlier runs. */
  readonly earlier: number;
  private fd: number | undefined;
  private hasHeader = false;
  private recorded = 0;
  /** Where stdout stood at the last record, when it was a regular file. */
  private lastStdout: StdoutMark | undefined;
  private readonly claim: ClaimedResumeFile;

  /**
   * Claims the file and reads (and checks) it if it exists. A file of another run, or one that is
   * not a pipeline run's resume file, is refused before anything is done: resuming it would write
   * a different set, and writing it would destroy what it holds.
   */
  constructor(
    path: string,
    private readonly identity: PipelineRunIdentity,
  ) {
    this.claim = claimResumeFile(path, identity.cmdlet);
    this.path = this.claim.path;
    try {
      if (this.claim.text !== undefined) this.load(this.claim.text);
    } catch (error) {
      this.claim.release();
      throw error;
    }
    this.earlier = this.done.size;
  }

  /** Whether an earlier run already wrote this object's output. */
  isDone(key: string): boolean {
    return this.done.has(key);
  }

  /** This object's entry, for its cmdlet: what an earlier run began, and `begin` to record. */
  journalOf(key: string, line: number): ItemJournal {
    return {
      begun: this.begun.get(key),
      begin: (data) => {
        this.append(`${JSON.stringify({ key, line, begun: data })}\n`);
        this.begun.set(key, data);
      },
    };
  }

  /** The stdout mark of the last record (of earlier runs, then of this one). */
  get lastMark(): StdoutMark | undefined {
    return this.lastStdout;
  }

  /**
   * Records one object as done; called once stdout has taken its output whole, with stdout's mark
   * right after it when stdout is a regular file.
   */
  record(key: string, line: number, stdout?: StdoutMark): void {
    this.append(`${JSON.stringify(stdout ? { key, line, stdout } : { key, line })}\n`);
    this.done.add(key);
    this.begun.delete(key);
    this.recorded++;
    this.lastStdout = stdout;
  }

  /** One record, written whole (the header first in a new file) before this returns. */
  private append(record: string): void {
    try {
      // A new file (or one cut before its first line ended) starts with the header.
      this.fd ??= this.open();
      writeSync(this.fd, this.hasHeader ? record : `${JSON.stringify(this.header())}\n${record}`);
      this.hasHeader = true;
    } catch (error) {
      throw new ConfigFileError(
        `Cannot write the resume file '${this.path}': ${(error as Error).message}.`,
        {
          hint: 'Check that its directory exists and is writable, or choose another -ResumeFile.',
          cause: error,
        },
      );
    }
  }

  /** Objects recorded so far, earlier runs included. */
  get total(): number {
    return this.earlier + this.recorded;
  }

  /**
   * Closes the file; deletes it when the whole input was done (nothing is left to resume). The
   * file is then free for the next run.
   */
  close(complete: boolean): void {
    try {
      if (this.fd !== undefined) closeSync(this.fd);
      this.fd = undefined;
      if (complete) removeFile(this.path);
    } finally {
      this.claim.release();
    }
  }

  /**
   * The journal, for appending (or written from the start when it holds no whole line yet):
   * created 0600, never through a symlink.
   */
  private open(): number {
    const { O_WRONLY, O_CREAT, O_APPEND, O_TRUNC, O_NOFOLLOW } = constants;
    const flags = O_WRONLY | O_CREAT | (this.hasHeader ? O_APPEND : O_TRUNC) | (O_NOFOLLOW ?? 0);
    return openSync(this.path, flags, 0o600);
  }

  private header(): Header {
    return { kind: KIND, version: VERSION, ...this.identity, createdAt: new Date().toISOString() };
  }

  private load(text: string): void {
    const lines = text.split('\n');
    // After the last newline: nothing, or a line cut by a kill (that object is simply done again).
    const cut = lines.pop() ?? '';
    const wanted = `${this.identity.cmdlet}'s pipeline runs`;
    // Empty (a new file, as mktemp makes), or killed while writing its first line (after a power
    // loss some filesystems show the unwritten end as NUL bytes): nothing was recorded. Anything
    // else without a whole line is another file, never overwritten.
    if (lines.length === 0) {
      const begun = cut.replace(/\0+$/, '');
      if (HEADER_START.startsWith(begun) || begun.startsWith(HEADER_START)) return;
      throw notThisResumeFile(this.path, text, wanted);
    }
    const damaged = () =>
      new ConfigFileError(`The resume file '${this.path}' of ${this.identity.cmdlet} is damaged.`, {
        hint: 'Delete it to do every input object, or give another -ResumeFile.',
      });
    const header = headerOf(text);
    if (header?.kind !== KIND || header.cmdlet !== this.identity.cmdlet)
      throw notThisResumeFile(this.path, text, wanted);
    if (header.version !== VERSION) throw damaged();
    const differences = describeDifferences(
      (header.parameters ?? {}) as Record<string, unknown>,
      this.identity.parameters,
    );
    if (differences) {
      throw new UsageError(
        `The resume file '${this.path}' belongs to a run of ${this.identity.cmdlet} with other ` +
          `parameters (${differences}).`,
        {
          hint:
            'Resume with the parameters that run had, or delete the file (or choose another ' +
            '-ResumeFile) to do every input object.',
        },
      );
    }
    this.hasHeader = true;
    for (const line of lines.slice(1)) {
      const record = parseObject(line);
      if (typeof record?.key !== 'string') throw damaged();
      const { begun } = record;
      if (begun !== undefined) {
        if (!begun || typeof begun !== 'object' || Array.isArray(begun)) throw damaged();
        if (!this.done.has(record.key))
          this.begun.set(record.key, begun as Record<string, unknown>);
        continue;
      }
      this.done.add(record.key);
      this.begun.delete(record.key);
      this.lastStdout = stdoutMarkOf(record.stdout);
    }
  }
}

function parseObject(line: string | undefined): Record<string, unknown> | undefined {
  if (!line) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function describeDifferences(
  saved: Record<string, unknown>,
  now: Record<string, unknown>,
): string | undefined {
  const names = [...new Set([...Object.keys(saved), ...Object.keys(now)])].sort();
  const shown = (value: unknown) => (value === undefined ? 'not given' : JSON.stringify(value));
  const differing = names.filter(
    (name) => JSON.stringify(saved[name]) !== JSON.stringify(now[name]),
  );
  if (differing.length === 0) return undefined;
  return differing
    .map((name) => `-${name} ${shown(saved[name])} there, ${shown(now[name])} here`)
    .join('; ');
}
