/**
 * A billing export as a cmdlet runs it (Get-PartnerInvoiceLineItem, Get-PartnerRatedUsage): the
 * export started and followed (or, resumed, its manifest read again and its eTag compared), its
 * files read a few at a time and decompressed as they stream, each line item handed out as the
 * object of its JSON line, progress on a terminal, and a position recorded once the line items
 * got out (-ResumeFile), so that a run stopped at any point continues where its output stopped.
 * When it cannot finish, one error says how many line items were written and the command that
 * continues.
 */
import {
  IncompleteListingError,
  NotFoundError,
  PartnerCenterModuleError,
  UsageError,
} from '../common/errors.js';
import { resolve } from 'node:path';
import { commandLine } from '../common/shell-quote.js';
import { capitalise } from '../common/text.js';
import {
  blobUrl,
  describeExport,
  type ExportManifest,
  type ExportRequest,
  acceptedEarlier,
  isFailedExport,
  readManifest,
  startExport,
  waitForExport,
} from '../partner-center/billing-export.js';
import { interleaved, lineItemBatches } from '../partner-center/billing-export-blobs.js';
import { linkedSignal } from '../partner-center/abortable.js';
import type { ApiClient, HttpClient } from '../partner-center/client.js';
import type { JsonLineBatch } from '../json/json-lines.js';
import { GRAPH_GLOBAL, graphOf } from '../session/environments.js';
import { holdYoungGeneration } from '../common/young-generation.js';
import { V2_LINE_ITEMS_FROM_TEXT } from '../common/billing-facts.js';
import { type CmdletContext, ObjectList } from './cmdlet.js';
import { outputStop, outputTaken, stopBehindClose } from './output-stop.js';
import {
  continuationTokenOf,
  type ExportPosition,
  ExportResumeFile,
  positionOfToken,
  type SavedPosition,
  type StartedExportPosition,
  type V1Position,
} from './billing-export-position.js';
import type { ExchangeAnswer } from '../partner-center/client.js';
import type { ListingPosition } from '../partner-center/resumable-listing.js';
import { ExportProgress } from './billing-export-progress.js';
import { forItem } from './per-item.js';
import { repeatSelection } from './rerun.js';

export interface BillingExportRun {
  cmdletName: string;
  /** What the resume file's kind names: `InvoiceLineItem`, `RatedUsage`. */
  item: string;
  export: ExportRequest;
  resumeFile?: string;
  continuationToken?: string;
  maxRetry?: number;
  /** Files read at once. Default 3. */
  concurrency?: number;
}

export const DEFAULT_CONCURRENCY = 3;
const DATA_CHANGED = 'export data changed';
/** The least time between two records of the position (each is a write and an fsync). */
const RECORD_INTERVAL_MS = 200;

export async function* exportLineItems(
  run: BillingExportRun,
  context: CmdletContext,
): AsyncGenerator<ObjectList<unknown>> {
  // Billed reconciliation line items of an older invoice come from Partner Center, which every
  // cloud has: for those the cloud is checked once the invoice says which API holds them.
  if (!billedReconciliation(run.export)) await refuseNationalCloud(context, run.export);
  if (run.resumeFile !== undefined && run.continuationToken !== undefined) {
    throw new UsageError('-ResumeFile and -ContinuationToken cannot be used together.', {
      hint: 'A resume file keeps the position itself: give only -ResumeFile.',
    });
  }
  const file =
    run.resumeFile === undefined
      ? undefined
      : new ExportResumeFile(run.resumeFile, run.item, run.cmdletName);
  const invoiceId = billedReconciliation(run.export);
  try {
    // A piped invoice's failure names the invoice: the run may go on with the next one.
    yield* context.pipelineObject && invoiceId !== undefined
      ? forItem({ kind: 'invoice', id: invoiceId }, () => runWith(run, context, file))
      : runWith(run, context, file);
  } finally {
    file?.release();
  }
}

function billedReconciliation(request: ExportRequest): string | undefined {
  return request.data === 'reconciliation' && request.scope.billed
    ? request.scope.invoiceId
    : undefined;
}

/**
 * Graph's billing exports are documented for the global service only (docs/billing.md,
 * "Clouds"): a context of a national cloud is refused before any request, naming its cloud.
 */
