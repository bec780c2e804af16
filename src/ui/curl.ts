// "Copy as curl" for one request on the wire, quoted for bash as Chrome DevTools' "Copy as cURL (bash)"
// quotes it, redacted values as a placeholder. Whatever a page or a HAR put in the request stays one inert
// word when the command is pasted into a terminal: no control character reaches the terminal or readline.
import { REDACTED_PATTERN } from '../capture/redact';
import type { HttpRequest } from '../cors/types';
import { CONTROL, escapeChar } from '../report/inert';

export const REDACTED_PLACEHOLDER = '<redacted>';

// curl computes these itself, or they would be wrong without the body.
const SKIP = new Set(['host', 'content-length', 'connection']);

// What DevTools' escapeStringPosix quotes with ANSI-C quoting: control characters (C0, DEL, C1), "!"
// (history expansion) and the single quote.
const needsAnsiC = (s: string) => s.includes("'") || s.includes('!') || s.search(CONTROL) !== -1;

/**
 * Quotes a word for bash: `'...'` when it holds only printable characters and no quote, else ANSI-C quoting
 * `$'...'` with backslash, quote, CR and LF escaped and every other control character (below 0x20, 0x7F,
 * 0x80-0x9F) and "!" written as `\xHH`. A pasted ESC, Ctrl-O or the end of a bracketed paste (ESC [201~)
 * is then text, never a keystroke.
 */
export function shellQuote(s: string): string {
  if (!needsAnsiC(s)) return `'${s}'`;
  const body = s
    .replace(/\\/g, '\\\\')
    .replace(/'/g, "\\'")
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(CONTROL, escapeChar)
    .replace(/!/g, '\\x21');
  return `$'${body}'`;
}

export function isRedacted(value: string): boolean {
  return REDACTED_PATTERN.test(value);
}

/**
 * A curl command line for the request, with -i to show the response headers; null for a URL that is not
 * http(s) (curl would read another scheme, or a word starting with "-", as something else).
 */
export function curlFor(request: HttpRequest): string | null {
  if (!/^https?:\/\//i.test(request.url)) return null;
  const parts = ['curl', '-i'];
  const method = request.method;
  if (method === 'HEAD') parts.push('--head');
  else if (method !== 'GET') parts.push('-X', shellQuote(method));
  // curl reads [ ] { } in a URL as a glob pattern: escaped as DevTools does.
  parts.push(shellQuote(request.url).replace(/[[{}\]]/g, '\\$&'));
  const headers = request.headers ?? [];
  // Decode what the server compresses for the browser's Accept-Encoding.
  if (headers.some(([n]) => n.toLowerCase() === 'accept-encoding')) parts.push('--compressed');
  for (const [name, value] of headers) {
    if (SKIP.has(name.toLowerCase())) continue;
    const v = isRedacted(value) ? REDACTED_PLACEHOLDER : value;
    parts.push('-H', shellQuote(`${name}: ${v}`));
  }
  return parts.join(' ');
}
