/**
 * The write contract in-process (lib/host/confirm.ts): -WhatIf, -Confirm, -Force and
 * PARTNERCENTER_CONFIRM_PREFERENCE on the command line, WhatIf/Confirm/Force/onConfirm/onMessage
 * from Node, the refusal where a confirmation is due and nobody can answer, and help and
 * completion of the parameters. The questions on a real terminal: spec/e2e/confirm-terminal.spec.ts.
 */
import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import type { CmdletDefinition } from '../../lib/cmdlet-support/cmdlet.js';
import { completionScript } from '../../lib/host/completion.js';
import { renderHelp } from '../../lib/host/help/render-help.js';
import { aboutTopics } from '../../lib/host/help/about-topics.js';
import type { ConfirmQuestion } from '../../lib/host/confirm.js';
import { streamCmdlet, type InProcessOptions } from '../../lib/host/in-process.js';
import { UsageError } from '../../lib/common/errors.js';
import type { GivenParametersOf } from '../../lib/cmdlet-support/parameter-types.js';
import { loadCmdlet } from '../../lib/host/load-cmdlet.js';
import { getThing } from '../fixtures/host/fixture-cmdlets.js';
import { Collector, runInProcess } from '../fixtures/host/run-in-process.js';
import { Diagnostics } from '../../lib/host/diagnostics.js';
import { createRedactor } from '../../lib/common/redact.js';
import {
  setThing,
  setThingsAtOnce,
  ThingStore,
  undeclaredWriter,
} from '../fixtures/host/write-fixtures.js';
import { requireTools } from '../support/required-tools.js';

const things = (...names: string[]) =>
  `${names.map((name, index) => JSON.stringify({ name, size: 10 + index })).join('\n')}\n`;

/** The Node API over a fixture definition: every object, and every onMessage line. */
async function callInProcess(
  definition: CmdletDefinition<any>,
  parameters: Record<string, unknown>,
  options: InProcessOptions = {},
): Promise<{ objects: unknown[]; messages: string[] }> {
  const messages: string[] = [];
  const objects: unknown[] = [];
  for await (const object of streamCmdlet(async () => definition, parameters, {
    env: {},
    onMessage: (line) => messages.push(line),
    ...options,
  }))
    objects.push(object);
  return { objects, messages };
}