async function refuseNationalCloud(context: CmdletContext, request: ExportRequest): Promise<void> {
  const saved = await context.services.currentContext();
  const graph = graphOf(saved.environment);
  if (graph.audience === GRAPH_GLOBAL) return;
  throw new UsageError(
    `${capitalise(describeExport(request))} is not available in the context's cloud ` +
      `(${saved.environment.name}, Microsoft Graph ${graph.audience}): Microsoft Graph offers ` +
      'partner billing exports in the global service only; nothing was sent.',
    { hint: 'Use a context of the global cloud (AzureCloud) for billing exports.' },
  );
}

/** One step of a run: line items to hand out, or a moment to record the position now. */
interface Step {
  items?: Iterable<unknown> & { readonly length: number };
  /** Record now, however recent the last record (a file finished). */
  force?: boolean;
}

/** Where the line items come from: its steps, and the position once a step's items are out. */
interface LineItemSource {
  steps: AsyncIterable<Step>;
  position(written: number): SavedPosition;
}

async function* runWith(
  run: BillingExportRun,
  context: CmdletContext,
  file: ExportResumeFile | undefined,
): AsyncGenerator<ObjectList<unknown>> {
  const what = describeExport(run.export);
  // Read (and checked) before anything goes over the network: a wrong file is a usage error.
  const saved =
    file?.read(run.export) ??
    (run.continuationToken === undefined
      ? undefined
      : positionOfToken(run.continuationToken, run.export));
  if (saved && file) {
    context.verbose(
      `Resuming ${what} kept in '${file.path}': ${saved.written} line item(s) were written by ` +
        'earlier runs.',
    );
    const removed = context.output?.resumeFrom(saved.stdout, file.path) ?? 0;
    if (removed > 0)
      context.verbose(
        `Removed the ${removed} bytes an earlier run wrote to stdout after its last record.`,
      );
  }
  const earlier = saved?.written ?? 0;
  const progress = new ExportProgress(context, earlier);
  holdYoungGeneration();
  let written = 0;
  let source: LineItemSource | undefined;
  /** The export this run started or follows, while no line item is out yet (kept by the file). */
  let started: StartedExportPosition | undefined = saved?.api === 'started' ? saved : undefined;
  const onStarted = (position: StartedExportPosition) => {
    // With where stdout stands before any line item: a run killed after its first line items got
    // out and before their first record leaves them in a file stdout, and the rerun cuts them off.
    started = { ...position, stdout: context.output?.mark() };
    file?.write(run.export, started);
  };
  /** What is out of the process whole: where a failed stdout leaves the run. */
  let out: SavedPosition | undefined = saved;
  let lastRecord = 0;
  // Without a resume file the position is still kept in memory, never waited for: a stdout that
  // fails (a full disk) is then cut back to it, and the stop line's -ContinuationToken continues
  // from there.
  const record = async (force: boolean) => {
    if (!source) return;
    const now = Date.now();
    if (!force && now - lastRecord < RECORD_INTERVAL_MS) return;
    // Without a file, only when stdout has taken everything already: never a wait.
    if (!file && context.output && context.output.delivered() !== true) return;
    if (!(await outputTaken(context.output))) return;
    out = { ...source.position(earlier + written), stdout: context.output?.mark() };
    file?.write(run.export, out);
    lastRecord = Date.now();
  };

  let settled = false;
  const stopped = async (failure: unknown): Promise<unknown> => {
    settled = true;
    const { outputFailed, readerGone, ...stop } = outputStop(context, failure, {
      resumable: file !== undefined,
      what: 'export',
      hint: 'What it had not read yet of the line items handed to it is not written again.',
    });
    const error = stop.error;
    if (!(error instanceof PartnerCenterModuleError)) return error;
    // Changed data cannot be continued: the export starts over, so no position is kept.
    if (error.reason === DATA_CHANGED) return error;
    // Stopped before the export was ready: with a resume file, a rerun follows the same export
    // (a failed one is not worth following: the rerun starts another).
    if (!source && (!started || !file || isFailedExport(error, run.export))) return error;
    let at = !source
      ? started
      : outputFailed || readerGone
        ? out
        : source.position(earlier + written);
    if (source && !outputFailed && !readerGone && context.output)
      at = (await outputTaken(context.output))
        ? { ...source.position(earlier + written), stdout: context.output.mark() }
        : out;
    const cut = outputFailed ? context.output?.cutBackTo(out?.stdout) : undefined;
    // The resume file keeps one export: with invoices piped in, a stop ends the run, and the file
    // names the export that stopped even before its first line item, so that no later invoice
    // replaces it and a rerun that pipes in an invoice done already is refused, not repeated.
    const pinned = file !== undefined && context.pipelineObject !== undefined;
    const nothingKept = at?.written === 0 && at.api !== 'started' && !saved && !cut && !pinned;
    if (!at || nothingKept) return error;
    file?.write(run.export, at);
    const advice = resumeAdvice(run, context, at, file);
    return new IncompleteListingError(error, [cut, advice].filter(Boolean).join(' '), {
      replaceHint: cut !== undefined,
      endsRun: pinned || undefined,
    });
  };

  try {
    source = await sourceOf(run, context, saved, progress, onStarted);
    for await (const step of source.steps) {
      if (step.items) {
        written += step.items.length;
        yield new ObjectList(step.items);
        progress.items(earlier + written);
      }
      await record(step.force === true);
    }
    settled = true;
    file?.delete();
    context.verbose(
      `Wrote ${written} line item(s) of ${what}` +
        `${earlier ? ` (${earlier + written} with the earlier runs)` : ''}.`,
    );
  } catch (error) {
    throw await stopped(error);
  } finally {
    progress.end();
    const closedBy = settled ? undefined : stopBehindClose(context, file !== undefined);
    // biome-ignore lint/correctness/noUnsafeFinally: overriding the close is the point
    if (closedBy !== undefined) throw await stopped(closedBy);
  }
}

