/**
 * Where a billing export's output stands, kept by -ResumeFile (rewritten atomically as line items
 * get out, so a run killed at any moment leaves the old position or the new one) or given back as
 * -ContinuationToken: the export (its manifest's URL and eTag: the same data, or a refusal) and,
 * per file, how many of its line items are out. Files are read several at a time, so a single
 * count could not say which lines are out; a file begun and not finished is read again and its
 * first n line items dropped. The resume file names the export it belongs to (what, which
 * invoice or period, which attribute set), so a resume with other parameters is refused. Reading
 * it claims it for this run (resume-file-claim.ts) until `release()`.
 */
import { resolve } from 'node:path';
import { ConfigFileError, UsageError } from '../common/errors.js';
import { removeFile } from '../common/remove-file.js';
import { describeExport, type ExportRequest } from '../partner-center/billing-export.js';
import type { ListingPosition } from '../partner-center/resumable-listing.js';
import type { StdoutMark } from './cmdlet.js';
import { HeldResumeFile, headerOf, listingKind, notThisResumeFile } from './resume-file-claim.js';
import { stdoutMarkOf, writeResumeContent } from './resume-file.js';

/** Where a run stands: in a Graph export's files, or in an older invoice's v1 pages. */
export type SavedPosition = ExportPosition | V1Position | StartedExportPosition;

/**
 * An export started and not ready yet: its operation, which a resumed run follows again instead of
 * starting (and waiting for) another export of the same data. Nothing is out yet.
 */
export interface StartedExportPosition {
  api: 'started';
  operationUrl: string;
  written: 0;
  stdout?: StdoutMark;
}

/**
 * An invoice older than the v2 coverage is read from Partner Center's v1 pages
 * (invoice-line-items-v1.ts): the page boundary and the line items after it already out.
 */
export interface V1Position {
  api: 'v1';
  listing: ListingPosition;
  written: number;
  stdout?: StdoutMark;
}

export interface ExportPosition {
  api?: 'v2';
  /** The manifest the run reads: read again on resume, its eTag compared. */
  manifestUrl: string;
  eTag: string;
  /** Line items out of each file begun and not finished, by file name. */
  partial: Record<string, number>;
  /** Names of the files all of whose line items are out. */
  done: string[];
  /** Line items out in all (every run). */
  written: number;
  /** Where stdout stood once they were in it, when it is a regular file (resume-file.ts). */
  stdout?: StdoutMark;
}

const VERSION = 1;

interface Content {
  kind: string;
  version: number;
  export: ExportRequest;
  position: SavedPosition;
  updatedAt: string;
}

export class ExportResumeFile {
  readonly path: string;
  private readonly kind: string;
  private readonly held: HeldResumeFile;

  /** `item`: what is exported (`InvoiceLineItem`), naming the file's kind. */
  constructor(
    path: string,
    item: string,
    private readonly cmdletName: string,
  ) {
    this.path = resolve(path);
    this.kind = listingKind(item);
    this.held = new HeldResumeFile(this.path, cmdletName);
  }

  /** Claims the file and returns its position; undefined for a new (absent or empty) file. */
  read(request: ExportRequest): SavedPosition | undefined {
    return this.held.read((text) => this.check(text, request));
  }

  release(): void {
    this.held.release();
  }

  write(request: ExportRequest, position: SavedPosition): void {
    const content: Content = {
      kind: this.kind,
      version: VERSION,
      export: request,
      position,
      updatedAt: new Date().toISOString(),
    };
    writeResumeContent(this.path, content);
  }

  delete(): void {
    removeFile(this.path);
  }

  private check(text: string | undefined, request: ExportRequest): SavedPosition | undefined {
    if (text === undefined || text === '') return undefined;
    let content: Partial<Content> | undefined;
    try {
      content = JSON.parse(text) as Partial<Content>;
    } catch {
      content = undefined;
    }
    const position = content?.kind === this.kind ? positionOf(content.position) : undefined;
    if (!content || !position || content.version !== VERSION) {
      if (headerOf(text)?.kind === this.kind) {
        throw new ConfigFileError(
          `The resume file '${this.path}' of ${this.cmdletName} is damaged.`,
          { hint: 'Delete it to export from the start, or give another -ResumeFile.' },
        );
      }
      throw notThisResumeFile(this.path, text, `${this.cmdletName}'s exports`);
    }
    refuseAnotherExport(
      `The resume file '${this.path}'`,
      content.export,
      request,
      'Resume with the parameters that export had, or delete the file (or choose ' +
        'another -ResumeFile) to start this one from the beginning.',
    );
    return position;
  }
}