describe('-WhatIf', () => {
  it('reads, writes nothing, and describes each change on stderr as PowerShell words it', async () => {
    const store = new ThingStore({ a: 1, b: 2 });
    const result = await runInProcess(setThing(store, 'High'), ['-WhatIf'], {
      stdin: things('a', 'b'),
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(store.reads).toEqual(['a', 'b']);
    expect(store.writes).toEqual([]);
    expect(result.stderrLines).toEqual([
      'What if: Performing the operation "Resize thing" on target "a". size 1 → 10',
      'What if: Performing the operation "Resize thing" on target "b". size 2 → 11',
    ]);
  });

  it('asks nothing where a confirmation would be due, even with no one to ask', async () => {
    const store = new ThingStore({ a: 1 });
    const result = await runInProcess(
      setThing(store, 'Low'),
      ['a', '-Size', '5', '-WhatIf', '-Confirm'],
      {
        env: { PARTNERCENTER_CONFIRM_PREFERENCE: 'Low' },
      },
    );
    expect(result.code).toBe(0);
    expect(store.writes).toEqual([]);
    expect(result.stderrLines).toEqual([
      'What if: Performing the operation "Resize thing" on target "a". size 1 → 5',
    ]);
  });

  it('refuses -ResumeFile, whose journal would record as done what was only shown', async () => {
    const store = new ThingStore();
    const result = await runInProcess(
      setThingsAtOnce(store, 'Low'),
      ['-WhatIf', '-ResumeFile', '/nonexistent/things.resume'],
      { stdin: things('a') },
    );
    expect(result.code).toBe(2);
    expect(result.stderrLines).toEqual([
      'Set-Thing: -WhatIf changes nothing, so -ResumeFile would record as done changes that ' +
        'were only shown: the run without -WhatIf would then skip them. Leave -ResumeFile out ' +
        'of the -WhatIf run; give it to the run that changes.',
    ]);
    expect(store.reads).toEqual([]);
  });

  it('shows a name with control characters on one line, without them', async () => {
    const store = new ThingStore();
    const result = await runInProcess(setThing(store, 'Low'), [
      '-WhatIf',
      '-Name',
      'evil\nname\u001b[2J',
      '-Size',
      '1',
    ]);
    expect(result.stderrLines).toEqual([
      'What if: Performing the operation "Resize thing" on target "evil name [2J". size 0 → 1',
    ]);
  });

  it('-WhatIf:$false is a run like any other', async () => {
    const store = new ThingStore({ a: 1 });
    const result = await runInProcess(setThing(store, 'Medium'), [
      'a',
      '-Size',
      '5',
      '-WhatIf:$false',
    ]);
    expect(result.code).toBe(0);
    expect(store.writes).toEqual(['a']);
    expect(JSON.parse(result.stdout)).toEqual({ name: 'a', size: 5 });
  });

  it('PARTNERCENTER_WHATIF_PREFERENCE=true plays $WhatIfPreference; -WhatIf:$false overrides it', async () => {
    const store = new ThingStore({ a: 1 });
    const env = { PARTNERCENTER_WHATIF_PREFERENCE: 'true' };
    const planned = await runInProcess(setThing(store, 'High'), ['a', '-Size', '5'], { env });
    expect(planned.code).toBe(0);
    expect(planned.stderrLines).toEqual([
      'What if: Performing the operation "Resize thing" on target "a". size 1 → 5',
    ]);
    expect(store.writes).toEqual([]);
    const applied = await runInProcess(
      setThing(store, 'Medium'),
      ['a', '-Size', '5', '-WhatIf:$false'],
      { env },
    );
    expect(applied.code).toBe(0);
    expect(store.writes).toEqual(['a']);
    const refused = await runInProcess(setThing(store, 'Medium'), ['a', '-Size', '6'], {
      env: { PARTNERCENTER_WHATIF_PREFERENCE: 'perhaps' },
    });
    expect(refused.code).toBe(2);
    expect(refused.stderrLines).toEqual([
      'Set-Thing: PARTNERCENTER_WHATIF_PREFERENCE is "perhaps", which is not true or false. ' +
        "Set it to true or false (as PowerShell's $WhatIfPreference), or unset it.",
    ]);
    expect(store.writes).toEqual(['a']);
  });

  it('from Node: WhatIf: true sends the lines to onMessage and writes no object', async () => {
    const store = new ThingStore({ a: 3 });
    const { objects, messages } = await callInProcess(setThing(store, 'High'), {
      Name: 'a',
      Size: 4,
      WhatIf: true,
    });
    expect(objects).toEqual([]);
    expect(store.writes).toEqual([]);
    expect(store.reads).toEqual(['a']);
    expect(messages).toEqual([
      'What if: Performing the operation "Resize thing" on target "a". size 3 → 4',
    ]);
  });
});

describe('when a confirmation is due (PARTNERCENTER_CONFIRM_PREFERENCE, -Confirm, -Force)', () => {
  const run = (impact: 'Low' | 'Medium' | 'High', argv: string[], preference?: string) => {
    const store = new ThingStore({ a: 1 });
    const env = preference === undefined ? {} : { PARTNERCENTER_CONFIRM_PREFERENCE: preference };
    return runInProcess(setThing(store, impact), ['a', '-Size', '2', ...argv], { env }).then(
      (result) => ({ ...result, store }),
    );
  };
  const refusedLine =
    /^Set-Thing: .*and no terminal is there to ask: nothing was changed\. Add -Force or -Confirm:\$false to make the changes without asking/;

  it('below the preference (Medium under the default High): changes without asking', async () => {
    const result = await run('Medium', []);
    expect(result.code).toBe(0);
    expect(result.store.writes).toEqual(['a']);
    expect(result.stderr).toBe('');
  });

  it('at the preference with no terminal: refused before any read or write, exit 2, one line', async () => {
    for (const [impact, preference] of [
      ['High', undefined],
      ['Medium', 'Medium'],
      ['Medium', 'low'],
      ['Low', 'Low'],
    ] as const) {
      const result = await run(impact, [], preference);
      expect(result.code).toBe(2);
      expect(result.store.reads).toEqual([]);
      expect(result.store.writes).toEqual([]);
      expect(result.stderrLines).toHaveLength(1);
      expect(result.stderrLines[0]).toMatch(refusedLine);
      expect(result.stderrLines[0]).toContain(`its impact (${impact}) is at least`);
    }
  });

  it('None never asks, whatever the impact', async () => {
    const result = await run('High', [], 'None');
    expect(result.code).toBe(0);
    expect(result.store.writes).toEqual(['a']);
  });

  it('-Confirm asks whatever the impact; -Confirm:$false, --Confirm=false and -Force never ask', async () => {
    const asked = await run('Low', ['-Confirm']);
    expect(asked.code).toBe(2);
    expect(asked.stderrLines[0]).toMatch(
      /^Set-Thing: -Confirm asks before each change, and no terminal/,
    );
    expect(asked.store.reads).toEqual([]);
    for (const words of [
      ['-Confirm:$false'],
      ['--Confirm=false'],
      ['-Confirm:false'],
      ['-Force'],
    ]) {
      const result = await run('High', words, 'Low');
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.store.writes).toEqual(['a']);
    }
  });

  it('-Force with -Confirm still asks, as PowerShell cmdlets do', async () => {
    const result = await run('High', ['-Force', '-Confirm']);
    expect(result.code).toBe(2);
    expect(result.store.writes).toEqual([]);
  });

  it('CI set counts as nobody there, whatever the terminal', async () => {
    const store = new ThingStore({ a: 1 });
    const result = await runInProcess(setThing(store, 'High'), ['a', '-Size', '2'], {
      env: { CI: 'true' },
    });
    expect(result.code).toBe(2);
    expect(store.reads).toEqual([]);
  });

  it('a preference that is not one: one line naming the values, exit 2, nothing read', async () => {
    const result = await run('Low', ['-Force'], 'Sometimes');
    expect(result.code).toBe(2);
    expect(result.store.reads).toEqual([]);
    expect(result.stderrLines).toEqual([
      'Set-Thing: PARTNERCENTER_CONFIRM_PREFERENCE is "Sometimes", which is not a confirm ' +
        "preference. Set it to one of None, Low, Medium, High (as PowerShell's " +
        '$ConfirmPreference; High by default), or unset it.',
    ]);
  });

  it('-Verbose names a change made without a question', async () => {
    const result = await run('Low', ['-Verbose']);
    expect(result.code).toBe(0);
    expect(result.stderrLines).toEqual([
      'VERBOSE: Performing the operation "Resize thing" on target "a". size 1 → 2',
    ]);
  });
});

describe('from Node: onConfirm answers, one question at a time', () => {
  it('Yes and No per object; No skips the change without an error', async () => {
    const store = new ThingStore({ a: 1, b: 2, c: 3 });
    const questions: ConfirmQuestion[] = [];
    const answers = ['Yes', 'No', 'Yes'] as const;
    const { objects, messages } = await callInProcess(
      setThing(store, 'High'),
      {},
      {
        input: [
          { name: 'a', size: 5 },
          { name: 'b', size: 6 },
          { name: 'c', size: 7 },
        ],
        onConfirm: (question) => answers[questions.push(question) - 1]!,
      },
    );
    expect(store.writes).toEqual(['a', 'c']);
    expect(objects).toEqual([
      { name: 'a', size: 5 },
      { name: 'c', size: 7 },
    ]);
    expect(messages).toEqual([]);
    expect(questions[1]).toEqual({
      target: 'b',
      action: 'Resize thing',
      detail: 'size 2 → 6',
      message: 'Performing the operation "Resize thing" on target "b". size 2 → 6',
      impact: 'High',
    });
  });

  it('YesToAll answers the rest of a fan-out whose objects all wait at their question', async () => {
    const store = new ThingStore();
    const names = ['a', 'b', 'c', 'd', 'e', 'f'];
    let asking = 0;
    let mostAtOnce = 0;
    const questions: string[] = [];
    const { objects } = await callInProcess(
      setThingsAtOnce(store, 'High'),
      { ThrottleLimit: 4 },
      {
        input: names.map((name) => ({ name, size: 1 })),
        onConfirm: async (question) => {
          mostAtOnce = Math.max(mostAtOnce, ++asking);
          questions.push(question.target);
          await new Promise((resolve) => setImmediate(resolve));
          asking--;
          return questions.length === 1 ? 'Yes' : 'YesToAll';
        },
      },
    );
    expect(mostAtOnce).toBe(1);
    expect(questions).toHaveLength(2);
    expect(store.writes.sort()).toEqual(names);
    expect(objects).toHaveLength(6);
  });

  it('NoToAll: nothing more changes, and the run ends well', async () => {
    const store = new ThingStore();
    let asked = 0;
    const { objects } = await callInProcess(
      setThingsAtOnce(store, 'Low'),
      { ThrottleLimit: 3, Confirm: true },
      {
        input: ['a', 'b', 'c', 'd'].map((name) => ({ name, size: 1 })),
        onConfirm: () => (++asked === 1 ? 'NoToAll' : 'Yes'),
      },
    );
    expect(asked).toBe(1);
    expect(objects).toEqual([]);
    expect(store.writes).toEqual([]);
    expect(store.reads.sort()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('the typed parameters take WhatIf, Confirm and Force for a cmdlet that changes things only', () => {
    const given: GivenParametersOf<ReturnType<typeof setThing>> = {
      Name: 'a',
      Size: 1,
      WhatIf: true,
      Confirm: false,
      Force: true,
    };
    // @ts-expect-error: a cmdlet that changes nothing takes no WhatIf
    const refused: GivenParametersOf<typeof getThing> = { WhatIf: true };
    expect([given.WhatIf, refused]).toEqual([true, { WhatIf: true }]);
  });

  it('without onConfirm where one is due: rejects with a UsageError before any read', async () => {
    const store = new ThingStore();
    const refused = await callInProcess(setThing(store, 'High'), { Name: 'a', Size: 1 }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(UsageError);
    expect((refused as UsageError).message).toMatch(
      /this in-process call has no onConfirm to ask: nothing was changed\.$/,
    );
    expect((refused as UsageError).hint).toMatch(/^Pass Force: true or Confirm: false/);
    expect(store.reads).toEqual([]);
    const forced = await callInProcess(setThing(store, 'High'), {
      Name: 'a',
      Size: 1,
      Force: true,
    });
    expect(forced.objects).toEqual([{ name: 'a', size: 1 }]);
    const unasked = await callInProcess(setThing(store, 'High'), {
      Name: 'a',
      Size: 2,
      Confirm: false,
    });
    expect(unasked.objects).toEqual([{ name: 'a', size: 2 }]);
  });

  it('an answer that is none of the four is refused', async () => {
    const store = new ThingStore();
    const call = callInProcess(
      setThing(store, 'High'),
      { Name: 'a', Size: 1 },
      { onConfirm: () => 'Maybe' as never },
    );
    await expect(call).rejects.toThrow(/onConfirm answered "Maybe"/);
    expect(store.writes).toEqual([]);
  });
});

describe('the progress line while a question is on the terminal', () => {
  it('is erased, not redrawn by later progress, and drawn again once answered', () => {
    const stderr = new Collector();
    const diagnostics = new Diagnostics(stderr, true, createRedactor(), 80);
    diagnostics.progress({ activity: 'Resizing', items: 1 });
    expect(stderr.text).toBe('\r\u001b[KResizing: 1 item');
    const release = diagnostics.holdProgress();
    expect(stderr.text.endsWith('\r\u001b[K')).toBe(true);
    const asked = stderr.text.length;
    diagnostics.progress({ activity: 'Resizing', items: 2 });
    diagnostics.pipelineProgress({ done: 1, read: 2, written: 1 });
    diagnostics.redrawProgress();
    expect(stderr.text.length).toBe(asked);
    release();
    release();
    expect(stderr.text.slice(asked)).toBe(
      '\r\u001b[K1 input object done (2 read), 1 object written | Resizing: 2 items',
    );
  });
});

describe('a cmdlet that changes nothing', () => {
  it('refuses -WhatIf, -Confirm and -Force like any unknown parameter', async () => {
    const getPartnerCustomer = await loadCmdlet('Get-PartnerCustomer');
    for (const word of ['-WhatIf', '-Confirm', '-Confirm:$false', '-Force']) {
      const result = await runInProcess(getPartnerCustomer, [word]);
      expect(result.code).toBe(2);
      expect(result.stderrLines).toHaveLength(1);
      expect(result.stderrLines[0]).toContain(
        `A parameter cannot be found that matches parameter name '${word.slice(1).split(':')[0]}'.`,
      );
    }
    await expect(callInProcess(getPartnerCustomer, { WhatIf: true })).rejects.toThrow(
      "A parameter cannot be found that matches parameter name 'WhatIf'.",
    );
  });

  it('that calls shouldProcess all the same has a bug, reported as one', async () => {
    const result = await runInProcess(undeclaredWriter, []);
    expect(result.code).toBe(1);
    expect(result.stderrLines).toHaveLength(1);
    expect(result.stderrLines[0]).toContain(
      'Set-Undeclared: Unexpected error: The cmdlet asked to make a change without declaring ' +
        'that it changes things (`changes: { confirmImpact }` in its definition). This is a bug',
    );
  });
});

describe('help and completion show the common parameters of a cmdlet that changes things', () => {
  const store = new ThingStore();

  it("SYNTAX ends with [-WhatIf] [-Confirm] as PowerShell's; PARAMETERS describe them with the impact", () => {
    const oneLine = (text: string) => text.replace(/\s+/g, ' ');
    const page = renderHelp(setThing(store, 'High'), { view: 'default', width: 200 });
    expect(page).toContain(
      'Set-Thing [-Name] <String> -Size <Int32> [-Force] [-WhatIf] [-Confirm] [<CommonParameters>]',
    );
    expect(page).toMatch(/^ {4}-WhatIf\n/m);
    expect(page).toMatch(/^ {4}-Confirm\n/m);
    expect(oneLine(page)).toContain("This cmdlet's impact is High, so it asks by default.");
    const medium = renderHelp(setThing(store, 'Medium'), { view: 'default', width: 200 });
    expect(oneLine(medium)).toContain(
      "This cmdlet's impact is Medium, so it asks only when PARTNERCENTER_CONFIRM_PREFERENCE is Medium or Low.",
    );
    const other = renderHelp(getThing, { view: 'full', width: 200 });
    expect(other).not.toMatch(/-WhatIf|-Confirm\b/);
  });

  it('Get-Help -Parameter finds them too', () => {
    const page = renderHelp(setThing(store, 'Low'), {
      view: 'parameter',
      parameter: 'WhatIf',
      width: 100,
    });
    expect(page.trim().split('\n')[0]).toBe('-WhatIf');
    expect(page).toContain('PARTNERCENTER_WHATIF_PREFERENCE');
    expect(() => renderHelp(getThing, { view: 'parameter', parameter: 'WhatIf' })).toThrow(
      "Get-Thing has no parameter that matches 'WhatIf'.",
    );
  });

  it('-? of the cmdlet shows the same page', async () => {
    const result = await runInProcess(setThing(store, 'Low'), ['-?']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('[-Force] [-WhatIf] [-Confirm] [<CommonParameters>]');
  });

  it('about_CommonParameters explains them and the preference', () => {
    const topic = aboutTopics.find((t) => t.name === 'about_CommonParameters')!;
    const body = topic.body(100).replace(/\s+/g, ' ');
    for (const text of [
      '-WhatIf',
      '-Confirm:$false',
      '-Force',
      'PARTNERCENTER_CONFIRM_PREFERENCE',
      '$ConfirmPreference',
      '[A] Yes to All',
      '/dev/tty',
      'exit code 2',
    ])
      expect(body).toContain(text);
  });

  it('bash, zsh, fish and PowerShell complete them for that cmdlet only', () => {
    requireTools('bash', 'zsh', 'fish');
    const cmdlets = [
      { name: 'Set-Thing', definition: setThing(store, 'High') },
      { name: 'Get-Thing', definition: getThing as CmdletDefinition<any> },
    ];
    // One shell process per script, each answering every case (a shell start is most of the cost).
    const cases = [
      ['Set-Thing', '-w'],
      ['Set-Thing', '-conf'],
      ['Set-Thing', '-f'],
      ['Get-Thing', '-w'],
    ];
    const bash = completionScript('bash', cmdlets, 'linux');
    const bashAnswers = execFileSync(
      'bash',
      [
        '-c',
        `${bash}\nwhile read -r -a COMP_WORDS; do COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 )); ` +
          `__partnercenter_complete; echo "\${COMPREPLY[*]}"; done`,
      ],
      {
        encoding: 'utf8',
        env: { PATH: process.env.PATH },
        input: cases.map((words) => `${words.join(' ')}\n`).join(''),
      },
    ).split('\n');
    expect(bashAnswers.slice(0, 4)).toEqual(['-WhatIf', '-Confirm', '-Force', '']);

    const zsh = completionScript('zsh', cmdlets, 'linux');
    const zshWords = execFileSync(
      'zsh',
      [
        '-fc',
        `${zsh.replace(/^if ! \(\([\s\S]*$/m, '')}\n` +
          '__partnercenter_words Set-Thing params; __partnercenter_words Get-Thing params',
      ],
      { encoding: 'utf8', env: { PATH: process.env.PATH } },
    ).split('\n');
    expect(zshWords[0]!.split(' ')).toEqual(
      expect.arrayContaining(['-WhatIf', '-Confirm', '-Force']),
    );
    expect(zshWords[1]).not.toContain('-WhatIf');

    const fish = completionScript('fish', cmdlets, 'linux');
    const fishAnswers = execFileSync(
      'fish',
      [
        '--no-config',
        '-c',
        `${fish}\ncomplete -C 'Set-Thing -Wh'; echo ==; complete -C 'Get-Thing -Wh'; echo ==`,
      ],
      { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: '/nonexistent' } },
    )
      .split('==\n')
      .map((answer) =>
        answer
          .split('\n')
          .filter(Boolean)
          .map((line) => line.split('\t')[0]),
      );
    expect(fishAnswers.slice(0, 2)).toEqual([['-WhatIf'], []]);

    const ps = completionScript('powershell', cmdlets, 'linux');
    expect(ps).toMatch(/'Set-Thing\|params' = @\([^)]*'-WhatIf', '-Confirm', '-Force'/);
    expect(ps).toMatch(/'Set-Thing\|switches' = @\([^)]*'-whatif', '-wi', '-confirm', '-cf'/);
    expect(ps).not.toMatch(/'Get-Thing\|params' = @\([^)]*-WhatIf/);
  });
});
