/**
 * A pipeline object's entry in its run's resume file (-ResumeFile of a fan-out cmdlet), as the
 * cmdlet sees it. The host records an object as done once stdout took its output; a cmdlet whose
 * work must not be repeated blindly (a write: issue 21's PATCH with its MS-RequestId) also records,
 * BEFORE the work, what a rerun needs to repeat it exactly, and a rerun finds it here:
 *
 *   const requestId = context.journal?.begun?.requestId ?? newRequestId();
 *   context.journal?.begin({ requestId });   // on disk before the request goes out
 *   await send(requestId);                   // the host records "done" once the output is out
 *
 * A run killed between the two records leaves the object begun and not done: the rerun does it
 * again with the same request id, which the service answers as a repeat instead of applying twice.
 */
export interface ItemJournal {
  /**
   * What an earlier run recorded with `begin` for this object without finishing it; absent when
   * no run began it (or one finished it: then the object is skipped and never runs).
   */
  readonly begun?: Readonly<Record<string, unknown>>;
  /**
   * Records `data` for this object (JSON, small: a request id) before the work it describes; on
   * disk (written, not only buffered) when it returns. Throws (ConfigFileError, which ends the run)
   * when it cannot be written: the work must then not start.
   */
  begin(data: Readonly<Record<string, unknown>>): void;
}
