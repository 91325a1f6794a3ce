/**
 * Help: Get-Help, <Cmdlet> -?, Get-Command and the completion scripts against the module's real
 * cmdlets; bin/run.cjs's short way to a help page, byte for byte the host's; and help on a real
 * terminal through the pager. One file because each of these loaded the help modules afresh;
 * each keeps its own describe and hooks.
 */
import { afterAll, describe, expect, it, beforeAll, jest } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import getCommand from '../../cmdlets/Get-Command.js';
import getHelp from '../../cmdlets/Get-Help.js';
import { exitCodeDescriptions } from '../../lib/common/exit-codes.js';
import { bindCommandLine, completeBinding } from '../../lib/host/binder.js';
import type { CmdletDefinition, ParameterDeclaration } from '../../lib/cmdlet-support/cmdlet.js';
import { syntaxLine } from '../../lib/host/help/syntax.js';
import { loadCmdlet } from '../../lib/host/load-cmdlet.js';
import { packageRoot, readManifest } from '../../lib/host/module-manifest.js';
import { belongsToSet, isMandatoryIn, parameterSetNames } from '../../lib/host/parameter-sets.js';
import { runInProcess } from '../fixtures/host/run-in-process.js';
import { parseNdjson } from '../support/ndjson.js';
import { requireTools, requireBuild } from '../support/required-tools.js';
import { binPath, cleanEnv, runBash, runOnTerminal, scratchConfigDir } from '../support/cli.js';

