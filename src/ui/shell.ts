// Quoting for bash, as Chrome DevTools' "Copy as cURL (bash)" quotes: a word with nothing special goes in single
// quotes; one with a single quote, a "!" or any control character goes in ANSI-C quotes ($'...') with those
// characters written as escapes, so that no byte a page or a HAR chose reaches the terminal or the shell as
// itself (an ESC closing bracketed paste, Ctrl-O, a newline ending the command).

/** Bytes below 0x20, 0x7F and 0x80-0x9F (the C1 controls), "!" (history expansion) and "'" . */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters it escapes
const NEEDS_ANSI_C = /[\x00-\x1f\x7f-\x9f!']/;

/** One word for bash: '...' when that is safe, else $'...' with \xHH escapes. */
export function bashQuote(s: string): string {
  if (!NEEDS_ANSI_C.test(s)) return `'${s}'`;
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === "'") out += "\\'";
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || ch === '!')
      out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `$'${out}'`;
}
