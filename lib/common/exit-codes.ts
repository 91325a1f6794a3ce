/** One table of exit codes for every cmdlet; the README and `Get-Help about_ExitCodes` print it. */
export const ExitCode = {
  /** Everything asked for was done. */
  Success: 0,
  /**
   * An unexpected failure, a bad context/token file, or (with -ErrorAction Continue) some pipeline
   * items failed.
   */
  Failure: 1,
  /** Bad parameters or bad pipeline input: nothing was sent to the network. */
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
    'Unexpected failure, unreadable context/token file, or some pipeline ' +
      'items failed (-ErrorAction Continue).',
  ],
  [
    ExitCode.Usage,
    'Usage',
    'Bad parameters or bad pipeline input; nothing was sent over the network.',
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
  [ExitCode.Interrupted, 'Interrupted', 'Stopped by Ctrl-C (SIGINT).'],
  [ExitCode.Terminated, 'Terminated', 'Stopped by SIGTERM.'],
];
