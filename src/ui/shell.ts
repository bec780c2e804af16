// Quoting for bash, as Chrome DevTools' "Copy as cURL (bash)" quotes: a word with nothing special goes in single
// quotes; one with a single quote, a "!" or any character a terminal acts on goes in ANSI-C quotes ($'...') with
// those characters written as escapes, so that no byte a page or a HAR chose reaches the terminal or the shell as
// itself (an ESC closing bracketed paste, Ctrl-O, a newline ending the command, a right-to-left override that
// makes the line read otherwise than it runs). Used by copy as curl and by the `corscope probe` command.
import { UNSAFE_FOR_DISPLAY } from '../report/inert';

/** What ANSI-C quoting writes as an escape: the characters of UNSAFE_FOR_DISPLAY, "!", "'" and "\". */
const ESCAPED = new RegExp(`${UNSAFE_FOR_DISPLAY.source}|[!'\\\\]`, 'g');

const hex = (b: number) => `\\x${b.toString(16).padStart(2, '0')}`;
const utf8 = new TextEncoder();

/**
 * One character inside $'...': a backslash, a quote, LF, CR and tab by their names; a character below 0x100
 * as the byte it names (`\x1b`, `\x85`: a header value's bytes); any other (a bidirectional control) as its
 * UTF-8 bytes, which is what bash passes for it unquoted. Not `\u202e`: bash writes that out as the character
 * only in a UTF-8 locale, and as the six characters `\u202E` in the C locale.
 */
function ansiC(ch: string): string {
  if (ch === '\\') return '\\\\';
  if (ch === "'") return "\\'";
  if (ch === '\n') return '\\n';
  if (ch === '\r') return '\\r';
  if (ch === '\t') return '\\t';
  const c = ch.codePointAt(0)!;
  return c < 0x100 ? hex(c) : Array.from(utf8.encode(ch), hex).join('');
}

/** One word for bash: '...' when that is safe, else $'...' with the characters above escaped. */
export function bashQuote(s: string): string {
  if (!/[!']/.test(s) && s.search(UNSAFE_FOR_DISPLAY) === -1) return `'${s}'`;
  return `$'${s.replace(ESCAPED, ansiC)}'`;
}
