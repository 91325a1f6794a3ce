/**
 * Text from the data made safe to draw for people (Table, List): control characters (C0, DEL,
 * C1) and bidirectional overrides become spaces, so a hostile company name cannot move the
 * cursor, retitle the window or reorder what is shown.
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, ' ');
}
