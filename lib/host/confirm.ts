/**
 * The write contract's host side: PowerShell's ShouldProcess for a cmdlet that declares `changes`.
 * One ShouldProcess per run (createShouldProcess), shared by all its pipeline objects, so "Yes to
 * All" answers the rest of the run, across a fan-out's parallel invocations too.
 *
 * PowerShell's rules, as this reads them (about_CommonParameters, "-WhatIf, -Confirm, -Force"):
 * - -WhatIf: no change is made and nothing is asked; each change is described on stderr
 *   (`What if: Performing the operation "<action>" on target "<target>".`), in-process to
 *   onMessage. The cmdlet's reads still happen.
 * - A confirmation is due when the cmdlet's ConfirmImpact is at least the preference
 *   (PARTNERCENTER_CONFIRM_PREFERENCE plays $ConfirmPreference: None, Low, Medium, High; default
 *   High; None never asks), or when -Confirm is given whatever the impact. -Confirm:$false never
 *   asks; -Force never asks unless -Confirm is given too (the idiom PowerShell cmdlets follow:
 *   `if ($Force -and -not $Confirm) { $ConfirmPreference = 'None' }`).
 * - The question goes to the terminal itself (terminal.ts), never to stdin, which carries the
 *   pipeline's objects; from Node, to the caller's onConfirm.
 * - Where a confirmation is due and nobody can answer (no terminal: a runbook, CI; in-process
 *   without onConfirm), the run is refused before it starts, so before any change: exit 2.
 */
import type {
  CmdletDefinition,
  ConfirmImpact,
  PropertyChange,
  ShouldProcess,
} from '../cmdlet-support/cmdlet.js';
import { InternalError, UsageError } from '../common/errors.js';
import { untrustedLine } from '../common/text.js';
import type { CommonParameterValues } from './common-parameters.js';
import type { ConfirmAnswer, ConfirmQuestion } from './in-process-options.js';
import type { Terminal } from './terminal.js';

export type { ConfirmAnswer, ConfirmQuestion } from './in-process-options.js';

export const CONFIRM_PREFERENCE_VARIABLE = 'PARTNERCENTER_CONFIRM_PREFERENCE';

/** $ConfirmPreference's values, lowest first: a change is confirmed when impact >= preference. */
export const confirmPreferences = ['None', 'Low', 'Medium', 'High'] as const;
export type ConfirmPreference = (typeof confirmPreferences)[number];

/** The preference from the environment (High when unset), matched in any case; bad: UsageError. */
export function confirmPreference(env: NodeJS.ProcessEnv): ConfirmPreference {
  const text = env[CONFIRM_PREFERENCE_VARIABLE]?.trim();
  if (!text) return 'High';
  const found = confirmPreferences.find((name) => name.toLowerCase() === text.toLowerCase());
  if (found) return found;
  throw new UsageError(
    `${CONFIRM_PREFERENCE_VARIABLE} is "${untrustedLine(text, 40)}", which is not a confirm preference.`,
    {
      hint:
        `Set it to one of ${confirmPreferences.join(', ')} (as PowerShell's $ConfirmPreference; ` +
        'High by default), or unset it.',
    },
  );
}

export const WHATIF_PREFERENCE_VARIABLE = 'PARTNERCENTER_WHATIF_PREFERENCE';

/**
 * -WhatIf when not given: PARTNERCENTER_WHATIF_PREFERENCE plays $WhatIfPreference (true makes every
 * changing command a -WhatIf run unless given -WhatIf:$false); unset or false, off.
 */
export function whatIfPreference(env: NodeJS.ProcessEnv): boolean {
  const text = env[WHATIF_PREFERENCE_VARIABLE]?.trim().toLowerCase();
  if (!text) return false;
  if (['true', '$true', '1'].includes(text)) return true;
  if (['false', '$false', '0'].includes(text)) return false;
  throw new UsageError(
    `${WHATIF_PREFERENCE_VARIABLE} is "${untrustedLine(text, 40)}", which is not true or false.`,
    { hint: "Set it to true or false (as PowerShell's $WhatIfPreference), or unset it." },
  );
}

/** Who answers a question: the Node API's callback or the terminal, as the run has them. */
export interface ConfirmChannels {
  /** The Node API's onConfirm: when given, the only one asked. */
  onConfirm?: (question: ConfirmQuestion) => ConfirmAnswer | Promise<ConfirmAnswer>;
  /** The process's terminal, opened when a question is due (absent in-process). */
  terminal?: () => Terminal | undefined;
}

