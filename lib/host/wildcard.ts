/** PowerShell wildcards (`*`, `?`), matched case-insensitively against the whole text. */
export function wildcardMatcher(pattern: string): (text: string) => boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  const regex = new RegExp(`^${source}$`, 'is');
  return (text) => regex.test(text);
}

export function hasWildcard(pattern: string): boolean {
  return /[*?]/.test(pattern);
}
