import type { Header } from './types';

// HTTP whitespace around a field value is not part of it: https://fetch.spec.whatwg.org/#concept-header-value-normalize
// (Chromium strips it too: an ACAO of "  https://a  " matches https://a).
const HTTP_WS = /^[\t\n\r ]+|[\t\n\r ]+$/g;

function normalizeValue(value: string): string {
  const first = value.charCodeAt(0);
  const last = value.charCodeAt(value.length - 1);
  if (first > 32 && last > 32) return value;
  return value.replace(HTTP_WS, '');
}

// Chromium refuses a response whose headers pass 256 KiB (net::ERR_RESPONSE_HEADERS_TOO_BIG); a combined value
// never needs to be longer, and capping it keeps a hostile recording from exhausting memory.
const MAX_HEADER_BYTES = 256 * 1024;

/**
 * The combined value of every header named `name` (ASCII case-insensitive, `name` given lower-case),
 * joined with ", " as Chromium's HttpResponseHeaders::GetNormalizedHeader joins them; null if absent.
 */
export function getCombined(headers: readonly Header[] | undefined, name: string): string | null {
  if (!headers) return null;
  let out: string | null = null;
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!;
    if (h[0].length === name.length && h[0].toLowerCase() === name) {
      const v = normalizeValue(h[1]);
      out = out === null ? v : `${out}, ${v}`;
      if (out.length > MAX_HEADER_BYTES) return out.slice(0, MAX_HEADER_BYTES);
    }
  }
  return out;
}

/**
 * Whether a response's header block passes the 256 KiB Chromium accepts (net::ERR_RESPONSE_HEADERS_TOO_BIG).
 * Firefox's own limit is not modelled.
 */
export function headersTooBig(headers: readonly Header[]): boolean {
  let n = 0;
  for (const h of headers) n += h[0].length + h[1].length + 4;
  return n > MAX_HEADER_BYTES;
}

/** How many headers named `name` (lower-case) the list holds. */
export function countHeader(headers: readonly Header[] | undefined, name: string): number {
  if (!headers) return 0;
  let n = 0;
  for (const h of headers) if (h[0].length === name.length && h[0].toLowerCase() === name) n++;
  return n;
}

/**
 * https://fetch.spec.whatwg.org/#http-access-control-request-headers: the header names a preflight asked
 * for, as the browser wrote them (Chromium and Firefox write them lower-case, sorted), empty items skipped.
 */
export function requestedHeaderNames(headers: readonly Header[] | undefined): string[] {
  const value = getCombined(headers, 'access-control-request-headers');
  if (value === null) return [];
  return value
    .split(',')
    .map(normalizeValue)
    .filter((n) => n !== '');
}

// RFC 9110 token: 1*tchar.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
export function isToken(s: string): boolean {
  return TOKEN.test(s);
}

/**
 * Splits a comma-separated list of tokens the way Chromium's ParseAccessControlAllowList does
 * (net::HttpUtil::ValuesIterator, empty items skipped, each item must be a token): the items, or the first
 * item that is not a token as `bad`.
 */
export function parseTokenList(value: string | null): { items: string[] } | { bad: string } {
  if (value === null) return { items: [] };
  const items: string[] = [];
  for (const raw of value.split(',')) {
    const item = normalizeValue(raw);
    if (item === '') continue;
    if (!isToken(item)) return { bad: item };
    items.push(item);
  }
  return { items };
}