/** A position kept for one export is refused for any other: it would write that one's data. */
function refuseAnotherExport(
  what: string,
  saved: ExportRequest | undefined,
  request: ExportRequest,
  hint: string,
): void {
  if (JSON.stringify(saved) === JSON.stringify(request)) return;
  const named = saved?.scope
    ? `${describeExport(saved)}, attribute set ${saved.attributeSet}`
    : 'unknown';
  throw new UsageError(
    `${what} belongs to another export (${named}), not ${describeExport(request)}, ` +
      `attribute set ${request.attributeSet}.`,
    { hint },
  );
}

const count = (n: unknown) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

/** A position as a file or token keeps it, checked; undefined when it is not one. */
function positionOf(value: unknown): SavedPosition | undefined {
  const record = value as
    | Partial<ExportPosition>
    | Partial<V1Position>
    | Partial<StartedExportPosition>
    | null
    | undefined;
  if (!record || typeof record !== 'object') return undefined;
  if (record.api === 'v1') return v1PositionOf(record);
  if (record.api === 'started') return startedPositionOf(record);
  const { manifestUrl, eTag, partial, done, written } = record as Partial<ExportPosition>;
  if (typeof manifestUrl !== 'string' || !/^https:\/\//.test(manifestUrl)) return undefined;
  if (typeof eTag !== 'string' || !count(written)) return undefined;
  if (!partial || typeof partial !== 'object' || !Object.values(partial).every(count))
    return undefined;
  if (!Array.isArray(done) || !done.every((name) => typeof name === 'string')) return undefined;
  return {
    manifestUrl,
    eTag,
    partial: { ...partial },
    done: [...done],
    written: written as number,
    stdout: stdoutMarkOf(record.stdout),
  };
}

function startedPositionOf(
  record: Partial<StartedExportPosition>,
): StartedExportPosition | undefined {
  const { operationUrl, written } = record;
  if (typeof operationUrl !== 'string' || !/^https:\/\//.test(operationUrl)) return undefined;
  if (written !== 0) return undefined;
  return { api: 'started', operationUrl, written, stdout: stdoutMarkOf(record.stdout) };
}

function v1PositionOf(record: Partial<V1Position>): V1Position | undefined {
  const { listing, written } = record;
  if (!listing || typeof listing !== 'object' || !count(listing.skip) || !count(written))
    return undefined;
  const token = listing.continuationToken;
  if (token !== undefined && (typeof token !== 'string' || token === '')) return undefined;
  if (listing.offset !== undefined && !count(listing.offset)) return undefined;
  return {
    api: 'v1',
    listing: { continuationToken: token, skip: listing.skip, offset: listing.offset },
    written: written as number,
    stdout: stdoutMarkOf(record.stdout),
  };
}

/**
 * The position as a -ContinuationToken: base64url of its JSON with the export it belongs to, as
 * a resume file keeps it, without the stdout mark (a token is for a run without a resume file).
 * Short: at most a few files are partly read at any time.
 */
export function continuationTokenOf(position: SavedPosition, request: ExportRequest): string {
  const { stdout: _mark, ...kept } = position;
  return Buffer.from(JSON.stringify({ export: request, ...kept }), 'utf8').toString('base64url');
}

/**
 * The position a -ContinuationToken holds for `request`; a token that is not one, or one of
 * another export (another invoice, currency, period, attribute set or cmdlet, whose manifest it
 * names), is refused (exit 2).
 */
export function positionOfToken(token: string, request: ExportRequest): SavedPosition {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  const saved = (value as { export?: ExportRequest } | null)?.export;
  const position = saved === undefined ? undefined : positionOf(value);
  if (!position) {
    throw new UsageError(
      '-ContinuationToken is not a token a stopped export of this module gave.',
      {
        hint: 'Give the token exactly as the stop line printed it, or leave it out to start over.',
      },
    );
  }
  refuseAnotherExport(
    '-ContinuationToken',
    saved,
    request,
    'Give the token with the parameters of the run that printed it (its stop line repeats ' +
      'them), or leave it out to start this export from the beginning.',
  );
  return position;
}