export interface ShouldProcessOptions extends ConfirmChannels {
  definition: Pick<CmdletDefinition<any>, 'name' | 'changes'>;
  common: Pick<CommonParameterValues, 'whatIf' | 'confirm' | 'force'>;
  env: NodeJS.ProcessEnv;
  /** A line on stderr (the -WhatIf descriptions); in-process, onMessage. */
  line(text: string): void;
  /** -Verbose: a change made without a question is still named. */
  verbose(text: string): void;
  /** A call from Node (bound from an object of values): its refusal names the options. */
  inProcess: boolean;
  /**
   * -ResumeFile was given: its journal records each pipeline object as done, which a -WhatIf run
   * must not do (the real run with the same file would then skip every change it only showed).
   */
  resumeFile?: boolean;
  /**
   * Called before a question is shown on the terminal (the progress line makes way); the
   * function it returns is called once the question is answered.
   */
  holdProgress?(): () => void;
  /** The run's signal: a question waiting for an answer ends with it. */
  signal: AbortSignal;
}

/**
 * The run's ShouldProcess. Throws (UsageError, exit 2) when the preference is not one, or when a
 * confirmation is due and nobody can answer: call it as the run starts, before any request.
 */
export function createShouldProcess(options: ShouldProcessOptions): ShouldProcess {
  const { definition, common } = options;
  const changes = definition.changes;
  if (!changes)
    throw new InternalError(`${definition.name} does not declare that it changes things.`);
  const preference = confirmPreference(options.env);
  if (common.whatIf ?? whatIfPreference(options.env)) {
    if (options.resumeFile)
      throw new UsageError(
        '-WhatIf changes nothing, so -ResumeFile would record as done changes that were only ' +
          'shown: the run without -WhatIf would then skip them.',
        { hint: 'Leave -ResumeFile out of the -WhatIf run; give it to the run that changes.' },
      );
    return (target, action, detail) => {
      options.line(`What if: ${performing(action, target, detailText(detail))}`);
      return Promise.resolve(false);
    };
  }
  const proceed: ShouldProcess = (target, action, detail) => {
    options.verbose(performing(action, target, detailText(detail)));
    return Promise.resolve(true);
  };
  const impact = changes.confirmImpact;
  const due =
    common.confirm === true ||
    (common.confirm === undefined &&
      !common.force &&
      preference !== 'None' &&
      confirmPreferences.indexOf(impact) >= confirmPreferences.indexOf(preference));
  if (!due) return proceed;
  const ask = askerFor(options);
  if (!ask)
    throw refusal(definition.name, impact, preference, common.confirm === true, options.inProcess);
  return new Confirmation(ask, impact, options.signal).shouldProcess;
}

type Ask = (question: ConfirmQuestion) => Promise<ConfirmAnswer>;

function askerFor(options: ShouldProcessOptions): Ask | undefined {
  const { onConfirm } = options;
  if (onConfirm) return async (question) => checkedAnswer(await onConfirm(question));
  // A CI job may run with a terminal attached (a pseudo-terminal for colours): still nobody there.
  if (options.env.CI) return undefined;
  const terminal = options.terminal?.();
  if (!terminal) return undefined;
  return async (question) => {
    const release = options.holdProgress?.();
    try {
      return await askOnTerminal(terminal, question, options.signal);
    } finally {
      release?.();
    }
  };
}

function checkedAnswer(answer: unknown): ConfirmAnswer {
  if (answer === 'Yes' || answer === 'YesToAll' || answer === 'No' || answer === 'NoToAll')
    return answer;
  throw new UsageError(
    `onConfirm answered ${JSON.stringify(answer)}, which is not an answer to a confirmation.`,
    { hint: "Answer 'Yes', 'YesToAll', 'No' or 'NoToAll'." },
  );
}

function refusal(
  cmdletName: string,
  impact: ConfirmImpact,
  preference: ConfirmPreference,
  confirmGiven: boolean,
  inProcess: boolean,
): UsageError {
  const why = confirmGiven
    ? '-Confirm asks before each change'
    : `${cmdletName} asks before each change: its impact (${impact}) is at least ` +
      `${CONFIRM_PREFERENCE_VARIABLE} (${preference})`;
  const nobody = inProcess
    ? 'this in-process call has no onConfirm to ask'
    : 'no terminal is there to ask';
  return new UsageError(`${why}, and ${nobody}: nothing was changed.`, {
    hint: inProcess
      ? 'Pass Force: true or Confirm: false to make the changes without asking, an onConfirm ' +
        'option to answer, or WhatIf: true to see them first.'
      : 'Add -Force or -Confirm:$false to make the changes without asking (in a runbook, that ' +
        'is the choice to make), or -WhatIf to see them first.',
  });
}