/** The position of an export started and not ready yet: its operation (the 202's Location). */
const startedAt = (operation: URL): StartedExportPosition => ({
  api: 'started',
  operationUrl: operation.href,
  written: 0,
});

/**
 * Which API the line items come from: an invoice's billed reconciliation line items from Partner
 * Center's v1 pages when its billing period starts before the v2 coverage (lineItemsApiOf, in one
 * place with the invoices), everything else from Graph's export.
 */
async function sourceOf(
  run: BillingExportRun,
  context: CmdletContext,
  saved: SavedPosition | undefined,
  progress: ExportProgress,
  onStarted: (position: StartedExportPosition) => void,
): Promise<LineItemSource> {
  const invoiceId = billedReconciliation(run.export);
  if (invoiceId !== undefined) {
    const [{ getInvoice, lineItemsApiOf }, partnerCenter] = await Promise.all([
      import('../partner-center/invoices.js'),
      context.services.partnerCenter({ maxRetry: run.maxRetry }),
    ]);
    const api =
      saved?.api === 'v1' ? 'v1' : lineItemsApiOf(await getInvoice(partnerCenter, invoiceId));
    if (api === 'v1') {
      context.verbose(
        `Invoice ${invoiceId} bills a period before ${V2_LINE_ITEMS_FROM_TEXT}: its line items come from ` +
          "Partner Center's v1 line-item pages.",
      );
      if (run.export.attributeSet === 'basic')
        context.warn(
          `-AttributeSet Basic does not apply to invoice ${invoiceId}: Partner Center's v1 line ` +
            'items have one set of fields, all of which are written.',
        );
      progress.readingPages();
      return v1Source(partnerCenter, invoiceId, saved?.api === 'v1' ? saved : undefined);
    }
    await refuseNationalCloud(context, run.export);
  }
  return exportSource(run, context, saved?.api === 'v1' ? undefined : saved, progress, onStarted);
}

/** An older invoice's line items, page by page (invoice-line-items-v1.ts), resumable mid-page. */
async function v1Source(
  partnerCenter: ApiClient,
  invoiceId: string,
  saved: V1Position | undefined,
): Promise<LineItemSource> {
  const { v1InvoiceLineItems } = await import('../partner-center/invoice-line-items-v1.js');
  let listing: ListingPosition = saved?.listing ?? { skip: 0, offset: 0 };
  async function* steps(): AsyncGenerator<Step> {
    for await (const slice of v1InvoiceLineItems(partnerCenter, invoiceId, { from: listing })) {
      listing = slice.positionAfter(slice.items.length);
      yield { items: slice.items };
    }
  }
  return {
    steps: steps(),
    position: (written) => ({ api: 'v1', listing: { ...listing }, written }),
  };
}

/**
 * Graph's export: started (or, resumed, its manifest read again, or the export an earlier run
 * started followed again), its files read a few at once.
 */
