/**
 * The candidate nearest to what was typed (case-insensitive edit distance), or undefined when none
 * is near.
 */
export function closestName(typed: string, candidates: readonly string[]): string | undefined {
  const wanted = typed.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(wanted, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  // Further than about half the word away, a suggestion is noise rather than help.
  return bestDistance <= Math.max(2, Math.floor(wanted.length / 2)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  if (a.length > 100 || b.length > 100) return Infinity;
  // One row of the distance table at a time: `previous[j]` is the distance from a[0..i-1] to
  // b[0..j], `left` the one just computed in this row, `diagonal` previous[j - 1] before the row
  // overwrote it (Wagner-Fischer with a single array).
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = i - 1;
    let left = i;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] ?? Infinity; // always set: the array has b.length + 1 entries
      const distance = Math.min(above + 1, left + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
      left = distance;
      row[j] = distance;
    }
  }
  return row[b.length] ?? Infinity;
}
