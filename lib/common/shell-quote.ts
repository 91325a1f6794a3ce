/**
 * A command line a user can paste back into a POSIX shell (bash, zsh, sh) to run exactly what a
 * message suggests: words that need it are single-quoted, so nothing in them is expanded.
 */

const plainWord = /^[A-Za-z0-9_./:=@%+,-]+$/;

export function shellQuote(word: string): string {
  if (plainWord.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** `name` followed by its arguments, each quoted as needed. */
export function commandLine(name: string, args: readonly (string | number)[]): string {
  return [name, ...args.map((arg) => shellQuote(String(arg)))].join(' ');
}
