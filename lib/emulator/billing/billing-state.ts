/**
 * The billing side of the emulator in one place: the invoices and their line items, the export
 * operations, the blob store's signatures and sizes. Built from the customer data set and the
 * emulator's `now`; holds nothing that grows with the number of line items.
 */
import { BlobSizes } from '../blob/blob-content.js';
import { SasAuthority } from '../blob/sas.js';
import type { CustomerDataset } from '../partner-center/dataset.js';
import { ExportOperations } from './exports.js';
import { BillingDataset } from './invoices.js';

export class BillingState {
  readonly dataset: BillingDataset;
  readonly sizes: BlobSizes;
  readonly sas = new SasAuthority();
  readonly exports: ExportOperations;

  constructor(
    customers: CustomerDataset,
    now: number,
    latestLineItems: number,
    blobCacheDirectory?: string,
  ) {
    this.dataset = new BillingDataset(customers, now, latestLineItems);
    this.sizes = new BlobSizes(this.dataset, blobCacheDirectory);
    this.exports = new ExportOperations(this.sizes);
  }

  /** Stops the work an export does in the background (measuring its blobs). */
  close(): void {
    this.sizes.stop();
  }
}
