/**
 * The export operations of Microsoft Graph's partner billing API: a POST creates one, polling it
 * shows `running` (with Retry-After) until the files are ready, then `succeeded` with a link to
 * the manifest, or `failed` with an error ("No data available"). Preparing the files is real work
 * here too: the blob sizes are measured (compressed once) while the operation runs. Operations
 * are kept up to MAX_OPERATIONS, the oldest dropped first, so memory does not grow with use.
 */
import { randomUUID } from 'node:crypto';
import type { BlobSizes } from '../blob/blob-content.js';
import { type ExportData, blobCountOf } from './export-data.js';

const MAX_OPERATIONS = 1000;
/** Exports up to this many lines are ready when the POST is answered; larger ones later. */
export const READY_AT_ONCE_LINES = 50_000;

/** How a fault script makes an export behave (fault-types.ts, action `export`). */
export type ExportOutcome =
  | { outcome: 'running' }
  | { outcome: 'failed'; code?: string; message?: string }
  | { outcome: 'slow'; seconds?: number; polls?: number };

export interface ExportFailure {
  code: string;
  message: string;
}

export const NO_DATA: ExportFailure = { code: '5000', message: 'No data available' };

export interface ExportOperation {
  readonly id: string;
  readonly manifestId: string;
  readonly createdAt: number;
  lastActionAt: number;
  /** Undefined when the export has nothing to produce (it fails). */
  readonly data?: ExportData;
  readonly failure?: ExportFailure;
  readonly outcome?: ExportOutcome;
  /** Set once every blob's size is known. */
  ready: boolean;
  polls: number;
  /** When the manifest was first served (its createdDateTime stays). */
  manifestCreatedAt?: number;
}

export type OperationView =
  | { status: 'running'; operation: ExportOperation }
  | { status: 'succeeded'; operation: ExportOperation; data: ExportData }
  | { status: 'failed'; operation: ExportOperation; failure: ExportFailure };

export class ExportOperations {
  private readonly operations = new Map<string, ExportOperation>();
  private readonly manifests = new Map<string, ExportOperation>();

  constructor(private readonly sizes: BlobSizes) {}

  /** Starts an export; resolves once the operation may be polled (ready if it is small). */
  async start(
    data: ExportData | undefined,
    nowMs: number,
    outcome: ExportOutcome | undefined,
  ): Promise<ExportOperation> {
    const operation: ExportOperation = {
      id: randomUUID(),
      manifestId: randomUUID(),
      createdAt: nowMs,
      lastActionAt: nowMs,
      data: data && data.source.count > 0 ? data : undefined,
      failure: data && data.source.count > 0 ? undefined : NO_DATA,
      outcome,
      ready: false,
      polls: 0,
    };
    this.remember(operation);
    if (operation.data) {
      const prepared = this.prepare(operation, operation.data);
      if (operation.data.source.count <= READY_AT_ONCE_LINES) await prepared;
      else prepared.catch(() => undefined);
    }
    return operation;
  }

  private async prepare(operation: ExportOperation, data: ExportData): Promise<void> {
    const { sizes } = this;
    for (let part = 0; part < blobCountOf(data); part++) await sizes.sizeOf(data, part);
    operation.ready = true;
    operation.lastActionAt = Date.now();
  }

  private remember(operation: ExportOperation): void {
    if (this.operations.size >= MAX_OPERATIONS) {
      const oldest = this.operations.values().next().value;
      if (oldest) {
        this.operations.delete(oldest.id);
        this.manifests.delete(oldest.manifestId);
      }
    }
    this.operations.set(operation.id, operation);
    this.manifests.set(operation.manifestId, operation);
  }

  /** One poll of an operation: counts the poll, then says where it stands. */
  poll(id: string, nowMs: number): OperationView | undefined {
    const operation = this.operations.get(id.toLowerCase());
    if (!operation) return undefined;
    operation.polls++;
    return this.view(operation, nowMs);
  }

  private view(operation: ExportOperation, nowMs: number): OperationView {
    const { outcome } = operation;
    if (outcome?.outcome === 'failed')
      return {
        status: 'failed',
        operation,
        failure: {
          code: outcome.code ?? NO_DATA.code,
          message: outcome.message ?? NO_DATA.message,
        },
      };
    if (operation.failure) return { status: 'failed', operation, failure: operation.failure };
    if (outcome?.outcome === 'running') return { status: 'running', operation };
    if (outcome?.outcome === 'slow') {
      const pollsLeft = (outcome.polls ?? 0) >= operation.polls;
      const timeLeft = nowMs < operation.createdAt + (outcome.seconds ?? 0) * 1000;
      if (pollsLeft || timeLeft) return { status: 'running', operation };
    }
    if (!operation.ready || !operation.data) return { status: 'running', operation };
    return { status: 'succeeded', operation, data: operation.data };
  }

  /** The export data behind a manifest id, once its operation succeeded. */
  manifest(
    id: string,
    nowMs: number,
  ): { operation: ExportOperation; data: ExportData } | undefined {
    const operation = this.manifests.get(id.toLowerCase());
    if (!operation) return undefined;
    const view = this.view(operation, nowMs);
    if (view.status !== 'succeeded') return undefined;
    operation.manifestCreatedAt ??= nowMs;
    return { operation, data: view.data };
  }
}
