// Text a page or a HAR controls, made inert where it is printed: the control characters it may carry
// (C0, DEL, C1) and the Unicode controls that reorder what a terminal or an editor shows, found by one
// pattern and written as visible escapes. Pure: shared by the terminal output, Markdown and copy as curl.

/** C0 controls (below 0x20), DEL (0x7F) and C1 controls (0x80-0x9F). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
export const CONTROL = /[\x00-\x1f\x7f-\x9f]/g;

/** CONTROL, and the bidirectional controls that make text display in another order ("Trojan Source"). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
export const UNSAFE_FOR_DISPLAY = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** `\xHH` for a character below 0x100, `\u{H…}` above. */
export function escapeChar(c: string): string {
  const code = c.codePointAt(0)!;
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
}

/** The text with every control character written as an escape (`\x1b`, `\u{202e}`): safe in a terminal. */
export function visible(s: string): string {
  return s.replace(UNSAFE_FOR_DISPLAY, escapeChar);
}
