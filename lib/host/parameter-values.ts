/**
 * Converts one raw value (a command-line word, an environment variable, a pipeline property) to the
 * parameter's type and validates it, so a cmdlet only ever sees valid values and nothing reaches
 * the network before every check passed. Messages quote the offending value except for secrets.
 */
import { statSync } from 'node:fs';
import type { ParameterDeclaration } from '../cmdlet-support/cmdlet.js';
import { UsageError } from '../common/errors.js';
import { isGuid } from '../common/guid.js';

export type ValueSource =
  | { kind: 'commandLine' }
  | { kind: 'environment'; variable: string }
  | { kind: 'pipeline'; line: number; property: string }
  | { kind: 'prompt' };

const int32: readonly [number, number] = [-2147483648, 2147483647];

export const typeNames: Record<ParameterDeclaration['type'], string> = {
  string: 'String',
  int: 'Int32',
  guid: 'Guid',
  switch: 'SwitchParameter',
  secret: 'SecureString',
  path: 'String',
  'string[]': 'String[]',
};

export function convertParameterValue(
  name: string,
  declaration: ParameterDeclaration,
  raw: unknown,
  source: ValueSource,
): unknown {
  const fail = (problem: string, hint: string): never => {
    throw new UsageError(`${where(name, source)}: ${problem}.`, { hint });
  };
  const shown = declaration.type === 'secret' ? 'the value' : quote(raw);
  switch (declaration.type) {
    case 'switch':
      return (
        toBoolean(raw) ??
        fail(`${shown} is not a switch value`, `Use -${name}, -${name}:$true or -${name}:$false.`)
      );
    case 'int':
      return toInt(declaration, raw, shown, fail);
    case 'string[]': {
      const items = Array.isArray(raw) ? raw : [raw];
      return items.map((item) =>
        checkString(declaration, scalarText(item, shown, fail), quote(item), fail),
      );
    }
    default:
      return checkString(declaration, scalarText(raw, shown, fail), shown, fail);
  }
}

type Fail = (problem: string, hint: string) => never;

function checkString(
  declaration: ParameterDeclaration,
  text: string,
  shown: string,
  fail: Fail,
): string {
  if (declaration.choices) {
    const canonical = declaration.choices.find(
      (choice) => choice.toLowerCase() === text.toLowerCase(),
    );
    return (
      canonical ??
      fail(
        `${shown} is not one of ${declaration.choices.join(', ')}`,
        `Use one of: ${declaration.choices.join(', ')}.`,
      )
    );
  }
  if (declaration.type === 'guid') {
    if (!isGuid(text))
      fail(`${shown} is not a GUID`, 'Use the form 00000000-0000-0000-0000-000000000000.');
    return text.toLowerCase();
  }
  if (declaration.pattern && !declaration.pattern.regex.test(text)) {
    fail(`${shown} is not allowed here`, `Use ${declaration.pattern.allowed}.`);
  }
  // An empty path would resolve to the current directory: refused as PowerShell refuses it.
  if (declaration.type === 'path' && text.trim() === '')
    fail('an empty path names no file', 'Give the path of a file, e.g. ./name.json.');
  if (declaration.type === 'path' && declaration.mustExist) checkFileExists(text, shown, fail);
  return text;
}

function checkFileExists(path: string, shown: string, fail: Fail): void {
  let isFile: boolean;
  try {
    isFile = statSync(path).isFile();
  } catch {
    fail(
      `the file ${shown} does not exist or cannot be read`,
      'Check the path; relative paths start from the current directory.',
    );
  }
  if (!isFile)
    fail(`${shown} is not a file`, 'Give the path of a file, not of a directory or device.');
}

function toInt(declaration: ParameterDeclaration, raw: unknown, shown: string, fail: Fail): number {
  const [low, high] = declaration.range ?? int32;
  const hint = declaration.range
    ? `Use a whole number from ${low} to ${high}.`
    : 'Use a whole number.';
  let value: number;
  if (typeof raw === 'number') value = raw;
  else if (typeof raw === 'string' && /^\s*[+-]?\d+\s*$/.test(raw)) value = Number(raw);
  else return fail(`${shown} is not a whole number`, hint);
  if (!Number.isInteger(value)) return fail(`${shown} is not a whole number`, hint);
  if (value < low || value > high) {
    return fail(
      declaration.range
        ? `${value} is outside the allowed range ${low}..${high}`
        : `${value} is too large for an Int32`,
      hint,
    );
  }
  return value;
}

function toBoolean(raw: unknown): boolean | undefined {
  if (typeof raw === 'boolean') return raw;
  if (typeof raw !== 'string') return undefined;
  const text = raw.trim().toLowerCase();
  if (text === 'true' || text === '$true' || text === '1') return true;
  if (text === 'false' || text === '$false' || text === '0') return false;
  return undefined;
}

function scalarText(raw: unknown, shown: string, fail: Fail): string {
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
  if (raw === null) return fail('the value is null', 'Give a value.');
  return fail(
    `${Array.isArray(raw) ? 'an array' : typeof raw === 'object' ? 'an object' : shown} ` +
      'cannot be converted to text',
    'Give a single value.',
  );
}

function where(name: string, source: ValueSource): string {
  switch (source.kind) {
    case 'commandLine':
      return `Cannot bind parameter '${name}'`;
    case 'environment':
      return `Cannot bind parameter '${name}' from environment variable ${source.variable}`;
    case 'pipeline':
      return (
        `Input line ${source.line}: cannot bind property '${source.property}' to ` +
        `parameter '${name}'`
      );
    case 'prompt':
      return `Cannot bind the value typed for parameter '${name}'`;
  }
}

/** A value as a message shows it: quoted, escaped onto one line, and short. */
export function quote(raw: unknown): string {
  if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
  if (typeof raw !== 'string')
    return Array.isArray(raw) ? 'an array' : raw === null ? 'null' : 'an object';
  const text = raw.length > 60 ? `${raw.slice(0, 57)}...` : raw;
  return JSON.stringify(text);
}
