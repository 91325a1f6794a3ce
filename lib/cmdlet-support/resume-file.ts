/**
 * The resume file of a listing (`-ResumeFile`): where the listing stands, rewritten atomically
 * after every page whose items were all handed out, so a run killed at any moment leaves a file
 * that is either the old position or the new one. It names the listing it belongs to (its kind of
 * item, page size, selection such as a search, -First, -Skip), so a resume with other parameters
 * is refused instead of silently producing a different set. Reading it claims it for this run
 * (resume-file-claim.ts: one run at a time, never a symlink or another file, a writable directory)
 * until `release()`.
 */

import { resolve } from 'node:path';
import { removeFile } from '../common/remove-file.js';
import { ConfigFileError, UsageError } from '../common/errors.js';
import { writePrivateJson } from '../session/atomic-file.js';
import { HeldResumeFile, headerOf, listingKind, notThisResumeFile } from './resume-file-claim.js';
import type { ListingPosition } from '../partner-center/resumable-listing.js';
import type { StdoutMark } from './cmdlet.js';

const VERSION = 1;

/**
 * What else decides which items a listing returns: a customer search's `{ field, value }`, a
 * customer's id; null for none. Compared as JSON.
 */
export type ListingSelection = { field: string; value: string } | Record<string, unknown> | null;

/** The parameters that decide which items a listing returns, in the order it returns them. */
export interface ListingIdentity {
  pageSize: number;
  filter: ListingSelection;
  first: number | null;
  skip: number;
}

export interface ResumeState {
  position: ListingPosition;
  /** Customers written by every run of this listing so far. */
  written: number;
  /**
   * Where stdout stood once the items up to `position` were in it, when it is a regular file: a
   * resumed run writing to the same file cuts off what came after (CmdletOutput.resumeFrom).
   */
  stdout?: StdoutMark;
}

interface ResumeFileContent extends ResumeState {
  kind: string;
  version: typeof VERSION;
  listing: ListingIdentity;
  updatedAt: string;
}

export class ResumeFile {
  readonly path: string;
  private readonly kind: string;
  private readonly held: HeldResumeFile;

  /**
   * `item`: what the listing lists, e.g. `Customer` (the file's kind is then
   * `PartnerCenter.CustomerListing.Resume`); `cmdletName` names the listing in messages.
   */
  constructor(
    path: string,
    private readonly listed: { item: string; cmdletName: string },
  ) {
    this.path = resolve(path);
    this.kind = listingKind(listed.item);
    this.held = new HeldResumeFile(this.path, listed.cmdletName);
  }

  /**
   * Claims the file for this run (until `release()`) and returns the saved state, undefined when
   * there is none yet (no file, or an empty one); refuses a file of another listing, anything
   * that is not a listing's resume file, and one it cannot read or write.
   */
  read(listing: ListingIdentity): ResumeState | undefined {
    return this.held.read((text) => this.check(text, listing));
  }

  /** Gives the file up for another run; the listing calls it however it ends. */
  release(): void {
    this.held.release();
  }

  private check(text: string | undefined, listing: ListingIdentity): ResumeState | undefined {
    if (text === undefined || text === '') return undefined;
    const content = parse(text, this.kind);
    if (!content) {
      if (headerOf(text)?.kind === this.kind) {
        throw new ConfigFileError(
          `The resume file '${this.path}' of ${this.listed.cmdletName} is damaged.`,
          { hint: 'Delete it to list from the start, or give another -ResumeFile.' },
        );
      }
      throw notThisResumeFile(this.path, text, `${this.listed.cmdletName}'s listings`);
    }
    const differences = describeDifferences(content.listing, listing);
    if (differences) {
      throw new UsageError(
        `The resume file '${this.path}' belongs to a listing with other parameters ` +
          `(${differences}).`,
        {
          hint:
            'Resume with the parameters that listing had, or delete the file (or ' +
            'choose another -ResumeFile) to start this listing from the beginning.',
        },
      );
    }
    return {
      position: content.position,
      written: content.written,
      stdout: stdoutMarkOf(content.stdout),
    };
  }

  write(listing: ListingIdentity, state: ResumeState): void {
    const content: ResumeFileContent = {
      kind: this.kind,
      version: VERSION,
      listing,
      ...state,
      updatedAt: new Date().toISOString(),
    };
    writeResumeContent(this.path, content);
  }

  /** Deletes the file (the listing completed); the claim is released after. */
  delete(): void {
    removeFile(this.path);
  }
}

function parse(text: string, kind: string): ResumeFileContent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const content = value as Partial<ResumeFileContent> | null;
  if (
    !content ||
    typeof content !== 'object' ||
    content.kind !== kind ||
    content.version !== VERSION
  )
    return undefined;
  const { position, written, listing } = content;
  const count = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n >= 0;
  if (!position || !count(position.skip) || !count(written) || !listing || !count(listing.pageSize))
    return undefined;
  if (
    position.continuationToken !== undefined &&
    (typeof position.continuationToken !== 'string' || position.continuationToken === '')
  )
    return undefined;
  if (position.offset !== undefined && !count(position.offset)) return undefined;
  return content as ResumeFileContent;
}

function describeDifferences(saved: ListingIdentity, now: ListingIdentity): string | undefined {
  const shown = (identity: ListingIdentity, key: keyof ListingIdentity) => {
    const value = identity[key];
    if (value === null) return 'none';
    if (typeof value !== 'object') return String(value);
    return 'field' in value && 'value' in value
      ? `${value.field} '${value.value}'`
      : JSON.stringify(value);
  };
  const names: Record<keyof ListingIdentity, string> = {
    pageSize: '-PageSize',
    filter: 'search',
    first: '-First',
    skip: '-Skip',
  };
  const differing = (Object.keys(names) as (keyof ListingIdentity)[]).filter(
    (key) => JSON.stringify(saved[key]) !== JSON.stringify(now[key]),
  );
  if (differing.length === 0) return undefined;
  return differing
    .map((key) => `${names[key]} ${shown(saved, key)} there, ${shown(now, key)} here`)
    .join('; ');
}

/**
 * Writes a resume file's whole content atomically (a kill leaves the old content or the new);
 * a failure is one ConfigFileError naming the file. Every kind of position file writes this way.
 */
export function writeResumeContent(path: string, content: object): void {
  try {
    writePrivateJson(path, content);
  } catch (error) {
    throw new ConfigFileError(
      `Cannot write the resume file '${path}': ${(error as Error).message}.`,
      {
        hint: 'Check that its directory exists and is writable, or choose another -ResumeFile.',
        cause: error,
      },
    );
  }
}

/** A stdout mark as a resume file keeps it; anything else (an older file: none) is no mark. */
export function stdoutMarkOf(value: unknown): StdoutMark | undefined {
  const mark = value as Partial<StdoutMark> | null | undefined;
  if (!mark || typeof mark !== 'object') return undefined;
  const { dev, ino, size } = mark;
  if (typeof dev !== 'string' || typeof ino !== 'string') return undefined;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) return undefined;
  return { dev, ino, size };
}
