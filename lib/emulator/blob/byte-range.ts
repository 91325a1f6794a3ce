/**
 * The byte range of a Get Blob request: `x-ms-range` wins over `Range`; `bytes=start-end` and
 * `bytes=start-` are read; a start at or past the blob's end is unsatisfiable (416); anything
 * else the service would not read is ignored, and the whole blob is served (docs/billing.md).
 */
export type ByteRange = { from: number; to: number } | 'whole' | 'unsatisfiable';

export function byteRangeOf(value: string | undefined, size: number): ByteRange {
  if (value === undefined) return 'whole';
  const match = /^\s*bytes=(\d+)-(\d*)\s*$/i.exec(value);
  if (!match) return 'whole';
  const from = Number(match[1]);
  const to = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (from >= size || (match[2] !== '' && Number(match[2]) < from)) return 'unsatisfiable';
  return { from, to };
}
