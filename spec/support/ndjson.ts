/**
 * The one NDJSON reader of the specs. `parseNdjson` reads every non-empty line; `wholeNdjsonLines`
 * also insists on what a command's stdout must be: whole lines only, each ended by a newline, so
 * a torn last line or a blank line fails the spec naming it.
 */
import { expect } from '@jest/globals';

export type NdjsonObject = Record<string, unknown>;

function parseLine(line: string): NdjsonObject {
  try {
    return JSON.parse(line) as NdjsonObject;
  } catch {
    throw new Error(`a torn or malformed output line: ${line.slice(0, 120)}`);
  }
}

export function parseNdjson(text: string): NdjsonObject[] {
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map(parseLine);
}

export function wholeNdjsonLines(text: string): NdjsonObject[] {
  if (text === '') return [];
  expect(text.endsWith('\n')).toBe(true);
  return text.slice(0, -1).split('\n').map(parseLine);
}
