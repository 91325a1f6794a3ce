/** One table of exit codes for every cmdlet; the README and `Get-Help about_ExitCodes` print it. */
export const ExitCode = {
  /** Everything asked for was done. */
  Success: 0,
  /**
   * An unexpected failure, a bad context/token file, stdout could not be written (disk full, I/O
   * error), or some pipeline items failed (and the run went on past them: -ErrorAction Continue,
   * the default, SilentlyContinue or Ignore).
   */
  Failure: 1,
  /**
   * Bad parameters (nothing was sent to the network), or a bad pipeline input line that stopped
   * the run (nothing was sent for it or any line after it; see about_ExitCodes).
   */
  Usage: 2,
  /** Not connected, the token expired and cannot be renewed, sign-in failed, or access denied. */
  Authentication: 3,
  /** The customer (or other object) does not exist. */
  NotFound: 4,
  /**
   * Partner Center (or Entra ID's token endpoint) failed the operation, or retries and throttling
   * waits ran out.
   */
  ServiceFailure: 5,
  /**
   * The pipeline input ended early: the command feeding it failed or was stopped, or its last line
   * was cut off. What came was done; a -ResumeFile is kept (about_Pipelines).
   */
  InputIncomplete: 6,
  /** Stopped by Ctrl-C (SIGINT): 128 + 2. */
  Interrupted: 130,
  /** Stopped by SIGTERM: 128 + 15. */
  Terminated: 143,
} as const;

export const exitCodeDescriptions: ReadonlyArray<[number, string, string]> = [
  [ExitCode.Success, 'Success', 'Everything asked for was done.'],
  [
    ExitCode.Failure,
    'Failure',
    'Unexpected failure, unreadable context/token file, stdout could not be written (disk ' +
      'full, I/O error), or some pipeline items failed and the run went on past them ' +
      '(-ErrorAction Continue, the default).',
  ],
  [
    ExitCode.Usage,
    'Usage',
    'Bad parameters: nothing was sent over the network. Or a bad line of pipeline input ' +
      'stopped the run (-ErrorAction Stop): nothing was sent for that line or any after it; ' +
      'objects of earlier lines that had finished were written, those still in flight were ' +
      'cancelled (the error line says how many were done).',
  ],
  [
    ExitCode.Authentication,
    'Authentication',
    'Not connected, token expired and not renewable, sign-in failed, or access denied.',
  ],
  [ExitCode.NotFound, 'NotFound', 'The customer or other object does not exist.'],
  [
    ExitCode.ServiceFailure,
    'ServiceFailure',
    'Partner Center or the token endpoint failed, or retries/throttling waits ran out.',
  ],
  [
    ExitCode.InputIncomplete,
    'InputIncomplete',
    'The pipeline input is incomplete: the command feeding it failed (some of its objects ' +
      'included) or was stopped, or its last line was cut off. What came was done; a ' +
      '-ResumeFile is kept for the rerun.',
  ],
  [ExitCode.Interrupted, 'Interrupted', 'Stopped by Ctrl-C (SIGINT).'],
  [ExitCode.Terminated, 'Terminated', 'Stopped by SIGTERM.'],
];