async function exportSource(
  run: BillingExportRun,
  context: CmdletContext,
  saved: ExportPosition | StartedExportPosition | undefined,
  progress: ExportProgress,
  onStarted: (position: StartedExportPosition) => void,
): Promise<LineItemSource> {
  const { signal } = context;
  const what = describeExport(run.export);
  const file = run.resumeFile;
  const graph = await context.services.graph({ maxRetry: run.maxRetry });
  const follow = async (
    accepted: ExchangeAnswer<unknown>,
  ): Promise<{ url: URL; manifest: ExportManifest }> => {
    const url = await waitForExport(graph, run.export, accepted, {
      signal,
      onProgress: (step) => progress.waiting(step),
    });
    return { url, manifest: await readManifest(graph, url, what, signal) };
  };
  const start = async (): Promise<ExchangeAnswer<unknown>> => {
    const accepted = await startExport(graph, run.export, signal);
    context.verbose(`Started ${what}.`);
    return accepted;
  };
  const exportAgain = async () => follow(await start());
  let manifestUrl: URL;
  let manifest: ExportManifest;
  if (saved?.api === 'started') {
    // An earlier run started this export and stopped while it was being prepared: follow it. One
    // that is gone or failed is started again.
    context.verbose(`Following ${what} an earlier run started (${saved.operationUrl}).`);
    try {
      ({ url: manifestUrl, manifest } = await follow(acceptedEarlier(saved.operationUrl)));
    } catch (error) {
      if (!(error instanceof NotFoundError || isFailedExport(error, run.export))) throw error;
      context.verbose(
        `That export is gone or failed (${(error as Error).message}); exporting again.`,
      );
      const accepted = await start();
      if (accepted.location) onStarted(startedAt(accepted.location));
      ({ url: manifestUrl, manifest } = await follow(accepted));
    }
  } else if (saved) {
    try {
      manifestUrl = new URL(saved.manifestUrl);
      manifest = await readManifest(graph, manifestUrl, what, signal);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      // The manifest is gone (exports do not last for ever): a new export of the same data has the
      // same eTag, and then its files hold the same lines.
      context.verbose(
        `The manifest of the earlier run is gone (${error.message}); exporting again.`,
      );
      ({ url: manifestUrl, manifest } = await exportAgain());
    }
    refuseChangedData(manifest, saved, what, file);
  } else {
    const accepted = await start();
    // Kept before the wait: a run stopped while the export is prepared follows it when resumed.
    if (accepted.location) onStarted(startedAt(accepted.location));
    ({ url: manifestUrl, manifest } = await follow(accepted));
  }
  context.verbose(
    `The manifest of ${what} names ${manifest.blobs.length} file(s) (eTag ${manifest.eTag}).`,
  );
  const blobs = await storageFor(context, manifest, run.maxRetry);

  // A refused SAS (expired) is renewed by reading the manifest again: one read for every file
  // that needs it at that moment.
  let renewing: Promise<ExportManifest> | undefined;
  const renewed = () => {
    renewing ??= readManifest(graph, manifestUrl, what, signal)
      .then((fresh) => {
        refuseChangedData(fresh, { eTag: manifest.eTag }, what, file);
        context.verbose('Read the manifest again for a new download link (SAS).');
        manifest = fresh;
        return fresh;
      })
      .finally(() => {
        renewing = undefined;
      });
    return renewing;
  };
  // A file the blob store no longer has (404) may mean the data was published again: a new export
  // says, by its eTag. The same eTag: the same line items, read on from the new export's files.
  let checking: Promise<void> | undefined;
  const republished = () => {
    checking ??= exportAgain()
      .then((fresh) => {
        refuseChangedData(fresh.manifest, { eTag: manifest.eTag }, what, file);
        context.verbose(`A file was gone; exported again: the same data (eTag ${manifest.eTag}).`);
        manifestUrl = fresh.url;
        manifest = fresh.manifest;
      })
      .finally(() => {
        checking = undefined;
      });
    return checking;
  };

  const reached = saved?.api === 'started' ? undefined : saved;
  const done = new Set<string>(reached?.done ?? []);
  const partial: Record<string, number> = { ...(reached?.partial ?? {}) };
  const names = manifest.blobs.map((blob) => blob.name).filter((name) => !done.has(name));
  const unknown = [...done, ...Object.keys(partial)].filter(
    (name) => !manifest.blobs.some((blob) => blob.name === name),
  );
  if (unknown.length > 0) refuseChangedData(manifest, { eTag: '' }, what, file);
  progress.files(manifest.blobs.length, done.size);

  // The files' reads end with the run, or as soon as the reading of the others stops.
  const stopFiles = new AbortController();
  const sources = names.map(
    (name) =>
      async function* (): AsyncGenerator<JsonLineBatch | null> {
        for (let attempt = 1; ; attempt++) {
          try {
            const { signal: reading, dispose } = linkedSignal([signal, stopFiles.signal]);
            try {
              yield* lineItemBatches(blobs, blobUrl(manifest, name), name, {
                skip: partial[name] ?? 0,
                signal: reading,
                verbose: (line) => context.verbose(line),
                onProgress: (step) => progress.bytes(name, step),
                renewUrl: async () => blobUrl(await renewed(), name),
              });
            } finally {
              dispose();
            }
            break;
          } catch (error) {
            if (!(error instanceof NotFoundError) || attempt > 1) throw error;
            await republished();
            if (!manifest.blobs.some((blob) => blob.name === name))
              refuseChangedData(manifest, { eTag: '' }, what, file);
          }
        }
        // The file's end: every line of it is out once this is reached.
        yield null;
      },
  );
  async function* steps(): AsyncGenerator<Step> {
    const concurrency = run.concurrency ?? DEFAULT_CONCURRENCY;
    for await (const { source, value } of interleaved(sources, concurrency, stopFiles)) {
      const name = names[source] as string;
      if (value === null) {
        done.add(name);
        delete partial[name];
        progress.fileDone(name);
        yield { force: true };
      } else {
        partial[name] = (partial[name] ?? 0) + value.length;
        yield { items: value };
      }
    }
  }
  return {
    steps: steps(),
    position: (written) => ({
      manifestUrl: manifestUrl.href,
      eTag: manifest.eTag,
      partial: { ...partial },
      done: [...done],
      written,
    }),
  };
}

