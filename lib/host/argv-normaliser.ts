/**
 * Turns PowerShell-style words into canonical parameter names and raw values: case-insensitive
 * names, unambiguous prefixes, aliases, `-Name:value`, `-Switch:$false`, `--` ending parameters.
 * yargs understands none of that, so this runs first and hands yargs canonical `--Name=value`
 * words.
 */
import { UsageError } from '../common/errors.js';
import { closestName } from './closest-name.js';
import type { ParameterEntry, ParameterTable } from './parameter-table.js';
import { typeNames } from './parameter-values.js';

export interface NamedArgument {
  entry: ParameterEntry;
  /**
   * Raw text for values, a list for string[], true/false (or raw text for the value checker) for
   * switches.
   */
  value: string | string[] | boolean;
}

export interface NormalisedArguments {
  named: NamedArgument[];
  positional: string[];
}

const parameterWord = /^--?[A-Za-z?_]/;

export function looksLikeParameterName(word: string): boolean {
  return parameterWord.test(word);
}

export function normaliseArguments(
  table: ParameterTable,
  argv: readonly string[],
  cmdletName: string,
): NormalisedArguments {
  const named: NamedArgument[] = [];
  const positional: string[] = [];
  const typedAs = new Map<string, string>();
  let index = 0;
  /** The next word, consumed; undefined past the last. */
  const take = (): string | undefined => (index < argv.length ? argv[index++] : undefined);
  for (let word = take(); word !== undefined; word = take()) {
    if (word === '--') {
      positional.push(...argv.slice(index));
      break;
    }
    if (!looksLikeParameterName(word)) {
      positional.push(word);
      continue;
    }
    const doubleDash = word.startsWith('--');
    const body = word.slice(doubleDash ? 2 : 1);
    const separator = doubleDash ? body.search(/[:=]/) : body.indexOf(':');
    const typed = separator < 0 ? body : body.slice(0, separator);
    const inline = separator < 0 ? undefined : body.slice(separator + 1);
    const entry = resolveName(table, typed, cmdletName);
    refuseRepeat(typedAs, entry, typed);
    const { type } = entry.declaration;
    if (type === 'switch') {
      // `-Switch: $false` (with a space) is valid PowerShell too.
      const text = inline === '' ? (take() ?? inline) : inline;
      named.push({ entry, value: text ?? true });
      continue;
    }
    let value: string;
    const next = argv[index];
    if (inline !== undefined && inline !== '') {
      value = inline;
    } else if (next !== undefined && (inline === '' || !looksLikeParameterName(next))) {
      // `-Name: -value` is PowerShell's way to pass a value that starts with a dash.
      value = next;
      index++;
    } else {
      throw new UsageError(
        `Missing an argument for parameter '${entry.name}'. Specify a parameter ` +
          `of type '${typeNames[type]}' and try again.`,
        {
          hint:
            `Give a value after -${entry.name}; for a value that starts with '-', write ` +
            `-${entry.name}:<value>.`,
        },
      );
    }
    if (type === 'string[]') {
      // `-Property a, b` reaches us as the two words `a,` and `b`.
      for (let more = argv[index]; value.endsWith(',') && more !== undefined; more = argv[index]) {
        value += more;
        index++;
      }
      named.push({ entry, value: value.split(',').filter((item) => item !== '') });
    } else {
      named.push({ entry, value });
    }
  }
  return { named, positional };
}

/**
 * A parameter named twice (`-PageSize 5 -PageSize 6`, or `-PageSize 5 -pag 6` through a prefix or
 * an alias) is refused as PowerShell refuses it (its ParameterAlreadyBound error), rather than
 * silently taking one of the values: a runbook that builds its command line by appending words
 * would otherwise run with a value nobody chose. `typedAs` records how each parameter was first
 * written, to name both spellings.
 */
export function refuseRepeat(
  typedAs: Map<string, string>,
  entry: ParameterEntry,
  typed: string,
): void {
  const first = typedAs.get(entry.name);
  if (first === undefined) {
    typedAs.set(entry.name, typed);
    return;
  }
  const spellings = new Set([first, typed].filter((word) => word !== entry.name));
  const sameParameter =
    spellings.size > 0
      ? ` (${[...spellings].map((word) => `-${word}`).join(' and ')} name -${entry.name})`
      : '';
  throw new UsageError(
    `Cannot bind parameter because parameter '${entry.name}' is specified more than once${sameParameter}.`,
    {
      hint:
        entry.declaration.type === 'string[]'
          ? 'To provide multiple values to parameters that can accept multiple values, use the ' +
            `array syntax. For example, "-${entry.name} value1,value2,value3".`
          : `-${entry.name} takes one value: give it once.`,
    },
  );
}

export function resolveName(
  table: ParameterTable,
  typed: string,
  cmdletName: string,
): ParameterEntry {
  const exact = table.get(typed);
  if (exact) return exact;
  const lower = typed.toLowerCase();
  const visible = table.entries.filter((entry) => !entry.declaration.hidden);
  const matches = visible.filter((entry) => entry.name.toLowerCase().startsWith(lower));
  const [only, ...others] = matches;
  if (only !== undefined && others.length === 0) return only;
  if (others.length > 0) {
    const candidates = matches.map((entry) => `-${entry.name}`).join(' ');
    throw new UsageError(
      `Parameter name '${typed}' is ambiguous. Possible matches include: ${candidates}.`,
      { hint: 'Type more of the parameter name.' },
    );
  }
  const suggestion = closestName(
    typed,
    visible.map((entry) => entry.name),
  );
  const shown = typed.length > 40 ? `${typed.slice(0, 37)}...` : typed;
  throw new UsageError(
    `A parameter cannot be found that matches parameter name '${JSON.stringify(shown).slice(1, -1)}'.`,
    {
      hint:
        `${suggestion ? `Did you mean -${suggestion}? ` : ''}Run '${cmdletName} ` +
        `-?' to list the parameters.`,
    },
  );
}
