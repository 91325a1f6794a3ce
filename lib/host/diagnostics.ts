/**
 * Everything the host writes to stderr: error lines, VERBOSE/DEBUG/WARNING lines, messages for the
 * person at the keyboard, and the progress line. Each line is redacted and whole. The progress line
 * exists only on a terminal: it is one line redrawn in place (at most ten times a second) and
 * erased before any other output, so nothing ever lands in the middle of it.
 */
import type { Writable } from 'node:stream';
import type { Redactor } from '../common/redact.js';

export interface ProgressStatus {
  activity: string;
  pages?: number;
  items?: number;
  /** Where a long operation stands, in the cmdlet's words (a billing export's phase, rate, ETA). */
  detail?: string;
}

/** Where a run over pipeline input stands: shown before the cmdlet's own progress. */
export interface PipelineProgress {
  /** Input objects whose run ended (written or failed). */
  done: number;
  /** Input objects read so far. */
  read: number;
  /** Output objects written by the whole run. */
  written: number;
  /** A fan-out names its input objects ("customers") and knows more. */
  fanOut?: {
    one: string;
    many: string;
    /** Input objects in all, when the input is a file. */
    total?: number;
    /** Input objects done per second, lately. */
    perSecond?: number;
    /** Time requests spent waiting out the service's throttling (Retry-After). */
    throttledMs?: number;
  };
}

const redrawInterval = 100;

export class Diagnostics {
  private progressShown = false;
  private lastStatus: ProgressStatus | undefined;
  private lastDrawn = 0;
  /** Questions on the terminal that hold the progress line back (holdProgress). */
  private holds = 0;
  private pipeline: PipelineProgress | undefined;

  constructor(
    private readonly stderr: Writable,
    private readonly isTTY: boolean,
    readonly redact: Redactor,
    /** The terminal's width when stderr does not know its own. */
    private readonly columns?: number,
  ) {
    // A closed stderr must never crash a run that is otherwise fine.
    stderr.on('error', () => {});
  }

  /** Writes each line of `text`, prefixed, redacted. */
  line(text: string, prefix = ''): void {
    const hadProgress = this.progressShown;
    this.clearProgress();
    const lines = this.redact(text).split(/\r?\n/);
    this.write(lines.map((line) => `${prefix}${line}\n`).join(''));
    if (hadProgress) this.redrawProgress();
  }

  /** Ends the run's progress for good: erased, and not drawn again. */
  finishProgress(): void {
    this.clearProgress();
    this.lastStatus = undefined;
  }

  progress(status: ProgressStatus): void {
    if (!this.isTTY) return;
    this.lastStatus = status;
    if (this.holds > 0) return;
    const now = Date.now();
    if (this.progressShown && now - this.lastDrawn < redrawInterval) return;
    this.lastDrawn = now;
    this.draw(status);
  }

  /** A run over pipeline input reports its counts; the line shows them with the cmdlet's own. */
  pipelineProgress(status: PipelineProgress): void {
    if (!this.isTTY) return;
    this.pipeline = status;
    this.progress(this.lastStatus ?? { activity: '' });
  }

  /** Draws the last progress again after other output erased it. */
  redrawProgress(): void {
    if (this.isTTY && this.lastStatus && !this.progressShown && this.holds === 0)
      this.draw(this.lastStatus);
  }

  /**
   * A question is on the terminal (confirm.ts): the progress line is erased and not drawn again
   * until the returned function is called, so its redraws cannot overwrite the question.
   */
  holdProgress(): () => void {
    this.clearProgress();
    this.holds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds--;
      this.redrawProgress();
    };
  }

  private draw(status: ProgressStatus): void {
    const parts = [
      status.pages === undefined ? '' : `${status.pages} page${status.pages === 1 ? '' : 's'}`,
      status.items === undefined ? '' : `${status.items} item${status.items === 1 ? '' : 's'}`,
      status.detail ?? '',
    ].filter(Boolean);
    const own = status.activity
      ? `${status.activity}${parts.length ? `: ${parts.join(', ')}` : ''}`
      : '';
    const text = this.redact(
      [pipelineText(this.pipeline), own].filter(Boolean).join(' | '),
    ).replace(/[\u0000-\u001f\u007f]/g, ' ');
    // A pseudo-terminal nobody sized (ssh -t, `script`) reports 0 columns: then stdout's width
    // (COLUMNS), else 80.
    const columns = (this.stderr as { columns?: number }).columns || this.columns || 80;
    const width = Math.max(20, columns - 1);
    this.write(`\r\u001b[K${text.slice(0, width)}`);
    this.progressShown = true;
  }

  /** Erases the progress line (before other output, and at the end of the run). */
  clearProgress(): void {
    if (!this.progressShown) return;
    this.progressShown = false;
    this.write('\r\u001b[K');
  }

  private write(text: string): void {
    try {
      this.stderr.write(text);
    } catch {
      // stderr is gone: nothing left to tell anyone.
    }
  }
}

function pipelineText(status: PipelineProgress | undefined): string {
  if (!status) return '';
  const count = (n: number, what: string) =>
    `${n.toLocaleString('en-US')} ${what}${n === 1 ? '' : 's'}`;
  const { fanOut } = status;
  if (fanOut) {
    const n = (value: number) => value.toLocaleString('en-US');
    const of = fanOut.total === undefined ? '' : ` of ${n(fanOut.total)}`;
    return [
      `${n(status.done)}${of} ${(fanOut.total ?? status.done) === 1 ? fanOut.one : fanOut.many} ` +
        `done (${n(status.read)} read)`,
      `${count(status.written, 'object')} written`,
      fanOut.perSecond === undefined ? '' : `${fanOut.perSecond.toFixed(1)}/s`,
      fanOut.throttledMs ? `${(fanOut.throttledMs / 1000).toFixed(1)} s throttled` : '',
    ]
      .filter(Boolean)
      .join(', ');
  }
  return (
    `${count(status.done, 'input object')} done (${status.read.toLocaleString('en-US')} read), ` +
    `${count(status.written, 'object')} written`
  );
}
