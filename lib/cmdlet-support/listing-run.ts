/**
 * A listing cmdlet's run, for any collection: from the start, from -ContinuationToken/-Skip, or
 * from a -ResumeFile kept current page by page; and when it cannot finish (retries exhausted, the
 * token expired and cannot be renewed, SIGINT/SIGTERM), one error that says how many items were
 * written and the exact command that continues with the next one. Failed run + resumed run = every
 * item exactly once.
 */
import { ObjectList, type CmdletContext, type StdoutMark } from './cmdlet.js';
import { outputStop, outputTaken, stopBehindClose } from './output-stop.js';
import { commandLine } from '../common/shell-quote.js';
import { capitalise } from '../common/text.js';
import { IncompleteListingError, PartnerCenterModuleError, UsageError } from '../common/errors.js';
import type { JsonText, JsonTextList } from '../json/json-text.js';
import {
  defaultPageSizeOf,
  odataSelectionOf,
  serviceOf,
  type CollectionRequest,
} from '../partner-center/collections.js';
import {
  itemsFrom,
  ListingProgress,
  type ListingPosition,
} from '../partner-center/resumable-listing.js';
import { holdYoungGeneration } from '../common/young-generation.js';
import { ResumeFile, type ListingIdentity, type ListingSelection } from './resume-file.js';
import { repeatSelection } from './rerun.js';

export interface ListingRequest<T, Out = JsonText<T>> {
  cmdletName: string;
  collection: CollectionRequest;
  /** What else decides the listing's items (a search, a customer id), for the resume file. */
  selection?: ListingSelection;
  /**
   * The cmdlet takes -ContinuationToken, -Skip and -ResumeFile: a listing that stops says how to
   * continue, with the words of the run's command line that select its items (rerun.ts). Absent
   * (a listing the run shares, which no command line continues): its error is the cause's own.
   */
  continuable?: boolean;
  /**
   * Values the cmdlet resolved itself that the command that continues repeats as they are (the
   * days of a window counted from today), by parameter name: the rerun pages the very same items.
   */
  pinned?: Readonly<Record<string, unknown>>;
  /** Each page's items as they are written, e.g. with the id of the customer they belong to. */
  transform?: (items: JsonTextList<T>) => Iterable<Out>;
  pageSize?: number;
  first?: number;
  skip?: number;
  continuationToken?: string;
  resumeFile?: string;
  maxRetry?: number;
}

/** What a resumable listing cmdlet's own paging parameters ask for, as a listing request takes it. */
export type ListingControls = Pick<
  ListingRequest<unknown>,
  'pageSize' | 'first' | 'skip' | 'continuationToken' | 'resumeFile' | 'maxRetry'
>;

/**
 * -PageSize, -First, -Skip, -ContinuationToken, -ResumeFile and -MaxRetry of a listing cmdlet's
 * parameters, named as the listing request names them (one mapping for every listing cmdlet).
 */
export function listingControls(p: {
  PageSize?: number;
  First?: number;
  Skip?: number;
  ContinuationToken?: string;
  ResumeFile?: string;
  MaxRetry?: number;
}): ListingControls {
  return {
    pageSize: p.PageSize,
    first: p.First,
    skip: p.Skip,
    continuationToken: p.ContinuationToken,
    resumeFile: p.ResumeFile,
    maxRetry: p.MaxRetry,
  };
}

export async function* listResumably<T, Out = JsonText<T>>(
  request: ListingRequest<T, Out>,
  context: CmdletContext,
): AsyncGenerator<ObjectList<Out>> {
  const file =
    request.resumeFile === undefined
      ? undefined
      : new ResumeFile(request.resumeFile, {
          item: request.collection.noun.item,
          cmdletName: request.cmdletName,
        });
  try {
    yield* listWith(request, context, file);
  } finally {
    // However the listing ended (a stop, a signal, the host closing it), the file it claimed when
    // it read it is free for the next run.
    file?.release();
  }
}