/** One run's questions: one at a time, and "to All" answers the rest of the run. */
class Confirmation {
  private toAll: boolean | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly ask: Ask,
    private readonly impact: ConfirmImpact,
    private readonly signal: AbortSignal,
  ) {}

  readonly shouldProcess: ShouldProcess = (target, action, detail) => {
    const turn = this.queue.then(() => this.decide(target, action, detail));
    // The next question waits for this one, whatever its end.
    this.queue = turn.catch(() => undefined);
    return turn;
  };

  private async decide(
    target: string,
    action: string,
    detail: string | readonly PropertyChange[] | undefined,
  ): Promise<boolean> {
    if (this.toAll !== undefined) return this.toAll;
    this.signal.throwIfAborted();
    const text = detailText(detail);
    const answer = await this.ask({
      target,
      action,
      ...(text === undefined ? {} : { detail: text }),
      message: performing(action, target, text),
      impact: this.impact,
    });
    this.signal.throwIfAborted();
    if (answer === 'YesToAll') this.toAll = true;
    if (answer === 'NoToAll') this.toAll = false;
    return answer === 'Yes' || answer === 'YesToAll';
  }
}

/** `Performing the operation "<action>" on target "<target>".`, and what changes after it. */
function performing(action: string, target: string, detail: string | undefined): string {
  const sentence = `Performing the operation "${action}" on target "${target}".`;
  // Names come from the service (a subscription's friendly name): one line, no control
  // characters, before a terminal or a log sees them.
  return untrustedLine(detail === undefined ? sentence : `${sentence} ${detail}`, 1000);
}

/** `quantity 10 → 12, friendlyName "Old" → "New"`: each property before → after. */
export function detailText(
  detail: string | readonly PropertyChange[] | undefined,
): string | undefined {
  if (detail === undefined) return undefined;
  if (typeof detail === 'string') return detail || undefined;
  if (detail.length === 0) return undefined;
  return detail
    .map(
      ({ property, before, after }) => `${property} ${shownValue(before)} → ${shownValue(after)}`,
    )
    .join(', ');
}

function shownValue(value: unknown): string {
  if (value === undefined || value === null) return '(none)';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

const choices: ReadonlyArray<{ key: string; label: string; answer: ConfirmAnswer; help: string }> =
  [
    {
      key: 'Y',
      label: 'Yes',
      answer: 'Yes',
      help: 'Continue with only the next step of the operation.',
    },
    {
      key: 'A',
      label: 'Yes to All',
      answer: 'YesToAll',
      help: 'Continue with all the steps of the operation.',
    },
    {
      key: 'N',
      label: 'No',
      answer: 'No',
      help: 'Skip this operation and proceed with the next operation.',
    },
    {
      key: 'L',
      label: 'No to All',
      answer: 'NoToAll',
      help: 'Skip this operation and all subsequent operations.',
    },
  ];

/**
 * PowerShell's confirmation on the terminal: the caption, the question, the operation, and the
 * choices without [S] Suspend (there is no nested prompt to suspend to). Enter alone is the
 * default, Yes; ? lists what each choice does and asks again, as does an answer that is none of
 * them. Ctrl-D answers No to All (nothing more is changed).
 */
async function askOnTerminal(
  terminal: Terminal,
  question: ConfirmQuestion,
  signal: AbortSignal,
): Promise<ConfirmAnswer> {
  const menu = `${choices.map(({ key, label }) => `[${key}] ${label}`).join('  ')}  [?] Help (default is "Y"): `;
  terminal.write(`\nConfirm\nAre you sure you want to perform this action?\n${question.message}\n`);
  for (;;) {
    const typed = await terminal.readLine(menu, { signal });
    signal.throwIfAborted();
    if (typed === undefined) {
      terminal.write('\n');
      return 'NoToAll';
    }
    const word = typed.trim().toLowerCase();
    if (word === '') return 'Yes';
    const chosen = choices.find(
      ({ key, label }) => word === key.toLowerCase() || word === label.toLowerCase(),
    );
    if (chosen) return chosen.answer;
    if (word === '?')
      terminal.write(`${choices.map(({ key, help }) => `${key} - ${help}`).join('\n')}\n`);
  }
}
