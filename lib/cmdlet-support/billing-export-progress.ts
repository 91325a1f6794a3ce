/**
 * The progress line of a billing export (the host draws it on a terminal only, at most ten times
 * a second): first the wait for the export (how long so far, the operation's status), then the
 * files (done of all), the line items written, the rate and the time left. The time left is
 * counted in bytes: a manifest does not say how many line items it holds, but each file's length
 * is known once its download starts; files not started yet are taken at the average length of
 * those that did.
 */
import type { OperationProgress } from '../partner-center/long-operation.js';
import type { DownloadProgress } from '../partner-center/download.js';
import type { CmdletContext } from './cmdlet.js';

export class ExportProgress {
  private readonly started = Date.now();
  /** Partner Center's v1 pages, not an export (readingPages). */
  private pages = false;
  private filesTotal = 0;
  private filesDone = 0;
  /** Files done by earlier runs: not downloaded by this one. */
  private filesDoneBefore = 0;
  private written: number;
  private readonly firstWritten: number;
  private downloadStarted: number | undefined;
  private readonly perFile = new Map<string, { received: number; total?: number }>();

  constructor(
    private readonly context: CmdletContext,
    earlier: number,
  ) {
    this.written = earlier;
    this.firstWritten = earlier;
  }

  /**
   * Waiting for the export: elapsed time, the operation's status and the time to the next look,
   * counted down every second between the looks (a Retry-After may be a minute).
   */
  waiting(step: OperationProgress): void {
    const seen = Date.now();
    const show = () => {
      const since = Date.now() - seen;
      this.context.progress({
        activity: 'Waiting for the export',
        // Before the first look the service only said it accepted the export (HTTP 202).
        detail:
          `${clock(step.elapsedMs + since)} (${step.status === '202' ? 'accepted' : step.status}; ` +
          `next check in ${clock(Math.max(0, step.nextPollMs - since))})`,
      });
    };
    this.stopTicking();
    show();
    if (step.nextPollMs > 1000) {
      this.ticking = setInterval(show, 1000);
      // Never what keeps the process alive.
      this.ticking.unref();
    }
  }

  private ticking: NodeJS.Timeout | undefined;

  private stopTicking(): void {
    if (this.ticking) clearInterval(this.ticking);
    this.ticking = undefined;
  }

  files(total: number, done: number): void {
    this.stopTicking();
    this.filesTotal = total;
    this.filesDone = done;
    this.filesDoneBefore = done;
    this.downloadStarted = Date.now();
    this.draw();
  }

  fileDone(name: string): void {
    this.filesDone++;
    const seen = this.perFile.get(name);
    if (seen?.total !== undefined) seen.received = seen.total;
    this.draw();
  }

  /** Bytes of one file so far (for the time left). */
  bytes(name: string, step: DownloadProgress): void {
    this.perFile.set(name, { received: step.received, total: step.total });
  }

  items(written: number): void {
    this.written = written;
    this.draw();
  }

  /**
   * The line items come from Partner Center's v1 pages (an older invoice): no export, no files,
   * and no total to count down to; the line shows the line items read and the rate.
   */
  readingPages(): void {
    this.pages = true;
  }

  /** The run ended (the host erases the line): no more redraws of the wait. */
  end(): void {
    this.stopTicking();
  }

  private draw(): void {
    // Downloading again after a new export (a file was gone): the wait's redraws end.
    this.stopTicking();
    const n = (value: number) => value.toLocaleString('en-US');
    const seconds = (Date.now() - (this.downloadStarted ?? this.started)) / 1000;
    const rate = seconds >= 1 ? (this.written - this.firstWritten) / seconds : undefined;
    const left = this.secondsLeft(seconds);
    if (this.pages) {
      const detail = `${n(this.written)} line items${rate === undefined ? '' : `, ${n(Math.round(rate))}/s`}`;
      this.context.progress({ activity: "Reading the invoice's v1 line items", detail });
      return;
    }
    const parts = [
      `${n(this.filesDone)} of ${n(this.filesTotal)} files`,
      `${n(this.written)} line items`,
      rate === undefined ? '' : `${n(Math.round(rate))}/s`,
      left === undefined ? '' : `ETA ${clock(left * 1000)}`,
    ].filter(Boolean);
    this.context.progress({ activity: 'Downloading the export', detail: parts.join(', ') });
  }

  private secondsLeft(seconds: number): number | undefined {
    if (seconds < 1 || this.perFile.size === 0) return undefined;
    let received = 0;
    let known = 0;
    let knownFiles = 0;
    for (const file of this.perFile.values()) {
      received += file.received;
      if (file.total !== undefined) {
        known += file.total;
        knownFiles++;
      }
    }
    if (knownFiles === 0 || received === 0) return undefined;
    const unstarted = Math.max(0, this.filesTotal - this.filesDoneBefore - this.perFile.size);
    const total = known + (known / knownFiles) * unstarted;
    return Math.max(0, ((total - received) / received) * seconds);
  }
}

/** `1:05`, `12:00:03`: a duration as a clock shows it. */
function clock(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const s = total % 60;
  const m = Math.floor(total / 60) % 60;
  const h = Math.floor(total / 3600);
  const two = (value: number) => String(value).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(s)}` : `${m}:${two(s)}`;
}