async function* listWith<T, Out>(
  request: ListingRequest<T, Out>,
  context: CmdletContext,
  file: ResumeFile | undefined,
): AsyncGenerator<ObjectList<Out>> {
  const { collection } = request;
  const { noun } = collection;
  if (request.resumeFile !== undefined && request.continuationToken !== undefined) {
    throw new UsageError('-ResumeFile and -ContinuationToken cannot be used together.', {
      hint: 'A resume file keeps the continuation token itself: give only -ResumeFile.',
    });
  }
  const identity: ListingIdentity = {
    pageSize: request.pageSize ?? defaultPageSizeOf(collection),
    filter: request.selection ?? odataSelectionOf(collection) ?? null,
    first: request.first ?? null,
    skip: request.skip ?? 0,
  };
  // Read (and check) before anything goes over the network: a wrong file is a usage error.
  const saved = file?.read(identity);
  const skip = identity.skip;
  const start: ListingPosition =
    saved?.position ??
    (request.continuationToken === undefined
      ? { skip, offset: skip }
      : { continuationToken: request.continuationToken, skip });
  const earlier = saved?.written ?? 0;
  if (saved && file) {
    context.verbose(
      `Resuming the listing kept in '${file.path}': ${earlier} ${noun.one}(s) were ` +
        'written by earlier runs.',
    );
    // What an earlier run wrote to this same file after its last record is listed again now.
    const removed = context.output?.resumeFrom(saved.stdout, file.path) ?? 0;
    if (removed > 0)
      context.verbose(
        `Removed the ${removed} bytes an earlier run wrote to stdout after its last record.`,
      );
  }

  // Each collection is listed through its own API's client: Graph's for OData collections.
  const settings = { maxRetry: request.maxRetry };
  const client =
    collection.paging === 'odata'
      ? await context.services.graph(settings)
      : await context.services.partnerCenter(settings);
  // However many items there are, memory must not grow with them (see young-generation.ts).
  holdYoungGeneration();
  let progress = new ListingProgress(start);
  let pages = 0;
  /** What is out of the process whole: where a failed stdout leaves the listing. */
  let out: Checkpoint = { position: start, written: 0, stdout: context.output?.mark() };
  const save = (at: Checkpoint) =>
    file?.write(identity, {
      position: at.position,
      written: earlier + at.written,
      stdout: at.stdout,
    });
  const current = (): Checkpoint => ({ position: progress.position, written: progress.written });
  const limit = request.first === undefined ? undefined : Math.max(0, request.first - earlier);
  const list = () =>
    pagesOf(
      itemsFrom<T>(client, collection, request.pageSize, progress, {
        limit,
        onPagePassed: async () => {
          pages++;
          context.progress({
            activity: `Listing ${noun.many}`,
            pages,
            items: earlier + progress.written,
          });
          // Recorded once the page is out of the process whole, so even a SIGKILL can repeat
          // part of a page but never lose one (and with a file as stdout, the resumed run cuts
          // off that part: see resumeFrom). Out at once: recorded in the same turn.
          const taken = context.output
            ? context.output.delivered()
            : new Promise<boolean>((resolve) => setImmediate(() => resolve(true)));
          if (taken !== true && !(taken !== false && (await taken))) return;
          out = { ...current(), stdout: context.output?.mark() };
          save(out);
        },
      }),
      request.transform,
    );

  let settled = false;
  const stopped = async (failure: unknown): Promise<unknown> => {
    settled = true;
    // stdout failed, or its reader went away while a resume file expects the listing to go on,
    // whatever surfaced here (a request it aborted, the host closing the listing).
    const { outputFailed, readerGone, ...stop } = outputStop(context, failure, {
      resumable: file !== undefined,
      what: 'listing',
      hint: `What it had not read yet of the ${noun.many} handed to it is not written again.`,
    });
    const error = stop.error;
    if (!(error instanceof PartnerCenterModuleError)) return error;
    if (!request.continuable) return error;
    // What got out whole is then what the stop line counts and the resume file keeps, and a file
    // as stdout is cut back to it.
    let at = outputFailed || readerGone ? out : current();
    // Any other stop: every page handed out so far is written; once it is out, the position
    // records where stdout's file then ends.
    if (!outputFailed && !readerGone && context.output && (await outputTaken(context.output)))
      at = { ...at, stdout: context.output.mark() };
    const cut = outputFailed ? context.output?.cutBackTo(out.stdout) : undefined;
    // Nothing written by a run that began at the beginning: the same command simply starts over.
    if (at.written === 0 && !saved && request.continuationToken === undefined && !cut) return error;
    const refused = error.continuationTokenRefused;
    // The token of the current position is dead: only a restart that skips what was written can
    // continue.
    const position = refused ? progress.positionWithoutToken : at.position;
    if (refused && !position && at.written === 0 && !file) {
      return new UsageError(error.message, {
        hint:
          'A token is only valid for a limited time. Start the listing again, or ' +
          'leave out what the earlier runs of this listing wrote: list from the ' +
          `start with -Skip <the number of ${noun.many} they wrote> in place of ` +
          '-ContinuationToken.',
        cause: error,
      });
    }
    if (position) save({ ...at, position });
    const advice = resumeAdvice(request, context, {
      position,
      written: at.written,
      earlier,
      file,
      refused,
    });
    return new IncompleteListingError(error, [cut, advice].filter(Boolean).join(' '), {
      replaceHint: (refused && position !== undefined) || cut !== undefined,
    });
  };

  try {
    try {
      yield* list();
    } catch (error) {
      const fallback = start.offset;
      if (
        !(
          saved &&
          file &&
          start.continuationToken &&
          fallback !== undefined &&
          progress.written === 0 &&
          error instanceof PartnerCenterModuleError &&
          error.continuationTokenRefused
        )
      )
        throw error;
      context.warn(
        `${serviceOf(collection)} no longer accepts the ` +
          `${collection.paging === 'odata' ? 'next link' : 'continuation token'} kept in '${file.path}'; ` +
          `listing again from the start and skipping the ${fallback} ${noun.one}(s) before ` +
          `the saved position (exact unless ${noun.many} were added or removed meanwhile).`,
      );
      progress = new ListingProgress({ skip: fallback, offset: fallback });
      yield* list();
    }
    settled = true;
    file?.delete();
    context.verbose(
      `Listed ${progress.written} ${noun.one}(s)` +
        `${earlier ? ` (${earlier + progress.written} with the earlier runs)` : ''}.`,
    );
  } catch (error) {
    throw await stopped(error);
  } finally {
    // The host stopped asking for items: a signal (report how to resume) or a reader that left.
    // A reader that went away stops a listing without a resume file quietly (`| head`); with
    // one, the listing did not finish, and its stop line says so.
    const closedBy = settled ? undefined : stopBehindClose(context, file !== undefined);
    // biome-ignore lint/correctness/noUnsafeFinally: overriding the close is the point
    if (closedBy !== undefined) throw await stopped(closedBy);
  }
}

