/**
 * One command run, start to exit code: bind the command line, show help or run the cmdlet (see
 * cmdlet-run.ts for the exit codes and -ErrorAction), write its output, report failures.
 */
import type { CmdletDefinition } from '../cmdlet-support/cmdlet.js';
import { InterruptedError, OutputFailedError, UsageError } from '../common/errors.js';
import { ExitCode } from '../common/exit-codes.js';
import { bindCommandLine, type CommandLineBinding } from './binder.js';
import { CmdletRun } from './cmdlet-run.js';
import { withSecretsFromStdin } from './command-line-secrets.js';
import { type OutputFormat, outputFormats } from './common-parameters.js';
import { Diagnostics } from './diagnostics.js';
import { errorLine, exitCodeOf } from './error-report.js';
import { type HostIO, OutputClosedError, showsProgress } from './host-io.js';
import { continuesFile, FileStdout } from './output/file-stdout.js';
import { OutputSink } from './output/output-sink.js';
import { outputFailure, StdoutOutput } from './output/stdout-output.js';
import { createOutputWriter, type OutputWriter } from './output/output-writer.js';
import { createRedactor } from '../common/redact.js';

export type { HostIO } from './host-io.js';

export async function runCmdlet(definition: CmdletDefinition<any>, io: HostIO): Promise<number> {
  const diagnostics = new Diagnostics(io.stderr, showsProgress(io), createRedactor(), io.columns);
  let binding: CommandLineBinding;
  try {
    binding = await bindCommandLine(definition, io.argv);
    if (!binding.common.help && !binding.common.version) {
      binding = await withSecretsFromStdin(definition, binding, {
        readable: () => io.stdin,
        isTTY: io.stdinIsTTY,
        hasInput: io.stdinHasInput ?? !io.stdinIsTTY,
      });
    }
  } catch (error) {
    diagnostics.line(errorLine(definition.name, error));
    return exitCodeOf(error);
  }
  const controller = new AbortController();
  const forward = () => controller.abort(io.signal?.reason ?? new InterruptedError('SIGINT'));
  if (io.signal?.aborted) forward();
  io.signal?.addEventListener('abort', forward, { once: true });
  // A regular file as stdout is written by the run itself: whole chunks, a cut line removed.
  const fileStdout = io.stdoutFile === undefined ? undefined : new FileStdout(io.stdoutFile);
  const sink = new OutputSink(
    fileStdout ?? io.stdout,
    {
      onClosed: () => controller.abort(new OutputClosedError()),
      // Synchronous: the run's signal says so before anything records the failed bytes as written.
      onFailed: (error) => controller.abort(outputFailure(error, io.stdoutFile)),
      // Only a terminal shared with stdout needs the progress line out of the way of output lines.
      beforeWrite: io.stdoutIsTTY ? () => diagnostics.clearProgress() : undefined,
      afterWrite: io.stdoutIsTTY ? () => diagnostics.redrawProgress() : undefined,
    },
    { reuseChunks: fileStdout !== undefined || io.stdout === process.stdout },
  );
  let run: CmdletRun | undefined;
  let code: number;
  try {
    if (binding.common.version) {
      const { moduleVersionLine } = await import('./module-manifest.js');
      sink.write(`${moduleVersionLine()}\n`);
      code = ExitCode.Success;
    } else if (binding.common.help) {
      const { renderHelp } = await import('./help/render-help.js');
      const page = renderHelp(definition, { view: 'default', width: io.columns });
      if (!(await pageOnTerminal(page, io))) sink.write(page);
      code = ExitCode.Success;
    } else {
      run = new CmdletRun(
        definition,
        io,
        binding,
        diagnostics,
        controller.signal,
        new StdoutOutput(sink, io.stdoutFile),
      );
      const { format, byDefault } = await chooseOutputFormat(
        definition,
        binding,
        io,
        run.contextName,
        diagnostics,
      );
      const byteOrderMark = binding.common.encoding === 'utf8BOM';
      const refused = formatRefusal(format, byteOrderMark, binding.given.has('ResumeFile'));
      if (refused) {
        diagnostics.line(errorLine(definition.name, refused));
        code = exitCodeOf(refused);
      } else {
        const formatted = await createOutputWriter(format, sink, {
          property: binding.common.property,
          view: definition.view,
          columns: io.columns,
          byteOrderMark,
          continuesFile: () => continuesFile(io.stdoutFile),
          listWhenTooNarrow: byDefault,
        });
        const writer = definition.pagedText
          ? withPagedText(formatted, (text) => pageOnTerminal(text, io))
          : formatted;
        try {
          code = await run.execute(writer);
        } finally {
          if (!sink.closed) writer.end();
        }
      }
    }
  } finally {
    diagnostics.finishProgress();
    // Waits for stdout to take the last whole lines; a reader that never reads again is main's
    // second-signal problem, not something to cut short here (that would tear a line).
    await sink.end();
    sink.detach();
    io.signal?.removeEventListener('abort', forward);
  }
  // A failed stdout the run did not report itself (help, a format's closing bytes): its one line.
  const reason: unknown = controller.signal.reason;
  if (reason instanceof OutputFailedError && !run?.hasReported(reason)) {
    diagnostics.line(errorLine(definition.name, reason));
    return exitCodeOf(reason);
  }
  return code;
}

