/**
 * How many terminal columns text takes, and how to cut it to a width, for every script a
 * customer's name may use. A terminal draws grapheme clusters (what a reader sees as one
 * character: a letter with its marks, a flag, a family emoji), not code points, so text is
 * measured and cut by cluster (Unicode UAX #29, through Intl.Segmenter):
 *
 * - a cluster of marks, format or control characters only takes no column;
 * - an emoji cluster takes two: any RGI emoji sequence of Unicode UTS #51 (a flag, a skin-tone
 *   modifier sequence, a ZWJ family, a keycap), a ZWJ sequence of pictographs, and a character
 *   followed by the emoji presentation selector U+FE0F;
 * - any other cluster takes what its characters take, as terminals lay them out (the POSIX
 *   wcwidth rules): a nonspacing or enclosing mark, a format character or a conjoining Hangul
 *   vowel or final consonant none (a Thai tone mark, a Devanagari virama or vowel sign below the
 *   line rides on the letter before it); a character whose East Asian Width (Unicode UAX #11,
 *   through the get-east-asian-width table) is Wide or Fullwidth two (Chinese, Japanese kana,
 *   Korean, ☕); everything else one, spacing marks (a Devanagari vowel sign such as ि) and
 *   ambiguous characters included, as terminals outside East Asian locales draw them.
 */
import { eastAsianWidth } from 'get-east-asian-width';

const segmenter = new Intl.Segmenter();

/** A character that draws something: not a mark, format character (ZWJ, bidi mark) or control. */
const visible = /[^\p{Mark}\p{Default_Ignorable_Code_Point}\p{Control}\p{Format}\p{Surrogate}]/u;
const zeroWidth =
  /[\p{Nonspacing_Mark}\p{Enclosing_Mark}\p{Default_Ignorable_Code_Point}\p{Control}\p{Format}]/u;
// Built at run time: the `v` flag (sequence properties) is newer than the compiler's target; every
// supported Node has it.
// biome-ignore lint/complexity/useRegexLiterals: a literal with the v flag does not compile here.
const rgiEmoji = new RegExp('^\\p{RGI_Emoji}$', 'v');
const pictograph = /\p{Extended_Pictographic}/gu;
const printableAscii = /^[\u0020-\u007e]*$/;

/** The grapheme clusters of `text`, in order. */
export function graphemes(text: string): string[] {
  if (printableAscii.test(text)) return [...text];
  return Array.from(segmenter.segment(text), (part) => part.segment);
}

/** Terminal columns `text` takes (see the module comment for the rules). */
export function displayWidth(text: string): number {
  if (printableAscii.test(text)) return text.length;
  let width = 0;
  for (const { segment } of segmenter.segment(text)) width += clusterWidth(segment);
  return width;
}

/** Columns one grapheme cluster takes. */
export function clusterWidth(cluster: string): number {
  if (!visible.test(cluster)) return 0;
  if (isEmoji(cluster)) return 2;
  let width = 0;
  for (const character of cluster) {
    const code = character.codePointAt(0)!;
    if (!zeroWidth.test(character) && !isConjoiningJamo(code)) width += eastAsianWidth(code);
  }
  return width;
}

/** Hangul vowels and final consonants that join the leading consonant's two-column block. */
function isConjoiningJamo(code: number): boolean {
  return (code >= 0x1160 && code <= 0x11ff) || (code >= 0xd7b0 && code <= 0xd7ff);
}

function isEmoji(cluster: string): boolean {
  // Real emoji sequences are short; a pathological cluster of thousands of marks is not one.
  if (cluster.length > 40) return false;
  if (rgiEmoji.test(cluster) || cluster.includes('\ufe0f')) return true;
  return cluster.includes('\u200d') && (cluster.match(pictograph)?.length ?? 0) >= 2;
}

/**
 * `text` cut to at most `width` columns, ending in … when cut. The cut falls between clusters,
 * never inside one (a flag is not left as half a flag, nor a letter without its mark).
 */
export function truncateToWidth(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  if (width <= 0) return '';
  let kept = '';
  let used = 0;
  for (const cluster of graphemes(text)) {
    const next = clusterWidth(cluster);
    if (used + next > width - 1) break;
    kept += cluster;
    used += next;
  }
  return `${kept}…`;
}

/** `text` followed by spaces up to `width` columns (as it is when already as wide or wider). */
export function padToWidth(text: string, width: number): string {
  const missing = width - displayWidth(text);
  return missing > 0 ? text + ' '.repeat(missing) : text;
}