/** Each page's items as one ObjectList, which the host writes whole before it asks for more. */
async function* pagesOf<T, Out>(
  batches: AsyncIterable<JsonTextList<T>>,
  transform: ((items: JsonTextList<T>) => Iterable<Out>) | undefined,
): AsyncGenerator<ObjectList<Out>> {
  for await (const batch of batches) {
    yield new ObjectList((transform ? transform(batch) : batch) as Iterable<Out>);
  }
}

/** A place in the listing: the position, the items written before it, where stdout then stood. */
interface Checkpoint {
  position: ListingPosition;
  written: number;
  stdout?: StdoutMark;
}

interface StopState {
  position: ListingPosition | undefined;
  written: number;
  earlier: number;
  file: ResumeFile | undefined;
  refused: boolean;
}

function resumeAdvice<T, Out>(
  request: ListingRequest<T, Out>,
  context: CmdletContext,
  state: StopState,
): string {
  const { collection } = request;
  const { noun } = collection;
  const total = state.earlier + state.written;
  const wrote =
    `${state.written} ${state.written === 1 ? `${noun.one} was` : `${noun.many} were`} written` +
    `${state.earlier ? ` (${total} with the earlier runs)` : ''}`;
  if (!state.position)
    return (
      `${capitalise(wrote)}; the listing cannot continue from where it stopped: ` +
      'start it again.'
    );
  const maxPageSize = collection.paging === 'single' ? undefined : collection.maxPageSize;
  const common = [
    ...(context.commandLine ? repeatSelection(context.commandLine, request.pinned) : []),
    ...(request.pageSize !== undefined && request.pageSize !== maxPageSize
      ? ['-PageSize', request.pageSize]
      : []),
  ];
  const contextArgs = context.contextName ? ['-Context', context.contextName] : [];
  if (state.file) {
    const args = [
      ...common,
      ...(request.first ? ['-First', request.first] : []),
      ...(request.skip ? ['-Skip', request.skip] : []),
    ];
    const command = commandLine(request.cmdletName, [
      ...args,
      ...contextArgs,
      '-ResumeFile',
      state.file.path,
    ]);
    return (
      `${capitalise(wrote)}; ${state.file.path} keeps the position. To continue ` +
      `with the next one, run: ${command}`
    );
  }
  const { continuationToken, skip } = state.position;
  const args = [
    ...common,
    ...(request.first ? ['-First', request.first - total] : []),
    ...(continuationToken ? ['-ContinuationToken', continuationToken] : []),
    ...(skip ? ['-Skip', skip] : []),
    ...contextArgs,
  ];
  const command = commandLine(request.cmdletName, args);
  if (state.refused) {
    return (
      `${capitalise(wrote)}. No token can continue this listing, so the next ` +
      `run lists again from the start and skips the ${skip} ${noun.one}(s) before ` +
      `this point (exact unless ${noun.many} were added or removed meanwhile): ${command}`
    );
  }
  return `${capitalise(wrote)}. To continue with the next one, run: ${command}`;
}
