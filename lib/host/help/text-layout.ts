/**
 * Plain-text layout for help pages: word wrap with indentation, keeping the author's line breaks.
 */

export function wrap(text: string, width: number, indent: string, hangingIndent = indent): string {
  const out: string[] = [];
  for (const paragraph of text.split('\n')) {
    if (paragraph.trim() === '') {
      out.push('');
      continue;
    }
    let line = indent;
    let lineHasWord = false;
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      if (lineHasWord && line.length + 1 + word.length > width) {
        out.push(line);
        line = hangingIndent;
        lineHasWord = false;
      }
      line += (lineHasWord ? ' ' : '') + word;
      lineHasWord = true;
    }
    out.push(line);
  }
  return out.join('\n');
}

/** Code keeps its own lines; only indented. */
export function indentLines(text: string, indent: string): string {
  return text
    .split('\n')
    .map((line) => (line === '' ? '' : indent + line))
    .join('\n');
}

export function helpWidth(columns: number | undefined): number {
  return Math.max(40, Math.min(columns ?? 100, 120) - 1);
}

/**
 * A row of a text table: leading cells padded to their widths, the last cell wrapped beneath
 * itself.
 */
export function tableRow(
  cells: readonly string[],
  widths: readonly number[],
  width: number,
  indent = '',
): string {
  const lead =
    indent +
    cells
      .slice(0, -1)
      .map((cell, i) => cell.padEnd(widths[i] ?? cell.length))
      .join('');
  const last = cells.at(-1) ?? '';
  const lines = wrap(last, Math.max(20, width - lead.length), '').split('\n');
  return lines.map((line, i) => (i === 0 ? lead : ' '.repeat(lead.length)) + line).join('\n');
}

/**
 * A help topic written as titled sections: a title is a line after a blank one (or the first),
 * indented once; the paragraphs under it are wrapped and indented twice.
 */
export function titledSections(lines: readonly string[], width: number, indent: string): string {
  return lines
    .map((line, index) =>
      line === ''
        ? ''
        : index === 0 || lines[index - 1] === ''
          ? `${indent}${line}`
          : wrap(line, width, indent + indent),
    )
    .join('\n');
}
