#!/usr/bin/env node
/**
 * The line-length ceiling Biome's formatter cannot keep on its own: it wraps code at 100 columns
 * but leaves long strings, templates and comments as they are. No line of the tracked sources in
 * lib/, cmdlets/, spec/ and bench/ may exceed 120 characters, so two files read side by side in a
 * diff. A line holding only a regular-expression literal is exempt: splitting one hides it.
 * Prints file:line for each offender and exits 1 if there is one.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const MAX = 120;
const FOLDERS = ['lib', 'cmdlets', 'spec', 'bench'];
/** A regular-expression literal, optionally followed by , ; or ) and nothing else. */
const REGEX_ONLY = /^\s*\/.+\/[dgimsuvy]*[,;)]*\s*$/;

const files = execFileSync('git', ['ls-files', '-z', '--', ...FOLDERS], { encoding: 'utf8' })
  .split('\0')
  .filter((path) => /\.(?:[cm]?[jt]s|sh)$/.test(path));

const offenders = [];
for (const path of files) {
  let text;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    continue; // deleted in the work tree but still in the index
  }
  text.split(/\r?\n/).forEach((line, index) => {
    // Characters, not UTF-16 units: "é" and "…" count once.
    const length = [...line].length;
    if (length > MAX && !REGEX_ONLY.test(line)) offenders.push(`${path}:${index + 1}: ${length}`);
  });
}

if (offenders.length > 0) {
  for (const offender of offenders) console.log(offender);
  console.log(`${offenders.length} line(s) longer than ${MAX} characters.`);
  process.exit(1);
}
