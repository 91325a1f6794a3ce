#!/usr/bin/env node
/**
 * Runs each argument as a shell command at the same time and exits with the first failure's code
 * (0 when all succeed). `npm test` uses it for lint beside the build and spec type-check: Biome and
 * the line-length check need no build, and tsc uses one core, so on two cores the lint costs no
 * wall time. Each command's output is held and printed whole, in argument order, so the two
 * never interleave line by line.
 */
import { spawn } from 'node:child_process';

const commands = process.argv.slice(2);
if (commands.length === 0) {
  process.stderr.write('usage: side-by-side.mjs "<command>" ["<command>" ...]\n');
  process.exit(2);
}

const runs = commands.map(
  (command) =>
    new Promise((resolve) => {
      const chunks = [];
      const child = spawn(command, { shell: true, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.on('data', (chunk) => chunks.push(chunk));
      child.stderr.on('data', (chunk) => chunks.push(chunk));
      child.on('error', (error) => resolve({ command, code: 1, output: `${error.message}\n` }));
      child.on('close', (code, signal) =>
        resolve({
          command,
          code: code ?? (signal ? 1 : 0),
          output: Buffer.concat(chunks).toString(),
        }),
      );
    }),
);

let failed = 0;
for (const { command, code, output } of await Promise.all(runs)) {
  process.stdout.write(`\n> ${command}\n${output}`);
  if (code !== 0) {
    process.stdout.write(`(exited with code ${code})\n`);
    failed ||= code;
  }
}
process.exit(failed);
