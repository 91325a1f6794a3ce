/**
 * One pipeline object's part of a run, for any cmdlet that works per object (a customer's
 * listing, a subscription's change): a failure becomes the one wrapper for "this pipeline object
 * failed", ItemFailure, which carries the object (kind, id, name), the cause, and what the cause
 * means (exit code, whether it ends the run, the service's status and code). The host then does
 * with it what -ErrorAction says (lib/host/item-failures.ts): its one line names the object.
 */
import { type FailedItem, ItemFailure, PartnerCenterModuleError } from '../common/errors.js';
import { untrustedLine } from '../common/text.js';

/**
 * `work`'s objects; a module error it throws is rethrown as `item`'s failure. Anything else (a bug)
 * goes on as it is, for the host to report as one. A name chosen by the object's owner (a
 * company's) is made one line without control characters before any message shows it.
 */
export async function* forItem<T>(
  item: FailedItem,
  work: () => AsyncIterable<T>,
): AsyncGenerator<T> {
  try {
    yield* work();
  } catch (error) {
    if (!(error instanceof PartnerCenterModuleError)) throw error;
    const name = item.name ? untrustedLine(item.name, 200) : undefined;
    throw new ItemFailure({ ...item, name }, error);
  }
}
