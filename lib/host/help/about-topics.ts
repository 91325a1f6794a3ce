/**
 * Conceptual help topics (`Get-Help about_ExitCodes`). Where a topic describes something declared
 * in code (exit codes, common parameters), it is generated from that declaration.
 */
import { exitCodeDescriptions } from '../../common/exit-codes.js';
import { commonParameterDetails } from './render-help.js';
import { shouldProcessParameters } from '../common-parameters.js';
import { helpWidth, tableRow, wrap } from './text-layout.js';
import { DEFAULT_THROTTLE_LIMIT } from '../../cmdlet-support/fan-out.js';
import { aboutOutputFormats } from './about-output-formats.js';

export interface AboutTopic {
  name: string;
  synopsis: string;
  body(width: number): string;
}

const tab = '    ';

export const aboutTopics: readonly AboutTopic[] = [
  {
    name: 'about_ExitCodes',
    synopsis: 'The exit codes every cmdlet of the module uses.',
    body: (width) =>
      [
        wrap(
          'Every cmdlet exits with one of these codes, so scripts and runbooks can ' +
            'tell what happened without reading stderr. Errors are also written to ' +
            'stderr as one line: "<Cmdlet>: <what went wrong> <what to do>".',
          width,
          tab,
        ),
        '',
        `${tab}${'Code'.padEnd(6)}${'Name'.padEnd(16)}Meaning`,
        `${tab}${'----'.padEnd(6)}${'----'.padEnd(16)}-------`,
        ...exitCodeDescriptions.map(([code, name, meaning]) =>
          tableRow([String(code), name, meaning], [6, 16], width, tab),
        ),
        '',
        wrap(
          'When the reader of the output goes away early (for example "| head -n ' +
            '1"), the cmdlet stops quietly, fetches nothing more, and exits 0.',
          width,
          tab,
        ),
      ].join('\n'),
  },
  {
    name: 'about_CommonParameters',
    synopsis:
      'The parameters every cmdlet takes: -Verbose, -Debug, -ErrorAction, ' +
      '-OutputFormat, -Encoding, -Property, -Context, -Help; and -WhatIf, -Confirm, ' +
      '-Force of the cmdlets that change things.',
    body: (width) =>
      [
        wrap(
          'Every cmdlet of the module takes these parameters in addition to its ' +
            'own. Like all parameters, their names are case-insensitive and any ' +
            'unambiguous prefix works.',
          width,
          tab,
        ),
        '',
        wrap(
          '-ErrorAction is about one pipeline object that fails (a customer the ' +
            'partner may not read, one that no longer exists, a bad input line), ' +
            "PowerShell's non-terminating error. Continue, the default as in " +
            'PowerShell, writes one line for it and goes on; the run ends with one ' +
            'summary line (how many failed, by reason, and whether a rerun with ' +
            '-ResumeFile could retry only those, which it says only when some ' +
            'failure may pass later) and exit code 1. SilentlyContinue writes no ' +
            'line (the summary only with -Verbose); Ignore writes nothing at all; ' +
            'both still exit 1, as $? is false in PowerShell after an error even ' +
            'under Ignore. Stop ends the run at the first failure with its own exit ' +
            'code. What ends any run still ends it whatever -ErrorAction says: not ' +
            'signed in or a sign-in that cannot be renewed, throttling that outlasts ' +
            'the retries, Ctrl-C. PARTNERCENTER_ERROR_ACTION_PREFERENCE sets the ' +
            'default, as $ErrorActionPreference does (Ignore only as the parameter, ' +
            'as PowerShell refuses it there). From Node, ErrorAction is a parameter ' +
            'of invoke and the typed functions; each failed object goes to onError ' +
            '(its line to onMessage) and the call resolves.',
          width,
          tab,
        ),
        '',
        commonParameterDetails(width),
        '',
        `${tab}Cmdlets that change things: -WhatIf, -Confirm, -Force`,
        '',
        wrap(
          'A cmdlet that changes something (its SYNTAX ends with [-WhatIf] [-Confirm]) also ' +
            "takes PowerShell's risk-management parameters, and -Force; any other cmdlet " +
            'refuses them as unknown parameters. Each such cmdlet has an impact, as ' +
            "PowerShell's ConfirmImpact: Low, Medium or High (its help says which, under " +
            '-Confirm). It asks before each change when its impact is at least ' +
            "PARTNERCENTER_CONFIRM_PREFERENCE, which plays PowerShell's $ConfirmPreference " +
            '(None, Low, Medium or High; High when unset; None never asks; any other value ' +
            'is refused with exit 2), or when -Confirm is given.',
          width,
          tab,
        ),
        '',
        wrap(
          'The question is asked on the terminal itself (/dev/tty; on Windows the ' +
            'console), never read from stdin, which in a pipeline carries the objects: ' +
            '[Y] Yes  [A] Yes to All  [N] No  [L] No to All  [?] Help (default is "Y"). ' +
            'Yes to All and No to All answer every later question of the same run, ' +
            'including the other objects of a fan-out, which are asked one at a time. ' +
            'A change answered No is skipped (not an error).',
          width,
          tab,
        ),
        '',
        wrap(
          'Where a question is due and nobody can answer it (no terminal: a runbook, ' +
            'cron, a CI job; from Node, no onConfirm option), the cmdlet refuses before ' +
            'it reads or changes anything, with one line naming -Force and -Confirm:$false, ' +
            'and exit code 2. -Confirm:$false (or --Confirm=false) makes the changes without ' +
            'asking whatever the preference says; so does -Force, unless -Confirm is given ' +
            'too. -WhatIf makes no change and asks nothing: the cmdlet still reads what it ' +
            'needs and writes, on stderr, one line per change: What if: Performing the ' +
            'operation "<action>" on target "<target>". followed by each property before → ' +
            'after (quantity 10 → 12). PARTNERCENTER_WHATIF_PREFERENCE=true makes every ' +
            "such command a -WhatIf run, as PowerShell's $WhatIfPreference; -WhatIf:$false " +
            'then runs one for real. From Node, WhatIf, Confirm and Force are parameters ' +
            'of invoke and the typed functions, the What if lines go to onMessage and the ' +
            'questions to onConfirm.',
          width,
          tab,
        ),
        '',
        commonParameterDetails(width, shouldProcessParameters),
      ].join('\n'),
  },
  {
    name: 'about_Parameters',
    synopsis:
      'How parameters are written on a command line: names, prefixes, values, ' +
      'switches, positions, parameter sets.',
    body: (width) =>
      [
        '-Name value, -Name:value',
        'A parameter and its value, as in PowerShell. Names are case-insensitive ' +
          'and any unambiguous prefix binds (-cust for -CustomerId); an ambiguous ' +
          'prefix is refused with the candidates. Aliases work too (-Id for ' +
          '-CustomerId). To pass a value that starts with a dash, write -Name:-value.',
        '',
        '-Switch, -Switch:$false',
        'A switch is on when named; -Switch:$false (or :false) turns it off ' +
          'explicitly. In bash, quote the dollar sign or write :false.',
        '',
        'Lists',
        'A list parameter takes comma-separated values (-Property ' +
          'id,companyProfile.domain or -Property id, companyProfile.domain).',
        '',
        'Each parameter once',
        'As in PowerShell, a parameter given twice (-PageSize 5 -PageSize 6, or ' +
          'the same one through an alias or a prefix: -Id x -CustomerId y) is ' +
          'refused with exit 2 ("specified more than once") rather than one value ' +
          'silently winning; a list takes its values comma-separated, once.',
        '',
        'Positional parameters and --',
        'Some parameters bind by position (see "Position?" in a cmdlet\'s help). ' +
          'After --, every word is a positional value, even one that starts with a dash.',
        '',
        'Parameter sets',
        'Many cmdlets have several parameter sets (one per SYNTAX line of their ' +
          'help). The parameters given choose the set; parameters of different sets ' +
          'cannot be combined, and a missing mandatory parameter is an error, never ' +
          'a prompt, when the run is not interactive.',
        '',
        'Environment variables',
        'Some parameters fall back to an environment variable when not given (see ' +
          '"Environment variable" in a cmdlet\'s help), such as ' +
          'PARTNERCENTER_CLIENT_SECRET, which keeps secrets off the command line. ' +
          'PARTNERCENTER_CONTEXT selects a saved context for every command, and ' +
          "PARTNERCENTER_ERROR_ACTION_PREFERENCE plays PowerShell's " +
          '$ErrorActionPreference (the -ErrorAction of every command that is not ' +
          'given one).',
        '',
        'Secrets',
        'A secret typed on the command line (-ClientSecret, -RefreshToken, ' +
          '-AccessToken, -CertificatePassword) can be seen by other users of the ' +
          'machine and stays in shell history: the cmdlet warns once on stderr. Use ' +
          'its environment variable, or give - as the value and write the secret to ' +
          'stdin (-ClientSecret - < secret.txt), which works when the cmdlet is not ' +
          'reading pipeline input.',
        '',
        'Validation',
        'Every value is checked (GUIDs, number ranges, allowed values, files that ' +
          'must exist) before anything is sent over the network; a bad value exits ' +
          'with code 2.',
      ]
        .map((line, index, lines) =>
          line === ''
            ? ''
            : index === 0 || lines[index - 1] === ''
              ? `${tab}${line}`
              : wrap(line, width, tab + tab),
        )
        .join('\n'),
  },
  aboutOutputFormats,
  {
    name: 'about_Pipelines',
    synopsis:
      'How cmdlets pass objects to each other: NDJSON on stdout and stdin, bound by property name.',
    body: (width) =>
      [
        'Output',
        'Cmdlets write objects as NDJSON (one JSON object per line) unless ' +
          '-OutputFormat says otherwise. Objects are written as soon as they exist, ' +
          'so a long listing streams; every line is whole, even when the run is ' +
          'stopped by Ctrl-C. A listing writes each object as the bytes Partner ' +
          'Center sent, without parsing it: numbers too large for a double and ' +
          'escaped characters arrive exactly as sent (an object the service spread ' +
          'over several lines is made one line). -Property and the Json, Csv and ' +
          'Table formats parse each object.',
        '',
        'Input by property name',
        "When a cmdlet's stdin is a pipe or a file, it reads NDJSON objects from " +
          'it and runs once per object. Each parameter marked "Accept pipeline ' +
          'input? True (ByPropertyName)" takes the value of the object\'s property ' +
          'with the same name or alias (case-insensitive). For example, a ' +
          'customer\'s "id" binds to -CustomerId through its alias Id, so ' +
          '"Get-PartnerCustomer -Domain contoso | Get-PartnerCustomer" fetches each ' +
          "match in full. Of a cmdlet's parameter sets, each object takes the one " +
          'that binds the most of its properties, the default set when two bind as ' +
          'many: a row with customerId and subscriptionId piped to ' +
          'Get-PartnerCustomerSubscription gets that subscription, a row with ' +
          "customerId alone the customer's list. No input objects means no runs. " +
          'Parameters given on the command line stay as given.',
        '',
        'Standard input',
        'A command line that names its object and is complete without pipeline ' +
          'input (a parameter that takes pipeline input, such as -CustomerId, is ' +
          'given) runs once and never reads standard input, whatever it is: an ' +
          "empty pipe, a pipe nobody closes (Node's execFile), /dev/null. So " +
          '"Get-PartnerCustomerSubscription -CustomerId <id>" lists that customer\'s ' +
          'subscriptions even with objects on stdin. To get piped subscriptions one by ' +
          "one, pipe them without -CustomerId: the module's subscriptions carry " +
          'their customerId. Otherwise a pipe or a file on stdin is pipeline input ' +
          '(a terminal or /dev/null is none). An input that ends with no objects ' +
          'prints a WARNING saying nothing came and what to give instead; a run still ' +
          'waiting for its first object after 5 seconds says so when stderr is a ' +
          'terminal or with -Verbose.',
        '',
        'Whose object it is',
        "Partner Center's subscription, user, SKU and license objects do not " +
          "carry their customer's id, so the per-customer cmdlets write each " +
          "one with the customer's id first (customerId), and a user's licenses " +
          "with the user's id too (userId); the rest of the object is the " +
          "service's, unchanged. Every Partner Center object names its kind in " +
          'attributes.objectType, and a parameter takes an "id" only from objects ' +
          "of its kind: a Customer's id binds to -CustomerId, a CustomerUser's to " +
          "-UserId, while a user's customerId binds to -CustomerId by name. So " +
          '"Get-PartnerCustomer -First 5 | Get-PartnerCustomerUser | ' +
          'Get-PartnerCustomerUserLicense" binds correctly at every step. Objects ' +
          'without an objectType bind their id through the aliases.',
        '',
        'Many customers, one failure',
        'When one piped customer fails (no commerce relationship, deleted, its ' +
          'users not readable by this sign-in), the run goes on, as in PowerShell ' +
          '(-ErrorAction Continue, the default): one line names it and says why, ' +
          '"<Cmdlet>: <company name> (<id>): no commerce relationship (403, 20002)", ' +
          'fitted to a terminal (on a pipe or file the line adds the full message); ' +
          'the run ends with one summary line counting the failures by reason and ' +
          'exits 1. -ErrorAction Stop ends the run at the first failure instead. ' +
          'What was written stays written.',
        '',
        'Many customers at once',
        'The per-customer cmdlets work on -ThrottleLimit piped objects at once ' +
          `(default ${DEFAULT_THROTTLE_LIMIT}). Each object's output is written whole, in the order the ` +
          "objects finish, never interleaved with another's (-ThrottleLimit 1 keeps " +
          'the input order); one of more than 1,000 objects is streamed as it comes. ' +
          'When Partner Center throttles, every request waits out its Retry-After ' +
          'and fewer run at once. -First <n> stops after n objects. With -ResumeFile ' +
          '<file>, each object whose output was written is recorded; after a stop, ' +
          'the same pipeline run again with the same file does only the rest, and ' +
          "the stop's error line gives that command. The file is deleted once every " +
          'object was done and the input was all there (see "When the input ends ' +
          'early").',
        '',
        'Bad input lines',
        'A line that is not a JSON object (or not UTF-8, or longer than 16 MiB) ' +
          'is an error naming its line number, failing that object alone: Continue ' +
          '(the default) reports it and goes on; SilentlyContinue and Ignore go on ' +
          'quietly; either way the run exits 1. -ErrorAction Stop ends the run there ' +
          'with exit code 2: nothing is sent for that line or any after it, objects ' +
          'of earlier lines that had finished were written, those still in flight ' +
          'are cancelled.',
        '',
        'When the input ends early',
        'The end of the input is the end of the work only when the input was all ' +
          "there. When the command feeding a pipe is one of this module's, it leaves " +
          'a mark saying it started and, just before it exits, how it ended; the ' +
          'reading command checks it when its input ends. If the writer failed (any ' +
          'non-zero exit, including items it could not list) or was killed, the ' +
          'reader does what came, reports "The input is incomplete", keeps its ' +
          '-ResumeFile and exits 6. When the input came from another program or a ' +
          'file, its end counts as clean when its last line is whole (ends with a ' +
          'newline, or is at least readable JSON); a last line without its newline ' +
          'that cannot be read (cut off mid-object) is never used as data, and the ' +
          'run exits 6 the same way. An input ' +
          "with no objects never deletes an earlier run's resume file. So " +
          '"set -o pipefail; A | B -ResumeFile f >> out", run again until it exits 0, ' +
          'ends with every object exactly once whichever side failed. Limits: ' +
          'another program between the two (A | jq | B) hides the mark, so B then ' +
          'knows only whether the last line was whole; a file written by a failed run ' +
          "ends with whole lines, so B cannot tell (check the writer's exit code). " +
          'Marks are kept in a private directory ($XDG_RUNTIME_DIR, else the ' +
          'temporary directory: partnercenter-pipes-<uid>, 0700, refused when ' +
          'another user could write it) and only for pipes (not on Windows); where ' +
          'they cannot be kept, only the last-line rule applies. A mark outlives its ' +
          "pipe when the reader was not the module's or was killed (removed after a " +
          'day); a new pipe gets the same identity only after the system reused its ' +
          'number, and a stale mark then makes its reader keep the resume file, never ' +
          'delete it early.',
        '',
        'Stopping a pipeline',
        'Ctrl-C reaches every command of a pipeline. The one instruction to continue ' +
          'comes from the command that can continue the whole pipeline: a ' +
          "per-customer command reading the output of another of the module's " +
          'commands counts what it did and names its -ResumeFile, and the command ' +
          'feeding it only says why it stopped and that its reader says how to ' +
          'continue. The same holds when the upstream fails.',
        '',
        'Progress',
        'The progress line (stderr, on a terminal only) is drawn by a command whose ' +
          'stdout is a terminal or a file, never by one whose stdout is a pipe, so ' +
          'in "A | B > out" only B shows one; it is erased before the command exits.',
        '',
        'Early end',
        'When the reader stops early ("| head -n 5"), the writing cmdlet stops ' +
          'quietly, fetches no further pages, and exits 0.',
        '',
        'Running a cmdlet from another program',
        'Give the object on the command line (-CustomerId) and stdin does not ' +
          'matter. A cmdlet that does read pipeline input from a pipe waits until ' +
          'the pipe is closed: programs that start one without meaning to give it ' +
          'input should connect its stdin to /dev/null (or close it).',
      ]
        .map((line, index, lines) =>
          line === ''
            ? ''
            : index === 0 || lines[index - 1] === ''
              ? `${tab}${line}`
              : wrap(line, width, tab + tab),
        )
        .join('\n'),
  },
  {
    name: 'about_Retries',
    synopsis:
      'How commands retry a failing service, how to bound that, and how to ' +
      'resume a listing that stopped.',
    body: (width) =>
      [
        'What is retried',
        'Throttling (429) waits what Retry-After asks; 408, 500, 502, 503, 504, ' +
          'dropped connections, answers cut off mid-way and requests slower than ' +
          'the timeout are retried with exponential backoff and jitter. 400, 403, ' +
          '404 and 409 are answers, not accidents: never retried. A 401 renews the ' +
          'access token once and repeats the call. -Verbose reports every retry, ' +
          'wait and renewal.',
        '',
        'Signing in',
        "The token requests of a sign-in (Connect-Partner, and each renewal of a context's " +
          'token during a command) are retried the same way under the same -MaxRetry: ' +
          'a connection reset before or during the answer, an answer slower than the ' +
          'timeout, 408, 429 and 5xx. Asking Entra ID for a token again is harmless. ' +
          'When the retries run out the command stops with exit code 5 and says that ' +
          'the network or Entra ID failed; a refused sign-in (wrong secret, unknown ' +
          'tenant) is never retried and stops with exit code 3.',
        '',
        'Bounds',
        '-MaxRetry <0..20> (default 5) is the number of retries per request; ' +
          'PARTNERCENTER_MAX_RETRY sets it for a shell, and a value saved with the ' +
          'context ("maxRetry") applies when neither is given. ' +
          'PARTNERCENTER_MAX_RETRY_WAIT bounds, in seconds, the total time one ' +
          'request may spend waiting (default 300; "maxRetryWaitSeconds" in the ' +
          'context). When a bound is reached the command gives up with exit code 5.',
        '',
        'Tuning knobs',
        'PARTNERCENTER_REQUEST_TIMEOUT_MS is the time one attempt may take ' +
          '(default 100000); PARTNERCENTER_RETRY_BASE_DELAY_MS the first backoff ' +
          'step (default 500, doubling each retry). They exist for unusual networks ' +
          'and for tests; the defaults suit Partner Center.',
        '',
        'Resuming a listing',
        'When Get-PartnerCustomer stops before the end (retries exhausted: exit ' +
          '5; a sign-in that cannot be renewed: exit 3; Ctrl-C or SIGTERM: exit 130 ' +
          'or 143), its one line on stderr says how many customers were written and ' +
          'the exact command that continues with the next one: -ContinuationToken ' +
          '<token> (plus -Skip <n> when it stopped inside a page). Append that ' +
          "run's output to the first (>>) and every customer is there exactly once. " +
          'With -ResumeFile <path> the position is kept in that file after every ' +
          'page, the same command continues where the last run stopped, and the ' +
          'file is deleted when the listing completes; a resume with other ' +
          'parameters is refused. The file records only what reached stdout whole: ' +
          'on a full disk (exit 1) stdout is cut back to it, and a resumed run ' +
          'appending to the same file (>>) first cuts off what an earlier run wrote ' +
          'after its last record (even one killed by SIGKILL); a file emptied since ' +
          '(> instead of >>) is refused.',
        '',
        'Expired continuation tokens',
        'Partner Center accepts a continuation token for a limited time. A resume ' +
          'file whose token expired makes the listing start over and skip the ' +
          'customers already written, with a WARNING (exact unless customers were ' +
          'added or removed meanwhile); a -ContinuationToken that expired is an ' +
          'error that says how to do the same with -Skip.',
      ]
        .map((line, index, lines) =>
          line === ''
            ? ''
            : index === 0 || lines[index - 1] === ''
              ? `${tab}${line}`
              : wrap(line, width, tab + tab),
        )
        .join('\n'),
  },
];

export function findAboutTopic(name: string): AboutTopic | undefined {
  return aboutTopics.find((topic) => topic.name.toLowerCase() === name.toLowerCase());
}

export function renderAboutTopic(topic: AboutTopic, columns?: number): string {
  const width = helpWidth(columns);
  return (
    `\nTOPIC\n${tab}${topic.name}\n\nSHORT DESCRIPTION\n${wrap(topic.synopsis, width, tab)}\n\nLONG ` +
    `DESCRIPTION\n${topic.body(width)}\n`
  );
}
