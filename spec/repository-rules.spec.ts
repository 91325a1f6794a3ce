/**
 * The repository's own rules, read from its source (no server, no process): the layers of
 * docs/ARCHITECTURE.md on every import, no unexplained non-null assertion in lib/host and
 * lib/session, and the files generated from cmdlets/ committed exactly as the build writes them.
 * One file because the last two both load the TypeScript compiler, which jest would otherwise load
 * once per file; each check keeps its own describe below.
 */
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync, existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { functionName, moduleFiles } from '../lib/module-files.js';

/** The repository's root. */
const root = join(import.meta.dirname, '..');

/** Every .ts file under `directory` (relative to the root), as root-relative paths with `/`. */
function sourceFiles(directory: string): string[] {
  return readdirSync(join(root, directory), { withFileTypes: true }).flatMap((entry) => {
    const path = `${directory}/${entry.name}`;
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('architecture', () => {
  /**
   * The layers of docs/ARCHITECTURE.md, checked on every import of lib/ and cmdlets/: a module may
   * import its own layer and the layers below it, never one above. The emulator stands apart.
   */

  /** Lowest first. A layer may import itself and anything earlier in this list. */
  const LAYERS = [
    'common',
    'json',
    'net',
    'partner-center',
    'session',
    'cmdlet-support',
    'cmdlets',
    'host',
    'entry',
  ] as const;
  type Layer = (typeof LAYERS)[number] | 'emulator';

  /** json and net are siblings: neither imports the other. */
  const SIBLINGS: ReadonlyArray<[Layer, Layer]> = [['json', 'net']];

  /**
   * Imports allowed against the order, each with its reason.
   * Get-Help and Get-Command are the host's own introspection commands: they render the host's help
   * pages and completion scripts and read the module manifest.
   */
  const EXCEPTIONS: ReadonlyArray<{ from: string; toLayer: Layer; why: string }> = [
    { from: 'cmdlets/Get-Help.ts', toLayer: 'host', why: 'renders help pages' },
    { from: 'cmdlets/Get-Command.ts', toLayer: 'host', why: 'lists cmdlets, prints completion' },
  ];

  /**
   * Who may import the emulator: the cmdlet that starts it, the demo, and the package's list of
   * output types (the type of Start-PartnerEmulator's first object, a declaration only); nothing of
   * the client.
   */
  const EMULATOR_USERS = new Set([
    'cmdlets/Start-PartnerEmulator.ts',
    'lib/demo.ts',
    'lib/output-types.ts',
  ]);

  function layerOf(path: string): Layer {
    const parts = path.split('/');
    if (parts[0] === 'cmdlets') return 'cmdlets';
    if (parts.length === 2) return 'entry';
    const folder = parts[1] as Layer;
    if (folder === 'emulator' || (LAYERS as readonly string[]).includes(folder)) return folder;
    throw new Error(`${path} is in no layer: add lib/${folder} to docs/ARCHITECTURE.md and here`);
  }

  /** Relative imports: `import … from`, `export … from`, `import(…)` with a literal. */
  function importsOf(path: string): string[] {
    const text = readFileSync(join(root, path), 'utf8');
    const found: string[] = [];
    const pattern = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g;
    for (const match of text.matchAll(pattern)) {
      const target = relative(root, resolve(dirname(join(root, path)), match[1]!));
      found.push(target.split(sep).join('/').replace(/\.js$/, '.ts'));
    }
    return found;
  }

  function allowed(from: string, to: string): boolean {
    const fromLayer = layerOf(from);
    const toLayer = layerOf(to);
    if (toLayer === 'emulator') return fromLayer === 'emulator' || EMULATOR_USERS.has(from);
    if (fromLayer === 'emulator') return toLayer === 'common';
    if (EXCEPTIONS.some((e) => e.from === from && e.toLayer === toLayer)) return true;
    if (
      SIBLINGS.some(
        ([a, b]) => (a === fromLayer && b === toLayer) || (b === fromLayer && a === toLayer),
      )
    ) {
      return false;
    }
    return LAYERS.indexOf(toLayer as never) <= LAYERS.indexOf(fromLayer as never);
  }

  describe('layers', () => {
    const files = [...sourceFiles('lib'), ...sourceFiles('cmdlets')];

    it('finds the source files and their imports', () => {
      expect(files.length).toBeGreaterThan(50);
      expect(importsOf('lib/host/run.ts')).toContain('lib/host/cmdlet-run.ts');
    });

    it('every import goes to the same layer or one below it', () => {
      const violations = files.flatMap((from) =>
        importsOf(from)
          .filter((to) => !allowed(from, to))
          .map((to) => `${from} (${layerOf(from)}) imports ${to} (${layerOf(to)})`),
      );
      expect(violations).toEqual([]);
    });

    it('refuses an upward import, a sibling import and the client reaching the emulator', () => {
      expect(allowed('lib/session/session.ts', 'lib/host/run.ts')).toBe(false);
      expect(allowed('lib/partner-center/client.ts', 'lib/cmdlet-support/cmdlet.ts')).toBe(false);
      expect(allowed('lib/json/json-text.ts', 'lib/net/extra-ca.ts')).toBe(false);
      expect(allowed('lib/session/session.ts', 'lib/emulator/index.ts')).toBe(false);
      expect(allowed('lib/emulator/index.ts', 'lib/partner-center/client.ts')).toBe(false);
      expect(allowed('cmdlets/Get-PartnerCustomer.ts', 'lib/host/run.ts')).toBe(false);
      expect(allowed('lib/host/run.ts', 'lib/session/session.ts')).toBe(true);
    });
  });
});

describe('non-null assertions', () => {
  /**
   * No non-null assertion (`value!`, or a definite assignment `let x!: T`) in lib/host and
   * lib/session unless a comment on the same line says why it holds (`// why: ...`). An assertion
   * tells the compiler "this is never undefined" and is believed without proof: where the types can
   * say it (a context of its kind has its application id, a placed column its width), they should;
   * where they cannot, the reason is written where the next reader needs it. Counted with the
   * TypeScript compiler's own parser, so strings, comments and `!==` are never mistaken for one.
   */
  const FOLDERS = ['lib/host', 'lib/session'];

  /**
   * Files whose assertions their owners remove in work under way (the run engine; the binder, help
   * and completion), each with the most unexplained ones it may hold: today's count. One more
   * fails; fewer passes (their removal lands in any order), and the entry is lowered or dropped
   * once the file is down to what it holds, so the rule holds for it from then on.
   */
  const NOT_YET: Readonly<Record<string, number>> = {};

  /** A comment that gives the reason: `// why: ...` or `/* why: ... *\/`. */
  const WHY = /^\/[/*]\s*why:/i;

  interface Assertion {
    line: number;
    text: string;
    explained: boolean;
  }

  /** Every non-null and definite assignment assertion of a source text, with its line (1-based). */
  function assertionsIn(fileName: string, source: string): Assertion[] {
    const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true);
    const lineOf = (position: number) => file.getLineAndCharacterOfPosition(position).line;
    const lines = source.split('\n');
    const found: Assertion[] = [];
    const record = (at: number) => {
      const line = lineOf(at);
      found.push({ line: line + 1, text: lines[line]?.trim() ?? '', explained: false });
    };
    const find = (node: ts.Node): void => {
      if (ts.isNonNullExpression(node)) record(node.getEnd() - 1);
      if (
        (ts.isVariableDeclaration(node) || ts.isPropertyDeclaration(node)) &&
        node.exclamationToken
      )
        record(node.exclamationToken.getStart(file));
      ts.forEachChild(node, find);
    };
    find(file);
    // Comments are trivia around the tokens (before a token's start, after its end), a comma or a
    // parenthesis included: read around every token of the lines that hold an assertion.
    const assertionLines = new Set(found.map(({ line }) => line - 1));
    const explainedLines = new Set<number>();
    const comments = (ranges: ts.CommentRange[] | undefined) => {
      for (const range of ranges ?? []) {
        if (WHY.test(source.slice(range.pos, range.end))) explainedLines.add(lineOf(range.pos));
      }
    };
    const read = (node: ts.Node): void => {
      const first = lineOf(node.pos);
      const last = lineOf(node.end);
      if (![...assertionLines].some((line) => line >= first && line <= last)) return;
      comments(ts.getLeadingCommentRanges(source, node.pos));
      comments(ts.getTrailingCommentRanges(source, node.end));
      for (const child of node.getChildren(file)) read(child);
    };
    if (found.length > 0) read(file);
    return found.map((assertion) => ({
      ...assertion,
      explained: explainedLines.has(assertion.line - 1),
    }));
  }

  describe('non-null assertions in lib/host and lib/session', () => {
    it('finds an assertion, a definite assignment, and the comment that explains one', () => {
      const found = assertionsIn(
        'sample.ts',
        [
          'const a = list[0]!;',
          'const b = map.get(key)!; // why: every key was set just above',
          'let c!: string;',
          // biome-ignore lint/suspicious/noTemplateCurlyInString: a template in the sample source
          "const d = x !== y && '!' && `${e}!`; // a ! in a comment or a string is none",
          'const f = (g as string[])[0]! /* why: split gives one part at least */;',
          "const h = '// why: in a string is no comment'.length + i!;",
          'call(j!, // why: j was checked by the caller',
          '  k);',
        ].join('\n'),
      );
      expect(found.map(({ line, explained }) => [line, explained])).toEqual([
        [1, false],
        [2, true],
        [3, false],
        [5, true],
        [6, false],
        [7, true],
      ]);
    });

    it('none is left without a comment saying why, but in the files still listed', () => {
      const unexplained = FOLDERS.flatMap(sourceFiles).flatMap((path) =>
        assertionsIn(path, readFileSync(join(root, path), 'utf8'))
          .filter((assertion) => !assertion.explained)
          .map((assertion) => ({ path, ...assertion })),
      );
      const counts = new Map<string, number>();
      for (const { path } of unexplained) counts.set(path, (counts.get(path) ?? 0) + 1);
      const listed = Object.keys(NOT_YET);
      // Named with the line, so the message says where to give the types or the reason.
      const outsideTheList = unexplained
        .filter(({ path }) => !listed.includes(path))
        .map(({ path, line, text }) => `${path}:${line}: ${text}`);
      expect(outsideTheList).toEqual([]);
      const overTheirCount = listed
        .filter((path) => (counts.get(path) ?? 0) > (NOT_YET[path] ?? 0))
        .map((path) => `${path}: ${counts.get(path)} unexplained, at most ${NOT_YET[path]}`);
      expect(overTheirCount).toEqual([]);
    });
  });
});

describe('manifest', () => {
  /**
   * cmdlets/ is the one list of cmdlets: manifest.json, package.json `bin`, the bin/ shims and the
   * typed in-process functions are generated from it by `npm run build` (lib/module-files.ts), and
   * the committed files must be exactly what the generator writes.
   */
  const manifest = JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8')) as {
    name: string;
    version: string;
    description: string;
    cmdlets: { name: string; file: string; synopsis: string }[];
  };
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    version: string;
    bin: Record<string, string>;
  };

  describe('the files generated from cmdlets/', () => {
    it('are committed exactly as the generator writes them (run `npm run build`)', async () => {
      const files = await moduleFiles(root);
      expect(files.map((file) => file.path)).toEqual(
        expect.arrayContaining([
          'manifest.json',
          'package.json',
          'bin/Get-PartnerCustomer',
          'lib/cmdlet-functions.ts',
        ]),
      );
      for (const file of files) {
        const path = join(root, file.path);
        expect({
          path: file.path,
          content: existsSync(path) ? readFileSync(path, 'utf8') : null,
        }).toEqual({ path: file.path, content: file.content });
      }
    });

    it('include one typed function per cmdlet, named after it', () => {
      const functions = readFileSync(join(root, 'lib', 'cmdlet-functions.ts'), 'utf8');
      for (const cmdlet of manifest.cmdlets)
        expect(functions).toContain(`export function ${functionName(cmdlet.name)}<`);
      expect(functionName('Get-PartnerCustomer')).toBe('getPartnerCustomer');
    });
  });

  describe('manifest.json', () => {
    it('names the module and agrees with package.json on the version', () => {
      expect(manifest.name).toBe('PartnerCenter');
      expect(manifest.description.length).toBeGreaterThan(20);
      expect(manifest.version).toBe(pkg.version);
    });

    it(
      'lists each cmdlet once, as Verb-Noun, with a synopsis and an existing ' +
        'file named like the command',
      () => {
        const names = manifest.cmdlets.map((c) => c.name);
        expect(new Set(names).size).toBe(names.length);
        for (const cmdlet of manifest.cmdlets) {
          // One word for the verb, or PowerShell's approved two-word ConvertFrom (Get-Verb).
          expect(cmdlet.name).toMatch(/^(?:[A-Z][a-z]+|ConvertFrom)-[A-Z][A-Za-z]+$/);
          expect(cmdlet.file).toBe(`cmdlets/${cmdlet.name}.ts`);
          expect(existsSync(join(root, cmdlet.file))).toBe(true);
          expect(cmdlet.synopsis).toMatch(/\.$/);
        }
      },
    );

    it('has no cmdlet file that the manifest does not export', () => {
      const files = readdirSync(join(root, 'cmdlets'))
        .filter((f) => f.endsWith('.ts'))
        .sort();
      expect(files).toEqual(manifest.cmdlets.map((c) => `${c.name}.ts`).sort());
    });

    it('is mirrored exactly by package.json bin', () => {
      const expected = Object.fromEntries(manifest.cmdlets.map((c) => [c.name, `bin/${c.name}`]));
      expect(pkg.bin).toEqual(expected);
    });

    it('has one executable shim per cmdlet in bin/, and no other', () => {
      const shims = readdirSync(join(root, 'bin'))
        .filter((f) => !f.includes('.'))
        .sort();
      expect(shims).toEqual(manifest.cmdlets.map((c) => c.name).sort());
      for (const cmdlet of manifest.cmdlets) {
        const shim = join(root, 'bin', cmdlet.name);
        expect(readFileSync(shim, 'utf8')).toContain(`require('./run.cjs')('${cmdlet.name}');`);
        if (process.platform !== 'win32') expect(statSync(shim).mode & 0o111).toBe(0o111);
      }
    });

    it('declares each cmdlet with the same name and synopsis as its definition', async () => {
      for (const cmdlet of manifest.cmdlets) {
        const definition = (await import(join(root, cmdlet.file))).default as {
          name: string;
          synopsis: string;
        };
        expect(definition.name).toBe(cmdlet.name);
        expect(definition.synopsis).toBe(cmdlet.synopsis);
      }
    });
  });
});

describe('suites', () => {
  /**
   * jest runs the suites of spec/suites/ (jest.config.js), each several spec files in one module
   * registry (spec/support/suite.ts): a spec file no suite lists would never run in `npm test`,
   * and one listed twice would run twice.
   */
  const specRoot = import.meta.dirname;
  const { specFilesOf, MEASURED_SECONDS } = createRequire(import.meta.url)(
    './support/sequencer.cjs',
  ) as { specFilesOf(suitePath: string): string[]; MEASURED_SECONDS: Record<string, number> };
  const suites = join(specRoot, 'suites');
  const suiteNames = readdirSync(suites)
    .filter((name) => name.endsWith('.suite.ts'))
    .map((name) => name.slice(0, -'.suite.ts'.length));

  it('runs every spec file under spec/ in exactly one suite', () => {
    const specFiles = sourceFiles('spec')
      .filter((path) => path.endsWith('.spec.ts'))
      .map((path) => path.slice('spec/'.length));
    const listed = suiteNames.flatMap((name) =>
      specFilesOf(join(suites, `${name}.suite.ts`)).map((file) =>
        relative(specRoot, file).split(sep).join('/'),
      ),
    );
    expect(specFiles.length).toBeGreaterThan(50);
    expect(listed.sort()).toEqual(specFiles.sort());
  });

  it('orders a fresh clone by the measured time of suites that exist', () => {
    expect(Object.keys(MEASURED_SECONDS).sort()).toEqual([...suiteNames].sort());
  });
});