describe('help and commands', () => {
  /**
   * Get-Help, <Cmdlet> -?, Get-Command and the completion scripts, against the module's real cmdlets.
   */
  const manifest = readManifest();

  async function loadable(): Promise<CmdletDefinition<any>[]> {
    const definitions = await Promise.all(
      manifest.cmdlets.map((cmdlet) => loadCmdlet(cmdlet.name).catch(() => undefined)),
    );
    return definitions.filter(
      (definition): definition is CmdletDefinition<any> => definition !== undefined,
    );
  }

  function sectionsOf(page: string): string[] {
    return page.split('\n').filter((line) => /^[A-Z]+$/.test(line));
  }

  describe('Get-Help <Cmdlet>', () => {
    it("renders the sections in PowerShell's order, one SYNTAX line per parameter set", async () => {
      const result = await runInProcess(getHelp, ['get-partnercustomer'], { columns: 200 });
      expect(result.code).toBe(0);
      expect(sectionsOf(result.stdout)).toEqual([
        'NAME',
        'SYNOPSIS',
        'SYNTAX',
        'DESCRIPTION',
        'PARAMETERS',
        'INPUTS',
        'OUTPUTS',
        'REMARKS',
      ]);
      const unwrapped = result.stdout.replace(/\n {8}(?=\S)/g, ' '); // long SYNTAX lines wrap with an 8-space indent
      expect(unwrapped).toContain(
        '    Get-PartnerCustomer [-PageSize <Int32>] [-First <Int32>] [-Skip ' +
          '<Int32>] [-ContinuationToken <String>] [-ResumeFile <String>] [-MaxRetry ' +
          '<Int32>] [<CommonParameters>]\n',
      );
      expect(unwrapped).toContain(
        '    Get-PartnerCustomer [-CustomerId] <Guid> [-MaxRetry <Int32>] [<CommonParameters>]\n',
      );
      expect(result.stdout).toMatch(
        /-CustomerId <Guid>[\s\S]*Required\?\s+true[\s\S]*Position\?\s+0[\s\S]*Accept pipeline input\?\s+True \(ByPropertyName\)[\s\S]*Aliases\s+Id, TenantId/,
      );
      expect(result.stdout).toMatch(
        /-PageSize <Int32>[\s\S]*Default value\s+500[\s\S]*Accepted range\s+1\.\.500/,
      );
      expect(result.stdout).toContain(
        '-------------------------- EXAMPLE 1 --------------------------',
      );
    });

    it('is what <Cmdlet> -? shows', async () => {
      const definition = await loadCmdlet('Get-PartnerCustomer');
      const viaQuestionMark = await runInProcess(definition, ['-?'], { columns: 100 });
      const viaGetHelp = await runInProcess(getHelp, ['Get-PartnerCustomer'], {
        columns: 100,
        stdoutIsTTY: true,
        env: { PARTNERCENTER_CONFIG_DIR: '/nonexistent' },
      });
      expect(viaQuestionMark.stdout).toBe(viaGetHelp.stdout);
    });

    it(
      '-Examples shows only the name, synopsis and examples; -Parameter one ' +
        'parameter; -Full the common parameters',
      async () => {
        expect(
          sectionsOf((await runInProcess(getHelp, ['Get-PartnerCustomer', '-Examples'])).stdout),
        ).toEqual(['NAME', 'SYNOPSIS']);
        const parameter = await runInProcess(getHelp, [
          'Get-PartnerCustomer',
          '-Parameter',
          'pagesize',
        ]);
        expect(parameter.stdout.trim().split('\n')[0]).toBe('-PageSize <Int32>');
        expect(parameter.stdout).not.toContain('-First');
        expect((await runInProcess(getHelp, ['Get-PartnerCustomer', '-Full'])).stdout).toContain(
          '-ErrorAction {Stop | Continue | SilentlyContinue | Ignore}',
        );
        // -Detailed: the default page and the notes (PowerShell's -Detailed), not the common
        // parameters' details of -Full.
        const emulator = await loadCmdlet('Start-PartnerEmulator');
        const detailed = (await runInProcess(getHelp, ['Start-PartnerEmulator', '-Detailed']))
          .stdout;
        const plain = (await runInProcess(getHelp, ['Start-PartnerEmulator'])).stdout;
        expect(emulator.notes).toBeTruthy();
        expect(sectionsOf(detailed)).toEqual([
          ...sectionsOf(plain).slice(0, -1),
          'NOTES',
          'REMARKS',
        ]);
        expect(detailed).toContain(emulator.notes!.slice(0, 30));
        expect(detailed).not.toContain('-ErrorAction {Stop');
        const missing = await runInProcess(getHelp, ['Get-PartnerCustomer', '-Parameter', 'Nope']);
        expect(missing.code).toBe(2);
        expect(missing.stderrLines).toHaveLength(1);
      },
    );

    it('shows about_ topics, generated from the code they describe', async () => {
      const exitCodes = (await runInProcess(getHelp, ['about_exitcodes'])).stdout;
      for (const [code, name] of exitCodeDescriptions)
        expect(exitCodes).toMatch(new RegExp(`^ {4}${code} +${name} +\\S`, 'm'));
      const common = (await runInProcess(getHelp, ['about_CommonParameters'])).stdout;
      for (const name of [
        'Verbose',
        'Debug',
        'ErrorAction',
        'OutputFormat',
        'Property',
        'Context',
        'Help',
      ])
        expect(common).toContain(`-${name}`);
      expect((await runInProcess(getHelp, ['about_Pipelines'])).stdout).toContain(
        'by property name',
      );
    });

    it(
      'lists matches for a wildcard, everything without a name, and fails for ' +
        'an unknown name (exit 4)',
      async () => {
        const listing = (await runInProcess(getHelp, ['*customer*'])).stdout;
        expect(listing).toMatch(/^Get-PartnerCustomer +Cmdlet +Lists every customer/m);
        expect(listing).not.toContain('Get-Command');
        const overview = (await runInProcess(getHelp, [])).stdout;
        for (const cmdlet of manifest.cmdlets) expect(overview).toContain(cmdlet.name);
        expect(overview).toContain('about_ExitCodes');
        const unknown = await runInProcess(getHelp, ['Get-Nothing']);
        expect(unknown.code).toBe(4);
        expect(unknown.stderrLines).toEqual([
          expect.stringMatching(/^Get-Help: Get-Help cannot find help for 'Get-Nothing'/),
        ]);
      },
    );
  });

  describe('Get-Help -Online', () => {
    const pageOf = async (name: string) => (await loadCmdlet(name)).helpUri;

    it("names the public page of every cmdlet's Partner Center or Graph operation", async () => {
      for (const definition of await loadable()) {
        if (['Get-Help', 'Get-Command', 'Start-PartnerEmulator'].includes(definition.name))
          continue;
        if (/Context$|^Disconnect-/.test(definition.name)) continue;
        // The CSV readers call no service: they name PowerShell's page of the same command.
        if (/-Csv$/.test(definition.name)) {
          expect(definition.helpUri).toMatch(
            /^https:\/\/learn\.microsoft\.com\/powershell\/module\/microsoft\.powershell\.utility\/[a-z-]+-csv$/,
          );
          continue;
        }
        expect({ [definition.name]: definition.helpUri }).toEqual({
          [definition.name]: expect.stringMatching(
            /^https:\/\/learn\.microsoft\.com\/(partner-center\/developer|graph\/api)\/[a-z0-9-]+$/,
          ),
        });
      }
      const page = (await runInProcess(getHelp, ['Get-PartnerCustomer'])).stdout;
      expect(page).toContain(
        `RELATED LINKS\n    Online Version: ${await pageOf('Get-PartnerCustomer')}\n`,
      );
    });

    it('prints the address when no browser can be opened (no display), without waiting', async () => {
      const result = await runInProcess(getHelp, ['get-partnercustomersubscription', '-Online'], {
        stderrIsTTY: true,
        env: { PATH: process.env.PATH },
      });
      expect(result).toMatchObject({
        code: 0,
        stdout: `${await pageOf('Get-PartnerCustomerSubscription')}\n`,
        stderr: '',
      });
    });

    it('opens it with the BROWSER a person at a terminal has, and still prints it', async () => {
      const scratch = mkdtempSync(join(tmpdir(), 'pc-browser-'));
      try {
        const opened = join(scratch, 'opened');
        const browser = join(scratch, 'browser');
        writeFileSync(
          browser,
          `#!/bin/sh\nprintf '%s' "$1" > '${opened}.tmp' && mv '${opened}.tmp' '${opened}'\n`,
          { mode: 0o755 },
        );
        const url = await pageOf('Get-PartnerCustomerUser');
        const result = await runInProcess(getHelp, ['Get-PartnerCustomerUser', '-Online'], {
          stderrIsTTY: true,
          env: {
            PATH: process.env.PATH,
            BROWSER: browser,
            PARTNERCENTER_CLIENT_SECRET: 'not-for-browsers',
          },
        });
        expect(result).toMatchObject({ code: 0, stdout: `${url}\n` });
        expect(result.stderrLines).toEqual([`Opening ${url} in the browser.`]);
        // The browser runs on its own (never waited for): wait for what it wrote.
        for (let turn = 0; turn < 400 && !existsSync(opened); turn++)
          await new Promise((resolve) => setTimeout(resolve, 5));
        expect(readFileSync(opened, 'utf8')).toBe(url);
        // A script (no terminal) only gets the address: no browser opens under cron.
        rmSync(opened);
        const scripted = await runInProcess(getHelp, ['Get-PartnerCustomerUser', '-Online'], {
          env: { PATH: process.env.PATH, BROWSER: browser },
        });
        expect(scripted).toMatchObject({ code: 0, stdout: `${url}\n`, stderr: '' });
        expect(existsSync(opened)).toBe(false);
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
    });

    it('refuses, as PowerShell does, for a command with no online page (exit 4)', async () => {
      const result = await runInProcess(getHelp, ['Start-PartnerEmulator', '-Online']);
      expect(result.code).toBe(4);
      expect(result.stderrLines).toEqual([
        expect.stringMatching(
          /online version of this Help topic cannot be displayed.*Get-Help Start-PartnerEmulator -Full/,
        ),
      ]);
      expect(result.stdout).toBe('');
    });
  });

  describe('help cannot drift from the binder', () => {
    it('documents every visible parameter of every cmdlet, and no hidden one', async () => {
      for (const definition of await loadable()) {
        const page = (await runInProcess(definition, ['-?'])).stdout;
        for (const [name, declaration] of Object.entries(definition.parameters)) {
          if (declaration.hidden) expect(page).not.toMatch(new RegExp(`^ {4}-${name}\\b`, 'm'));
          else expect(page).toMatch(new RegExp(`^ {4}-${name}\\b`, 'm'));
        }
      }
    });

    it('each SYNTAX line, filled in with valid values, binds to its own parameter set', async () => {
      const sampleFile = join(packageRoot(), 'package.json');
      const sample = (declaration: ParameterDeclaration): string[] => {
        if (declaration.type === 'switch') return [];
        if (declaration.choices) return [declaration.choices[0]!];
        if (declaration.type === 'guid') return ['c5757d70-06f3-4f23-8367-5a9e55019f94'];
        if (declaration.type === 'int') return [String(declaration.range?.[0] ?? 1)];
        if (declaration.type === 'path') return [sampleFile];
        return ['sample'];
      };
      let checked = 0;
      for (const definition of await loadable()) {
        for (const set of parameterSetNames(definition)) {
          const mandatory = Object.entries(definition.parameters).filter(([, d]) =>
            isMandatoryIn(d, set),
          );
          if (mandatory.some(([, d]) => d.pattern)) continue;
          const argv = mandatory.flatMap(([name, d]) => [`-${name}`, ...sample(d)]);
          // A set nothing but its optional parameters tell apart: give the first of them.
          const distinguishing = Object.entries(definition.parameters).find(
            ([, d]) =>
              belongsToSet(d, set) &&
              parameterSetNames(definition).filter((other) => belongsToSet(d, other)).length === 1,
          );
          if (mandatory.length === 0 && distinguishing && set !== definition.defaultParameterSet)
            argv.push(`-${distinguishing[0]}`, ...sample(distinguishing[1]));
          const bound = completeBinding(definition, await bindCommandLine(definition, argv), {});
          expect({ cmdlet: definition.name, set: bound.parameterSet }).toEqual({
            cmdlet: definition.name,
            set,
          });
          expect(syntaxLine(definition, set).startsWith(definition.name)).toBe(true);
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(5);
    });
  });

  describe('Get-Command', () => {
    it("lists every cmdlet of the manifest with its synopsis and the module's version", async () => {
      const result = await runInProcess(getCommand, []);
      expect(parseNdjson(result.stdout)).toEqual(
        manifest.cmdlets.map((cmdlet) => ({
          name: cmdlet.name,
          verb: cmdlet.name.split('-')[0],
          noun: cmdlet.name.split('-')[1],
          synopsis: cmdlet.synopsis,
          version: manifest.version,
          source: manifest.name,
        })),
      );
    });

    it.each<[string[], (name: string) => boolean]>([
      [['-Verb', 'get'], (name) => name.startsWith('Get-')],
      [['-Noun', 'Partner*'], (name) => /^[A-Za-z]+-Partner/.test(name)],
      [['*Customer*'], (name) => name.includes('Customer')],
      [['-Verb', 'Get', '-Noun', '*Context'], (name) => name === 'Get-PartnerContext'],
      [['-Name', 'get-help,Get-Command'], (name) => name === 'Get-Help' || name === 'Get-Command'],
    ])('%j filters with wildcards, case-insensitively', async (argv, expected) => {
      const names = parseNdjson((await runInProcess(getCommand, argv)).stdout).map(
        (command) => (command as { name: string }).name,
      );
      expect(names).toEqual(manifest.cmdlets.map((cmdlet) => cmdlet.name).filter(expected));
      expect(names.length).toBeGreaterThan(0);
    });

    it(
      'fails for a name that is not a cmdlet (exit 4), but not for a pattern ' +
        'that matches nothing',
      async () => {
        expect((await runInProcess(getCommand, ['Get-Nothing'])).code).toBe(4);
        expect(await runInProcess(getCommand, ['*Nothing*'])).toMatchObject({
          code: 0,
          stdout: '',
          stderr: '',
        });
      },
    );

    it('shows Name, Version and Synopsis in a table', async () => {
      const lines = (
        await runInProcess(getCommand, ['-OutputFormat', 'Table'], { columns: 200 })
      ).stdout.split('\n');
      expect(lines[0]).toMatch(/^Name +Version +Synopsis$/);
      expect(lines[2]).toMatch(
        new RegExp(`^Connect-Partner +${manifest.version.replace(/\./g, '\\.')} +Signs in`),
      );
    });

    it.each([['-Version'], ['--version'], ['-version:$true']])(
      '%s prints the module name and version, on any cmdlet, without running it',
      async (flag) => {
        const line = `${manifest.name} ${manifest.version}\n`;
        expect(manifest.version).toBe(
          JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')).version,
        );
        expect(await runInProcess(getCommand, [flag])).toMatchObject({
          code: 0,
          stdout: line,
          stderr: '',
        });
        // Other parameters, even invalid ones, are not looked at, and nothing mandatory is asked
        // for: the cmdlet does not run.
        for (const [name, rest] of [
          ['Get-PartnerCustomer', ['-PageSize', '0']],
          ['Connect-Partner', []],
        ] as const) {
          const result = await runInProcess(await loadCmdlet(name), [flag, ...rest]);
          expect(result).toMatchObject({ code: 0, stdout: line, stderr: '' });
        }
      },
    );
  });

  describe('completion scripts', () => {
    requireTools('bash', 'zsh', 'fish');
    const config = mkdtempSync(join(tmpdir(), 'pc-completion-'));
    mkdirSync(join(config, 'contexts'));
    for (const name of ['prod', 'test-tenant'])
      writeFileSync(join(config, 'contexts', `${name}.json`), '{}');
    afterAll(() => rmSync(config, { recursive: true, force: true }));
    const shellEnv = { PATH: process.env.PATH, HOME: config, PARTNERCENTER_CONFIG_DIR: config };
    const script = async (shell: string) =>
      (await runInProcess(getCommand, ['-Completion', shell])).stdout;
    /** Ends each answer in a shell that completes several lines in one run. */
    const END = '--end of completions--';
    /**
     * One shell completing every one of `cases` (each passed as one argument) in a single run, as a
     * person's shell completes line after line: the replies, by case, non-empty lines only.
     */
    const inOneShell = (
      shell: string,
      argv: (cases: string[]) => string[],
      cases: string[],
    ): Map<string, string[]> => {
      const answers = execFileSync(shell, argv(cases), { encoding: 'utf8', env: shellEnv }).split(
        `${END}\n`,
      );
      expect(answers).toHaveLength(cases.length + 1);
      return new Map(
        cases.map((c, i) => [c, answers[i]!.split('\n').filter(Boolean)] as [string, string[]]),
      );
    };
    const getPartnerC = [
      'Get-PartnerContext',
      'Get-PartnerCustomer',
      'Get-PartnerCustomerGdapStatus',
      'Get-PartnerCustomerSubscribedSku',
      'Get-PartnerCustomerSubscription',
      'Get-PartnerCustomerUser',
      'Get-PartnerCustomerUserLicense',
    ];

    it('bash completes cmdlet parameters, values, Get-Help names and saved contexts, case-insensitively', async () => {
      const bashScript = await script('bash');
      const replies = inOneShell(
        'bash',
        (args) => [
          '-c',
          `${bashScript}\nfor words in "$@"; do eval "COMP_WORDS=($words)"; ` +
            // biome-ignore lint/suspicious/noTemplateCurlyInString: bash's ${#COMP_WORDS[@]}
            'COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); COMPREPLY=(); __partnercenter_complete; ' +
            `printf '%s\\n' "\${COMPREPLY[@]}" "${END}"; done`,
          'bash',
          ...args,
        ],
        [
          ['Get-PartnerCustomer', '-pa'],
          ['Get-PartnerCustomer', '-c'],
          ['Get-PartnerCustomer', '-OutputFormat', ''],
          ['Get-PartnerCustomer', '-ea', 's'],
          ['Get-Help', 'get-partnerc'],
          ['Get-Help', 'about_e'],
          ['Get-Command', '-Completion', ''],
          ['Get-PartnerCustomer', '-Domain', ''],
          ['Get-PartnerCustomer', '-Context', ''],
          ['Get-PartnerCustomerUser', '-context', 'T'],
          ['Select-PartnerContext', ''],
          ['Disconnect-Partner', '-ContextName', 'p'],
        ].map((words) => words.map((word) => `'${word}'`).join(' ')),
      );
      const complete = (...words: string[]) => replies.get(words.map((w) => `'${w}'`).join(' '));
      expect(complete('Get-PartnerCustomer', '-pa')).toEqual(['-PageSize']);
      expect(complete('Get-PartnerCustomer', '-c')).toEqual([
        '-CustomerId',
        '-CompanyName',
        '-ContinuationToken',
        '-Context',
      ]);
      expect(complete('Get-PartnerCustomer', '-OutputFormat', '')).toEqual([
        'Ndjson',
        'Json',
        'Csv',
        'Table',
        'List',
      ]);
      expect(complete('Get-PartnerCustomer', '-ea', 's')).toEqual(['Stop', 'SilentlyContinue']);
      // In the manifest's order, which the build generates sorted by name.
      expect(complete('Get-Help', 'get-partnerc')).toEqual(getPartnerC);
      expect(complete('Get-Help', 'about_e')).toEqual(['about_ExitCodes']);
      expect(complete('Get-Command', '-Completion', '')).toEqual([
        'bash',
        'zsh',
        'fish',
        'powershell',
      ]);
      expect(complete('Get-PartnerCustomer', '-Domain', '')).toEqual([]);
      expect(complete('Get-PartnerCustomer', '-Context', '')).toEqual(['prod', 'test-tenant']);
      expect(complete('Get-PartnerCustomerUser', '-context', 'T')).toEqual(['test-tenant']);
      expect(complete('Select-PartnerContext', '')).toEqual(['prod', 'test-tenant']);
      expect(complete('Disconnect-Partner', '-ContextName', 'p')).toEqual(['prod']);
      expect(bashScript).toMatch(
        /^complete -o default -F __partnercenter_complete .*Get-PartnerCustomer/m,
      );
    });

    it('zsh gets the same words (its script parses, its lookup answers)', async () => {
      const zshScript = await script('zsh');
      expect(zshScript).toMatch(/^compdef __partnercenter_complete .*Get-PartnerCustomer/m);
      expect(spawnSync('zsh', ['-n'], { input: zshScript }).status).toBe(0);
      // Each case is a command and a parameter, split into the lookup's two words by zsh (${=c}).
      const answers = inOneShell(
        'zsh',
        (cases) => [
          '-fc',
          `${zshScript.replace(/^if ! \(\([\s\S]*$/m, '')}\n` +
            `for c in "$@"; do __partnercenter_words \${=c}; echo ${END}; done`,
          'zsh',
          ...cases,
        ],
        ['Get-PartnerCustomer -outputformat', 'Get-PartnerCustomer -context'],
      );
      const words = (...args: string[]) => answers.get(args.join(' '))!.join('\n').trim();
      expect(words('Get-PartnerCustomer', '-outputformat')).toBe('Ndjson Json Csv Table List');
      expect(words('Get-PartnerCustomer', '-context')).toBe('prod test-tenant');
    });

    it('fish completes parameters with their descriptions, values and saved contexts', async () => {
      const fishScript = await script('fish');
      const replies = inOneShell(
        'fish',
        (lines) => [
          '--no-config',
          '-c',
          `${fishScript}\nfor line in $argv; complete -C $line; echo ${END}; end`,
          ...lines,
        ],
        [
          'Get-PartnerCustomer -pa',
          'Get-PartnerCustomer -OutputFormat ',
          'Get-PartnerCustomer -Context ',
          'Get-Help get-partnerc',
          'Get-PartnerCustomer -ea s',
        ],
      );
      const complete = (line: string) => replies.get(line)!;
      expect(complete('Get-PartnerCustomer -pa')).toEqual(['-PageSize\tCustomers per request.']);
      expect(complete('Get-PartnerCustomer -OutputFormat ').map((l) => l.split('\t')[0])).toEqual([
        'Csv',
        'Json',
        'List',
        'Ndjson',
        'Table',
      ]);
      expect(complete('Get-PartnerCustomer -Context ').map((l) => l.split('\t')[0])).toEqual([
        'prod',
        'test-tenant',
      ]);
      expect(complete('Get-Help get-partnerc')).toEqual(getPartnerC);
      expect(complete('Get-PartnerCustomer -ea s').map((l) => l.split('\t')[0])).toEqual([
        'SilentlyContinue',
        'Stop',
      ]);
    });

    it(
      'PowerShell gets one native completer over the same words, ' +
        'contexts read from the config directory',
      async () => {
        // No PowerShell on the machines this runs on (not a Debian package): the script's data and
        // shape are checked here; its logic mirrors the bash script's.
        const ps = await script('powershell');
        expect(ps).toMatch(
          /^Register-ArgumentCompleter -Native -CommandName @\('Connect-Partner', /m,
        );
        // PowerShell's own Get-Help and Get-Command win over an application of the same name.
        expect(ps).not.toMatch(/-CommandName @\([^)]*'Get-Help'/);
        expect(ps).toContain("  'Get-PartnerCustomer|params' = @('-CustomerId', ");
        expect(ps).toContain("  '*|-outputformat' = @('Ndjson', 'Json', 'Csv', 'Table', 'List')");
        expect(ps).toContain("  '*|-context' = '@contexts'");
        expect(ps).toContain("  'Select-PartnerContext|positional' = '@contexts'");
        expect(ps).toMatch(/Join-Path \$dir 'contexts'/);
        // Balanced braces and parentheses outside quoted strings: a cheap guard for a broken script.
        const code = ps.replace(/'[^'\n]*'|"[^"\n]*"|#.*$/gm, '');
        for (const [open, close] of [
          ['{', '}'],
          ['(', ')'],
          ['[', ']'],
        ] as const)
          expect(code.split(open).length).toBe(code.split(close).length);
      },
    );

    it('the README-style one-liner is what the help of -Completion says', () => {
      expect(readFileSync(join(packageRoot(), 'cmdlets', 'Get-Command.ts'), 'utf8')).toContain(
        'source <(Get-Command -Completion bash)',
      );
    });
  });
});

describe('help process', () => {
  /**
   * `<Cmdlet> -?` into a pipe at the default width takes bin/run.cjs's short way (the page the build
   * rendered, dist/help-pages, written by lib/host/help-process.ts; not the host): the page must be
   * the host's, byte for byte, for each spelling of help, for a cmdlet that lists, for one that loads
   * the others' declarations (Get-Help) and for the emulator's. The host's page is the same command
   * run by the host in this process (stdout no terminal, the width main() would take from COLUMNS),
   * which is what the usual way of a process writes to a file, at no process start-up.
   * NODE_DEBUG=module shows which way ran (the short way loads its one CommonJS writer,
   * help-page.cjs). With COLUMNS asking for a width, the pipe gets the host's page at that width. A
   * reader that closes early still ends help with 0.
   */
  let dir: string;
  beforeAll(() => {
    requireBuild();
    dir = mkdtempSync(join(tmpdir(), 'pc-help-process-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** The host's help page of a command, as main() runs it with stdout a file (no terminal). */
  async function hostPage(cmdlet: string, word: string, columns?: number): Promise<string> {
    const result = await runInProcess(await loadCmdlet(cmdlet), [word], {
      env: withoutColumns(),
      columns,
    });
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    return result.stdout;
  }
  const lineCount = (text: string) => text.split('\n').length - 1;

  const bin = (name: string) => `"${process.execPath}" "${binPath(name)}"`;

  describe('help into a pipe', () => {
    it("is the host's page, byte for byte, for each spelling and for three kinds of cmdlet", async () => {
      const cases = [
        ['Get-PartnerCustomer', '-?'],
        ['Get-PartnerCustomer', '--help'],
        ['Get-Help', '-HELP'],
        ['Start-PartnerEmulator', '-?'],
      ];
      const script = [
        'set -o pipefail',
        `dir="${dir}"`,
        ...cases.flatMap(([cmdlet, word], index) => [
          `NODE_DEBUG=module ${bin(cmdlet!)} ${word} 2> "$dir/debug-${index}" | cat > "$dir/piped-${index}" ` +
            `|| echo "piped ${index} failed: $?"`,
          `grep -q 'help-page\\.cjs' "$dir/debug-${index}" && echo "short way (${index})"`,
        ]),
        `${bin('Get-PartnerCustomer')} -? | head -c 1 > /dev/null; echo "closed early: \${PIPESTATUS[0]}"`,
      ].join('\n');
      const result = await runBash(script, { env: withoutColumns() });
      expect(result.stderr).toBe('');
      expect(result.stdout.trim().split('\n')).toEqual([
        ...cases.map((_, index) => `short way (${index})`),
        'closed early: 0',
      ]);
      for (const [index, [cmdlet, word]] of cases.entries()) {
        const piped = readFileSync(join(dir, `piped-${index}`), 'utf8');
        expect({ index, piped }).toEqual({ index, piped: await hostPage(cmdlet!, word!) });
        // Pages, not empty texts that compare equal.
        expect(lineCount(piped)).toBeGreaterThan(20);
      }
    });

    it('with COLUMNS set, is the host page at that width, not the page the build rendered', async () => {
      const script = [
        'set -o pipefail',
        `dir="${dir}"`,
        `NODE_DEBUG=module ${bin('Get-PartnerCustomer')} -? 2> "$dir/debug" | cat > "$dir/narrow"`,
        `grep -q 'help-page\\.cjs' "$dir/debug" || echo "through the host"`,
      ].join('\n');
      const result = await runBash(script, { env: { ...withoutColumns(), COLUMNS: '60' } });
      expect(result.stderr).toBe('');
      expect(result.stdout.trim().split('\n')).toEqual(['through the host']);
      const narrow = readFileSync(join(dir, 'narrow'), 'utf8');
      // The page at the default width, which the case above shows the pipe gets without COLUMNS.
      const usual = await hostPage('Get-PartnerCustomer', '-?');
      expect(narrow).toBe(await hostPage('Get-PartnerCustomer', '-?', 60));
      expect(narrow).not.toBe(usual);
      // Wrapped at 60 columns: more lines than the page at the default width.
      expect(lineCount(narrow)).toBeGreaterThan(lineCount(usual) + 10);
    });
  });

  function withoutColumns(): NodeJS.ProcessEnv {
    const env = cleanEnv({});
    delete env.COLUMNS;
    return env;
  }
});

describe('help pager', () => {
  /**
   * Help on a real terminal (util-linux `script`): a page longer than the screen goes through the
   * pager ($PARTNERCENTER_PAGER, $PAGER, else `less -FRX`), a short one or one written to a pipe
   * does not, and a pager that cannot start still leaves the help on the screen.
   */
  requireBuild();
  requireTools('script', 'less');
  const config = scratchConfigDir();
  afterAll(() => config.dispose());

  const node = process.execPath;
  const help = `${node} ${binPath('Get-Help')}`;
  const customer = `${node} ${binPath('Get-PartnerCustomer')}`;
  /** A 100 x 20 terminal, then each command with a line saying how it exited. */
  const onTerminal = (commands: string[], extra: NodeJS.ProcessEnv = {}) =>
    runOnTerminal(
      ['stty rows 20 cols 100', ...commands.map((c, i) => `${c}; echo "[${i} exit $?]"`)].join(
        '; ',
      ),
      // Several commands on a terminal: on a loaded machine they may take longer than one.
      { env: cleanEnv({ PARTNERCENTER_CONFIG_DIR: config.dir, ...extra }), timeoutMs: 60_000 },
    );
  /** The default pager: no PAGER from the developer's own shell. */
  function withoutPager(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
    delete env.PAGER;
    return env;
  }
  const lines = (text: string) => text.replace(/\r/g, '').split('\n');
  const marked = (text: string) => lines(text).filter((line) => line.startsWith('PAGED:'));

  jest.setTimeout(90_000);

  describe('help through the pager', () => {
    it('pages a long page on a terminal, and neither a short one nor one written to a pipe', async () => {
      const result = await onTerminal(
        [
          `${help} Get-PartnerCustomer`,
          `${customer} -?`,
          `${help} Get-PartnerCustomer -Parameter PageSize`,
          `${help} Get-PartnerCustomer | cat`,
        ],
        { PAGER: 'sed s/^/PAGED:/' },
      );
      const [long, questionMark, short, piped] = result.stdout
        .replace(/\r/g, '')
        .split(/\[\d exit \d+\]\n/);
      expect(result.stdout).toMatch(
        /\[0 exit 0\][\s\S]*\[1 exit 0\][\s\S]*\[2 exit 0\][\s\S]*\[3 exit 0\]/,
      );
      // Every line of the long page went through the pager, the same for -?.
      expect(lines(long!).filter((line) => line && !line.startsWith('PAGED:'))).toEqual([]);
      expect(marked(long!)).toContain('PAGED:NAME');
      expect(marked(long!).length).toBeGreaterThan(20);
      expect(marked(questionMark!)).toEqual(marked(long!));
      // -? is help without connecting (the config directory has no context): exit 0 above.
      expect(marked(questionMark!)).toContain('PAGED:SYNTAX');
      expect(marked(short!)).toEqual([]);
      expect(short).toContain('-PageSize <Int32>');
      expect(marked(piped!)).toEqual([]);
      expect(piped).toContain('SYNOPSIS');
    });

    it(
      'prefers PARTNERCENTER_PAGER; an empty one or cat turns paging off; one that cannot ' +
        'start still shows the help',
      async () => {
        const result = await onTerminal(
          [
            `PARTNERCENTER_PAGER='sed s/^/PAGED:/' ${help} Get-PartnerCustomer`,
            `PARTNERCENTER_PAGER= ${help} Get-PartnerCustomer`,
            `PAGER=cat ${help} Get-PartnerCustomer`,
            `PAGER=no-such-pager-here ${help} Get-PartnerCustomer`,
          ],
          { PAGER: 'sed s/^/OTHER:/' },
        );
        const [chosen, empty, cat, missing] = result.stdout
          .replace(/\r/g, '')
          .split(/\[\d exit \d+\]\n/);
        expect(result.stdout).toMatch(
          /\[0 exit 0\][\s\S]*\[1 exit 0\][\s\S]*\[2 exit 0\][\s\S]*\[3 exit 0\]/,
        );
        expect(marked(chosen!)).toContain('PAGED:SYNOPSIS');
        for (const page of [empty!, cat!, missing!]) {
          expect(page).not.toMatch(/PAGED:|OTHER:/);
          expect(page).toContain('REMARKS');
        }
      },
    );

    it('waits in less -FRX (the default) for a person, whose Ctrl-C is for less, until q', async () => {
      let quit = false;
      let pressQ: NodeJS.Timeout | undefined;
      // The exit status goes to a file: the terminal's last line may be lost when `script` ends
      // while q is still being typed into it (seen on a loaded CI machine).
      const status = join(config.dir, 'less-exit-status');
      // The shell behind `script` takes the Ctrl-C as well: dash (CI's /bin/sh) would die of it
      // once its child ends, whatever the child did; a trap (not an ignore, which the command would
      // inherit) makes any shell wait and go on, as bash does by itself.
      const result = await runOnTerminal(
        `trap : INT; stty rows 20 cols 100; ${help} Get-PartnerCustomer; echo $? > ${status}`,
        {
          env: withoutPager(cleanEnv({ PARTNERCENTER_CONFIG_DIR: config.dir })),
          timeoutMs: 60_000,
          onOutput: ({ stdout }, child) => {
            // less shows one screen and waits; the rest of the page is not on the terminal yet.
            if (!quit && stdout.includes('SYNTAX')) {
              quit = true;
              expect(stdout).not.toContain('REMARKS');
              // Ctrl-C twice belongs to less (which stays), not to the command behind it (which
              // would otherwise exit 130 on the second, leaving less on the terminal); then q.
              child.stdin!.write('\x03\x03');
              // less drops what was typed ahead when it takes an interrupt, so a q that arrives
              // before it has handled the Ctrl-C is lost: press q until the command has ended.
              pressQ = setInterval(() => child.stdin!.write('q'), 300);
            }
          },
        },
      );
      clearInterval(pressQ);
      expect(quit).toBe(true);
      expect(result.code).toBe(0);
      expect(readFileSync(status, 'utf8').trim()).toBe('0');
      expect(result.stdout).not.toContain('For exit codes, type');
    });
  });
});