/** The blob store's client for the manifest's files (the run's retries and CA trust). */
async function storageFor(
  context: CmdletContext,
  manifest: ExportManifest,
  maxRetry: number | undefined,
): Promise<HttpClient> {
  const origin = new URL(manifest.rootDirectory).origin;
  const { blobStorage } = context.services;
  if (!blobStorage) {
    throw new UsageError('These services cannot download files (no blob storage client).', {
      hint: 'Run the command with the default services.',
    });
  }
  return blobStorage.call(context.services, origin, { maxRetry });
}

/** A manifest whose eTag is not the one the position was taken from: the data changed under it. */
function refuseChangedData(
  manifest: ExportManifest,
  saved: Pick<ExportPosition, 'eTag'>,
  what: string,
  resumeFile: string | undefined,
): void {
  if (manifest.eTag === saved.eTag) return;
  const restart = resumeFile
    ? `: delete '${resolve(resumeFile)}' (or give another -ResumeFile)`
    : ' without -ContinuationToken';
  throw new UsageError(
    `The data of ${what} changed since the earlier run began (its manifest's eTag is now ` +
      `${manifest.eTag}, was ${saved.eTag || 'another'}): continuing would mix two versions of ` +
      'the line items.',
    {
      reason: DATA_CHANGED,
      hint: `Export it again from the start${restart}, into a new output.`,
    },
  );
}

function resumeAdvice(
  run: BillingExportRun,
  context: CmdletContext,
  at: SavedPosition,
  file: ExportResumeFile | undefined,
): string {
  const wrote = `${at.written} line item${at.written === 1 ? ' was' : 's were'} written`;
  // A piped invoice is not on the command line: the command that continues names it.
  const invoiceId = billedReconciliation(run.export);
  const piped = context.pipelineObject !== undefined && invoiceId !== undefined;
  const selection = context.commandLine
    ? repeatSelection(context.commandLine, piped ? { InvoiceId: invoiceId } : {})
    : [];
  const contextArgs = context.contextName ? ['-Context', context.contextName] : [];
  if (file) {
    const command = commandLine(run.cmdletName, [
      ...selection,
      ...contextArgs,
      '-ResumeFile',
      file.path,
    ]);
    const then = piped ? ', then pipe in the invoices after it' : '';
    const kept =
      at.api === 'started'
        ? 'keeps the export that was started. To go on with it'
        : 'keeps the position. To continue with the next one';
    return `${capitalise(wrote)}; ${file.path} ${kept}, run: ${command}${then}`;
  }
  const command = commandLine(run.cmdletName, [
    ...selection,
    ...contextArgs,
    '-ContinuationToken',
    continuationTokenOf(at, run.export),
  ]);
  const next =
    at.api === 'started'
      ? 'To go on with the export that was started'
      : 'To continue with the next one';
  return `${capitalise(wrote)}. ${next}, run: ${command}`;
}