/**
 * Help through the pager when it is longer than the terminal (help/pager.ts). Only the process's
 * own stdout can be paged: the pager writes to the terminal itself, not to a stream.
 */
async function pageOnTerminal(text: string, io: HostIO): Promise<boolean> {
  if (!io.stdoutIsTTY || io.stdout !== process.stdout) return false;
  const { showPaged } = await import('./help/pager.js');
  return showPaged(text, { stdoutIsTerminal: true, rows: io.rows, env: io.env });
}

/** `writer`, with its preformatted text shown by `page` when that takes it. */
function withPagedText(
  writer: OutputWriter,
  page: (text: string) => Promise<boolean>,
): OutputWriter {
  const { writeJsonText, delivered } = writer;
  return {
    write: (value) => writer.write(value),
    writeJsonText: writeJsonText && ((text) => writeJsonText.call(writer, text)),
    delivered: delivered && (() => delivered.call(writer)),
    end: () => writer.end(),
    writeText: (text) => page(text).then((paged) => (paged ? undefined : writer.writeText(text))),
  };
}

/**
 * Without -OutputFormat (about_OutputFormats): Ndjson when stdout is not a terminal; on a terminal
 * the format saved for it, else what the command shows people (a List for one object, else a
 * Table); `byDefault` when it is the last.
 */
async function chooseOutputFormat(
  definition: CmdletDefinition<any>,
  binding: CommandLineBinding,
  io: HostIO,
  contextName: string | undefined,
  diagnostics: Diagnostics,
): Promise<{ format: OutputFormat; byDefault: boolean }> {
  // As gh and PowerShell do: output for people on a terminal, and for programs everywhere else,
  // so a pipe, a file or a runbook never sees a table.
  if (binding.common.outputFormat) return { format: binding.common.outputFormat, byDefault: false };
  if (!io.stdoutIsTTY) return { format: 'Ndjson', byDefault: false };
  const forPeople = {
    format: definition.terminalFormat?.(Object.fromEntries(binding.given)) ?? 'Table',
    byDefault: true,
  };
  try {
    const { readPreferences } = await import('../session/preferences.js');
    const saved = (await readPreferences(contextName, io.env)).outputFormat?.toLowerCase();
    const format = outputFormats.find((known) => known.toLowerCase() === saved);
    return format ? { format, byDefault: false } : forPeople;
  } catch (error) {
    if (binding.common.verbose)
      diagnostics.line(
        `Saved preferences not read (${error instanceof Error ? error.message : String(error)}); ` +
          `writing ${forPeople.format}.`,
        'VERBOSE: ',
      );
    return forPeople;
  }
}

/** An output format the other parameters cannot go with, refused before anything is sent. */
function formatRefusal(
  format: OutputFormat,
  byteOrderMark: boolean,
  resumable: boolean,
): UsageError | undefined {
  if (byteOrderMark && format !== 'Csv')
    return new UsageError(
      `-Encoding utf8BOM is for -OutputFormat Csv (a spreadsheet's file); the output here is ${format}.`,
      { hint: 'Add -OutputFormat Csv, or leave -Encoding out.' },
    );
  // A resumed run appends to what the stopped one wrote: a second array after the first (or after
  // one a full disk cut short) is not JSON.
  if (resumable && format === 'Json')
    return new UsageError(
      '-OutputFormat Json writes one JSON array, which a run continued with -ResumeFile cannot ' +
        'add to: the file would hold two arrays.',
      {
        hint: "Use -OutputFormat Ndjson (one object a line; jq -s '.' makes an array of it) or Csv.",
      },
    );
  return undefined;
}
